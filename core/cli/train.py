"""``rvq-motion train``: train a tokenizer headless, with a progress bar, metrics.jsonl and TensorBoard.

The run itself is :func:`core.train.driver.run_training`, as in the app; this module adds the flags
(one per setting of :data:`core.train.overrides.FIELDS`), torchrun, the progress bar and Ctrl+C.
Under ``torchrun --nproc_per_node N`` each process trains on its own windows and
DistributedDataParallel averages the gradients (gloo on CPU, NCCL on GPUs); rank 0 writes.
Ctrl+C stops between steps after writing a checkpoint that ``--resume`` continues exactly.
Bad clips, split files or settings exit 2 (see :mod:`core.cli.main`), a failed run 1, a stop 130.
"""

from __future__ import annotations

import argparse
import os
import signal
from pathlib import Path

from core.cli.selection_args import add_cache_flag, add_dataset_arguments
from core.train.overrides import FIELDS, OverrideField, TrainOverrides, preset_defaults

EXIT_INTERRUPTED = 130


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "train",
        help="train an RVQ-VAE tokenizer on motion clips",
        description="Train an RVQ-VAE tokenizer on every clip under the given folders, or on a split of a "
        "dataset root as it ships. A setting no flag gives takes the preset's value (with --resume, the "
        "run's own).",
        formatter_class=_PresetDefaultsFormatter,
    )
    parser.add_argument(
        "--out", type=Path, required=True, metavar="RUN_DIR", help="where checkpoints and logs go"
    )
    parser.add_argument(
        "--preset",
        default="small",
        help="seed (the design documents' numbers), small (CPU) or motion-s (HumanML3D's 263 features) "
        "(default: small)",
    )
    add_override_flags(parser)
    parser.add_argument(
        "--holdout", type=Path, metavar="SPLIT.json", help="leave out the clips this split names"
    )
    add_dataset_arguments(parser, "train on", "as --holdout: trains on the others, measures its clips")
    parser.add_argument(
        "--evaluator",
        type=Path,
        metavar="DIR",
        help="a T2M evaluator folder (checkpoints/t2m): each held-out evaluation also measures FID, and "
        "the checkpoint with the best FID is kept at RUN_DIR/checkpoints/best-fid (needs --holdout)",
    )
    parser.add_argument(
        "--device",
        default="auto",
        choices=("auto", "cpu", "cuda"),
        help="where to train (default: auto, a GPU when there is one)",
    )
    parser.add_argument(
        "--resume", action="store_true", help="continue the run in RUN_DIR from its latest checkpoint"
    )
    parser.add_argument(
        "--init",
        type=Path,
        metavar="CKPT",
        help="fine-tune this checkpoint (trained here, or imported with rvq-motion import) in a new run: its "
        "model, features and normalisation; its codebooks' statistics are calibrated on the data first",
    )
    parser.add_argument(
        "--no-tensorboard", action="store_true", help="write no TensorBoard log (metrics.jsonl is kept)"
    )
    add_cache_flag(parser)
    parser.set_defaults(run=run)


def add_override_flags(parser: argparse.ArgumentParser) -> None:
    """One flag per overridable setting; unset (None) keeps the preset's or the resumed run's value."""
    for setting in FIELDS:
        parser.add_argument(setting.flag, dest=setting.name, help=setting.help, **_flag_options(setting))


class _PresetDefaultsFormatter(argparse.HelpFormatter):
    """Ends each setting's help with its default in every preset, worked out only when help is shown:
    the presets load torch, which parsing does without."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = super()._get_help_string(action)
        setting = next((s for s in FIELDS if s.name == action.dest), None)
        if setting is None or text is None:
            return text
        return f"{text} (default: {preset_defaults(setting)})".replace("%", "%%")


def _flag_options(setting: OverrideField) -> dict[str, object]:
    if setting.kind == "bool":  # --x / --no-x
        return {"action": argparse.BooleanOptionalAction, "default": None}
    options: dict[str, object] = {
        "type": {"float": float, "str": str, "str-list": str}.get(setting.kind, int)
    }
    if setting.kind.endswith("-list"):
        options["nargs"] = "+"
    if setting.choices and "" not in setting.choices:  # a closed list; a body part may also be joint names
        options["choices"] = setting.choices
    if setting.metavar:
        options["metavar"] = setting.metavar
    return options


def overrides_from_args(args: argparse.Namespace) -> TrainOverrides:
    """The overrides the flags of :func:`add_override_flags` set (a list of steps becomes a tuple)."""
    values = {setting.name: getattr(args, setting.name) for setting in FIELDS}
    return TrainOverrides(**{k: tuple(v) if isinstance(v, list) else v for k, v in values.items()})


def run(args: argparse.Namespace) -> int:
    import torch.distributed as dist
    from tqdm import tqdm

    from core.train.driver import TrainingRequest, run_training
    from core.train.events import (
        CheckpointEvent,
        EvalEvent,
        FinishedEvent,
        MessageEvent,
        ReadProgress,
        StepEvent,
    )

    distributed = int(os.environ.get("WORLD_SIZE", "1")) > 1
    device = args.device
    if distributed:
        dist.init_process_group("nccl" if device == "cuda" else "gloo")
        if device == "cuda":
            device = f"cuda:{int(os.environ.get('LOCAL_RANK', '0'))}"
    rank = dist.get_rank() if distributed else 0
    request = TrainingRequest(
        data_paths=tuple(args.data),
        run_dir=args.out,
        preset=args.preset,
        overrides=overrides_from_args(args),
        device=device,
        resume=args.resume,
        tensorboard=not args.no_tensorboard,
        holdout=args.holdout,
        split=args.split,
        speakers=args.speakers or (),
        init_from=args.init,
        evaluator=args.evaluator,
        use_cache=args.use_cache,
    )
    bar = None  # made at the first step report, when the run's step and length are known
    reading = None  # the clips being read, before it
    stopped = False
    try:
        for event in run_training(request, should_stop=_StopOnInterrupt()):
            if isinstance(event, ReadProgress):
                if reading is None:
                    reading = tqdm(
                        total=event.total,
                        unit="clip",
                        desc="reading",
                        disable=None if rank == 0 else True,
                        leave=False,
                    )
                reading.update(event.done - reading.n)
                reading.set_postfix(cached=event.cached, refresh=False)
                if event.done == event.total:
                    reading.close()
                    reading = None
            elif isinstance(event, StepEvent):
                if bar is None:
                    bar = tqdm(
                        total=event.total_steps,
                        initial=event.step,
                        unit="step",
                        disable=rank != 0,
                        dynamic_ncols=True,
                    )
                bar.update(event.step - bar.n)
                bar.set_postfix(loss=f"{event.loss:.4f}", ppl=f"{event.perplexity[0]:.0f}", refresh=False)
            elif isinstance(event, MessageEvent | CheckpointEvent) and rank == 0:
                tqdm.write(event.text if isinstance(event, MessageEvent) else f"checkpoint {event.path}")
            elif isinstance(event, EvalEvent) and rank == 0:
                tqdm.write(event.summary())
            elif isinstance(event, FinishedEvent):
                if bar is not None:
                    bar.close()
                if rank == 0:
                    print(f"{event.reason} at step {event.step}; latest checkpoint: {event.checkpoint}")
                stopped = event.reason == "stopped"
        return EXIT_INTERRUPTED if stopped else 0
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
