"""Which clips a run uses: the folders (dataset roots as they ship, or folders of clips), the split to
train on and, for BEAT2, the speakers.

The split list offers what the folders ship (read by :func:`core.datasets.choices.dataset_choices` on the
survey's thread, then handed to :meth:`DataChoice.offer`), a split file of ids chosen with "Split file…",
or every clip; the speakers field appears only for a BEAT2 root. ``changed`` says the clips a run would
use may differ.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.datasets.beat2_root import parse_speakers
from core.datasets.choices import DatasetChoices
from core.datasets.selection import is_split_name

EVERY_CLIP = "every clip"
CHOOSE_FILE = "\x00file"
"""The item data of "Split file…", which asks for a file."""


def choose_split_file(parent: QWidget) -> str:
    """A split file from a dialog ("" when cancelled): a text file of ids, or a JSON holdout split."""
    path, _ = QFileDialog.getOpenFileName(
        parent, "Choose a split file", "", "Split files (*.txt *.json);;All files (*)"
    )
    return path


class DataChoice(QWidget):
    """The data list with Add folder and Remove, beside which the setup puts ``split_box`` and
    ``speakers_edit``. ``holdoutChosen`` carries a JSON split file picked as a split: it names the clips
    kept out (as ``--split X.json`` is read), so it belongs in the Hold out field."""

    changed = Signal()
    holdoutChosen = Signal(str)
    speakersOffered = Signal(bool)

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choose_file: Callable[[QWidget], str] = choose_split_file
        self.choices = DatasetChoices("", (), ())
        self._chosen: str | None = None
        self.data_list = QListWidget()
        self.data_list.setToolTip(
            "Dataset roots as they ship (HumanML3D, KIT-ML, BEAT2, AMASS) or folders and files of clips"
        )
        self.data_list.setMaximumHeight(64)
        self.data_list.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.data_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.data_list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.add_button = QPushButton("Add folder…")
        self.add_button.clicked.connect(self._add_folder)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip("Remove the selected folders from the list")
        self.remove_button.clicked.connect(self._remove_selected)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.data_list)
        layout.addLayout(buttons)
        self.split_box = QComboBox()
        self.split_box.setToolTip(
            "The clips to train on: a split the dataset root ships, a split file of clip ids, or every clip"
        )
        self.speakers_edit = QLineEdit(settings.value("training/speakers", "", type=str))
        self.speakers_edit.setPlaceholderText("every speaker")
        self._fill_splits(settings.value("training/split", "", type=str) or None)
        self.set_data_paths(settings.value("training/data", [], type=list))
        model = self.data_list.model()
        for signal in (model.rowsInserted, model.rowsRemoved, model.modelReset):
            signal.connect(self.changed)
        self.split_box.activated.connect(self._split_activated)
        self.speakers_edit.editingFinished.connect(self.changed)

    # ----- what is chosen -------------------------------------------------------------------

    def data_paths(self) -> list[Path]:
        return [
            Path(self.data_list.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(self.data_list.count())
        ]

    def set_data_paths(self, paths: list[Path | str]) -> None:
        self.data_list.clear()
        for path in paths:
            self._add_path(str(path))

    def split(self) -> str | None:
        """A split name, a split file's path, or None for every clip."""
        return self._chosen

    def set_split(self, split: str | Path | None) -> None:
        """Choose a split by name, a split file by path (a JSON one goes to Hold out), or every clip."""
        value = None if split is None else str(split)
        if value is not None and not is_split_name(value) and Path(value).suffix.lower() == ".json":
            self.holdoutChosen.emit(value)
            return
        self._fill_splits(value)
        self.changed.emit()

    def speakers(self) -> tuple[int, ...]:
        """The BEAT2 speakers to train on (every one when empty); ValueError for a field that is no list of
        numbers. Only where speakers are offered."""
        text = self.speakers_edit.text().strip()
        return parse_speakers(text) if text and self.choices.speakers else ()

    def remember(self, settings: QSettings) -> None:
        settings.setValue("training/data", [str(p) for p in self.data_paths()])
        settings.setValue("training/split", self.split() or "")
        settings.setValue("training/speakers", self.speakers_edit.text().strip())

    def set_enabled(self, enabled: bool) -> None:
        for widget in (
            self.data_list,
            self.add_button,
            self.remove_button,
            self.split_box,
            self.speakers_edit,
        ):
            widget.setEnabled(enabled)

    # ----- what the folders offer -------------------------------------------------------------

    def offer(self, choices: DatasetChoices) -> None:
        """The splits and speakers the folders offer; a split they do not ship falls back to every clip, and
        a change in what a run would use is ``changed``."""
        before = (self.split(), self._speakers_text())
        self.choices = choices
        split = self.split()
        keep = split is None or not is_split_name(split) or split in choices.splits
        self._fill_splits(split if keep else None)
        self.speakers_edit.setToolTip(
            "BEAT2 speakers to train on, by number: 2 or 2,4 (empty: every one). Here: "
            + choices.speakers_line()
            if choices.speakers
            else ""
        )
        self.speakersOffered.emit(bool(choices.speakers))
        if (self.split(), self._speakers_text()) != before:
            self.changed.emit()

    def _speakers_text(self) -> str:
        return self.speakers_edit.text().strip() if self.choices.speakers else ""

    def _fill_splits(self, current: str | None) -> None:
        """Every clip, the splits offered (and ``current``, until the folders say whether they ship it),
        the split file chosen, and "Split file…"."""
        names = list(self.choices.splits)
        files = [current] if current is not None and not is_split_name(current) else []
        if current is not None and is_split_name(current) and current not in names:
            names.append(current)
        box = self.split_box
        box.blockSignals(True)
        box.clear()
        box.addItem(EVERY_CLIP, None)
        for name in names:
            box.addItem(name, name)
        for path in files:
            box.addItem(Path(path).name, path)
            box.setItemData(box.count() - 1, path, Qt.ItemDataRole.ToolTipRole)
        box.addItem("Split file…", CHOOSE_FILE)
        box.setItemData(
            box.count() - 1,
            "A text file of clip ids, one a line (or a JSON holdout split)",
            Qt.ItemDataRole.ToolTipRole,
        )
        box.setCurrentIndex(max(box.findData(current), 0))
        box.blockSignals(False)
        self._chosen = current

    def _split_activated(self, index: int) -> None:
        value = self.split_box.itemData(index)
        if value != CHOOSE_FILE:
            self._chosen = value
            self.changed.emit()
            return
        path = self.choose_file(self)
        self._fill_splits(self._chosen)  # "Split file…" is an action, never the choice shown
        if path:
            self.set_split(path)

    def _add_path(self, path: str) -> None:
        self.data_list.addItem(path)
        item = self.data_list.item(self.data_list.count() - 1)
        item.setData(Qt.ItemDataRole.UserRole, path)
        item.setToolTip(path)

    def _add_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a dataset root or a folder of clips")
        if folder:
            self._add_path(folder)

    def _remove_selected(self) -> None:
        for item in self.data_list.selectedItems():
            self.data_list.takeItem(self.data_list.row(item))
