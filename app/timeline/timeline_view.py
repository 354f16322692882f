"""The token timeline's grid: one row per quantizer layer, one cell per token step, coloured by code.

A QAbstractScrollArea that paints only the visible cells, so a clip of thousands of steps
scrolls and zooms at the same cost as a short one. It reads the codes and the edited mask from
the session once per change (not per paint) and asks core for the frames each step covers.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QLineF, QPoint, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QFont, QImage, QMouseEvent, QPainter, QPen, QWheelEvent
from PySide6.QtWidgets import QAbstractScrollArea, QToolTip, QWidget

from app.state.playback import Playback
from app.state.session import Session
from app.style import theme
from app.style.code_colors import code_palette
from app.timeline import marks


class TimelineView(QAbstractScrollArea):
    """Paints the code grid, the edited marks, the selection and the playhead; click, drag and hover."""

    hovered = Signal(str)
    axisChanged = Signal()
    """The step axis moved (scroll, zoom, a new grid): what is drawn on it must follow."""
    MIN_CELL, MAX_CELL = 2.0, 48.0
    HEADER = 40
    RULER = 18

    def __init__(self, session: Session, playback: Playback, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.playback = playback
        self.cell_width = 12.0
        self._indices = np.zeros((0, 0), dtype=np.int64)
        self._edited = np.zeros((0, 0), dtype=bool)
        self._step_frames = np.zeros((0, 2), dtype=np.int64)
        self._palette = np.zeros((0, 2), dtype=np.uint32)
        self._image = QImage()
        self._dragging = False
        self._scrubbing = False
        self.setMouseTracking(True)
        self.viewport().setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumHeight(self.RULER + 3 * 14 + 4)
        self.setToolTip("")
        self.horizontalScrollBar().valueChanged.connect(self.axisChanged)
        session.reconstructionChanged.connect(self._rebuild)
        session.tokensChanged.connect(self._tokens_changed)
        session.selectionChanged.connect(self.viewport().update)
        session.highlightChanged.connect(self.viewport().update)
        session.layersUsedChanged.connect(lambda _k: self._render_grid())
        playback.frameChanged.connect(self._frame_changed)
        self._rebuild()

    def sizeHint(self) -> QSize:
        return QSize(800, self.RULER + 6 * 22 + 6)

    # ----- data -----------------------------------------------------------------------------

    @property
    def num_steps(self) -> int:
        return int(self._indices.shape[0])

    @property
    def indices(self) -> np.ndarray:
        """The (steps, Q) codes as last read from the session."""
        return self._indices

    @property
    def edited(self) -> np.ndarray:
        return self._edited

    @property
    def num_rows(self) -> int:
        return int(self._indices.shape[1]) if self._indices.ndim == 2 else 0

    def _rebuild(self) -> None:
        recon = self.session.reconstruction
        if recon is None or self.session.checkpoint is None:
            self._step_frames = np.zeros((0, 2), dtype=np.int64)
            self._palette = np.zeros((0, 2), dtype=np.uint32)
        else:
            self._step_frames = np.array([recon.frames_of_step(s) for s in range(recon.num_steps)])
            self._palette = code_palette(self.session.checkpoint.config.nb_code)
        self._tokens_changed()
        self.fit_to_width()
        rows = min(max(self.num_rows, 3), 8)  # every layer at least 6 px high, in a short dock too
        self.setMinimumHeight(self.RULER + rows * 6 + 6 + self.horizontalScrollBar().sizeHint().height())

    def _tokens_changed(self) -> None:
        editor = self.session.editor
        if editor is None:
            self._indices = np.zeros((0, 0), dtype=np.int64)
            self._edited = np.zeros((0, 0), dtype=bool)
        else:
            self._indices = np.array(editor.indices)
            self._edited = editor.edited_mask()
        self._render_grid()
        self._update_scrollbar()

    def _render_grid(self) -> None:
        """One pixel per cell, layers switched off by truncation dimmed; painting scales it up.

        A single drawImage per paint keeps a 500-step clip as cheap to draw as a short one.
        """
        if self.num_steps == 0 or len(self._palette) == 0:
            self._image = QImage()
        else:
            codes = np.where(self._indices < 0, len(self._palette) - 1, self._indices).T
            dimmed = np.arange(self.num_rows)[:, None] >= self.session.layers_used
            argb = np.ascontiguousarray(np.where(dimmed, self._palette[codes, 1], self._palette[codes, 0]))
            height, width = argb.shape
            self._image = QImage(argb.data, width, height, width * 4, QImage.Format.Format_RGB32).copy()
        self.viewport().update()

    # ----- geometry -------------------------------------------------------------------------

    def row_height(self) -> float:
        if self.num_rows == 0:
            return 20.0
        return max(6.0, (self.viewport().height() - self.RULER - 2) / self.num_rows)

    def _origin(self) -> float:
        return self.HEADER - self.horizontalScrollBar().value()

    def cell_rect(self, step: int, layer: int) -> QRectF:
        h = self.row_height()
        return QRectF(self._origin() + step * self.cell_width, self.RULER + layer * h, self.cell_width, h)

    def cell_at(self, pos: QPoint) -> tuple[int, int] | None:
        """(step, layer) under a viewport position, or None outside the grid."""
        if pos.x() < self.HEADER or pos.y() < self.RULER or self.num_steps == 0:
            return None
        step = int((pos.x() - self._origin()) // self.cell_width)
        layer = int((pos.y() - self.RULER) // self.row_height())
        if 0 <= step < self.num_steps and 0 <= layer < self.num_rows:
            return step, layer
        return None

    def step_x(self, step: int) -> float:
        """x of a step's left edge in the viewport."""
        return self._origin() + step * self.cell_width

    def frame_x(self, frame: int) -> float:
        """x of a frame: inside its step's cell, proportionally, so the playhead moves smoothly."""
        return float(self.frames_x(np.asarray([frame]))[0])

    def frames_x(self, frames: np.ndarray) -> np.ndarray:
        """:meth:`frame_x` of many frames at once (the analysis strip's curves)."""
        starts = self._step_frames[:, 0]
        steps = np.clip(np.searchsorted(starts, frames, side="right") - 1, 0, len(starts) - 1)
        start, stop = self._step_frames[steps, 0], self._step_frames[steps, 1]
        within = (frames - start) / np.maximum(stop - start, 1)
        return self._origin() + (steps + within) * self.cell_width

    def frame_at_x(self, x: float) -> int:
        """The frame drawn at viewport ``x`` (the inverse of :meth:`frame_x`), clamped to the clip."""
        position = min(max((x - self._origin()) / self.cell_width, 0.0), self.num_steps - 1e-9)
        start, stop = self._step_frames[int(position)]
        return int(min(start + (position % 1.0) * max(stop - start, 1) + 1e-6, max(stop - 1, start)))

    def set_cell_width(self, width: float, anchor_x: float | None = None) -> None:
        """Zoom, keeping the step under ``anchor_x`` (default: the view's centre) in place."""
        width = min(max(width, self.MIN_CELL), self.MAX_CELL)
        anchor_x = self.viewport().width() / 2 if anchor_x is None else anchor_x
        step_at = (anchor_x - self._origin()) / self.cell_width
        self.cell_width = width
        self._update_scrollbar()
        self.horizontalScrollBar().setValue(int(self.HEADER + step_at * width - anchor_x))
        self.viewport().update()
        self.axisChanged.emit()

    def zoom(self, factor: float) -> None:
        self.set_cell_width(self.cell_width * factor)

    def fit_to_width(self) -> None:
        if self.num_steps:
            available = max(self.viewport().width() - self.HEADER - 4, 50)
            self.set_cell_width(available / self.num_steps, anchor_x=self.HEADER)
            self.horizontalScrollBar().setValue(0)

    def _update_scrollbar(self) -> None:
        total = int(self.num_steps * self.cell_width) + self.HEADER + 4
        bar = self.horizontalScrollBar()
        bar.setRange(0, max(0, total - self.viewport().width()))
        bar.setPageStep(self.viewport().width())
        bar.setSingleStep(max(1, int(self.cell_width)))

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)
        self._update_scrollbar()

    def _frame_changed(self, frame: int) -> None:
        """Repaint, and scroll so the playhead stays in view while playing."""
        if self.num_steps:
            x = self.frame_x(frame)
            if x < self.HEADER or x > self.viewport().width() - 8:
                bar = self.horizontalScrollBar()
                bar.setValue(int(bar.value() + x - self.HEADER - 0.25 * self.viewport().width()))
        self.viewport().update()

    # ----- painting -------------------------------------------------------------------------

    def paintEvent(self, event: object) -> None:
        painter = QPainter(self.viewport())
        painter.fillRect(self.viewport().rect(), theme.BASE)
        if self.num_steps == 0:
            painter.setPen(theme.DIM_TEXT)
            painter.drawText(
                self.viewport().rect(),
                Qt.AlignmentFlag.AlignCenter,
                "Tokens appear here once a clip and a checkpoint that fits it are open",
            )
            return
        width = self.viewport().width()
        first = max(0, int((self.HEADER - self._origin()) // self.cell_width))
        last = min(self.num_steps, int((width - self._origin()) // self.cell_width) + 1)
        h = self.row_height()
        active = self.session.layers_used
        painter.setClipRect(QRect(self.HEADER, 0, width - self.HEADER, self.viewport().height()))
        target = QRectF(
            self._origin() + first * self.cell_width,
            self.RULER,
            (last - first) * self.cell_width,
            h * self.num_rows,
        )
        painter.drawImage(target, self._image, QRectF(first, 0, last - first, self.num_rows))
        separators = [
            QLineF(target.left(), self.RULER + r * h, target.right(), self.RULER + r * h)
            for r in range(self.num_rows + 1)
        ]
        if self.cell_width >= 5:
            separators += [
                QLineF(x, self.RULER, x, target.bottom())
                for x in (self._origin() + step * self.cell_width for step in range(first, last + 1))
            ]
        painter.setPen(QPen(theme.BASE, 1))
        painter.drawLines(separators)
        self._paint_ruler(painter, first, last)
        marks.paint_code_numbers(self, painter, first, last, h)
        marks.paint_edits(self, painter, first, last)
        marks.paint_highlight(self, painter, first, last)
        self._paint_selection(painter, h)
        x = self.frame_x(self.playback.frame)
        painter.setPen(QPen(theme.PLAYHEAD, 2))
        painter.drawLine(int(x), 0, int(x), self.viewport().height())
        painter.setClipping(False)
        self._paint_header(painter, h, active)

    def _paint_selection(self, painter: QPainter, h: float) -> None:
        selection = self.session.selection
        if selection is None or selection.stop > self.num_steps:
            return
        span = self.cell_rect(selection.start, 0)
        span.setWidth((selection.stop - selection.start) * self.cell_width)
        span.setHeight(h * self.num_rows)
        painter.fillRect(span, theme.SELECTION_FILL)
        painter.setPen(QPen(theme.SELECTION, 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(self.cell_rect(selection.step, selection.layer).adjusted(0, 0, -1, -1))

    def _paint_ruler(self, painter: QPainter, first: int, last: int) -> None:
        painter.fillRect(QRectF(self.HEADER, 0, self.viewport().width(), self.RULER), theme.PANEL)
        every = next(n for n in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000) if n * self.cell_width >= 44)
        painter.setPen(theme.DIM_TEXT)
        for step in range(first - first % every, last, every):
            x = self._origin() + step * self.cell_width
            painter.drawLine(int(x), self.RULER - 5, int(x), self.RULER)
            painter.drawText(QRectF(x + 2, 0, 60, self.RULER - 2), Qt.AlignmentFlag.AlignVCenter, str(step))

    def _paint_header(self, painter: QPainter, h: float, active: int) -> None:
        painter.fillRect(QRectF(0, 0, self.HEADER, self.viewport().height()), theme.PANEL)
        painter.setPen(theme.DIM_TEXT)
        painter.drawText(QRectF(0, 0, self.HEADER - 4, self.RULER), Qt.AlignmentFlag.AlignCenter, "step")
        if h < 13:
            font = QFont(painter.font())
            font.setPixelSize(max(int(h), 6))
            painter.setFont(font)
        for layer in range(self.num_rows):
            painter.setPen(theme.TEXT if layer < active else theme.DIM_TEXT)
            painter.drawText(
                QRectF(0, self.RULER + layer * h, self.HEADER - 4, h),
                Qt.AlignmentFlag.AlignCenter,
                f"L{layer + 1}",
            )

    # ----- interaction ----------------------------------------------------------------------

    def describe_cell(self, step: int, layer: int) -> str:
        """What the status bar and tooltip say about a cell."""
        recon = self.session.reconstruction
        code = int(self._indices[step, layer])
        start, stop = self._step_frames[step]
        text = f"Layer {layer + 1} · step {step} · code {code} · frames {start}–{stop - 1}"
        if recon is not None:
            uses = recon.code_count(layer, code)
            text += f" · used {uses}× in this clip"
        if self._edited[step, layer]:
            text += f" · edited (was {int(self.session.editor.original[step, layer])})"
        return text

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._scrubbing:
            self._seek_at(event.position().x())
            return
        cell = self.cell_at(event.position().toPoint())
        if self._dragging and cell is not None:
            self.session.select(cell[0], self.session.selection.layer if self.session.selection else 0, True)
        if cell is None:
            QToolTip.hideText()
            self.hovered.emit("")
            return
        text = self.describe_cell(*cell)
        self.hovered.emit(text)
        QToolTip.showText(event.globalPosition().toPoint(), text.replace(" · ", "\n"), self.viewport())

    def leaveEvent(self, event: object) -> None:
        self.hovered.emit("")
        super().leaveEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """A cell selects (and shows its first frame); the step ruler above them seeks and scrubs."""
        pos = event.position()
        if event.button() != Qt.MouseButton.LeftButton:
            return
        if self.num_steps and pos.y() < self.RULER and pos.x() >= self.HEADER:
            self._scrubbing = True
            self._seek_at(pos.x())
            return
        cell = self.cell_at(pos.toPoint())
        if cell is None:
            return
        extend = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        self.session.select(cell[0], cell[1], extend)
        self._dragging = True
        if not self.playback.playing:
            self.playback.seek(int(self._step_frames[cell[0], 0]))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._dragging = self._scrubbing = False

    def _seek_at(self, x: float) -> None:
        """Seek to the first frame of the step under ``x``, clamped to the clip (a drag may leave it)."""
        step = min(max(int((x - self._origin()) // self.cell_width), 0), self.num_steps - 1)
        self.playback.seek(int(self._step_frames[step, 0]))

    def wheelEvent(self, event: QWheelEvent) -> None:
        """Ctrl+wheel zooms around the pointer; the wheel alone scrolls along the clip."""
        delta = event.angleDelta().y() or event.angleDelta().x()
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.set_cell_width(self.cell_width * (1.0015**delta), anchor_x=event.position().x())
        else:
            bar = self.horizontalScrollBar()
            bar.setValue(bar.value() - delta)
        event.accept()
