"""How a tokenizer reconstructs the ends of clips against their middles (issue 28: frame 0 was often a
clip's worst frame).

Two tables on the held-out clips of a split file (root-aligned MPJPE in mm, all numbers of layers):

1. by place in the clip: frame 0, frames 1-3, 4-15, the middle (16 frames in from either end), the last
   four, the last; and how many clips have their worst frame at frame 0;
2. the same frames with and without a clip end beside them: frame K decoded inside the whole clip and
   as the first frame of the clip cut at K, and frame T' - 1 inside the clip and as the last frame of
   the clip cut at T' (T' a multiple of the model's downsampling, so no padding frame follows it). The
   differences are what a clip end alone costs, whatever the motion there.

    python benchmarks/clip_edges.py [--checkpoint CKPT] [--subset dataset-2]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch
from common import DATA_DIR, DEMO_CHECKPOINT, REPO

from core.analysis import metrics
from core.formats import load_motion
from core.model.checkpoint import load_checkpoint
from core.tokens.codec import decode_features, fit_clip, tokenize

CUT = 16


def frame_errors(ckpt, clip, layers: int) -> np.ndarray:
    """(frames,) root-aligned MPJPE in mm of ``clip`` (fitted) decoded from its own codes."""
    decoded = decode_features(ckpt, tokenize(ckpt, clip), layers, clip.num_frames)
    pred = ckpt.representation.positions(decoded, clip)
    return 1000 * metrics.joint_errors(pred, clip.joint_positions(), aligned=True).mean(axis=1)


def by_place(ckpt, clips) -> list[str]:
    rows = [
        "| layers | frame 0 | frames 1-3 | frames 4-15 | middle | last 4 | last | all frames | worst at frame 0 |"
    ]
    rows.append("|---" * 9 + "|")
    for k in range(1, ckpt.config.num_quantizers + 1):
        errors = [frame_errors(ckpt, c, k) for c in clips]

        def mean(part: slice, errors: list[np.ndarray] = errors) -> float:
            return float(np.mean([e[part].mean() for e in errors]))

        middle = np.mean([e[CUT:-CUT].mean() for e in errors if len(e) > 2 * CUT])
        worst = sum(int(np.argmax(e) == 0) for e in errors)
        rows.append(
            f"| {k} | {mean(slice(0, 1)):.1f} | {mean(slice(1, 4)):.1f} | {mean(slice(4, CUT)):.1f} "
            f"| {middle:.1f} | {mean(slice(-4, None)):.1f} | {mean(slice(-1, None)):.1f} "
            f"| {np.mean(np.concatenate(errors)):.1f} | {worst} of {len(errors)} |"
        )
    return rows


def beside_an_end(ckpt, clips) -> list[str]:
    f = ckpt.config.downsample_factor
    q = ckpt.config.num_quantizers
    rows = ["| layers | frame K inside | as a first frame | frame T'-1 inside | as a last frame | clips |"]
    rows.append("|---" * 6 + "|")
    long_enough = [c for c in clips if c.num_frames >= 2 * CUT + 2 * f]
    for k in sorted({1, 2, q}):
        sums = np.zeros(4)
        for clip in long_enough:
            whole = frame_errors(ckpt, clip, k)
            stop = (clip.num_frames - CUT) // f * f
            sums += (
                whole[CUT],
                frame_errors(ckpt, clip.slice(CUT, clip.num_frames), k)[0],
                whole[stop - 1],
                frame_errors(ckpt, clip.slice(0, stop), k)[-1],
            )
        a, b, c, d = sums / max(len(long_enough), 1)
        rows.append(f"| {k} | {a:.1f} | {b:.1f} | {c:.1f} | {d:.1f} | {len(long_enough)} |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--checkpoint", type=Path, default=DEMO_CHECKPOINT)
    parser.add_argument("--data", type=Path, default=DATA_DIR / "bandai")
    parser.add_argument("--split", type=Path, default=REPO / "resources" / "bandai_split.json")
    parser.add_argument("--subset", default="", help="only held-out clips whose name starts so")
    parser.add_argument("--limit", type=int, default=0, help="at most this many clips (0: all)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    ckpt = load_checkpoint(args.checkpoint)
    names = [n for n in json.loads(args.split.read_text())["holdout"] if n.startswith(args.subset)]
    names = names[: args.limit] if args.limit else names
    clips = [fit_clip(ckpt, load_motion(next(args.data.rglob(n)))) for n in names]
    print(f"{args.checkpoint}: {len(clips)} held-out clips, root-aligned MPJPE in mm (K = {CUT})\n")
    print("\n".join(by_place(ckpt, clips)))
    print()
    print("\n".join(beside_an_end(ckpt, clips)))


if __name__ == "__main__":
    main()
