"""The survey of the chosen clips on a background job: what the folders offer (splits, speakers), then
:func:`core.train.survey.scan_data` with its reading progress, so a dataset of thousands of files is read
(and cached, for the run after) while the window stays live and the panel says how far it has come.

One survey at a time: asking for another while one runs stops the first at its next progress report and
starts the new one when it has ended; what a stopped survey found is never shown.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, Signal

from app.state.background_job import BackgroundJob
from core.datasets.choices import DatasetChoices, dataset_choices
from core.datasets.progress import ReadProgress
from core.datasets.selection import is_split_name
from core.formats.discovery import read_holdout
from core.train.config import TrainConfig
from core.train.survey import DataSurvey, scan_data


@dataclass(frozen=True)
class SurveyRequest:
    paths: tuple[Path, ...]
    config: TrainConfig
    holdout_file: Path | None
    split: str | None
    speakers: tuple[int, ...]


def survey(
    request: SurveyRequest, should_stop: Callable[[], bool]
) -> Generator[DatasetChoices | ReadProgress, None, DataSurvey | None]:
    """What the folders offer first; None when the request chose a split or speakers they do not offer
    (the panel then corrects its choice and asks again), or when stopped; else the survey."""
    choices = dataset_choices(request.paths)
    yield choices
    split = request.split
    if (split is not None and is_split_name(split) and split not in choices.splits) or (
        request.speakers and not choices.speakers
    ):
        return None
    holdout = read_holdout(request.holdout_file) if request.holdout_file else set()
    scan = scan_data(request.paths, request.config, holdout, split, request.speakers)
    while not should_stop():
        try:
            item = next(scan)
        except StopIteration as end:
            return end.value
        yield item
    scan.close()  # ends its worker processes; what they read is in the cache
    return None


class SurveyJob(QObject):
    """Surveys one request at a time: ``offered`` carries the folders' :class:`DatasetChoices`,
    ``progressed`` each :class:`ReadProgress`, ``surveyed`` the :class:`DataSurvey` or the wording of why
    the clips could not be surveyed."""

    offered = Signal(object)
    progressed = Signal(object)
    surveyed = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.job = BackgroundJob(survey, self)
        self._next: SurveyRequest | None = None
        self._stale = False
        self.job.progress.connect(self._progress)
        self.job.finished.connect(self._finished)
        self.job.failed.connect(self._failed)
        self.job.runningChanged.connect(self._running_changed)
        application = QCoreApplication.instance()
        if application is not None:  # no worker may outlive the interpreter
            application.aboutToQuit.connect(self.shutdown)

    @property
    def running(self) -> bool:
        return self.job.running

    def start(self, request: SurveyRequest) -> None:
        """Survey ``request``, after stopping the survey in progress, if any."""
        if self.job.running:
            self._next = request
            self.stop()
        else:
            self._stale = False
            self.job.start(request)

    def stop(self) -> None:
        """Stop the survey in progress; nothing it found is shown."""
        if self.job.running:
            self._stale = True
            self.job.stop()

    def cancel(self) -> None:
        """Stop the survey in progress and forget any asked for after it (a run is starting)."""
        self._next = None
        self.stop()

    def shutdown(self, timeout_ms: int = 30_000) -> bool:
        """Stop the survey and wait for it to end (the application is quitting); True when it ended."""
        self._next = None
        self._stale = True
        return self.job.shutdown(timeout_ms)

    def _progress(self, item: DatasetChoices | ReadProgress) -> None:
        if self._stale:
            return
        if isinstance(item, DatasetChoices):
            self.offered.emit(item)
        else:
            self.progressed.emit(item)

    def _finished(self, result: DataSurvey | None) -> None:
        if result is not None and not self._stale:
            self.surveyed.emit(result)

    def _failed(self, text: str) -> None:
        if not self._stale:
            self.surveyed.emit(text)

    def _running_changed(self, running: bool) -> None:
        if not running and self._next is not None:
            request, self._next = self._next, None
            self._stale = False
            self.job.start(request)
