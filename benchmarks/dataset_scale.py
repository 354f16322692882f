"""How the start of a training run grows with the dataset: time to step 0 and peak memory, cold and warm.

Writes synthetic datasets of N distinct clips made from the real samples in ../shared/data (so the rows
look real): a HumanML3D-layout root (``new_joint_vecs/`` of 263-dim rows cropped to 40-196 frames from the
two HumanML3D samples and jittered, ``Mean.npy``/``Std.npy``, ``train/val/test/all.txt``) trained with
``--preset motion-s``, and a BEAT2-like folder of SMPL-X ``.npz`` (crops of 64-256 frames of the BEAT2
clip, poses jittered) trained with ``--preset small`` (6D rotations + root path, mirrored). Each run is
``rvq-motion train`` in a child process of the checkout given by ``--repo`` (so the same script measures
an older commit); it is timed from its start to the line that announces step 0, when its peak resident
memory (VmHWM) is read and it is stopped. "cold" runs with an empty feature cache, "warm" right after,
with the cache the cold run filled (a checkout without a cache is simply cold twice).

Reading rate is the dataset's frames over the time from "loading clips" to step 0; the growth exponent
is the slope of log(memory above the interpreter's own) and log(time) against log(frames): 1 is linear.
It is given over every size and between the two largest, where the fixed costs (the model, starting
worker processes) weigh least.

  python benchmarks/dataset_scale.py --sizes 100 1000 4000 [--kinds humanml3d beat2] [--repo ../old]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("RVQ_MOTION_DATA", REPO.parent / "shared" / "data"))
KINDS = {
    "humanml3d": ("new_joint_vecs", ["--preset", "motion-s"], 263),
    "beat2": ("smplxflame_30", ["--preset", "small"], 333),
}


def write_humanml3d(root: Path, clips: int, seed: int = 0) -> int:
    """A HumanML3D-layout root of ``clips`` crops of the real samples; returns the frames written."""
    rng = np.random.default_rng(seed)
    source = DATA / "humanml3d"
    samples = [np.load(p).astype(np.float32) for p in sorted((source / "new_joint_vecs").glob("*.npy"))]
    rows_dir = root / "new_joint_vecs"
    rows_dir.mkdir(parents=True, exist_ok=True)
    frames = 0
    ids = []
    for i in range(clips):
        sample = samples[i % len(samples)]
        length = int(rng.integers(40, min(196, len(sample)) + 1))
        start = int(rng.integers(0, len(sample) - length + 1))
        rows = sample[start : start + length].copy()
        rows[:, :-4] += rng.normal(0.0, 0.005, rows[:, :-4].shape).astype(np.float32)
        name = f"{i:06d}"
        np.save(rows_dir / f"{name}.npy", rows)
        ids.append(name)
        frames += length
    for name in ("Mean.npy", "Std.npy"):
        shutil.copy(source / name, root / name)
    cut = [int(len(ids) * 0.8), int(len(ids) * 0.85)]
    for split, chosen in zip(("train", "val", "test"), np.split(np.array(ids), cut), strict=True):
        (root / f"{split}.txt").write_text("".join(f"{n}\n" for n in chosen))
    (root / "all.txt").write_text("".join(f"{n}\n" for n in ids))
    return frames


def write_beat2(root: Path, clips: int, seed: int = 0) -> int:
    """A folder of ``clips`` SMPL-X ``.npz`` crops of the BEAT2 clip (BEAT2's keys); returns the frames."""
    rng = np.random.default_rng(seed)
    with np.load(DATA / "beat2" / "2_scott_0_1_1.npz") as archive:
        clip = {key: archive[key] for key in archive.files}
    folder = root / "smplxflame_30"
    folder.mkdir(parents=True, exist_ok=True)
    frames = 0
    for i in range(clips):
        length = int(rng.integers(64, 257))
        start = int(rng.integers(0, len(clip["poses"]) - length + 1))
        part = dict(clip)
        for key in ("poses", "trans", "expressions"):
            part[key] = clip[key][start : start + length].copy()
        part["poses"] += rng.normal(0.0, 0.01, part["poses"].shape).astype(part["poses"].dtype)
        np.savez(folder / f"2_scott_{i:06d}.npz", **part)
        frames += length
    return frames


def dataset(kind: str, clips: int, where: Path) -> tuple[Path, int]:
    """The dataset's clip folder (written once, reused after) and its frames."""
    root = where / f"{kind}-{clips}"
    marker = root / "frames.json"
    if not marker.is_file():
        shutil.rmtree(root, ignore_errors=True)
        frames = (write_humanml3d if kind == "humanml3d" else write_beat2)(root, clips)
        marker.write_text(json.dumps({"frames": frames}))
    return root / KINDS[kind][0], json.loads(marker.read_text())["frames"]


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def start_run(repo: Path, folder: Path, preset: list[str], cache: Path, python: str) -> dict:
    """One ``rvq-motion train`` in a child process up to step 0: seconds to 'loading clips' and to step
    0, and resident memory then (MB): peak so far, and current at the first 'loading ...' line (the interpreter's own)."""
    run_dir = Path(tempfile.mkdtemp(prefix="rvq-run-"))
    command = [python, "-m", "core.cli", "train", "--data", str(folder), "--out", str(run_dir), *preset]
    command += ["--steps", "1", "--batch-size", "4", "--device", "cpu", "--no-tensorboard"]
    env = {**os.environ, "RVQ_MOTION_CACHE": str(cache), "PYTHONUNBUFFERED": "1"}
    start = time.perf_counter()
    child = subprocess.Popen(
        command, cwd=repo, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    figures: dict = {}
    lines = []
    try:
        assert child.stdout is not None
        for line in child.stdout:
            lines.append(line)
            if line.startswith("loading ") and "loading_s" not in figures:
                figures["loading_s"] = time.perf_counter() - start
                figures["base_mb"] = _status_kb(child.pid, "VmRSS") / 1024
            if line.startswith("training on"):
                figures["step0_s"] = time.perf_counter() - start
                figures["peak_mb"] = _status_kb(child.pid, "VmHWM") / 1024
                break
    finally:
        child.kill()
        child.wait()
        shutil.rmtree(run_dir, ignore_errors=True)
    if "step0_s" not in figures:
        raise RuntimeError(f"the run never reached step 0:\n{''.join(lines[-20:])}")
    return figures


def slope(x: list[float], y: list[float]) -> float:
    """Least-squares slope of log y against log x (nan with fewer than two points)."""
    if len(x) < 2:
        return float("nan")
    return float(np.polyfit(np.log(x), np.log(np.maximum(y, 1e-9)), 1)[0])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 4000])
    parser.add_argument("--kinds", nargs="+", choices=tuple(KINDS), default=list(KINDS))
    parser.add_argument("--repo", type=Path, default=REPO, help="the checkout whose rvq-motion is measured")
    parser.add_argument("--python", default=sys.executable, help="the interpreter that runs it")
    parser.add_argument("--where", type=Path, default=Path(tempfile.gettempdir()) / "rvq-dataset-scale")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args()

    results = []
    print(
        "| data | clips | frames | features MB | cold start s | warm start s | peak MB (cold/warm) | "
        "above interpreter, x features (cold) | reading frames/s (cold/warm) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for kind in args.kinds:
        rows = []
        for clips in args.sizes:
            folder, frames = dataset(kind, clips, args.where)
            features_mb = frames * KINDS[kind][2] * 4 / 1e6
            with tempfile.TemporaryDirectory(prefix="rvq-cache-") as cache:
                cold = start_run(args.repo, folder, KINDS[kind][1], Path(cache), args.python)
                warm = start_run(args.repo, folder, KINDS[kind][1], Path(cache), args.python)
            row = {
                "kind": kind,
                "clips": clips,
                "frames": frames,
                "features_mb": features_mb,
                "cold": cold,
                "warm": warm,
            }
            rows.append(row)
            above = (cold["peak_mb"] - cold["base_mb"]) / features_mb
            rate = [frames / max(r["step0_s"] - r["loading_s"], 1e-9) for r in (cold, warm)]
            print(
                f"| {kind} | {clips:,} | {frames:,} | {features_mb:,.0f} | {cold['step0_s']:.1f} | "
                f"{warm['step0_s']:.1f} | {cold['peak_mb']:,.0f} / {warm['peak_mb']:,.0f} | "
                f"{above:.2f} | {rate[0]:,.0f} / {rate[1]:,.0f} |",
                flush=True,
            )
        for label, chosen in (("all sizes", rows), ("two largest", rows[-2:])):
            x = [r["frames"] for r in chosen]
            memory = slope(x, [r["cold"]["peak_mb"] - r["cold"]["base_mb"] for r in chosen])
            cold_t = slope(x, [r["cold"]["step0_s"] - r["cold"]["loading_s"] for r in chosen])
            warm_t = slope(x, [r["warm"]["step0_s"] - r["warm"]["loading_s"] for r in chosen])
            print(
                f"| {kind}: growth exponent vs frames, {label} | | | | time {cold_t:.2f} | "
                f"time {warm_t:.2f} | memory {memory:.2f} | | |"
            )
        results += rows
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
