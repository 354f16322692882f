"""What the Dataset dock asks the user, behind a protocol: dialogs in the app, answers in tests."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtWidgets import QFileDialog, QWidget


class BrowserPrompts(Protocol):
    """What the browser asks the user; :class:`DialogBrowserPrompts` opens dialogs, tests answer."""

    def folder(self) -> str | None: ...
    def split_file(self) -> str | None: ...
    def report_path(self, suggested: str) -> str | None: ...


class DialogBrowserPrompts:
    def __init__(self, parent: QWidget) -> None:
        self.parent = parent

    def folder(self) -> str | None:
        return QFileDialog.getExistingDirectory(self.parent, "Add a folder of clips") or None

    def split_file(self) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self.parent, "Split file", "", "Split files (*.json)")
        return path or None

    def report_path(self, suggested: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self.parent, "Save report", suggested, "HTML (*.html)")
        return path or None
