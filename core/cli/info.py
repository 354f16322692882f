"""``rvq-motion info CLIP|DIR``: what a clip contains, or a dataset root's layout, splits and size (see
:mod:`core.cli.dataset_info`), as a table for people or JSON for scripts."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

FORMAT_BY_SUFFIX = {".bvh": "bvh", ".npz": "smplx-npz", ".npy": "humanml3d"}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "info",
        help="show a clip's format, frames, fps and joints, or a dataset's layout, splits and size",
        description="Show format, frame count, frame rate, duration and joint names of a motion clip; for a "
        "folder, its layout (HumanML3D, KIT-ML, BEAT2, AMASS root, or a plain folder), each split's clip count, "
        "frames and hours, the skeleton and the frame rate, read from file headers.",
    )
    parser.add_argument(
        "clip",
        type=Path,
        metavar="CLIP|DIR",
        help="a .bvh, SMPL-X .npz or HumanML3D/KIT-ML .npy file, or a folder",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.clip.is_dir():
        from core.cli.dataset_info import print_dataset

        print_dataset(args.clip, args.json)
        return 0
    summary = describe(args.clip)
    print(json.dumps(summary, indent=2) if args.json else format_table(summary))
    return 0


def describe(path: Path) -> dict[str, Any]:
    """JSON-friendly summary of a clip; loads it, so bad files raise MotionFileError."""
    from core.formats import load_motion  # deferred: torch import makes `--help` slow

    motion = load_motion(path)
    skeleton = motion.skeleton
    return {
        "path": str(path),
        "format": str(motion.source.get("format") or FORMAT_BY_SUFFIX.get(path.suffix.lower(), "unknown")),
        "skeleton": skeleton.name,
        "frames": motion.num_frames,
        "fps": float(motion.fps),
        "duration_s": float(motion.duration),
        "num_joints": skeleton.num_joints,
        "joints": list(skeleton.joint_names),
        "parents": [int(p) for p in skeleton.parents],
    }


def format_table(summary: dict[str, Any]) -> str:
    names, parents = summary["joints"], summary["parents"]
    lines = [
        f"path      {summary['path']}",
        f"format    {summary['format']}",
        f"skeleton  {summary['skeleton']}",
        f"frames    {summary['frames']}",
        f"fps       {summary['fps']:g}",
        f"duration  {format_duration(summary['duration_s'])}",
        f"joints    {summary['num_joints']}",
    ]
    width = len(str(len(names) - 1))
    for j, (name, parent) in enumerate(zip(names, parents, strict=True)):
        parent_note = "(root)" if parent < 0 else f"<- {names[parent]}"
        lines.append(f"  {j:>{width}}  {name:<24} {parent_note}")
    return "\n".join(lines)


def format_duration(seconds: float) -> str:
    """``63.53 s (1:03.53)``: seconds for arithmetic, minutes for reading long clips."""
    minutes, rest = divmod(seconds, 60.0)
    return f"{seconds:.2f} s ({int(minutes)}:{rest:05.2f})"
