"""Recently opened clips and checkpoints, kept in QSettings (newest first, failures dropped)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QMenu

MAX_RECENT = 8


class RecentFiles:
    """One list per kind ("clips", "checkpoints") under ``recent/<kind>``."""

    def __init__(self, settings: QSettings) -> None:
        self.settings = settings

    def entries(self, kind: str) -> list[str]:
        """The kind's entries, newest first; a file deleted or moved since is dropped."""
        return [str(p) for p in self.settings.value(f"recent/{kind}", [], type=list) if Path(p).exists()]

    def remember(self, kind: str, path: Path, opened: bool) -> None:
        """Put an opened path first; drop one that failed to open, so the list only offers what works."""
        entry = str(Path(path).resolve())
        entries = [p for p in self.entries(kind) if p != entry]
        if opened:
            entries.insert(0, entry)
        self.settings.setValue(f"recent/{kind}", entries[:MAX_RECENT])

    def start_dir(self, kind: str) -> str:
        """Where a file dialog opens: beside the last file of that kind, else home."""
        entries = self.entries(kind)
        return str(Path(entries[0]).parent) if entries else str(Path.home())

    def fill_menu(
        self, menu: QMenu, open_clip: Callable[[str], object], open_checkpoint: Callable[[str], object]
    ) -> None:
        """File > Open recent: each entry's name and its folder (elided in the middle), so two clips of
        one name in different folders can be told apart."""
        menu.clear()
        metrics = QFontMetrics(menu.font())
        for kind, title, opener in (
            ("clips", "Clips", open_clip),
            ("checkpoints", "Checkpoints", open_checkpoint),
        ):
            menu.addSection(title)
            entries = self.entries(kind)
            if not entries:
                menu.addAction("(none)").setEnabled(False)
            for entry in entries:
                folder = metrics.elidedText(str(Path(entry).parent), Qt.TextElideMode.ElideMiddle, 320)
                action = menu.addAction(f"{Path(entry).name}   {folder}")
                action.setToolTip(entry)
                action.triggered.connect(lambda _checked=False, e=entry, o=opener: o(e))
