"""The T2M evaluator folder of a run that measures held-out FID (``TrainingRequest.evaluator``).

The folder is remembered between sessions and checked as it is chosen by loading it, on a pool thread,
with :func:`core.model.peers.t2m_evaluator.load_t2m_evaluator`, the loader the run uses: the line under
it says what the evaluator reads, or why the folder is not one.
"""

from __future__ import annotations

import gc
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget
from superqt.utils import create_worker

from app.style import theme
from core.errors import MotionFileError, describe
from core.model.peers.t2m_evaluator import load_t2m_evaluator

SETTING = "training/evaluator"


def _check(generation: int, folder: Path) -> tuple[int, str, bool]:
    """On a pool thread: what the evaluator in ``folder`` reads, or why it cannot be loaded."""
    try:
        evaluator = load_t2m_evaluator(folder)
    except (MotionFileError, OSError) as exc:
        return generation, describe(exc), False
    return (
        generation,
        f"{evaluator.dataset} evaluator: {evaluator.dim}-dim HumanML3D rows, unit length "
        f"{evaluator.unit_length}; FID at every held-out measurement",
        True,
    )


class EvaluatorField(QWidget):
    """A folder field with a browse button; ``status`` (placed by the setup under it) says whether the
    folder is a T2M evaluator. ``checked`` is emitted with each finished check."""

    checked = Signal()

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.problem: str | None = None
        """Why the folder is not a T2M evaluator (None when it is, or while it is checked, or empty)."""
        self._generation = 0
        self.edit = QLineEdit(settings.value(SETTING, "", type=str))
        self.edit.setPlaceholderText("none (no FID)")
        self.edit.setToolTip(
            "A T2M evaluator folder (checkpoints/t2m, as MoMask and T2M-GPT ship it): each held-out "
            "measurement also gives the FID, and the best-FID checkpoint is kept (HumanML3D features)"
        )
        browse = QToolButton()
        browse.setText("…")
        browse.setToolTip("Choose a T2M evaluator folder")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(browse)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.edit.editingFinished.connect(self.check)
        self.check()

    def folder(self) -> Path | None:
        text = self.edit.text().strip()
        return Path(text).expanduser() if text else None

    def set_folder(self, folder: str | Path | None) -> None:
        self.edit.setText("" if folder is None else str(folder))
        self.check()

    def check(self) -> None:
        """Remember the folder and load it in the background; the status line tells the result."""
        folder = self.folder()
        self.settings.setValue(SETTING, "" if folder is None else str(folder))
        self._generation += 1
        self.problem = None
        if folder is None:
            self._show(self._generation, "", True)
            return
        self.status.setText("Checking the evaluator…")
        self.status.setStyleSheet(f"color: {theme.DIM_TEXT.name()}")
        self.status.setVisible(True)
        gc.collect()  # in the GUI thread, not the worker's (see app.state.background_job)
        worker = create_worker(_check, self._generation, folder, _start_thread=False)
        worker.returned.connect(lambda result: self._show(*result))
        worker.start()

    def _show(self, generation: int, text: str, usable: bool) -> None:
        if generation != self._generation:
            return  # a check overtaken by a later choice
        self.problem = None if usable else text
        color = theme.DIM_TEXT if usable else theme.FAILURE
        self.status.setStyleSheet(f"color: {color.name()}")
        self.status.setText(text)
        self.status.setToolTip(text)
        self.status.setVisible(bool(text))
        self.checked.emit()

    def _browse(self) -> None:
        start = str(self.folder() or "")
        folder = QFileDialog.getExistingDirectory(
            self, "Choose a T2M evaluator folder (checkpoints/t2m)", start
        )
        if folder:
            self.set_folder(folder)
