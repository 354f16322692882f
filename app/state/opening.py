"""Opening clips and checkpoints off the GUI thread, and the truncation levels that follow.

Loading a file, tokenizing a minute of motion and decoding it with a seed-size model takes about a
second on a laptop CPU; done on the GUI thread it freezes the window. The work runs on a worker and
the caller waits in a local event loop, so the window keeps repainting and answering while
:meth:`Opener.run` keeps its plain call-and-return shape (a bool, or the file's error raised). Only the
levels the window shows first are decoded before it opens (:meth:`EditSession.first_levels`); the
others follow on the worker, each installed as it arrives. A second open cancels the first.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEventLoop, QObject, Signal
from PySide6.QtWidgets import QProgressBar

from app.state.background_job import BackgroundJob
from core.analysis.reconstruction import Level, Reconstruction, decode_levels
from core.formats import load_motion
from core.model.checkpoint import Checkpoint, load_checkpoint
from core.motion.clip import Motion
from core.session.opening import CLIP, Opening, prepare


def open_work(
    kind: str,
    path: Path,
    motion: Motion | None,
    checkpoint: Checkpoint | None,
    levels_for: Callable[[Checkpoint | None], list[int]],
    device: str,
    *,
    should_stop: Callable[[], bool],
) -> Generator[str, None, Opening | None]:
    """Load ``path`` as a clip or checkpoint (onto ``device``) and prepare it beside the other one;
    None if stopped."""
    yield f"Loading {path.name}…"
    if kind == CLIP:
        motion, clip_path = load_motion(path), path
    else:
        checkpoint, clip_path = load_checkpoint(path, device=device), None
    if should_stop():
        return None
    if motion is not None and checkpoint is not None:
        yield f"Tokenizing {path.name}…"
    return prepare(motion, clip_path, checkpoint, kind, levels_for(checkpoint))


def levels_work(
    recon: Reconstruction, snapshot: np.ndarray, levels: list[int], *, should_stop: Callable[[], bool]
) -> Generator[list[Level], None, None]:
    """Decode the missing levels one at a time from ``snapshot`` (the grid when they were asked for)."""
    for k in levels:
        if should_stop():
            return
        yield decode_levels(recon, snapshot, [k])


class Opener(QObject):
    """At most one opening and one level decoding at a time; each new one cancels the last."""

    status = Signal(str)
    """What the opening is doing, for the status bar ("" when done)."""
    levelsProgress = Signal(int, int)
    """Levels decoded and in all while the rest of a reconstruction decodes; (0, 0) when done."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._opening: tuple[BackgroundJob, dict[str, object]] | None = None
        self._levels: BackgroundJob | None = None
        self._jobs: list[BackgroundJob] = []
        self._closed = False

    def _new_job(self, work: Callable[..., Generator]) -> BackgroundJob:
        """A job for one run; those of earlier runs that have ended are deleted now (not when they
        end: their worker may still be delivering its last signal then)."""
        for old in [job for job in self._jobs if not job.running]:
            self._jobs.remove(old)
            old.deleteLater()
        job = BackgroundJob(work, self)
        self._jobs.append(job)
        return job

    def run(self, *args: object) -> Opening | None:
        """Run :func:`open_work` (``args`` after ``kind``...) and wait for it with the event loop
        turning; None when a newer open cancelled it. The work's exception is raised here."""
        self.cancel()
        job = self._new_job(open_work)
        outcome: dict[str, object] = {}
        self._opening = (job, outcome)
        loop = QEventLoop()
        job.progress.connect(lambda text: self.status.emit(str(text)))
        job.finished.connect(lambda opening: outcome.setdefault("opening", opening))
        job.raised.connect(lambda exc: outcome.setdefault("error", exc))
        job.runningChanged.connect(lambda running: running or loop.quit())
        job.start(*args)
        if job.running:
            loop.exec()
        if self._opening is not None and self._opening[0] is job:
            self._opening = None
            self.status.emit("")
        cancelled, error, opening = "cancelled" in outcome, outcome.get("error"), outcome.get("opening")
        outcome.clear()
        if cancelled:
            return None
        if isinstance(error, BaseException):
            raise error
        return opening if isinstance(opening, Opening) else None

    def decode_missing(
        self, recon: Reconstruction, install: Callable[[Reconstruction, list[Level]], None]
    ) -> None:
        """Decode ``recon``'s missing levels on a worker, handing each to ``install`` on this thread."""
        self._stop_levels()
        missing = recon.missing_levels
        if not missing or self._closed:
            return
        job = self._levels = self._new_job(levels_work)
        done = [0]

        def arrived(levels: list[Level]) -> None:
            install(recon, levels)
            done[0] += 1
            self.levelsProgress.emit(done[0], len(missing))

        job.progress.connect(arrived)
        job.runningChanged.connect(lambda running: running or self._levels_ended(job))
        self.levelsProgress.emit(0, len(missing))
        job.start(recon, np.array(recon.indices), missing)

    def cancel(self) -> None:
        """Stop the opening and level decoding in flight (their results are dropped)."""
        if self._opening is not None:
            job, outcome = self._opening
            outcome["cancelled"] = True
            job.stop()
            self._opening = None
        self._stop_levels()

    def shutdown(self) -> None:
        """Stop and wait for every worker still running, cancelled ones included, and start no more
        (the window is closing)."""
        self._closed = True
        self.cancel()
        for job in self._jobs:
            job.shutdown()

    def _levels_ended(self, job: BackgroundJob) -> None:
        if self._levels is job:
            self._levels = None
            self.levelsProgress.emit(0, 0)

    def _stop_levels(self) -> None:
        if self._levels is not None:
            self._levels.stop()
            self._levels.progress.disconnect()
            self._levels = None
            self.levelsProgress.emit(0, 0)


def levels_progress_bar(opener: Opener) -> QProgressBar:
    """A status-bar bar, shown while the levels after an open decode: "Decoding layers 2/6"."""
    bar = QProgressBar()
    bar.setMaximumWidth(180)
    bar.setFormat("Decoding layers %v/%m")
    bar.setToolTip("The other numbers of layers decode in the background; the window can be used meanwhile")
    bar.hide()

    def progress(done: int, total: int) -> None:
        # Value first, shown after: setValue on a visible bar repaints it at once, on the GUI thread.
        bar.hide()
        bar.setRange(0, max(total, 1))
        bar.setValue(done)
        bar.setVisible(total > 0)

    opener.levelsProgress.connect(progress)
    return bar
