"""How a command is declared, wherever it lives: its text, keys, tip, icon and whether it is a toggle.

The window's commands (:mod:`app.shell.actions`) and the views' own (the 3D view's toggles) are
tables of :class:`ActionSpec`; :func:`make_action` turns one into a QAction the same way for all,
so menus, buttons, tooltips and Help > Keyboard shortcuts agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QStyle, QWidget

Keys = QKeySequence.StandardKey | str | tuple[str, ...] | None


@dataclass(frozen=True)
class ActionSpec:
    text: str
    keys: Keys = None
    tip: str = ""
    """The tooltip; its first line is also the status-bar tip."""
    icon: QStyle.StandardPixmap | None = None
    checkable: bool = False
    checked: bool = False
    """A toggle's state when the window opens."""
    short: str = ""
    """The text on a tool button (default: ``text``)."""


def shortcuts(keys: Keys) -> list[QKeySequence]:
    if keys is None:
        return []
    if isinstance(keys, tuple):
        return [QKeySequence(k) for k in keys]
    return [QKeySequence(keys)]


def make_action(parent: QWidget, spec: ActionSpec) -> QAction:
    """A QAction for ``spec``, added to ``parent`` so its keys work anywhere in it."""
    action = QAction(spec.text, parent)
    action.setShortcuts(shortcuts(spec.keys))
    first, *rest = (spec.tip or spec.text).split("\n", 1)
    action.setStatusTip(spec.tip.split("\n")[0])
    keys = action.shortcut().toString()
    action.setToolTip("\n".join([f"{first} ({keys})" if keys else first, *rest]))
    if spec.icon is not None:
        action.setIcon(parent.style().standardIcon(spec.icon))
    if spec.short:
        action.setIconText(spec.short)
    action.setCheckable(spec.checkable)
    action.setChecked(spec.checked)
    parent.addAction(action)
    return action
