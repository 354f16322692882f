"""View > Compute device: where the open checkpoint decodes and refines (the session's choice)."""

from __future__ import annotations

from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QWidget

from app.state.errors import ErrorReporter
from app.state.session import Session
from core.model.devices import available_devices


def device_menu(session: Session, reporter: ErrorReporter, parent: QWidget) -> QMenu:
    """One checkable entry per device this machine has (the CPU alone without CUDA)."""
    menu = QMenu("Compute device", parent)
    menu.setToolTipsVisible(True)
    group = QActionGroup(menu)
    actions: dict[str, QAction] = {}
    for name, label in available_devices():
        action = menu.addAction(label)
        action.setCheckable(True)
        action.setToolTip(f"Decode and refine on {label}")
        group.addAction(action)
        actions[name] = action

        def choose(_checked: bool = False, name: str = name) -> None:
            with reporter.guard("Could not switch the compute device"):
                session.set_device(name)
            show()

        action.triggered.connect(choose)

    def show() -> None:
        actions[session.device].setChecked(True)

    session.deviceChanged.connect(show)
    show()
    return menu
