"""The 3D view's own commands, declared once as :class:`ActionSpec`s: its toggles and buttons.

The viewer owns these QActions; the window's View menu lists the same objects and the viewer's bar
shows them as buttons, so a toggle's state lives in one place.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import QLabel, QToolButton

from app.style.commands import ActionSpec

VIEWER_ACTIONS: dict[str, ActionSpec] = {
    "align": ActionSpec(
        "Align roots",
        "A",
        "Put the reconstruction on the original's root path and measure pose error only.\n"
        "Off: the decoded root path, whose drift counts as error.",
        checkable=True,
        checked=True,
        short="Align",
    ),
    "overlay": ActionSpec(
        "Overlay skeletons", "O", "Draw the skeletons in one place", checkable=True, short="Overlay"
    ),
    "paths": ActionSpec(
        "Root paths",
        "P",
        "Draw the root paths on the ground when roots are not aligned",
        checkable=True,
        checked=True,
        short="Paths",
    ),
    "ghost": ActionSpec(
        "Pre-edit ghost",
        "G",
        "Draw the reconstruction as it was before any edit, faint",
        checkable=True,
        checked=True,
        short="Ghost",
    ),
    "follow": ActionSpec(
        "Follow root", "F", "Keep the camera on the character", checkable=True, checked=True, short="Follow"
    ),
    "mesh": ActionSpec(
        "Show meshes",
        "M",
        "Draw SMPL-X clips as skinned bodies instead of skeletons.\nNeeds your own SMPL-X model folder.",
        checkable=True,
        checked=True,
        short="Meshes",
    ),
    "reset_camera": ActionSpec("Reset camera", "R", "Frame the character again", short="Reset view"),
    "smplx_folder": ActionSpec(
        "Set SMPL-X model folder…",
        None,
        "The folder holding your SMPLX_NEUTRAL.npz (never shipped with the app)",
    ),
}


def tool_button(action: QAction) -> QToolButton:
    button = QToolButton()
    button.setDefaultAction(action)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    return button


def swatch(text: str, color: QColor) -> QLabel:
    label = QLabel(f"<span style='color:{color.name()}'>&#9632;</span> {text}")
    label.setTextFormat(Qt.TextFormat.RichText)
    return label
