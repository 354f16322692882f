"""Recently opened clips and checkpoints, kept in QSettings (newest first, failures dropped)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

MAX_RECENT = 8


class RecentFiles:
    """One list per kind ("clips", "checkpoints") under ``recent/<kind>``."""

    def __init__(self, settings: QSettings) -> None:
        self.settings = settings

    def entries(self, kind: str) -> list[str]:
        return [str(p) for p in self.settings.value(f"recent/{kind}", [], type=list)]

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
