"""``rvq-motion convert IN OUT``: change a clip's file format, chosen by the output's extension."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "convert",
        help="convert a clip to .bvh, SMPL-X .npz or HumanML3D .npy (by the output extension)",
        description="Read a .bvh, SMPL-X .npz or HumanML3D .npy clip and write it as .bvh (any skeleton), "
        "SMPL-X .npz in BEAT2 layout (SMPL-X skeletons only) or HumanML3D 263-dim .npy features (SMPL-X "
        "and HumanML3D skeletons: resampled to 20 fps, retargeted onto HumanML3D's body, placed and "
        "turned as HumanML3D's process_file does; T frames at 20 fps give T-1 rows).",
    )
    parser.add_argument("input", type=Path, help="clip to read")
    parser.add_argument("output", type=Path, help="file to write (.bvh, .npz or .npy)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from core.formats import load_motion, save_motion  # deferred: torch import makes `--help` slow

    motion = load_motion(args.input)
    save_motion(motion, args.output)
    print(f"wrote {args.output}: {motion.num_frames} frames, {motion.skeleton.num_joints} joints")
    return 0
