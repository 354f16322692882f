"""``rvq-motion train``: train a tokenizer headless, with a progress bar, metrics.jsonl and TensorBoard.

Runs under ``torchrun --nproc_per_node N`` too: each process trains on its own windows and
DistributedDataParallel averages the gradients (gloo on CPU, NCCL on GPUs); rank 0 writes.
Ctrl+C stops between steps after writing a checkpoint that ``--resume`` continues exactly.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

EXIT_INTERRUPTED = 130


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "train",
        help="train an RVQ-VAE tokenizer on motion clips",
        description="Train an RVQ-VAE tokenizer on every clip under the given folders.",
    )
    parser.add_argument(
        "--data", nargs="+", type=Path, required=True, metavar="DIR", help="clip folders or files"
    )
    parser.add_argument(
        "--out", type=Path, required=True, metavar="RUN_DIR", help="where checkpoints and logs go"
    )
    parser.add_argument(
        "--preset", default="small", help="seed (the design documents' numbers) or small (CPU)"
    )
    parser.add_argument("--steps", type=int, help="total optimisation steps")
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--window", type=int, help="frames per training window")
    parser.add_argument("--lr", type=float, help="peak learning rate")
    parser.add_argument(
        "--lr-milestones",
        type=int,
        nargs="+",
        metavar="STEP",
        help="steps at which the learning rate drops tenfold (to extend a run, move them past its step)",
    )
    parser.add_argument("--seed", type=int)
    parser.add_argument("--codes", type=int, metavar="N", help="codes per quantizer layer")
    parser.add_argument(
        "--position-weight",
        type=float,
        help="weight of the joint-position loss after forward kinematics (0 turns it off)",
    )
    switches = (
        ("--root-channels", "add the root trajectory (3 channels) to the rotation features"),
        ("--mirror", "also train on every clip mirrored left-right"),
        ("--random-heading", "turn each training window to a random heading about the vertical axis"),
    )
    for flag, text in switches:  # --x / --no-x; unset keeps the preset's (or resumed run's) value
        parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=None, help=text)
    parser.add_argument(
        "--random-speed",
        type=float,
        metavar="JITTER",
        help="play each training window at a random speed between 1/(1+JITTER) and 1+JITTER (0 turns it off)",
    )
    parser.add_argument(
        "--holdout", type=Path, metavar="SPLIT.json", help="leave out the clips this split names"
    )
    parser.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    parser.add_argument(
        "--resume", action="store_true", help="continue the run in RUN_DIR from its latest checkpoint"
    )
    parser.add_argument("--log-every", type=int)
    parser.add_argument("--checkpoint-every", type=int)
    parser.add_argument("--no-tensorboard", action="store_true")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import torch.distributed as dist
    from tqdm import tqdm

    from core.train.config import run_config
    from core.train.dataset import read_holdout
    from core.train.events import CheckpointEvent, FinishedEvent, MessageEvent, StepEvent
    from core.train.run_log import RunLog
    from core.train.trainer import Trainer, TrainingError, prepare_data

    distributed = int(os.environ.get("WORLD_SIZE", "1")) > 1
    device = args.device
    if distributed:
        dist.init_process_group("nccl" if device == "cuda" else "gloo")
        if device == "cuda":
            device = f"cuda:{int(os.environ.get('LOCAL_RANK', '0'))}"
    rank = dist.get_rank() if distributed else 0
    try:
        overrides = {
            "steps": args.steps,
            "batch_size": args.batch_size,
            "window": args.window,
            "lr": args.lr,
            "lr_milestones": tuple(args.lr_milestones) if args.lr_milestones else None,
            "seed": args.seed,
            "nb_code": args.codes,
            "position_weight": args.position_weight,
            "root_channels": args.root_channels,
            "mirror": args.mirror,
            "random_heading": args.random_heading,
            "random_speed": args.random_speed,
            "log_every": args.log_every,
            "checkpoint_every": args.checkpoint_every,
        }
        config, normalizer = run_config(args.preset, args.out, args.resume, overrides)
        holdout = read_holdout(args.holdout) if args.holdout else set()
        data = prepare_data(args.data, config, holdout, normalizer)
        trainer = Trainer(config, data, args.out, device=device, resume=args.resume)
        stop = _StopOnInterrupt()
        bar = tqdm(
            total=trainer.config.steps,
            initial=trainer.step,
            unit="step",
            disable=rank != 0,
            dynamic_ncols=True,
        )
        with RunLog(args.out, tensorboard=not args.no_tensorboard) if rank == 0 else _NoLog() as log:
            for path, reason in data.skipped:
                log.write(MessageEvent(f"skipped {path}: {reason}"))
            for event in trainer.run(should_stop=stop):
                log.write(event)
                if isinstance(event, StepEvent):
                    bar.update(event.step - bar.n)
                    bar.set_postfix(loss=f"{event.loss:.4f}", ppl=f"{event.perplexity[0]:.0f}", refresh=False)
                elif isinstance(event, MessageEvent | CheckpointEvent) and rank == 0:
                    bar.write(event.text if isinstance(event, MessageEvent) else f"checkpoint {event.path}")
                elif isinstance(event, FinishedEvent):
                    bar.close()
                    if rank == 0:
                        print(f"{event.reason} at step {event.step}; latest checkpoint: {event.checkpoint}")
                    return EXIT_INTERRUPTED if event.reason == "stopped" else 0
        return 0
    except (TrainingError, ValueError) as exc:
        print(f"rvq-motion: error: {exc}", file=sys.stderr)
        return 1
    finally:
        if distributed:
            dist.destroy_process_group()


class _StopOnInterrupt:
    """Turns the first Ctrl+C into a stop request honoured between steps; a second one aborts."""

    def __init__(self) -> None:
        self.requested = False
        signal.signal(signal.SIGINT, self._handle)

    def _handle(self, signum: int, frame: object) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def __call__(self) -> bool:
        return self.requested


class _NoLog:
    """What non-zero ranks log to: nothing."""

    def __enter__(self) -> _NoLog:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def write(self, event: object) -> None:
        return None
