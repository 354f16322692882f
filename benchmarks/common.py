"""What every benchmark script needs to find: the real data, the demo checkpoint, a long Bandai take."""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA_DIR = Path(os.environ.get("RVQ_MOTION_DATA", REPO.parent / "shared" / "data"))
DEMO_CHECKPOINT = REPO / "resources" / "demo_checkpoint"
LONG_CLIP = DATA_DIR / "bandai" / "dataset-1" / "dataset-1_dance-short_normal_001.bvh"
"""A 60 s+ take: long enough for a minute of motion at 30 fps."""


def add_clip_and_checkpoint(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--clip", type=Path, default=LONG_CLIP)
    parser.add_argument("--checkpoint", type=Path, default=DEMO_CHECKPOINT)


def median_ms(fn: Callable[[], object], repeats: int) -> float:
    """Median wall time of ``fn`` in ms over ``repeats`` calls, after one untimed warm-up call."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def make_random_checkpoint(directory: Path, clip: Path, preset_name: str = "seed") -> Path:
    """A checkpoint of ``preset_name``'s size with random weights for ``clip``'s skeleton: the cost of
    decoding does not depend on what the weights learned, so this times a seed-size tokenizer anywhere."""
    import torch

    from core.datasets.reader import prepared_motion
    from core.model.checkpoint import save_checkpoint
    from core.model.rvqvae import RVQVAE
    from core.train.config import preset
    from core.train.data import read_settings
    from core.train.features import normalizer_for, representation_for

    config = preset(preset_name)
    motion = prepared_motion(clip, read_settings(config).to_humanml3d)
    representation = representation_for(config, motion.skeleton)
    motion = representation.fit(motion, motion.skeleton)
    normalizer = normalizer_for(config, representation, [representation.features(motion)])
    torch.manual_seed(0)
    model = RVQVAE(config.model).eval()
    save_checkpoint(directory, model, motion.skeleton, representation, normalizer, motion.fps)
    return directory
