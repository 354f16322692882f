"""What the code atlas costs, and how time and memory grow with the number of clips.

Builds the atlas (:func:`core.analysis.atlas.build_atlas`: read, tokenize, decode with the first k layers,
body frame, per-code statistics) on N Bandai clips (the shared clips cycled to N: every one is read and
parsed again, as distinct files would be), each N in a fresh process so its peak memory is its own, then
draws the previews of every used code. Prints, per N: clips, frames, seconds to build, clips per second,
the peak resident memory of the main process (a worker holds the model and one clip), the atlas's per-code arrays and its token index (the only part
that grows with the data: two bytes per step and layer), and the previews' time per code with what a
full codebook (1024 codes x the layers) would take at that rate.

``--model seed`` times a seed-size tokenizer (width 512, 6 x 1024 x 128 codes) with random weights on
the Bandai skeleton: the cost does not depend on what the weights learned.

Run: ``.venv/bin/python benchmarks/atlas.py [--clips 100 400 1600] [--model demo|seed] [--layers 1,2]
[--workers 2] [--json OUT]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from common import DATA_DIR, DEMO_CHECKPOINT  # noqa: E402

BANDAI = DATA_DIR / "bandai"
FULL_CODEBOOK = 1024


def bandai_files(n: int) -> list[Path]:
    clips = sorted(BANDAI.rglob("*.bvh"))
    return list(itertools.islice(itertools.cycle(clips), n))


def seed_checkpoint(folder: Path) -> Path:
    """A seed-size tokenizer with random weights for the Bandai skeleton."""
    import torch

    from core.formats import load_motion
    from core.model.checkpoint import save_checkpoint
    from core.model.rvqvae import RVQVAE
    from core.train.config import preset
    from core.train.features import normalizer_for, representation_for

    config = preset("seed")
    motion = load_motion(bandai_files(1)[0])
    representation = representation_for(config, motion.skeleton)
    motion = representation.fit(motion, motion.skeleton)
    normalizer = normalizer_for(config, representation, [representation.features(motion)])
    torch.manual_seed(0)
    model = RVQVAE(dataclasses.replace(config.model, input_dim=representation.dim)).eval()
    save_checkpoint(folder, model, motion.skeleton, representation, normalizer, motion.fps)
    return folder


def measure(n: int, checkpoint: Path, layers: tuple[int, ...], workers: int, previews: bool) -> dict:
    """One size, in this process (and ``workers`` worker processes): build the atlas, then draw its
    previews."""
    import torch

    from core.analysis.atlas import AtlasSettings, build_atlas
    from core.model.checkpoint import load_checkpoint
    from core.progress import run_to_end
    from core.render.atlas_preview import write_previews

    torch.set_num_threads(1)
    ckpt = load_checkpoint(checkpoint)
    files = bandai_files(n)
    start = time.perf_counter()
    settings = AtlasSettings(tuple(k - 1 for k in layers), workers=workers)
    atlas = run_to_end(build_atlas(ckpt, files, settings))
    seconds = time.perf_counter() - start
    held = sum(a.nbytes for s in atlas.stats.values() for a in vars(s).values() if hasattr(a, "nbytes"))
    row = {
        "clips": len(atlas.clips),
        "frames": sum(c.frames for c in atlas.clips),
        "build_s": seconds,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "per_code_mb": held / 1e6,
        "index_mb": atlas.index.codes.nbytes / 1e6,
        "codes_used": sum(len(atlas.by_use(layer)) for layer in atlas.layers),
    }
    if previews:
        with tempfile.TemporaryDirectory() as folder:
            start = time.perf_counter()
            run_to_end(write_previews(atlas, folder))
            row["preview_ms_per_code"] = 1000 * (time.perf_counter() - start) / max(row["codes_used"], 1)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clips", type=int, nargs="+", default=[100, 400, 1600])
    parser.add_argument("--model", choices=["demo", "seed"], default="demo")
    parser.add_argument("--layers", default="1,2")
    parser.add_argument("--workers", type=int, default=2, help="processes tokenizing clips (1: the main one)")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # one size, in a child process
    parser.add_argument("--checkpoint", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    layers = tuple(int(k) for k in args.layers.split(","))
    if args.one is not None:
        print(json.dumps(measure(args.one, args.checkpoint, layers, args.workers, previews=True)))
        return
    with tempfile.TemporaryDirectory() as scratch:
        checkpoint = DEMO_CHECKPOINT if args.model == "demo" else seed_checkpoint(Path(scratch) / "seed")
        print(
            f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, {args.workers} worker(s) "
            "of one torch thread; "
            f"model {args.model}; layers {args.layers}; Bandai clips cycled to N"
        )
        print(
            f"{'clips':>6} {'frames':>9} {'build s':>8} {'clips/s':>8} {'peak RSS MB':>12} "
            f"{'per-code MB':>12} {'index MB':>9} {'codes':>6} {'preview ms/code':>16} {'full codebook s':>16}"
        )
        rows = []
        for n in args.clips:
            command = [
                sys.executable,
                __file__,
                "--one",
                str(n),
                "--checkpoint",
                str(checkpoint),
                "--layers",
                args.layers,
                "--workers",
                str(args.workers),
            ]
            done = subprocess.run(command, capture_output=True, text=True, check=True)
            row = json.loads(done.stdout.strip().splitlines()[-1])
            full = row["preview_ms_per_code"] * FULL_CODEBOOK * len(layers) / 1000
            rows.append(row | {"full_codebook_previews_s": full})
            print(
                f"{row['clips']:>6} {row['frames']:>9,} {row['build_s']:>8.1f} {row['clips'] / row['build_s']:>8.1f} "
                f"{row['peak_rss_mb']:>12.0f} {row['per_code_mb']:>12.1f} {row['index_mb']:>9.2f} "
                f"{row['codes_used']:>6} {row['preview_ms_per_code']:>16.1f} {full:>16.0f}"
            )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()
