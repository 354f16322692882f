"""Long work in the background: a generator function on a superqt thread worker, at most one at a time.

Training and token refinement are both generators that poll a ``should_stop`` callable between
steps. The job runs one on a thread of the pool and shares nothing with the GUI but queued signals
and a ``threading.Event``, the stop flag, so Stop ends the work at a step boundary, where it can
still write a checkpoint or hand back its best result, and the event loop never waits on it.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Generator
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal
from superqt.utils import GeneratorWorker, create_worker

from core.errors import describe

Work = Callable[..., Generator[Any, None, Any]]
"""A generator function called as ``work(*args, should_stop=...)``."""


class BackgroundJob(QObject):
    """Runs ``work``: ``progress`` carries each yielded item, ``finished`` the return value, ``failed``
    the message of an exception (worded by :func:`core.errors.describe`)."""

    progress = Signal(object)
    finished = Signal(object)
    failed = Signal(str)
    raised = Signal(object)
    """The exception itself, for a caller that re-raises it where the work was asked for."""
    runningChanged = Signal(bool)

    def __init__(self, work: Work, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.work = work
        self._worker: GeneratorWorker | None = None
        self._stop = threading.Event()
        self._done = threading.Event()

    @property
    def running(self) -> bool:
        """True from ``start`` until ``runningChanged(False)``, after the last signal of the work."""
        return self._worker is not None

    def start(self, *args: Any) -> None:
        """Run ``work(*args, should_stop=...)`` on a pool thread; raises if a run is in progress."""
        if self.running:
            raise RuntimeError("this job is already running; stop it first")
        self._stop, self._done = threading.Event(), threading.Event()
        worker = create_worker(
            self._run, args, self._stop, self._done, _start_thread=False, _ignore_errors=True
        )
        worker.yielded.connect(self.progress)
        worker.returned.connect(self.finished)
        worker.errored.connect(self._errored)
        worker.finished.connect(self._worker_finished)
        self._worker = worker
        # Collect now, in the GUI thread: a collection the job's thread triggers could finalise a Qt
        # wrapper whose deletion, run in the GUI thread, then waits on a lock that thread holds.
        gc.collect()
        self.runningChanged.emit(True)
        # Straight into the pool (superqt's start() defers to the event loop), so that a shutdown()
        # right after start() waits for work that has been handed to a thread.
        QThreadPool.globalInstance().start(worker)

    def stop(self) -> None:
        """Thread-safe: the work sees it the next time it polls ``should_stop``."""
        self._stop.set()

    def shutdown(self, timeout_ms: int = 30_000) -> bool:
        """Stop and wait for the work to end (closing the window); True when it ended in time."""
        if self._worker is None:
            return True
        self.stop()
        return self._done.wait(timeout_ms / 1000)

    def _run(
        self, args: tuple[Any, ...], stop: threading.Event, done: threading.Event
    ) -> Generator[Any, None, Any]:
        """The work itself, on the pool thread; ``done`` tells shutdown() it has ended, however it ended."""
        try:
            return (yield from self.work(*args, should_stop=stop.is_set))
        finally:
            done.set()

    def _errored(self, exc: BaseException) -> None:
        self.raised.emit(exc)
        self.failed.emit(describe(exc))

    def _worker_finished(self) -> None:
        self._worker = None
        self.runningChanged.emit(False)
