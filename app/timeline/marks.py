"""What the timeline draws over its code cells: edited cells, the highlighted code's occurrences and,
once cells are wide enough, the code numbers themselves (colours repeat; numbers do not)."""

from __future__ import annotations

import functools

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen, QStaticText

from app.style import theme
from app.style.code_colors import code_color, text_color_on
from app.timeline.step_axis import CodeGrid
from core.analysis.clip_analysis import code_steps

NUMBER_MIN_WIDTH = 18.0
"""Cells at least this wide (and 11 px high) show their code number."""


def paint_edits(view: CodeGrid, painter: QPainter, first: int, last: int) -> None:
    """Edited cells get a magenta frame and corner mark, visible at any zoom."""
    steps, layers = np.nonzero(view.edited[first:last])
    if steps.size == 0:
        return
    painter.setPen(QPen(theme.EDITED, 2))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRects(
        [
            view.cell_rect(int(step), int(layer)).adjusted(1, 2, -1, -2)
            for step, layer in zip(steps + first, layers, strict=True)
        ]
    )
    _ruler_marks(view, painter, np.unique(steps) + first, theme.EDITED)


def highlighted_steps(view: CodeGrid) -> tuple[int, np.ndarray]:
    """The highlighted layer and the steps where it uses the highlighted code (none when out of range)."""
    highlighted = view.session.highlighted
    if highlighted is None or not 0 <= highlighted[0] < view.num_rows:
        return -1, np.zeros(0, dtype=np.int64)
    layer, code = highlighted
    return layer, code_steps(view.indices, layer, code)


def paint_highlight(view: CodeGrid, painter: QPainter, first: int, last: int) -> None:
    """A bright outline on every occurrence of the highlighted code, and a tick above each in the ruler."""
    layer, steps = highlighted_steps(view)
    steps = steps[(steps >= first) & (steps < last)]
    if steps.size == 0:
        return
    painter.setPen(QPen(theme.HIGHLIGHT, 2))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRects([view.cell_rect(int(s), layer).adjusted(1, 1, -1, -1) for s in steps])
    _ruler_marks(view, painter, steps, theme.HIGHLIGHT, top=view.RULER - 8)


def paint_code_numbers(view: CodeGrid, painter: QPainter, first: int, last: int, h: float) -> None:
    """Each cell's code number, in black or white to read on its colour, when the cells are wide enough.
    Numbers are laid out once per size (``QStaticText``): a playing clip repaints the grid every frame."""
    if view.cell_width < NUMBER_MIN_WIDTH or h < 11:
        return
    pixels = int(min(11, h - 2, view.cell_width / 2.2))
    font = QFont(painter.font())
    font.setPixelSize(pixels)
    painter.setFont(font)
    active, width, left = view.session.layers_used, view.cell_width, view.step_x(first)
    for layer in range(view.num_rows):
        top = view.RULER + layer * h
        for step, code in enumerate(view.indices[first:last, layer].tolist()):
            if code >= 0:
                text = _number_text(code, pixels)
                size = text.size()
                painter.setPen(_number_color(code, layer < active))
                x = left + (step + 0.5) * width - size.width() / 2
                painter.drawStaticText(QPointF(x, top + (h - size.height()) / 2), text)


@functools.lru_cache(maxsize=8192)
def _number_text(code: int, pixels: int) -> QStaticText:
    text = QStaticText(str(code))
    font = QFont()
    font.setPixelSize(pixels)
    text.prepare(font=font)
    return text


@functools.lru_cache(maxsize=4096)
def _number_color(code: int, active: bool) -> QColor:
    return text_color_on(code_color(code)) if active else theme.DIM_TEXT


def _ruler_marks(view: CodeGrid, painter: QPainter, steps: np.ndarray, color: QColor, top: float = 0) -> None:
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(color)
    top = top or view.RULER - 4
    painter.drawRects([QRectF(view.step_x(int(s)), top, view.cell_width, 3) for s in steps])
