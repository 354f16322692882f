"""What refining a clip's codes costs: milliseconds per step, seconds for a default refinement, and how
long Stop takes to end a refinement, for clips of a few lengths.

Each step decodes the whole clip and back-propagates to its latent, so the cost grows with the
clip's length; plain tokenization (one encoder pass) is shown for scale. The stop latency is the
time from setting the stop flag, from another thread at a random moment of the first two steps, to
``TokenRefinement.run`` returning (target: 100 ms, however long a step takes); the GUI-thread stall is
the longest another thread waits past a 10 ms sleep while a refinement runs (the window's event loop).

  .venv/bin/python benchmarks/refine.py [--steps 20] [--stops 5] [--json OUT]
  # a seed-size tokenizer (random weights, made for the clip) on the 60 s BEAT2 clip:
  .venv/bin/python benchmarks/refine.py --random-checkpoint seed --frames 1800 --steps 3 \\
      --clip ../shared/data/beat2/2_scott_0_1_1.npz
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import tempfile
import threading
import time
from pathlib import Path

import torch
from common import add_clip_and_checkpoint, make_random_checkpoint, median_ms

from core.formats import load_motion
from core.model.checkpoint import Checkpoint, load_checkpoint
from core.motion.clip import Motion
from core.tokens.codec import tokenize
from core.tokens.refine import RefineSettings, TokenRefinement

LENGTHS = (224, 900, 1800)


def stop_latency_ms(ckpt: Checkpoint, motion: Motion, delay_s: float) -> float:
    """Milliseconds from a stop request, made by another thread ``delay_s`` into a refinement, to
    ``run`` returning."""
    refinement = TokenRefinement(ckpt, motion, RefineSettings(steps=1_000_000))
    requested = threading.Event()
    requested_at: list[float] = []

    def request() -> None:
        requested_at.append(time.perf_counter())
        requested.set()

    timer = threading.Timer(delay_s, request)
    timer.start()
    for _ in refinement.run(should_stop=requested.is_set):
        pass
    ended = time.perf_counter()
    timer.join()
    return 1000 * (ended - requested_at[0])


def main_thread_stall_ms(ckpt: Checkpoint, motion: Motion, seconds: float) -> float:
    """The longest a 10 ms sleep of this thread overruns while a refinement runs on another thread for
    ``seconds``: how late the window's event loop would get to its next event (it needs the GIL)."""
    requested = threading.Event()

    def refine() -> None:
        for _ in TokenRefinement(ckpt, motion, RefineSettings(steps=1_000_000)).run(
            should_stop=requested.is_set
        ):
            pass

    worker = threading.Thread(target=refine)
    worker.start()
    worst, end = 0.0, time.perf_counter() + seconds
    while time.perf_counter() < end:
        start = time.perf_counter()
        time.sleep(0.010)
        worst = max(worst, time.perf_counter() - start - 0.010)
    requested.set()
    worker.join()
    return 1000 * worst


def measure(ckpt: Checkpoint, clip_path: Path, frames: int, steps: int, stops: int) -> dict[str, float]:
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
    rng = random.Random(0)  # a random moment of the first two steps
    latencies = [stop_latency_ms(ckpt, motion, rng.uniform(0.0, 2 * step_ms / 1000)) for _ in range(stops)]
    return {
        "frames": motion.num_frames,
        "tokenize_ms": tokenize_ms,
        "step_ms": step_ms,
        "default_refine_s": step_ms * RefineSettings().steps / 1000,
        "stop_ms_median": statistics.median(latencies),
        "stop_ms_max": max(latencies),
        "main_thread_stall_ms": main_thread_stall_ms(ckpt, motion, max(1.0, 2 * step_ms / 1000)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_clip_and_checkpoint(parser)
    parser.add_argument(
        "--random-checkpoint",
        metavar="PRESET",
        help="time a checkpoint of this training preset's size with random weights, made for --clip "
        "(instead of --checkpoint): decoding costs the same whatever the weights learned",
    )
    parser.add_argument(
        "--steps", type=int, default=20, help="refinement steps timed per clip length (median)"
    )
    parser.add_argument("--stops", type=int, default=5, help="stop requests timed per clip length")
    parser.add_argument("--frames", type=int, nargs="+", default=list(LENGTHS), help="clip lengths")
    parser.add_argument("--threads", type=int, help="torch threads (default: torch's own choice)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as scratch:
        path = args.checkpoint
        if args.random_checkpoint:
            path = make_random_checkpoint(Path(scratch) / "checkpoint", args.clip, args.random_checkpoint)
        ckpt = load_checkpoint(path)
        rows = [measure(ckpt, args.clip, frames, args.steps, args.stops) for frames in args.frames]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, torch threads {torch.get_num_threads()}")
    print(
        f"checkpoint: {args.random_checkpoint + ' preset, random weights' if args.random_checkpoint else path}"
    )
    print(
        f"{'frames':>8}{'tokenize ms':>14}{'ms/step':>10}{'default refine s':>18}"
        f"{'stop ms (median)':>18}{'stop ms (max)':>15}{'GUI-thread stall ms':>21}"
    )
    for row in rows:
        print(
            f"{row['frames']:>8}{row['tokenize_ms']:>14.1f}{row['step_ms']:>10.1f}"
            f"{row['default_refine_s']:>18.1f}{row['stop_ms_median']:>18.1f}{row['stop_ms_max']:>15.1f}"
            f"{row['main_thread_stall_ms']:>21.1f}"
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()
