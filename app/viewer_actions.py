"""The viewer's toggles, declared once: text, key, tip, whether on at start, and the bar's short text.

The viewer owns these checkable QActions; the window's View menu lists the same objects and the
viewer's bar shows them as buttons, so a toggle's state lives in one place.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QColor, QKeySequence
from PySide6.QtWidgets import QLabel, QToolButton, QWidget

TOGGLES: dict[str, tuple[str, str, str, bool, str]] = {
    "align": (
        "Align roots",
        "A",
        "Put the reconstruction on the original's root path and measure pose error only (A).\n"
        "Off: the decoded root path, whose drift counts as error.",
        True,
        "Align",
    ),
    "overlay": ("Overlay skeletons", "O", "Draw the skeletons in one place (O)", False, "Overlay"),
    "paths": (
        "Root paths",
        "P",
        "Draw the root paths on the ground when roots are not aligned (P)",
        True,
        "Paths",
    ),
    "ghost": (
        "Pre-edit ghost",
        "G",
        "Draw the reconstruction as it was before any edit, faint (G)",
        True,
        "Ghost",
    ),
    "follow": ("Follow root", "F", "Keep the camera on the character (F)", True, "Follow"),
    "mesh": (
        "Show meshes",
        "M",
        "Draw SMPL-X clips as skinned bodies instead of skeletons (M).\nNeeds your own SMPL-X model folder.",
        True,
        "Meshes",
    ),
}


def toggle(parent: QWidget, name: str) -> QAction:
    """The checkable action ``name`` of :data:`TOGGLES`, added to ``parent`` so its key works there."""
    text, key, tip, checked, icon_text = TOGGLES[name]
    action = QAction(text, parent)
    action.setCheckable(True)
    action.setChecked(checked)
    action.setShortcut(QKeySequence(key))
    action.setToolTip(tip)
    action.setStatusTip(tip.split("\n")[0])
    if icon_text:
        action.setIconText(icon_text)
    parent.addAction(action)
    return action


def tool_button(action: QAction) -> QToolButton:
    button = QToolButton()
    button.setDefaultAction(action)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    return button


def swatch(text: str, color: QColor) -> QLabel:
    label = QLabel(f"<span style='color:{color.name()}'>&#9632;</span> {text}")
    label.setTextFormat(Qt.TextFormat.RichText)
    return label
