"""``rvq-motion joints CLIP --out joints.npy``: world joint positions for tools that want plain arrays."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from core.errors import MotionFileError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "joints",
        help="write world joint positions (frames, joints, 3) in metres, Y up, to a .npy file",
        description="Run forward kinematics and save world joint positions as a float32 array of shape "
        "(frames, joints, 3), in metres, Y up.",
    )
    parser.add_argument("clip", type=Path, help="a .bvh, SMPL-X .npz or HumanML3D .npy file")
    parser.add_argument("--out", type=Path, required=True, help="output .npy path")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from core.formats import load_motion  # deferred: torch import makes `--help` slow

    out: Path = args.out
    if out.suffix.lower() != ".npy":
        raise MotionFileError(out, "joint positions are written as .npy; give an output path ending in .npy")
    positions = load_motion(args.clip).joint_positions().astype(np.float32)
    with out.open("wb") as f:
        np.save(f, positions)
    print(f"wrote {out}: {positions.shape[0]} frames x {positions.shape[1]} joints x 3 (metres, Y up)")
    return 0
