"""Docks of the main window: named for saved layouts, optionally scrolling their content."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QScrollArea, QWidget

SCROLLED_MIN_WIDTH = 200
"""A scrolling dock may be this narrow; its content scrolls rather than widen the window."""


def add_dock(
    window: QMainWindow, title: str, widget: QWidget, area: Qt.DockWidgetArea, scroll: bool = False
) -> QDockWidget:
    """Add a dock titled ``title`` (its object name, for saved layouts, comes from the title); with
    ``scroll`` the widget scrolls instead of holding the dock, and the window, wider than the screen."""
    dock = QDockWidget(title, window)
    dock.setObjectName(title.replace(" ", "_").lower() + "_dock")
    if scroll:
        scrolled = QScrollArea()
        scrolled.setWidgetResizable(True)
        scrolled.setFrameShape(QScrollArea.Shape.NoFrame)
        scrolled.setMinimumWidth(SCROLLED_MIN_WIDTH)
        scrolled.setWidget(widget)
        widget = scrolled
    dock.setWidget(widget)
    window.addDockWidget(area, dock)
    return dock
