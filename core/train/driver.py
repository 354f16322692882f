"""One training run from request to finish, as a generator of events: what ``rvq-motion train``
and the app's background job both drive, so the two cannot drift apart.

The sequence: the config (a preset, or the resumed run's own, with the overrides laid over it),
the held-out clips, the training data (its reading progress reported as ``ReadProgress``, each
skipped clip named), the trainer, and its events written to the run log as they pass (the reading
progress is not logged); with held-out clips, their MPJPE every ``eval_every`` steps (an
:class:`EvalEvent` after the step report). Whoever iterates decides how to show them and when to stop.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import torch.distributed as dist

from core.formats.discovery import find_motion_files, read_holdout
from core.train.config import config_from_checkpoint, run_config
from core.train.data import TrainingData, read_training_data
from core.train.events import Event, FinishedEvent, MessageEvent, ReadProgress, StepEvent
from core.train.holdout import HeldOutEval
from core.train.overrides import TrainOverrides
from core.train.run_log import RunLog
from core.train.trainer import Trainer


@dataclass(frozen=True)
class TrainingRequest:
    """What to train: a preset (or, resuming, the run's own config) with the overrides laid over it."""

    data_paths: tuple[Path, ...]
    """Clip folders (searched recursively) or files."""
    run_dir: Path
    preset: str = "small"
    overrides: TrainOverrides = field(default_factory=TrainOverrides)
    device: str = "auto"
    resume: bool = False
    tensorboard: bool = True
    holdout: Path | None = None
    """A split file (JSON with a "holdout" list of clip names) whose clips are left out of training."""
    init_from: Path | None = None
    """A checkpoint (trained here, or imported) whose tokenizer a new run fine-tunes."""
    use_cache: bool = True
    """Read features through the feature cache (:mod:`core.datasets.cache`), filling it."""


def run_training(
    request: TrainingRequest, should_stop: Callable[[], bool] = lambda: False
) -> Generator[Event, None, FinishedEvent | None]:
    """Train as ``request`` asks, yielding every event; returns the FinishedEvent the run ended with.

    Bad settings (ConfigError) and bad input (MotionFileError) raise before the run folder is
    touched. ``should_stop`` is polled between steps; a stop ends with a checkpoint a resume
    continues exactly (a stop while the clips are still being read ends the run there, with none).
    Under torchrun only rank 0 writes the log.
    """
    config, normalizer = run_config(request.preset, request.run_dir, request.resume, request.overrides)
    if request.init_from is not None:
        config, normalizer = config_from_checkpoint(config, request.init_from)
    holdout = read_holdout(request.holdout) if request.holdout else set()
    yield MessageEvent(f"loading clips from {', '.join(str(p) for p in request.data_paths)}")
    reading = read_training_data(request.data_paths, config, holdout, normalizer, request.use_cache)
    data = yield from _read_unless_stopped(reading, should_stop)
    if data is None:
        stopped = FinishedEvent(0, "stopped", None)
        yield stopped
        return stopped
    trainer = Trainer(
        config,
        data,
        request.run_dir,
        device=request.device,
        resume=request.resume,
        init_from=request.init_from,
    )
    held_out = [f for f in find_motion_files(request.data_paths) if f.name in holdout]
    evaluate = (
        HeldOutEval(held_out, trainer.config, data, request.use_cache)
        if held_out and config.eval_every > 0
        else None
    )
    writes_log = trainer.rank == 0
    with RunLog(request.run_dir, tensorboard=request.tensorboard) if writes_log else nullcontext() as log:
        for event in _data_messages(data.files, data.skipped, evaluate):
            if log is not None:
                log.write(event)
            yield event
        for event in trainer.run(should_stop=should_stop):
            if log is not None:
                log.write(event)
            yield event
            if isinstance(event, FinishedEvent):
                return event
            if (
                evaluate
                and evaluate.clips
                and trainer.rank == 0
                and _eval_due(event, config.eval_every, config.log_every)
            ):
                result = evaluate(trainer.model, trainer.step)
                if log is not None:
                    log.write(result)
                yield result
    return None


def _read_unless_stopped(
    reading: Generator[Event, None, TrainingData], should_stop: Callable[[], bool]
) -> Generator[Event, None, TrainingData | None]:
    """The training data, or None when a stop is asked while clips are still to be read (a big dataset
    read for the first time takes minutes; once all are read, the stop is the first step's). Under torchrun the ranks read in step (rank 0 first), so there a stop
    waits for the first training step."""
    alone = not (dist.is_initialized() and dist.get_world_size() > 1)
    while True:
        try:
            event = next(reading)
        except StopIteration as end:
            return end.value
        yield event
        unread = isinstance(event, ReadProgress) and event.done < event.total
        if alone and unread and should_stop():
            reading.close()  # ends the worker processes
            return None


def _eval_due(event: Event, every: int, log_every: int) -> bool:
    """After the step report whose steps passed a multiple of ``every`` (and after the last one)."""
    if not isinstance(event, StepEvent):
        return False
    return event.step % every < log_every or event.step == event.total_steps


def _data_messages(
    used: list[Path], skipped: list[tuple[Path, str]], evaluate: HeldOutEval | None
) -> list[MessageEvent]:
    """What the run trains and measures on: a count first, so a skip is not one line among many."""
    total = len(used) + len(skipped)
    messages = [
        MessageEvent(f"using {len(used)} of {total} clips" + (f"; {len(skipped)} skipped" if skipped else ""))
    ]
    messages += [MessageEvent(f"skipped {path}: {reason}") for path, reason in skipped]
    if evaluate is not None:
        messages.append(MessageEvent(f"held-out MPJPE on {evaluate.clips} clips ({evaluate.frames} frames)"))
        messages += [
            MessageEvent(f"held-out clip not measured, {path}: {reason}") for path, reason in evaluate.skipped
        ]
    return messages
