"""File > Open checkpoint's file dialog, which takes folders as well as files.

Qt's file dialog opens a file or enters a folder; a checkpoint is often a folder (ours, a training
run, a MoMask run folder), and inside one the Open button is greyed because no file is chosen. This
dialog opens a recognised folder when it is selected and Open is pressed, has "Open this folder" for
the folder it shows, and says under the list what the current folder or selection is.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QWidget,
)

from app.documents.checkpoint_paths import ACCEPTED, CheckpointChoice, recognise
from app.style import theme

CHECKPOINT_FILTER = (
    "Checkpoints (checkpoint.json *.tar *.pth *.pt);;This studio's (checkpoint.json);;"
    "MoMask, SynTalker, GestureLSM, T2M-GPT (*.tar *.pth *.pt);;All files (*)"
)
SIDEBAR_WIDTH = 170


class CheckpointFileDialog(QFileDialog):
    """Qt's own (not the platform's) file dialog, so it can accept folders; ``chosen`` after exec()."""

    def __init__(self, parent: QWidget | None, start_dir: str, title: str = "Open checkpoint") -> None:
        super().__init__(parent, title, start_dir, CHECKPOINT_FILTER)
        self.setObjectName("checkpointFileDialog")
        self.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        self.setFileMode(QFileDialog.FileMode.ExistingFile)
        self.chosen: Path | None = None
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet(f"color: {theme.DIM_TEXT.name()}")
        self.folder_button = QPushButton("Open this folder")
        grid = self.layout()
        if isinstance(grid, QGridLayout):  # Qt's widget dialog: a grid of look-in, list, name, type rows
            row = grid.rowCount()
            grid.addWidget(self.hint, row, 0, 1, 2)
            grid.addWidget(self.folder_button, row, 2)
        self.folder_button.clicked.connect(self._open_folder)
        self.directoryEntered.connect(self._update)
        # The current index moves before the selection does: read the selection once both have.
        self.currentChanged.connect(lambda _path: QTimer.singleShot(0, self, self._update))
        name_edit = self.findChild(QLineEdit, "fileNameEdit")  # Qt's widget dialog's name field
        if name_edit is not None:
            name_edit.textChanged.connect(self._update)
        self._update()
        room = (parent.screen() if parent is not None else self.screen()).availableGeometry()
        self.resize(min(900, room.width() - 40), min(560, room.height() - 60))
        splitter = self.findChild(QSplitter, "splitter")  # places | files: give the places their names
        if splitter is not None:
            splitter.setSizes([SIDEBAR_WIDTH, max(1, self.width() - SIDEBAR_WIDTH)])

    def _here(self) -> CheckpointChoice | None:
        return recognise(self.directory().absolutePath())

    def _selected(self) -> CheckpointChoice | None:
        """The selected folder as a checkpoint, when one is selected and recognised."""
        files = self.selectedFiles()
        path = Path(files[0]) if files else None
        return recognise(path) if path is not None and path.is_dir() else None

    def _update(self, *_: object) -> None:
        here, selected = self._here(), self._selected()
        self.folder_button.setEnabled(here is not None)
        self.folder_button.setToolTip(f"Open {here.what}" if here else f"Open {ACCEPTED}")
        if selected is not None:
            self.hint.setText(f"The chosen folder is {selected.what}: Open opens it.")
        elif here is not None:
            self.hint.setText(f"This folder is {here.what}: “Open this folder” opens it.")
        else:
            self.hint.setText(f"Opens {ACCEPTED}.")

    def _open_folder(self) -> None:
        here = self._here()
        if here is not None:
            self.chosen = Path(self.directory().absolutePath())
            QDialog.accept(self)

    def accept(self) -> None:
        """A selected checkpoint folder opens; anything else is Qt's (open a file, enter a folder)."""
        selected = self._selected()
        if selected is not None:
            self.chosen = Path(self.selectedFiles()[0])
            QDialog.accept(self)
            return
        super().accept()
        if self.result() == QDialog.DialogCode.Accepted and self.selectedFiles():
            self.chosen = Path(self.selectedFiles()[0])
