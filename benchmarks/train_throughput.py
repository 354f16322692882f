"""Training throughput of the real training loop: steps/s, frames/s, peak memory and MFU.

Uses ``core.train.Trainer`` on the real BEAT2 SMPL-X clip (330 features) so what is timed is
what training runs: the GPU-resident window sampler, bf16 autocast and cuDNN autotuning on
CUDA, losses read back only once per interval. One interval of warm-up, one measured.
Model FLOPs (forward + backward) are counted once with torch's FlopCounterMode.

  GPU:  .venv/bin/python benchmarks/train_throughput.py --preset seed [--compile]
  CPU:  .venv/bin/python benchmarks/train_throughput.py            (small config, for CI)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import tempfile
from dataclasses import replace
from pathlib import Path

import torch
from torch.utils.flop_counter import FlopCounterMode

from core.model import RVQVAE
from core.model.devices import resolve_device
from core.train.config import TrainConfig, preset
from core.train.data import prepare_data
from core.train.events import StepEvent
from core.train.trainer import Trainer

REPO = Path(__file__).resolve().parents[1]
PEAK_BF16_FLOPS = {"H100": 989e12, "H200": 989e12, "A100": 312e12}


def flops_per_step(config: TrainConfig) -> float:
    """Forward + backward FLOPs of one training batch (counted on a 2-sample batch on the CPU)."""
    model = RVQVAE(config.model)
    model.train()
    x = torch.randn(2, config.window, config.model.input_dim)
    with FlopCounterMode(display=False) as counter:
        out = model(x)
        (out.reconstruction.square().mean() + out.commit_loss).backward()
    return counter.get_total_flops() / 2 * config.batch_size


def peak_flops(device: torch.device) -> float | None:
    if device.type != "cuda":
        return None
    name = torch.cuda.get_device_name(device)
    return next((v for k, v in PEAK_BF16_FLOPS.items() if k in name), None)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--preset", choices=("seed", "small"), help="default: seed on CUDA, small on CPU")
    parser.add_argument("--steps", type=int, help="measured steps (default 200 on CUDA, 10 on CPU)")
    parser.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    parser.add_argument("--compile", action="store_true", help="torch.compile the model")
    parser.add_argument("--batch-size", type=int)
    parser.add_argument(
        "--data", type=Path, default=Path(os.environ.get("RVQ_MOTION_DATA", REPO.parent / "shared" / "data"))
    )
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args()

    device = resolve_device(args.device)
    name = args.preset or ("seed" if device.type == "cuda" else "small")
    steps = args.steps or (200 if device.type == "cuda" else 10)
    config = preset(name)
    data = prepare_data([args.data / "beat2" / "2_scott_0_1_1.npz"], config)
    config = replace(
        config.with_input_dim(data.representation.dim),
        batch_size=args.batch_size or config.batch_size,
        steps=2 * steps,
        log_every=steps,
        checkpoint_every=10 * steps,
        warmup_steps=1,
    )
    with tempfile.TemporaryDirectory() as run_dir:
        trainer = Trainer(config, data, run_dir, device=str(device), compile_model=args.compile)
        if device.type == "cuda":
            torch.cuda.reset_peak_memory_stats(device)
        measured = [e for e in trainer.run() if isinstance(e, StepEvent)][-1]
    if device.type == "cuda":
        peak_gb = torch.cuda.max_memory_allocated(device) / 2**30
        device_name = torch.cuda.get_device_name(device)
    else:
        peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
        device_name = f"CPU ({platform.processor() or platform.machine()}, {torch.get_num_threads()} threads)"
    achieved = flops_per_step(config) * measured.steps_per_s
    peak = peak_flops(device)
    figures = {
        "device": device_name,
        "preset": name,
        "batch_size": config.batch_size,
        "window": config.window,
        "compile": args.compile,
        "steps_per_s": measured.steps_per_s,
        "frames_per_s": measured.frames_per_s,
        "tflops": achieved / 1e12,
        "mfu": achieved / peak if peak else None,
        "peak_mem_gb": peak_gb,
    }
    print(f"{'measure':<22}value")
    for key, value in figures.items():
        shown = f"{value:.4g}" if isinstance(value, float) else str(value)
        print(f"{key:<22}{shown}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n")


if __name__ == "__main__":
    main()
