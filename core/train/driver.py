"""One training run from request to finish, as a generator of events: what ``rvq-motion train``
and the app's background job both drive, so the two cannot drift apart.

The sequence: the config (a preset, or the resumed run's own, with the overrides laid over it),
the held-out clips, the training data (each skipped clip reported), the trainer, and its events
written to the run log as they pass. Whoever iterates decides how to show them and when to stop.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from core.formats.discovery import read_holdout
from core.train.config import config_from_checkpoint, run_config
from core.train.events import Event, FinishedEvent, MessageEvent
from core.train.overrides import TrainOverrides
from core.train.run_log import RunLog
from core.train.trainer import Trainer, prepare_data


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


def run_training(
    request: TrainingRequest, should_stop: Callable[[], bool] = lambda: False
) -> Generator[Event, None, FinishedEvent | None]:
    """Train as ``request`` asks, yielding every event; returns the FinishedEvent the run ended with.

    Bad settings (ConfigError) and bad input (MotionFileError) raise before the run folder is
    touched. ``should_stop`` is polled between steps; a stop ends with a checkpoint a resume
    continues exactly. Under torchrun only rank 0 writes the log.
    """
    config, normalizer = run_config(request.preset, request.run_dir, request.resume, request.overrides)
    if request.init_from is not None:
        config, normalizer = config_from_checkpoint(config, request.init_from)
    holdout = read_holdout(request.holdout) if request.holdout else set()
    yield MessageEvent(f"loading clips from {', '.join(str(p) for p in request.data_paths)}")
    data = prepare_data(request.data_paths, config, holdout, normalizer)
    trainer = Trainer(
        config, data, request.run_dir, device=request.device, resume=request.resume, init_from=request.init_from
    )
    writes_log = trainer.rank == 0
    with RunLog(request.run_dir, tensorboard=request.tensorboard) if writes_log else nullcontext() as log:
        for path, reason in data.skipped:
            event: Event = MessageEvent(f"skipped {path}: {reason}")
            if log is not None:
                log.write(event)
            yield event
        for event in trainer.run(should_stop=should_stop):
            if log is not None:
                log.write(event)
            yield event
            if isinstance(event, FinishedEvent):
                return event
