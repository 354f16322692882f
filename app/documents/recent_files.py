"""Recently opened clips and checkpoints, kept in QSettings (newest first, failures dropped), and the
folder last written to for each kind of output (videos).

A checkpoint is listed by what it is (``Checkpoint.label``: "MoMask · net_best_fid.tar", "bandai ·
step 9000") and where it came from, not by the folder name the app gave an import.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QMenu

MAX_RECENT = 8


@dataclass(frozen=True)
class RecentLabel:
    """How a recent entry reads: its name and the folder shown beside it."""

    name: str
    folder: str


class RecentFiles:
    """One list per kind ("clips", "checkpoints") under ``recent/<kind>``, their labels under
    ``recent/<kind>_labels``, last output folders under ``recent/<kind>_folder``."""

    def __init__(self, settings: QSettings) -> None:
        self.settings = settings

    def entries(self, kind: str) -> list[str]:
        """The kind's entries, newest first; a file deleted or moved since is dropped."""
        return [str(p) for p in self.settings.value(f"recent/{kind}", [], type=list) if Path(p).exists()]

    def labels(self, kind: str) -> dict[str, RecentLabel]:
        """The labels remembered for the kind's entries, by entry (a damaged value is ignored)."""
        labels = {}
        for text in self.settings.value(f"recent/{kind}_labels", [], type=list):
            try:
                entry, name, folder = json.loads(text)
                labels[str(entry)] = RecentLabel(str(name), str(folder))
            except (TypeError, ValueError):
                continue
        return labels

    def remember(self, kind: str, path: Path, opened: bool, label: RecentLabel | None = None) -> None:
        """Put an opened path first (with how to name it); drop one that failed to open, so the list
        only offers what works."""
        entry = str(Path(path).resolve())
        entries = [p for p in self.entries(kind) if p != entry]
        if opened:
            entries.insert(0, entry)
        entries = entries[:MAX_RECENT]
        self.settings.setValue(f"recent/{kind}", entries)
        labels = self.labels(kind)
        labels.pop(entry, None)
        if opened and label is not None:
            labels[entry] = label
        kept = [json.dumps([e, labels[e].name, labels[e].folder]) for e in entries if e in labels]
        self.settings.setValue(f"recent/{kind}_labels", kept)

    def start_dir(self, kind: str) -> str:
        """Where a file dialog opens: beside the last file of that kind (an import: beside its original,
        not in the app's data folder), else home."""
        entries = self.entries(kind)
        if not entries:
            return str(Path.home())
        label = self.labels(kind).get(entries[0])
        return (
            label.folder
            if label is not None and Path(label.folder).is_dir()
            else str(Path(entries[0]).parent)
        )

    def last_folder(self, kind: str) -> Path | None:
        """The folder last written to for ``kind`` (e.g. "videos"), if it still exists."""
        folder = self.settings.value(f"recent/{kind}_folder", "", type=str)
        return Path(folder) if folder and Path(folder).is_dir() else None

    def remember_folder(self, kind: str, folder: Path) -> None:
        self.settings.setValue(f"recent/{kind}_folder", str(Path(folder).resolve()))

    def fill_menu(
        self, menu: QMenu, open_clip: Callable[[str], object], open_checkpoint: Callable[[str], object]
    ) -> None:
        """File > Open recent: each entry's name (a checkpoint's label) and its folder (elided in the
        middle), so two entries of one name in different folders can be told apart."""
        menu.clear()
        metrics = QFontMetrics(menu.font())
        for kind, title, opener in (
            ("clips", "Clips", open_clip),
            ("checkpoints", "Checkpoints", open_checkpoint),
        ):
            menu.addSection(title)
            entries = self.entries(kind)
            labels = self.labels(kind)
            if not entries:
                menu.addAction("(none)").setEnabled(False)
            for entry in entries:
                label = labels.get(entry, RecentLabel(Path(entry).name, str(Path(entry).parent)))
                folder = metrics.elidedText(label.folder, Qt.TextElideMode.ElideMiddle, 320)
                action = menu.addAction(f"{label.name}   {folder}")
                action.setToolTip(entry)
                action.triggered.connect(lambda _checked=False, e=entry, o=opener: o(e))
