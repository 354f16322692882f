"""Token refinement in the background: ``core.token_refine`` on a superqt thread worker.

The worker shares nothing with the GUI but signals and one ``threading.Event`` that
``TokenRefinement.run`` polls between steps, so Stop ends at a step boundary and still hands back
the best codes found. Each result names the checkpoint and clip it was computed for; the window
applies it only if they are still the ones open.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Signal
from superqt.utils import GeneratorWorker, create_worker

from app.errors import describe
from core.checkpoint import Checkpoint
from core.motion import Motion
from core.token_refine import RefineProgress, RefineSettings, TokenRefinement


@dataclass(frozen=True)
class RefineResult:
    checkpoint: Checkpoint
    motion: Motion
    indices: np.ndarray
    initial_loss: float
    best_loss: float
    stopped: bool


def _refine(
    checkpoint: Checkpoint, motion: Motion, settings: RefineSettings, stop: threading.Event
) -> Iterator[RefineProgress]:
    refinement = TokenRefinement(checkpoint, motion, settings)
    yield from refinement.run(should_stop=stop.is_set)
    return RefineResult(
        checkpoint,
        motion,
        refinement.indices,
        refinement.initial_loss,
        refinement.best_loss,
        stopped=refinement.steps_done < settings.steps,
    )


class RefineJob(QObject):
    """At most one refinement at a time; ``finished`` carries a :class:`RefineResult`."""

    progress = Signal(object)
    finished = Signal(object)
    failed = Signal(str)
    runningChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._worker: GeneratorWorker | None = None
        self._stop = threading.Event()

    @property
    def running(self) -> bool:
        return self._worker is not None

    def start(self, checkpoint: Checkpoint, motion: Motion, settings: RefineSettings | None = None) -> None:
        if self.running:
            raise RuntimeError("a refinement is already running; stop it first")
        self._stop = threading.Event()
        worker = create_worker(
            _refine, checkpoint, motion, settings or RefineSettings(), self._stop, _start_thread=False
        )
        worker.yielded.connect(self.progress)
        worker.returned.connect(self.finished)
        worker.errored.connect(lambda exc: self.failed.emit(describe(exc)))
        worker.finished.connect(self._worker_finished)
        self._worker = worker
        self.runningChanged.emit(True)
        worker.start()

    def stop(self) -> None:
        """Thread-safe: the refinement ends after its current step, keeping its best codes."""
        self._stop.set()

    def shutdown(self, timeout_ms: int = 30_000) -> bool:
        """Stop and wait (closing the window); True when the worker ended in time."""
        if self._worker is None:
            return True
        self.stop()
        try:
            GeneratorWorker.await_workers(timeout_ms)
        except RuntimeError:
            return False
        return True

    def _worker_finished(self) -> None:
        self._worker = None
        self.runningChanged.emit(False)
