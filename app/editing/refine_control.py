"""The "Refine codes" command: start or stop a background refinement, show its progress in the
status bar, and put the refined codes in place as one undoable edit.

A result is applied only to the clip and checkpoint it was computed for; opening another clip
or checkpoint stops the search and drops its result. Refined cells differ from the encoder's
codes, so the timeline marks them as edited and "Reset all edits" gives the encoder's back.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QStatusBar, QToolButton, QWidget

from app.editing.refine_job import RefineJob, RefineResult
from app.state.errors import ErrorReporter
from app.state.session import Session
from core.tokens.refine import RefineProgress, RefineSettings

START_TEXT = "Refine codes"
STOP_TEXT = "Stop refining"


class RefineControl(QObject):
    """Drives ``action`` (Refine / Stop refining) and a progress widget in ``status_bar``."""

    def __init__(
        self,
        session: Session,
        reporter: ErrorReporter,
        action: QAction,
        status_bar: QStatusBar,
        settings: RefineSettings | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.reporter = reporter
        self.action = action
        self.status_bar = status_bar
        self.settings = settings or RefineSettings()
        self.job = RefineJob(self)

        self.progress_bar = QProgressBar()
        self.progress_bar.setMaximumWidth(180)
        self.progress_bar.setFormat("Refining %p%")
        self.stop_button = QToolButton()
        self.stop_button.setText("Stop")
        self.stop_button.setToolTip("Stop refining and keep the best codes found so far")
        self.stop_button.clicked.connect(self.job.stop)
        self.widget = QWidget()
        row = QHBoxLayout(self.widget)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.progress_bar)
        row.addWidget(self.stop_button)
        self.widget.hide()
        status_bar.addPermanentWidget(self.widget)

        self.job.progress.connect(self._progress)
        self.job.finished.connect(self._finished)
        self.job.failed.connect(lambda text: self.reporter.warning("Refinement failed", text))
        self.job.runningChanged.connect(self._running_changed)
        session.clipChanged.connect(self.job.stop)
        session.checkpointChanged.connect(self.job.stop)
        session.reconstructionChanged.connect(self.update_enabled)
        self.update_enabled()

    def toggle(self) -> None:
        """Start refining the open clip's codes, or stop the running search."""
        if self.job.running:
            self.job.stop()
            return
        session = self.session
        if session.editor is None or session.checkpoint is None or session.motion is None:
            return
        with self.reporter.guard("Could not refine the codes"):
            self.job.start(session.checkpoint, session.motion, self.settings)

    def update_enabled(self) -> None:
        self.action.setEnabled(self.job.running or self.session.editor is not None)

    def _running_changed(self, running: bool) -> None:
        self.action.setText(STOP_TEXT if running else START_TEXT)
        self.progress_bar.setRange(0, self.settings.steps)
        self.progress_bar.setValue(0)
        self.widget.setVisible(running)
        self.update_enabled()

    def _progress(self, progress: RefineProgress) -> None:
        self.progress_bar.setValue(progress.step)
        self.progress_bar.setToolTip(f"Step {progress.step}/{progress.steps}, loss {progress.best_loss:.4f}")

    def _finished(self, result: RefineResult) -> None:
        session = self.session
        if (
            session.editor is None
            or result.checkpoint is not session.checkpoint
            or result.motion is not session.motion
        ):
            return
        changed = int((result.indices != session.editor.indices).sum())
        k = session.layers_used
        with self.reporter.guard("Could not apply the refined codes"):
            before = session.reconstruction.mpjpe_mm(k, aligned=True)
            session.replace_tokens(result.indices)
            after = session.reconstruction.mpjpe_mm(k, aligned=True)
            how = " (stopped early)" if result.stopped else ""
            self.status_bar.showMessage(
                f"Refined the whole clip{how}: {before:.1f} → {after:.1f} mm with {k} layers, "
                f"{changed} codes changed · Ctrl+Z undoes",
                10000,
            )
