"""What the error strip and the cell marks need of the timeline: its step axis and its grid.

Typed as protocols so the strip and the marks depend on this small surface, not on the view's
module (which draws the marks and is laid out beside the strip), and no two modules import each other.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
from PySide6.QtCore import QRectF, SignalInstance
from PySide6.QtWidgets import QScrollBar, QWidget

from app.state.session import Session


class StepAxis(Protocol):
    """The timeline's horizontal axis: token steps laid out left to right, scrolled and zoomed."""

    HEADER: int
    """Width of the layer labels left of the first step."""
    axisChanged: SignalInstance
    cell_width: float

    @property
    def num_steps(self) -> int: ...

    def viewport(self) -> QWidget: ...

    def horizontalScrollBar(self) -> QScrollBar: ...

    def step_x(self, step: int) -> float: ...

    def frame_x(self, frame: int) -> float: ...

    def frames_x(self, frames: np.ndarray) -> np.ndarray: ...

    def frame_at_x(self, x: float) -> int: ...


class CodeGrid(StepAxis, Protocol):
    """The axis with the grid drawn on it: codes as last read, the edited mask, cell geometry."""

    RULER: int
    session: Session

    @property
    def indices(self) -> np.ndarray: ...

    @property
    def edited(self) -> np.ndarray: ...

    @property
    def num_rows(self) -> int: ...

    def cell_rect(self, step: int, layer: int) -> QRectF: ...
