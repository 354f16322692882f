"""Hovering a joint in the 3D view names it and its error.

The view's projection and view matrices go to :func:`core.session.picking.project`; the joint nearest
the pointer within a few pixels is named in the viewer's HUD and a tooltip. Errors are read from the
reconstruction the joint belongs to (:mod:`core.analysis`), never computed here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from pyqtgraph.opengl.GLViewWidget import GLViewMixin
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QLabel, QToolTip, QWidget

from core.session.picking import nearest_point, project

PICK_RADIUS_PX = 8.0


@dataclass(frozen=True)
class DrawnSkeleton:
    """One skeleton as drawn this frame: its name, joint names, view-space joints and their errors
    in metres (None for the original, whose error is its reconstruction's)."""

    label: str
    joint_names: list[str]
    points: np.ndarray
    errors_m: np.ndarray | None


def view_matrix(view: GLViewMixin) -> np.ndarray:
    """The 4x4 projection x view matrix of ``view`` (row-major, for column vectors)."""
    viewport = view.getViewport()
    projection = np.array(view.projectionMatrix(viewport, viewport).copyDataTo(), np.float64).reshape(4, 4)
    model_view = np.array(view.viewMatrix().copyDataTo(), np.float64).reshape(4, 4)
    return projection @ model_view


def hover_text(skeletons: list[DrawnSkeleton], which: int, joint: int) -> str:
    """What the HUD says about joint ``joint`` of ``skeletons[which]``: its name and error (the
    original's joint shows the reconstruction's error at that joint)."""
    drawn = skeletons[which]
    errors = drawn.errors_m
    if errors is None:
        errors = next((s.errors_m for s in skeletons if s.errors_m is not None), None)
    error = "" if errors is None else f": error {1000.0 * float(errors[joint]):.1f} mm"
    return f"{drawn.label} · <b>{drawn.joint_names[joint]}</b>{error}"


class JointHover(QObject):
    """Watches the pointer over ``view``; ``skeletons()`` says what is drawn at the current frame."""

    def __init__(
        self, view: GLViewMixin, host: QWidget, label: QLabel, skeletons: Callable[[], list[DrawnSkeleton]]
    ) -> None:
        super().__init__(host)
        self.view, self.host, self.label, self.skeletons = view, host, label, skeletons
        self.picked: tuple[int, int] | None = None
        """(skeleton, joint) under the pointer, or None."""
        view.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.MouseMove and isinstance(event, QMouseEvent):
            if event.buttons() == Qt.MouseButton.NoButton:
                self.pick(event.position().x(), event.position().y(), event.globalPosition().toPoint())
        elif event.type() == QEvent.Type.Leave:
            self.clear()
        return False

    def pick(self, x: float, y: float, global_pos: object = None) -> tuple[int, int] | None:
        """Name the joint nearest to widget pixel (x, y), if one is within :data:`PICK_RADIUS_PX`."""
        skeletons = self.skeletons()
        if not skeletons:
            self.clear()
            return None
        points = np.concatenate([s.points for s in skeletons])
        owner = np.concatenate([np.full(len(s.points), i) for i, s in enumerate(skeletons)])
        screen = project(points, view_matrix(self.view), self.view.width(), self.view.height())
        index = nearest_point(screen, x, y, PICK_RADIUS_PX)
        if index is None:
            self.clear()
            return None
        which = int(owner[index])
        joint = index - sum(len(s.points) for s in skeletons[:which])
        self.picked = (which, joint)
        text = hover_text(skeletons, which, joint)
        self.label.setText(text)
        if global_pos is not None:
            QToolTip.showText(global_pos, text.replace("<b>", "").replace("</b>", ""), self.host)
        return self.picked

    def clear(self) -> None:
        self.picked = None
        self.label.setText("")
        QToolTip.hideText()
