"""The progress bar and the line under it, told by the run's events so the two always say the same thing,
and never a step the run is not at.

A run first reads its clips (a big dataset for the first time takes minutes): the bar counts files and
the line says how many came from the cache and the time left (:meth:`ReadProgress.status`). Then it
trains: the bar counts steps. A stop asked while the clips are read ends the run before its first step
(the clips read so far stay in the cache), and both say so rather than "step 1,234 of 4,000".
"""

from __future__ import annotations

from enum import Enum

from PySide6.QtWidgets import QLabel, QProgressBar

from core.datasets.progress import ReadProgress
from core.train.events import FinishedEvent, StepEvent


class Phase(Enum):
    IDLE = "idle"
    READING = "reading"
    TRAINING = "training"


class RunProgress:
    """Drives ``bar`` and ``label`` from a run's start, events, stop and end."""

    def __init__(self, bar: QProgressBar, label: QLabel) -> None:
        self.bar, self.label = bar, label
        self.phase = Phase.IDLE
        self.stopping = False
        self.step = 0
        """The run's step: where it started (a resume's), then its latest step report."""
        self.total_steps = 1
        self.read: ReadProgress | None = None
        self.no_run()

    def show(self, value: int, maximum: int, bar_format: str, label: str) -> None:
        """The bar and the label together, so they always tell the same thing."""
        self.bar.setRange(0, max(maximum, 1))
        self.bar.setValue(value)
        self.bar.setFormat(bar_format)
        self.label.setText(label)
        self.label.setVisible(bool(label))

    def no_run(self) -> None:
        self.phase, self.step = Phase.IDLE, 0
        self.show(0, 1, "no run yet", "")

    def at_run(self, step: int, total: int) -> None:
        """An existing run, shown before it is resumed."""
        self.phase, self.step, self.total_steps = Phase.IDLE, step, max(total, 1)
        self.show(step, total, "run at step %v of %m", f"A run at step {step:,}; Resume continues it")

    def started(self, step: int, total: int, resume: bool) -> None:
        self.phase, self.stopping, self.read = Phase.READING, False, None
        self.step, self.total_steps = step, max(total, 1)
        self.show(step, total, "loading clips…", ("Resuming: " if resume else "") + "loading clips…")

    def reading(self, progress: ReadProgress) -> None:
        self.read = progress
        if self.stopping:
            self.bar.setRange(0, max(progress.total, 1))
            self.bar.setValue(progress.done)
            return
        done = "read %m clip" + ("" if progress.total == 1 else "s")
        bar_format = "reading clips %v / %m" if progress.done < progress.total else done
        self.show(progress.done, progress.total, bar_format, progress.status())

    def trained(self, event: StepEvent) -> None:
        self.phase, self.step, self.total_steps = Phase.TRAINING, event.step, event.total_steps
        if self.stopping:
            self.bar.setRange(0, event.total_steps)
            self.bar.setValue(event.step)
            self.bar.setFormat("stopping at step %v of %m…")
            return
        self.show(event.step, event.total_steps, "step %v of %m", event.summary())

    def stop_asked(self) -> None:
        """Said at once: the run ends after its current step, or before its first while clips are read."""
        self.stopping = True
        if self.phase is Phase.TRAINING:
            self.bar.setFormat("stopping at step %v of %m…")
            self.label.setText(f"Stopping after step {self.step:,}: writing a checkpoint…")
        else:
            self.bar.setFormat("stopping…")
            self.label.setText("Stopping before the first step: the clips read so far stay in the cache")
        self.label.setVisible(True)

    def finished(self, event: FinishedEvent) -> None:
        """Where the run ended: its step, or, stopped while reading, how far the reading came."""
        trained = self.phase is Phase.TRAINING or event.checkpoint is not None
        self.phase, self.stopping = Phase.IDLE, False
        if trained or event.reason != "stopped":
            self.step = event.step
            self.show(
                event.step,
                self.total_steps,
                f"{event.reason} at step %v of %m",
                f"{event.reason.capitalize()} at step {event.step:,}",
            )
            return
        read = f": {self.read.done:,} of {self.read.total:,} clips read" if self.read is not None else ""
        at = f"; the run is still at step {self.step:,}" if self.step else ""
        self.show(
            self.step,
            self.total_steps,
            f"{event.reason} before training",
            f"Stopped while reading clips{read}{at}",
        )

    def failed(self) -> None:
        if self.phase is Phase.TRAINING:
            self.bar.setFormat("failed at step %v of %m")
        else:
            self.bar.setFormat("failed before training")
        self.phase, self.stopping = Phase.IDLE, False
        self.label.setText("Failed: see the Log tab")
        self.label.setVisible(True)
