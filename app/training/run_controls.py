"""The run half of the Training dock: Start, Stop and Resume, the run folder and what to do with it,
the progress line, and the curves and log of the run. The panel wires the buttons; this lays them out
and keeps the bar and its label telling the same step."""

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
    QWidget,
)

from app.style import icons, theme
from app.training.plots import TrainingPlots


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
        self.browse_button = _button(
            QIcon(), "…", "Choose a run folder (an existing run shows its curves and can be resumed)"
        )
        self.browse_button.setMaximumWidth(32)
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
        self.load_button = _button(QIcon(), "View", "Load the run's latest checkpoint in the viewer")
        self.load_button.setEnabled(False)
        self.progress_bar = QProgressBar()
        self.rate_label = QLabel()
        self.rate_label.setStyleSheet(f"color: {theme.DIM_TEXT.name()}")
        self.rate_label.setWordWrap(True)
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
        row = QHBoxLayout()
        for button in (self.open_button, self.new_button, self.load_button):
            row.addWidget(button)
        grid.addLayout(row, 3, 0, 1, 4)
        grid.addWidget(self.progress_bar, 4, 0, 1, 4)
        grid.addWidget(self.rate_label, 5, 0, 1, 4)
        grid.addWidget(self.plots, 6, 0, 1, 4)
        grid.setRowStretch(6, 1)
        for column in (1, 2, 3):
            grid.setColumnStretch(column, 1)

    def set_progress(self, step: int, total: int, bar_format: str, label: str) -> None:
        """The bar and the label together, so they always tell the same step."""
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(step)
        self.progress_bar.setFormat(bar_format)
        self.rate_label.setText(label)
        self.rate_label.setVisible(bool(label))

    def message(self, text: str, color: QColor | None = None) -> None:
        """A time-stamped line in the Log tab."""
        stamp = time.strftime("%H:%M:%S")
        if color is None:
            self.log.appendPlainText(f"{stamp}  {text}")
        else:
            self.log.appendHtml(f"<span style='color:{color.name()}'>{stamp}  {text}</span>")
