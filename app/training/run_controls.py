"""The run half of the Training dock: Start, Stop and Resume, the run folder and what to do with it (open
it, a new one, view its latest or best-FID checkpoint), the progress line, and the curves and log of the
run. The panel wires the buttons; this lays them out, two or three to a row so each reads whole in the
narrowest dock, and :class:`RunProgress` keeps the bar and its label telling the same thing."""

from __future__ import annotations

import time
from pathlib import Path

import platformdirs
from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor, QIcon
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QStyle,
    QToolButton,
    QWidget,
)

from app.style import icons, theme
from app.training.plots import TrainingPlots
from app.training.run_progress import RunProgress
from core.train.heldout_fid import BestFID


def default_runs_folder() -> Path:
    """Where new runs go unless the user chose a run folder elsewhere: a visible folder of Documents."""
    return Path(platformdirs.user_documents_dir()) / "RVQ Motion Studio" / "runs"


def new_run_dir(parent: Path) -> Path:
    """A fresh, dated run folder under ``parent``."""
    return parent / time.strftime("run-%Y%m%d-%H%M%S")


def _button(icon: QIcon, text: str, tip: str) -> QPushButton:
    button = QPushButton(icon, text)
    button.setToolTip(tip)
    return button


class RunControls(QWidget):
    """Start/Stop/Resume, the run folder and what to do with it, the progress line, curves and log."""

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        standard = self.style().standardIcon
        self.survey_headline = QLabel()
        self.survey_headline.setWordWrap(True)
        self.survey_headline.setToolTip("What the chosen folders hold: the details are under Setup")
        self.start_button = _button(icons.play(), "Start", "Train a new model in the run folder")
        self.stop_button = _button(icons.stop(), "Stop", "Stop after the current step and write a checkpoint")
        self.resume_button = _button(
            standard(QStyle.StandardPixmap.SP_BrowserReload),
            "Resume",
            "Continue the run in the run folder from its latest checkpoint",
        )
        runs = Path(settings.value("training/runs", str(default_runs_folder()), type=str))
        self.run_edit = QLineEdit(str(new_run_dir(runs)))
        self.run_edit.setToolTip(
            "The run folder: checkpoints, metrics.jsonl and TensorBoard logs are written here"
        )
        self.browse_button = QToolButton()
        self.browse_button.setText("…")
        self.browse_button.setToolTip(
            "Choose a run folder (an existing run shows its curves and can be resumed)"
        )
        self.open_button = _button(
            standard(QStyle.StandardPixmap.SP_DirOpenIcon),
            "Open folder",
            "Show the run folder in the file manager",
        )
        self.new_button = _button(
            standard(QStyle.StandardPixmap.SP_FileDialogNewFolder),
            "New run",
            "A fresh run folder beside this one, for Start",
        )
        self.load_button = _button(QIcon(), "View", "")
        self.offer_checkpoint(None)
        self.best_fid_button = _button(QIcon(), "View best FID", "")
        self.best_fid_button.setVisible(False)
        self.best_fid: BestFID | None = None
        self.progress_bar = QProgressBar()
        self.rate_label = QLabel()
        self.rate_label.setStyleSheet(f"color: {theme.DIM_TEXT.name()}")
        self.rate_label.setWordWrap(True)
        self.progress = RunProgress(self.progress_bar, self.rate_label)
        self.plots = TrainingPlots()
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(500)
        self.log.setPlaceholderText("Training messages appear here")
        self.plots.addTab(self.log, "Log")
        self._lay_out()

    def _lay_out(self) -> None:
        grid = QGridLayout(self)
        grid.setContentsMargins(4, 4, 4, 0)
        grid.addWidget(self.survey_headline, 0, 0, 1, 4)
        grid.addWidget(self.start_button, 1, 0, 1, 2)
        grid.addWidget(self.stop_button, 1, 2)
        grid.addWidget(self.resume_button, 1, 3)
        grid.addWidget(QLabel("Run"), 2, 0)
        row = QHBoxLayout()
        row.addWidget(self.run_edit, 1)
        row.addWidget(self.browse_button)
        grid.addLayout(row, 2, 1, 1, 3)
        for row_index, buttons in (
            (3, (self.open_button, self.new_button)),
            (4, (self.load_button, self.best_fid_button)),
        ):
            row = QHBoxLayout()
            for button in buttons:
                row.addWidget(button, 1)
            grid.addLayout(row, row_index, 0, 1, 4)
        grid.addWidget(self.progress_bar, 5, 0, 1, 4)
        grid.addWidget(self.rate_label, 6, 0, 1, 4)
        grid.addWidget(self.plots, 7, 0, 1, 4)
        grid.setRowStretch(7, 1)
        for column in (1, 2, 3):
            grid.setColumnStretch(column, 1)

    def offer_checkpoint(self, step: int | None) -> None:
        """The "View step N" button loads the checkpoint of that step; a disabled "View" without one."""
        self.load_button.setEnabled(step is not None)
        self.load_button.setText("View" if step is None else f"View step {step:,}")
        self.load_button.setToolTip(
            "Load the run's latest checkpoint in the viewer"
            if step is None
            else f"Load the checkpoint of step {step:,} in the viewer"
        )

    def offer_best_fid(self, best: BestFID | None) -> None:
        """The "View best FID" button loads that checkpoint; hidden while the run keeps none."""
        self.best_fid = best
        self.best_fid_button.setVisible(best is not None)
        if best is not None:
            self.best_fid_button.setToolTip(
                f"Load the checkpoint with the best held-out FID so far ({best.fid:.4f}, step "
                f"{best.step:,}) in the viewer: {best.path}"
            )

    def message(self, text: str, color: QColor | None = None) -> None:
        """A time-stamped line in the Log tab."""
        stamp = time.strftime("%H:%M:%S")
        if color is None:
            self.log.appendPlainText(f"{stamp}  {text}")
        else:
            self.log.appendHtml(f"<span style='color:{color.name()}'>{stamp}  {text}</span>")
