"""What refining a clip's codes costs: milliseconds per step and seconds for a default refinement,
for clips of a few lengths, with the demo checkpoint.

Each step decodes the whole clip and back-propagates to its latent, so the cost grows with the
clip's length; plain tokenization (one encoder pass) is shown for scale.

  .venv/bin/python benchmarks/refine.py [--steps 20] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

import torch
from common import add_clip_and_checkpoint, median_ms

from core.formats import load_motion
from core.model.checkpoint import load_checkpoint
from core.tokens.codec import tokenize
from core.tokens.refine import RefineSettings, TokenRefinement

LENGTHS = (224, 900, 1800)


def measure(ckpt_path: Path, clip_path: Path, frames: int, steps: int) -> dict[str, float]:
    ckpt = load_checkpoint(ckpt_path)
    motion = load_motion(clip_path).slice(0, frames)
    tokenize_ms = median_ms(lambda: tokenize(ckpt, motion), 5)
    refinement = TokenRefinement(ckpt, motion, RefineSettings(steps=steps + 1))
    times = []
    start = time.perf_counter()
    for _ in refinement.run():  # the first step (graph and allocator warm-up) is not counted
        now = time.perf_counter()
        times.append(now - start)
        start = now
    step_ms = 1000 * statistics.median(times[1:])
    return {
        "frames": motion.num_frames,
        "tokenize_ms": tokenize_ms,
        "step_ms": step_ms,
        "default_refine_s": step_ms * RefineSettings().steps / 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_clip_and_checkpoint(parser)
    parser.add_argument(
        "--steps", type=int, default=20, help="refinement steps timed per clip length (median)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args()
    rows = [measure(args.checkpoint, args.clip, frames, args.steps) for frames in LENGTHS]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, torch threads {torch.get_num_threads()}")
    print(f"{'frames':>8}{'tokenize ms':>14}{'ms/step':>10}{'default refine s':>18}")
    for row in rows:
        print(
            f"{row['frames']:>8}{row['tokenize_ms']:>14.1f}{row['step_ms']:>10.1f}"
            f"{row['default_refine_s']:>18.1f}"
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()
