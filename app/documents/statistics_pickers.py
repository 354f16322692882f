"""The import dialog's normalisation statistics: one picker per file the checkpoint takes (Mean, Std,
and for a BEAT2 part with root channels the translation Mean and Std), in the order ``--stats`` takes
them.

Browsing starts next to the checkpoint, then next to the last file chosen. Choosing one file fills
the empty pickers whose usual file lies beside it (BEAT2's ``mean_std`` folder holds all four; a
``Mean.npy`` has its ``Std.npy``), so one choice is often all it takes; every path stays visible and
can be changed.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QFormLayout, QHBoxLayout, QLineEdit, QPushButton, QWidget

from core.model.peers.target import StatisticsFile

REQUIRED = 2
"""Mean and Std are always needed; the translation pair only with whole-body statistics."""


def _partner(path: Path) -> Path:
    """The other file of a mean/std pair by name ("Mean.npy" <-> "Std.npy", "x_mean" <-> "x_std")."""
    name = path.name
    for one, other in (("mean", "std"), ("Mean", "Std"), ("MEAN", "STD")):
        if one in name:
            return path.with_name(name.replace(one, other))
        if other in name:
            return path.with_name(name.replace(other, one))
    return path


class StatisticsPickers(QWidget):
    """A form of ``files``; ``changed`` when a path changes (chosen, typed, or filled beside another)."""

    changed = Signal()

    def __init__(
        self, files: tuple[StatisticsFile, ...], start_dir: Path, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.files = files
        self.first_dir = start_dir
        self.edits: list[QLineEdit] = []
        self.buttons: list[QPushButton] = []
        self.announced: list[str] = []
        """The paths ``changed`` last announced (leaving a field unchanged plans nothing again)."""
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        for index, file in enumerate(files):
            edit = QLineEdit()
            edit.setPlaceholderText(f"e.g. {file.example}")
            edit.setToolTip(f"{file.label} of the features the model was trained with, e.g. {file.example}")
            edit.editingFinished.connect(lambda i=index: self._typed(i))
            button = QPushButton("Choose…")
            button.clicked.connect(lambda _checked=False, i=index: self.browse(i))
            row = QHBoxLayout()
            row.addWidget(edit, 1)
            row.addWidget(button)
            form.addRow(file.label, row)
            self.edits.append(edit)
            self.buttons.append(button)

    def paths(self) -> list[str]:
        return [edit.text().strip() for edit in self.edits]

    def start_dir(self) -> Path:
        """Where browsing starts: beside the last file chosen, else next to the checkpoint."""
        chosen = [Path(p) for p in self.paths() if p]
        return chosen[-1].parent if chosen else self.first_dir

    def browse(self, index: int) -> None:
        file = self.files[index]
        path, _ = QFileDialog.getOpenFileName(
            self,
            f"Choose the {file.label.lower()} (like {file.example})",
            str(self.start_dir()),
            "NumPy (*.npy)",
        )
        if path:
            self.set_path(index, path)

    def _typed(self, index: int) -> None:
        text = self.edits[index].text().strip()
        if text:
            self.set_path(index, text)
        else:
            self._announce()

    def _announce(self) -> None:
        if self.paths() != self.announced:
            self.announced = self.paths()
            self.changed.emit()

    def set_path(self, index: int, path: str | Path) -> None:
        """Put ``path`` in picker ``index`` and fill the empty pickers whose file lies beside it."""
        self.edits[index].setText(str(path))
        chosen = Path(path)
        for other, file in enumerate(self.files):
            if self.edits[other].text().strip():
                continue
            for candidate in (chosen.parent / Path(file.example).name, _partner(chosen)):
                if candidate != chosen and candidate.is_file() and self._fits(other, candidate):
                    self.edits[other].setText(str(candidate))
                    break
        self._announce()

    def _fits(self, index: int, candidate: Path) -> bool:
        """Whether ``candidate`` is the kind of file picker ``index`` takes (a std for a Std picker)."""
        label = self.files[index].label.lower()
        name = candidate.name.lower()
        kind_ok = ("std" in name) == label.endswith("std")
        return kind_ok and (("trans" in name) == label.startswith("translation"))

    def still_needed(self) -> list[StatisticsFile]:
        """The files to choose before a plan can be made: Mean and Std, and the other half of a
        translation pair of which one is given."""
        paths = self.paths()
        needed = [f for f, p in zip(self.files[:REQUIRED], paths[:REQUIRED], strict=True) if not p]
        pairs = list(zip(self.files[REQUIRED:], paths[REQUIRED:], strict=True))
        if any(p for _, p in pairs):
            needed += [f for f, p in pairs if not p]
        return needed

    def given(self) -> tuple[str, ...]:
        """The paths for ``plan_import(stats=...)``, in ``--stats`` order."""
        return tuple(p for p in self.paths() if p)
