"""Motion data layer speed: BVH parsing over a folder, and forward kinematics of a long SMPL-X clip.

Prints a table; targets from the issues: FK of 1,800 frames x 55 joints at most 3 ms on one core.
Run: ``.venv/bin/python benchmarks/io_and_fk.py [--data ../shared/data] [--json OUT]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

import numpy as np
import torch

from core.formats import load_motion
from core.formats.smplx_skeleton import smplx_skeleton
from core.motion.kinematics import forward_kinematics

REPO = Path(__file__).resolve().parents[1]


def bvh_parse_speed(folder: Path) -> dict[str, float]:
    files = sorted(folder.rglob("*.bvh"))
    size = sum(f.stat().st_size for f in files)
    start = time.perf_counter()
    frames = sum(load_motion(f).num_frames for f in files)
    seconds = time.perf_counter() - start
    return {
        "files": len(files),
        "megabytes": size / 1e6,
        "seconds": seconds,
        "mb_per_s": size / 1e6 / seconds,
        "frames": frames,
    }


def fk_time(frames: int = 1800, repeats: int = 50) -> dict[str, float]:
    skeleton = smplx_skeleton()
    rng = np.random.default_rng(0)
    from scipy.spatial.transform import Rotation

    rot = Rotation.random(frames * skeleton.num_joints, random_state=0).as_matrix()
    rot = rot.reshape(frames, skeleton.num_joints, 3, 3)
    root = rng.normal(size=(frames, 3))
    result = {}
    for name, dtype in (("float32", np.float32), ("float64", np.float64)):
        r, t = rot.astype(dtype), root.astype(dtype)
        forward_kinematics(skeleton.parents, skeleton.offsets, r, t)
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            forward_kinematics(skeleton.parents, skeleton.offsets, r, t)
            times.append(time.perf_counter() - start)
        result[f"fk_{name}_ms"] = 1000 * statistics.median(times)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data", type=Path, default=Path(os.environ.get("RVQ_MOTION_DATA", REPO.parent / "shared" / "data"))
    )
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args()
    torch.set_num_threads(1)
    bvh = bvh_parse_speed(args.data / "bandai")
    fk = fk_time()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, one thread used")
    print(f"{'measure':<44}{'value':>12}  target")
    print(
        f"{'BVH parse, Bandai folder (' + str(bvh['files']) + ' files, ' + format(bvh['megabytes'], '.0f') + ' MB)':<44}"
        f"{bvh['mb_per_s']:>9.1f} MB/s"
    )
    print(f"{'BVH load, whole Bandai folder':<44}{bvh['seconds']:>10.2f} s")
    print(f"{'FK 1800 frames x 55 joints, float32':<44}{fk['fk_float32_ms']:>10.2f} ms  <= 3 ms")
    print(f"{'FK 1800 frames x 55 joints, float64':<44}{fk['fk_float64_ms']:>10.2f} ms")
    if args.json:
        args.json.write_text(json.dumps({**bvh, **fk}, indent=1) + "\n")


if __name__ == "__main__":
    main()
