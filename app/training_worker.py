"""Training in a background thread: a worker QObject on a QThread that drives ``Trainer.run``.

The GUI and the worker share nothing but signals (queued across the thread boundary) and one
``threading.Event``, the stop flag that ``Trainer.run`` polls between steps through
``should_stop``. A stop therefore ends at a step boundary with a checkpoint that resumes exactly.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from app.errors import describe
from core.representation import Normalizer
from core.train.config import TrainConfig, run_config
from core.train.dataset import read_holdout
from core.train.events import CheckpointEvent, FinishedEvent, MessageEvent, StepEvent
from core.train.run_log import RunLog
from core.train.trainer import Trainer, prepare_data


@dataclass(frozen=True)
class TrainingRequest:
    """What to train: like ``rvq-motion train``, a preset (or the run's own config when resuming)
    with the hyperparameters the user changed laid over it."""

    data_paths: Sequence[Path]
    run_dir: Path
    preset: str = "small"
    overrides: dict = field(default_factory=dict)
    device: str = "auto"
    resume: bool = False
    tensorboard: bool = True
    holdout: Path | None = None
    """A split file (JSON with a "holdout" list of clip names) whose clips are left out of training."""

    def config(self) -> tuple[TrainConfig, Normalizer | None]:
        """The run's config and, when resuming, the normaliser the run was trained with."""
        return run_config(self.preset, self.run_dir, self.resume, self.overrides)


class TrainingWorker(QObject):
    """Runs one request on whatever thread it was moved to; reports only through signals."""

    message = Signal(str)
    progress = Signal(object)
    checkpointSaved = Signal(int, str)
    finished = Signal(str, int, str)
    failed = Signal(str)
    done = Signal()

    def __init__(self, request: TrainingRequest) -> None:
        super().__init__()
        self.request = request
        self._stop = threading.Event()

    def request_stop(self) -> None:
        """Thread-safe: the trainer sees it before its next step."""
        self._stop.set()

    @Slot()
    def run(self) -> None:
        request = self.request
        try:
            config, normalizer = request.config()
            self.message.emit(f"loading clips from {', '.join(str(p) for p in request.data_paths)}")
            holdout = read_holdout(request.holdout) if request.holdout else set()
            data = prepare_data(request.data_paths, config, holdout, normalizer)
            for path, reason in data.skipped:
                self.message.emit(f"skipped {path.name}: {reason}")
            trainer = Trainer(config, data, request.run_dir, device=request.device, resume=request.resume)
            with RunLog(request.run_dir, tensorboard=request.tensorboard) as log:
                for event in trainer.run(should_stop=self._stop.is_set):
                    log.write(event)
                    if isinstance(event, StepEvent):
                        self.progress.emit(event)
                    elif isinstance(event, CheckpointEvent):
                        self.checkpointSaved.emit(event.step, str(event.path))
                    elif isinstance(event, MessageEvent):
                        self.message.emit(event.text)
                    elif isinstance(event, FinishedEvent):
                        self.finished.emit(event.reason, event.step, str(event.checkpoint or ""))
        except Exception as exc:  # noqa: BLE001 - any failure must reach the panel, not kill the thread
            self.failed.emit(describe(exc))
        finally:
            self.done.emit()


class TrainingJob(QObject):
    """Owns the thread of the current run (at most one) and relays the worker's signals."""

    message = Signal(str)
    progress = Signal(object)
    checkpointSaved = Signal(int, str)
    finished = Signal(str, int, str)
    failed = Signal(str)
    runningChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: QThread | None = None
        self._worker: TrainingWorker | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.isRunning()

    @property
    def thread(self) -> QThread | None:
        return self._thread

    @property
    def worker(self) -> TrainingWorker | None:
        return self._worker

    def start(self, request: TrainingRequest) -> None:
        if self.running:
            raise RuntimeError("a training run is already in progress; stop it first")
        thread = QThread(self)
        thread.setObjectName("training")
        worker = TrainingWorker(request)
        worker.moveToThread(thread)
        worker.message.connect(self.message)
        worker.progress.connect(self.progress)
        worker.checkpointSaved.connect(self.checkpointSaved)
        worker.finished.connect(self.finished)
        worker.failed.connect(self.failed)
        # Direct: QThread.quit is thread-safe, and shutdown() blocks the GUI thread in wait().
        worker.done.connect(thread.quit, Qt.ConnectionType.DirectConnection)
        thread.started.connect(worker.run)
        thread.finished.connect(lambda: self._thread_finished(thread, worker))
        self._thread, self._worker = thread, worker
        thread.start()
        self.runningChanged.emit(True)

    def stop(self) -> None:
        if self._worker is not None:
            self._worker.request_stop()

    def shutdown(self, timeout_ms: int = 30_000) -> bool:
        """Stop and wait (closing the window); True when the thread ended in time."""
        if self._thread is None:
            return True
        self.stop()
        return self._thread.wait(timeout_ms)

    def _thread_finished(self, thread: QThread, worker: TrainingWorker) -> None:
        """Clean up a finished run (which may not be the current one, if a new run already started)."""
        worker.deleteLater()
        thread.deleteLater()
        if thread is self._thread:
            self._thread, self._worker = None, None
            self.runningChanged.emit(False)
