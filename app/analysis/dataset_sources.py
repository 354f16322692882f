"""What the Dataset dock evaluates: folders (dataset roots recognised by their layout, or plain folders
of clips), a split (one a root ships, or a split file) and, for BEAT2, speakers.

The choices come from core (:func:`core.datasets.choices.dataset_choices`) and the files from
:func:`core.analysis.dataset.dataset_files`, the same selection ``rvq-motion eval --split`` makes.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.analysis.dataset_prompts import BrowserPrompts
from core.analysis.dataset import dataset_files
from core.datasets.beat2_root import parse_speakers
from core.datasets.choices import dataset_choices

ALL = "all clips"
SPLIT_FILE = "split file…"


class DatasetSources(QWidget):
    """Folders, split and speakers; ``changed`` after any of them changes."""

    changed = Signal()

    def __init__(self, prompts: BrowserPrompts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.prompts = prompts
        self.folders: list[Path] = []
        self.split: str | Path | None = None
        """A split the folders ship (its name), a split file, or None for every clip."""
        self.add_folder_button = self._button(
            "Add folder…", self.ask_folder, "Evaluate every clip under a folder"
        )
        self.clear_button = self._button(
            "Clear", self.clear, "Forget the folders, the split and the speakers"
        )
        self.split_box = QComboBox()
        self.split_box.setToolTip(
            "Which clips: every clip, a split the dataset root ships (HumanML3D's test.txt, BEAT2's csv), or "
            "a split file (a text file of clip ids, or a JSON holdout file: its held-out clips)"
        )
        self.split_box.activated.connect(self._split_chosen)
        self.speakers_edit = QLineEdit()
        self.speakers_edit.setPlaceholderText("speakers, e.g. 2 or 2,4")
        self.speakers_edit.setToolTip("BEAT2 speakers to keep: the number a clip's name starts with")
        self.speakers_edit.editingFinished.connect(self.changed)
        self.label = QLabel()
        self.label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        for widget in (self.add_folder_button, self.clear_button, self.split_box, self.speakers_edit):
            row.addWidget(widget)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(self.label)
        self._refresh()

    def _button(self, text: str, slot: object, tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tip)
        button.clicked.connect(lambda: slot())
        return button

    # ----- what the user chose --------------------------------------------------------------------

    def add_folder(self, path: str | Path) -> None:
        self.folders.append(Path(path))
        self._refresh()

    def set_split(self, split: str | Path | None) -> None:
        self.split = split
        self._refresh()

    def clear(self) -> None:
        self.folders, self.split = [], None
        self.speakers_edit.clear()
        self._refresh()

    def speakers(self) -> tuple[int, ...]:
        """The BEAT2 speakers typed (ValueError naming what is not a speaker number)."""
        text = self.speakers_edit.text().strip()
        return (
            parse_speakers(text) if text and not self.speakers_edit.isHidden() else ()
        )  # offered, dock in front or not

    def files(self) -> list[Path]:
        """The clips the folders, the split and the speakers select (MotionFileError: what is wrong)."""
        return dataset_files(self.folders, self.split, self.speakers())

    def ask_folder(self) -> None:
        if path := self.prompts.folder():
            self.add_folder(path)

    def _split_chosen(self, index: int) -> None:
        choice = self.split_box.itemText(index)
        if choice == SPLIT_FILE:
            path = self.prompts.split_file()
            self.set_split(Path(path) if path else self.split)
        else:
            self.set_split(None if choice == ALL else choice)

    # ----- what it shows ---------------------------------------------------------------------------

    def _refresh(self) -> None:
        choices = dataset_choices(f for f in self.folders if f.exists())
        entries = [ALL, *choices.splits]
        if isinstance(self.split, Path):
            entries.append(f"file: {self.split.name}")
        entries.append(SPLIT_FILE)
        self.split_box.clear()
        self.split_box.addItems(entries)
        current = ALL if self.split is None else (self.split if isinstance(self.split, str) else entries[-2])
        self.split_box.setCurrentText(current)
        self.speakers_edit.setVisible(bool(choices.speakers))
        names = ", ".join(str(f) for f in self.folders) or "no folders yet"
        self.label.setText(names)
        self.changed.emit()

    def set_enabled(self, enabled: bool) -> None:
        for widget in (self.add_folder_button, self.clear_button, self.split_box, self.speakers_edit):
            widget.setEnabled(enabled)
