"""What every benchmark script needs to find: the real data, the demo checkpoint, a long Bandai take."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA_DIR = Path(os.environ.get("RVQ_MOTION_DATA", REPO.parent / "shared" / "data"))
DEMO_CHECKPOINT = REPO / "resources" / "demo_checkpoint"
LONG_CLIP = DATA_DIR / "bandai" / "dataset-1" / "dataset-1_dance-short_normal_001.bvh"
"""A 60 s+ take: long enough for a minute of motion at 30 fps."""


def add_clip_and_checkpoint(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--clip", type=Path, default=LONG_CLIP)
    parser.add_argument("--checkpoint", type=Path, default=DEMO_CHECKPOINT)
