"""``rvq-motion convert IN OUT``: change a clip's file format, chosen by the output's extension."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "convert",
        help="convert a clip to .bvh or SMPL-X .npz (by the output extension)",
        description="Read a .bvh, SMPL-X .npz or HumanML3D .npy clip and write it as .bvh (any skeleton) "
        "or SMPL-X .npz in BEAT2 layout (SMPL-X skeletons only).",
    )
    parser.add_argument("input", type=Path, help="clip to read")
    parser.add_argument("output", type=Path, help="file to write (.bvh or .npz)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from core.formats import load_motion, save_motion  # deferred: torch import makes `--help` slow

    motion = load_motion(args.input)
    save_motion(motion, args.output)
    print(f"wrote {args.output}: {motion.num_frames} frames, {motion.skeleton.num_joints} joints")
    return 0
