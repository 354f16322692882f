"""One training run from request to finish, as a generator of events: what ``rvq-motion train``
and the app's background job both drive, so the two cannot drift apart.

The sequence: the config (a preset, or the resumed run's own, with the overrides laid over it, less
the preset's settings its features cannot use, said in a message), the clips (the folders, split and
speakers chosen: :func:`core.datasets.selection.select_clips`, said in the first message), the
held-out clips, the training data (its reading progress reported as ``ReadProgress``, each skipped
clip named), the trainer, and its events written to the run log as they pass (the reading progress is
not logged); with held-out clips, their MPJPE every ``eval_every`` steps (an :class:`EvalEvent` after
the step report), and with a T2M evaluator their FID, the best-FID model kept at
``checkpoints/best-fid``. Whoever iterates decides how to show them and when to stop.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import torch.distributed as dist

from core.datasets.selection import Selection, is_split_name, select_clips
from core.errors import ConfigError, MotionFileError
from core.formats import LOADABLE
from core.formats.discovery import read_holdout
from core.model.peers.t2m_evaluator import T2MEvaluator, load_t2m_evaluator
from core.train.config import TrainConfig
from core.train.data import TrainingData, read_training_files, renaming_lines
from core.train.events import EvalEvent, Event, FinishedEvent, MessageEvent, ReadProgress, StepEvent
from core.train.heldout_fid import HeldOutFID, best_fid_so_far, save_best_fid
from core.train.holdout import HeldOutEval
from core.train.overrides import TrainOverrides
from core.train.run_config import config_from_checkpoint, fit_to_features, run_config
from core.train.run_log import RunLog
from core.train.trainer import Trainer


@dataclass(frozen=True)
class TrainingRequest:
    """What to train: a preset (or, resuming, the run's own config) with the overrides laid over it."""

    data_paths: tuple[Path, ...]
    """Clip folders (searched recursively), files, or dataset roots as they ship."""
    run_dir: Path
    preset: str = "small"
    overrides: TrainOverrides = field(default_factory=TrainOverrides)
    """The settings the user set: the CLI's flags, or a form's edits (:meth:`TrainOverrides.changed_from`).
    A preset's setting the features cannot use is turned off; one set here is refused instead."""
    device: str = "auto"
    resume: bool = False
    tensorboard: bool = True
    holdout: Path | None = None
    """A split file (JSON with a "holdout" list of clip names) whose clips are left out of training."""
    split: str | None = None
    """The clips to train on: a split the dataset root ships ("train") or a text file of ids; a JSON split
    file is read as ``holdout``."""
    speakers: tuple[int, ...] = ()
    """BEAT2 speakers to train on (all when empty)."""
    init_from: Path | None = None
    """A checkpoint (trained here, or imported) whose tokenizer a new run fine-tunes."""
    evaluator: Path | None = None
    """A T2M evaluator folder: the held-out evaluation also measures FID and keeps the best-FID checkpoint."""
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
    config, turned_off = fit_to_features(config, request.overrides)
    if turned_off:
        yield MessageEvent(turned_off)
    training_files, held_out = yield from _files(request)
    evaluator = _evaluator_for(request, config, held_out)
    reading = read_training_files(training_files, config, normalizer, request.use_cache)
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
    evaluate = (
        HeldOutEval(held_out, trainer.config, data, request.use_cache)
        if held_out and config.eval_every > 0
        else None
    )
    fid_messages = _attach_fid(evaluator, request.evaluator, evaluate, data)
    best = _BestFID(request.run_dir, data, evaluate.fid if evaluate is not None else None)
    writes_log = trainer.rank == 0
    with RunLog(request.run_dir, tensorboard=request.tensorboard) if writes_log else nullcontext() as log:
        for event in _data_messages(data, evaluate) + fid_messages:
            if log is not None:
                log.write(event)
            yield event
        for step_event in trainer.run(should_stop=should_stop):
            evaluating = (
                evaluate is not None
                and evaluate.clips
                and trainer.rank == 0
                and _eval_due(step_event, config.eval_every, config.log_every)
            )
            for event in [
                step_event,
                *(best.after(evaluate(trainer.model, trainer.step), trainer) if evaluating else ()),
            ]:
                if log is not None:
                    log.write(event)
                yield event
            if isinstance(step_event, FinishedEvent):
                return step_event
    return None


def _files(request: TrainingRequest) -> Generator[MessageEvent, None, tuple[list[Path], list[Path]]]:
    """The clips to train on and the held-out clips, after saying which dataset, split and speakers
    chose them (and any warning); a holdout that leaves nothing to train on is a MotionFileError."""
    holdout_file, split = _holdout_and_split(request)
    selection = _selection(request.data_paths, split, request.speakers)
    holdout = read_holdout(holdout_file) if holdout_file else set()
    yield MessageEvent(f"loading {selection.summary()}")
    for warning in selection.warnings:
        yield MessageEvent(f"warning: {warning}")
    training_files = [f for f in selection.files if f.name not in holdout]
    if not training_files:
        raise MotionFileError(
            holdout_file or request.data_paths[0], "holds out every clip: none is left to train on"
        )
    everything = select_clips(request.data_paths, speakers=request.speakers).files if holdout else ()
    return training_files, [f for f in everything if f.name in holdout]


class _BestFID:
    """The best held-out FID so far (a resumed run's too), and its checkpoint kept at ``best-fid``."""

    def __init__(self, run_dir: Path, data: TrainingData, measure: HeldOutFID | None) -> None:
        self.run_dir, self.data = run_dir, data
        self.evaluator_sha256 = measure.evaluator.sha256 if measure is not None else ""
        self.fid = best_fid_so_far(run_dir)

    def after(self, result: EvalEvent, trainer: Trainer) -> list[Event]:
        """The evaluation's event, and a message when its FID is a new best (whose checkpoint is saved)."""
        if result.fid is None or result.fid >= self.fid:
            return [result]
        self.fid = result.fid
        path = save_best_fid(
            self.run_dir,
            trainer.model,
            self.data,
            trainer.step,
            result.fid,
            trainer.config.to_dict(),
            {"evaluator_sha256": self.evaluator_sha256},
        )
        return [
            result,
            MessageEvent(f"best held-out FID so far ({result.fid:.4f}, step {trainer.step}): {path}"),
        ]


def _holdout_and_split(request: TrainingRequest) -> tuple[Path | None, str | None]:
    """The JSON holdout split and the split to train on: ``--split X.json`` is a holdout split (the run
    trains on the other clips and measures these), as ``--holdout X.json`` is."""
    split = None if request.split is None else str(request.split)
    if split is None or is_split_name(split) or Path(split).suffix.lower() != ".json":
        return request.holdout, split
    if request.holdout is not None:
        raise ConfigError(f"two holdout splits, {request.holdout} and {split}: give one")
    return Path(split), None


def _selection(paths: tuple[Path, ...], split: str | None, speakers: tuple[int, ...]) -> Selection:
    selection = select_clips(paths, split, speakers)
    if not selection.files:
        where = ", ".join(str(p) for p in paths)
        raise MotionFileError(where, f"no motion clips ({', '.join(LOADABLE)}) found")
    return selection


def _evaluator_for(
    request: TrainingRequest, config: TrainConfig, held_out: list[Path]
) -> T2MEvaluator | None:
    """The T2M evaluator ``request.evaluator`` names, read and checked against the run's settings before
    any clip is read (a big dataset takes minutes): ConfigError or MotionFileError when it cannot serve."""
    if request.evaluator is None:
        return None
    if not held_out or config.eval_every <= 0:
        raise ConfigError(
            "--evaluator measures held-out clips: give --holdout SPLIT.json and --eval-every above 0"
        )
    evaluator = load_t2m_evaluator(request.evaluator)
    if config.representation != "humanml3d":
        raise ConfigError(
            f"--evaluator measures {evaluator.dim}-dim HumanML3D rows; this run trains on "
            f"{config.representation} features"
        )
    return evaluator


def _attach_fid(
    evaluator: T2MEvaluator | None, folder: Path | None, evaluate: HeldOutEval | None, data: TrainingData
) -> list[MessageEvent]:
    """With an evaluator, set the held-out evaluation to measure FID too; what to tell the user."""
    if evaluator is None or evaluate is None:
        return []
    fid = HeldOutFID(
        evaluate.lengths, evaluate.fitted_clips(), data.representation, data.normalizer, evaluator
    )
    if not fid.usable:
        return [
            MessageEvent(
                f"held-out FID not measured: it needs two held-out clips of 40-199 frames, found {len(fid.rows)}"
            )
        ]
    evaluate.fid = fid
    return [MessageEvent(f"held-out FID on {len(fid.rows)} fixed crops with the T2M evaluator in {folder}")]


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


def _data_messages(data: TrainingData, evaluate: HeldOutEval | None) -> list[MessageEvent]:
    """What the run trains and measures on: a count first, so a skip is not one line among many; then
    the joints matched by position (their name pairs once) and the clips skipped."""
    used, skipped = data.files, data.skipped
    total = len(used) + len(skipped)
    messages = [
        MessageEvent(f"using {len(used)} of {total} clips" + (f"; {len(skipped)} skipped" if skipped else ""))
    ]
    messages += [MessageEvent(line) for line in renaming_lines(data.renamed, used[0].name)]
    messages += [MessageEvent(f"skipped {path}: {reason}") for path, reason in skipped]
    if evaluate is not None:
        messages.append(MessageEvent(f"held-out MPJPE on {evaluate.clips} clips ({evaluate.frames} frames)"))
        messages += [
            MessageEvent(f"held-out clip not measured, {path}: {reason}") for path, reason in evaluate.skipped
        ]
    return messages
