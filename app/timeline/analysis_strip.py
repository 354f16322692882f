"""The analysis strip: per-frame error under the token timeline, on the timeline's own step axis.

It answers "how far off is this frame?" for every frame at once: the error curve at the layers used
(optionally one curve per number of layers), the clip's mean as a dashed line, the worst frames
marked and numbered, and the playhead. Its x comes from the timeline's :class:`StepAxis`, so
it scrolls and zooms with the timeline; clicking or dragging seeks. The numbers come from
:func:`core.analysis.clip_analysis.frame_series`, recomputed lazily after an edit or a layer change.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QMenu, QToolButton, QToolTip, QWidget

from app.state.playback import Playback
from app.state.session import Session
from app.style import theme
from app.timeline.step_axis import StepAxis
from core.analysis.clip_analysis import FrameSeries, frame_series

METRIC_NAMES = {
    "mpjpe": "MPJPE",
    "velocity": "Velocity error",
    "accel": "Acceleration error",
    "jitter": "Jitter (jerk)",
    "foot_skate": "Foot skating",
}
SHORT_NAMES = {"mpjpe": "MPJPE", "velocity": "vel", "accel": "acc", "jitter": "jerk", "foot_skate": "skate"}
SHORT_UNITS = {"mpjpe": "mm", "velocity": "mm/f", "accel": "mm/f²", "jitter": "m/s³", "foot_skate": "m/s"}
MARK_LABEL_WIDTH = 14
"""Room a worst-frame number takes; a mark closer than this to a numbered one stays unnumbered."""
WORST = theme.ERROR_COLORS[2]


def mark_labels(xs: list[float], width: float) -> list[tuple[int, float, float]]:
    """(rank, left, right) of the numbers over worst-frame marks at ``xs`` (worst first). Zoomed out,
    marks crowd: a mark whose number would touch a better-ranked number keeps its line and arrow but
    not its number (the tooltip and the Worst menu still name it); a number that would leave the strip
    at the right edge is written left of its mark."""
    placed: list[tuple[int, float, float]] = []
    for rank, x in enumerate(xs, start=1):
        left = x + 5 if x + 5 + MARK_LABEL_WIDTH <= width else x - 5 - MARK_LABEL_WIDTH
        right = left + MARK_LABEL_WIDTH
        if all(right + 2 <= other_left or left >= other_right + 2 for _, other_left, other_right in placed):
            placed.append((rank, left, right))
    return placed


class AnalysisStrip(QWidget):
    """A plot of one per-frame error sharing the timeline's x axis; click or drag to seek."""

    HEIGHT = 78
    TOP = 12
    """Room above the curves for the worst-frame marks."""

    def __init__(
        self, view: StepAxis, session: Session, playback: Playback, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.view, self.session, self.playback = view, session, playback
        self.shown = "mpjpe"
        """What is plotted: "mpjpe", "velocity" or "accel" (not `metric`, a QWidget virtual)."""
        self.every_level = False
        self.aligned = True
        self._series: FrameSeries | None = None
        self._cache = QPixmap()
        self._cache_key: tuple = ()
        self._dirty = True
        self._seeking = False
        self.setMinimumHeight(28)
        self.setMouseTracking(True)
        self.setToolTip("")
        for signal in (session.reconstructionChanged, session.tokensChanged):
            signal.connect(self.invalidate)
        # Levels arriving after an open change only the every-level curves.
        session.levelsChanged.connect(lambda: self.every_level and self.invalidate())
        session.framesChanged.connect(lambda _start, _stop: self.invalidate())
        session.layersUsedChanged.connect(lambda _k: self.invalidate())
        view.axisChanged.connect(self.update)
        playback.frameChanged.connect(lambda _frame: self.update())

    def sizeHint(self) -> QSize:
        return QSize(800, self.HEIGHT)

    # ----- what is shown --------------------------------------------------------------------

    def set_metric(self, metric: str) -> None:
        """``"mpjpe"``, ``"velocity"`` or ``"accel"`` (see :mod:`core.analysis.clip_analysis`)."""
        self.shown = metric
        self.invalidate()

    def set_every_level(self, on: bool) -> None:
        """Also draw the curve for every number of layers, not only the layers used."""
        self.every_level = bool(on)
        self.invalidate()

    def set_aligned(self, aligned: bool) -> None:
        """Root-aligned errors (the viewer's *Align roots*) or global ones."""
        self.aligned = bool(aligned)
        self.invalidate()

    def invalidate(self) -> None:
        self._dirty = True
        self._cache_key = ()
        self.update()

    @property
    def series(self) -> FrameSeries | None:
        """What the strip draws, computed now if an edit or a setting made it stale."""
        if self._dirty:
            recon = self.session.reconstruction
            self._series = (
                None
                if recon is None
                else frame_series(recon, self.session.layers_used, self.shown, self.aligned, self.every_level)
            )
            self._dirty = False
        return self._series

    # ----- geometry -------------------------------------------------------------------------

    def _dx(self) -> float:
        """The timeline viewport's left edge in this widget's coordinates."""
        return float(self.view.viewport().mapToGlobal(QPoint(0, 0)).x() - self.mapToGlobal(QPoint(0, 0)).x())

    def _scale(self, series: FrameSeries) -> float:
        shown = series.values if series.levels is None else np.r_[series.values, series.levels.ravel()]
        if series.original is not None:
            shown = np.r_[shown, series.original]
        top = np.nanmax(shown) if np.isfinite(shown).any() else 1.0
        return float(max(top, 1e-6) * 1.08)

    def _y(self, values: np.ndarray, scale: float) -> np.ndarray:
        return self.height() - 2 - values / scale * (self.height() - self.TOP - 3)

    def frame_at(self, x: float) -> int:
        return self.view.frame_at_x(x - self._dx())

    def x_of(self, frame: int) -> float:
        return self.view.frame_x(frame) + self._dx()

    # ----- painting -------------------------------------------------------------------------

    def paintEvent(self, event: object) -> None:
        """The plot comes from a pixmap redrawn only when it or the axis changes; playback repaints
        just the cursor over it."""
        series = self.series
        key = (
            id(series),
            self.view.horizontalScrollBar().value(),
            self.view.cell_width,
            self.size().toTuple(),
            self._dx(),
        )
        if key != self._cache_key:
            self._cache = QPixmap(self.size() * self.devicePixelRatioF())
            self._cache.setDevicePixelRatio(self.devicePixelRatioF())
            self._paint_plot(QPainter(self._cache), series)
            self._cache_key = key
        painter = QPainter(self)
        painter.drawPixmap(0, 0, self._cache)
        if series is not None and self.view.num_steps:
            painter.setClipRect(QRectF(self._dx() + self.view.HEADER, 0, self.width(), self.height()))
            self._paint_cursor(painter, series)
        painter.end()  # now, not when Python collects it: a grab() paints the widget again at once

    def _paint_plot(self, painter: QPainter, series: FrameSeries | None) -> None:
        painter.fillRect(self.rect(), theme.BASE)
        header = self._dx() + self.view.HEADER
        if series is None or self.view.num_steps == 0 or not series.measurable:
            self._paint_header(painter, header, None, 1.0)
            if series is not None and self.view.num_steps:
                painter.setPen(theme.DIM_TEXT)
                painter.drawText(
                    QRectF(header, 0, self.width() - header, self.height()),
                    Qt.AlignmentFlag.AlignCenter,
                    f"{METRIC_NAMES[series.metric]} needs feet: this skeleton names none the tokenizer reads",
                )
            painter.end()
            return
        scale = self._scale(series)
        first = max(self.frame_at(header) - 1, 0)
        last = min(self.frame_at(self.width()) + 2, len(series.values))
        frames = np.arange(first, last)
        xs = self.view.frames_x(frames.astype(np.float64)) + self._dx()
        painter.setClipRect(QRectF(header, 0, self.width() - header, self.height()))
        ys = self._y(series.values[first:last], scale)
        self._paint_area(painter, xs, ys)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if series.levels is not None:
            for q, level in enumerate(series.levels):
                if q + 1 != self.session.layers_used:
                    self._paint_curve(
                        painter, xs, self._y(level[first:last], scale), theme.layer_color(q), 1.0
                    )
        if series.original is not None:
            self._paint_curve(painter, xs, self._y(series.original[first:last], scale), theme.ORIGINAL, 1.2)
        self._paint_curve(painter, xs, ys, theme.RECONSTRUCTION, 1.6)
        self._paint_mean(painter, header, series, scale)
        self._paint_worst(painter, series)
        painter.setClipping(False)
        self._paint_header(painter, header, series, scale)
        painter.end()

    def _paint_curve(
        self, painter: QPainter, xs: np.ndarray, ys: np.ndarray, color: QColor, width: float
    ) -> None:
        finite = np.isfinite(ys)
        painter.setPen(QPen(color, width))
        painter.drawPolyline(QPolygonF([QPointF(x, y) for x, y in zip(xs[finite], ys[finite], strict=True)]))

    def _paint_area(self, painter: QPainter, xs: np.ndarray, ys: np.ndarray) -> None:
        finite = np.isfinite(ys)
        if finite.sum() < 2:
            return
        xs, ys = xs[finite], ys[finite]
        fill = QColor(theme.RECONSTRUCTION)
        fill.setAlpha(55)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        bottom = float(self.height())
        points = [QPointF(xs[0], bottom)] + [QPointF(x, y) for x, y in zip(xs, ys, strict=True)]
        painter.drawPolygon(QPolygonF([*points, QPointF(xs[-1], bottom)]))

    def _paint_mean(self, painter: QPainter, header: float, series: FrameSeries, scale: float) -> None:
        y = float(self._y(np.asarray(series.mean), scale))
        painter.setPen(QPen(theme.DIM_TEXT, 1, Qt.PenStyle.DashLine))
        painter.drawLine(QPointF(header, y), QPointF(self.width(), y))
        text = f"clip mean {series.mean:.1f} {SHORT_UNITS[series.metric]}"
        box = QRectF(self.width() - 4 - painter.fontMetrics().horizontalAdvance(text) - 6, y - 15, 0, 14)
        box.setRight(self.width() - 4)
        painter.fillRect(box, theme.OVERLAY)
        painter.setPen(theme.DIM_TEXT)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

    def _paint_worst(self, painter: QPainter, series: FrameSeries) -> None:
        """Numbered marks over the worst frames (1 = worst), so they are found without playing."""
        xs = [self.x_of(int(frame)) for frame in series.worst]
        for x in xs:
            line = QColor(WORST)
            line.setAlpha(110)
            painter.setPen(QPen(line, 1))
            painter.drawLine(QPointF(x, self.TOP), QPointF(x, self.height()))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(WORST)
            painter.drawPolygon(QPolygonF([QPointF(x - 5, 0), QPointF(x + 5, 0), QPointF(x, self.TOP - 1)]))
        painter.setPen(theme.TEXT)
        for rank, left, right in mark_labels(xs, self.width()):
            box = QRectF(left, -1, right - left, self.TOP + 2)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, str(rank))

    def _paint_cursor(self, painter: QPainter, series: FrameSeries) -> None:
        frame = min(self.playback.frame, len(series.values) - 1)
        x = self.x_of(frame)
        painter.setPen(QPen(theme.PLAYHEAD, 2))
        painter.drawLine(QPointF(x, 0), QPointF(x, self.height()))
        value = series.values[frame]
        if np.isfinite(value):
            text = f"{value:.1f} {SHORT_UNITS[series.metric]}"
            right = x + 110 < self.width()
            box = QRectF(x + 4, self.TOP, 104, 14) if right else QRectF(x - 108, self.TOP, 104, 14)
            painter.setPen(theme.TEXT)
            align = Qt.AlignmentFlag.AlignLeft if right else Qt.AlignmentFlag.AlignRight
            painter.drawText(box, align | Qt.AlignmentFlag.AlignVCenter, text)

    def _paint_header(
        self, painter: QPainter, header: float, series: FrameSeries | None, scale: float
    ) -> None:
        painter.fillRect(QRectF(0, 0, header, self.height()), theme.PANEL)
        painter.setPen(theme.DIM_TEXT)
        name = "error" if series is None else SHORT_NAMES[series.metric]
        if self.height() >= 48:
            painter.drawText(
                QRectF(0, self.height() - 16, header - 2, 14), Qt.AlignmentFlag.AlignCenter, name
            )
        if series is not None:
            painter.drawText(
                QRectF(0, 0, header - 2, 28),
                Qt.AlignmentFlag.AlignCenter,
                f"{scale:.0f}\n{SHORT_UNITS[series.metric]}",
            )

    # ----- interaction ----------------------------------------------------------------------

    def describe(self, frame: int) -> str:
        """What the tooltip says at ``frame``."""
        series = self.series
        if series is None:
            return ""
        unit = series.unit
        text = f"Frame {frame} · {METRIC_NAMES[series.metric]} {series.values[frame]:.1f} {unit}"
        text += f" · clip mean {series.mean:.1f} {unit} · {self.session.layers_used} layers"
        if series.original is not None:
            text += f" · original {series.original[frame]:.1f} {unit}"
        if series.levels is not None:
            text += " · " + " · ".join(f"k={q + 1}: {v:.1f}" for q, v in enumerate(series.levels[:, frame]))
        worst = [i for i, f in enumerate(series.worst, start=1) if abs(int(f) - frame) <= 1]
        return text + (f" · worst #{worst[0]}" if worst else "")

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.view.num_steps:
            self._seeking = True
            self.playback.seek(self.frame_at(event.position().x()))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if not self.view.num_steps or event.position().x() < self._dx() + self.view.HEADER:
            return
        frame = self.frame_at(event.position().x())
        if self._seeking:
            self.playback.seek(frame)
        QToolTip.showText(event.globalPosition().toPoint(), self.describe(frame).replace(" · ", "\n"), self)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._seeking = False


class StripControls(QWidget):
    """The strip's choices for the timeline's header: which error, every layer count or only the layers
    used, and a menu of the worst frames to jump to."""

    def __init__(self, strip: AnalysisStrip, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.strip = strip
        self.metric_box = QComboBox()
        self.metric_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.metric_box.setMinimumContentsLength(8)
        for metric, name in METRIC_NAMES.items():
            self.metric_box.addItem(name, metric)
        self.metric_box.setToolTip(
            "What is plotted per frame under the tokens: the reconstruction's MPJPE (mm), velocity error "
            "(mm/frame) or acceleration error (mm/frame²), or how plausible it is: jitter (mean jerk, m/s³) "
            "and foot skating (speed of a grounded foot, m/s), beside the original's own (blue)"
        )
        self.metric_box.currentIndexChanged.connect(
            lambda _i: strip.set_metric(self.metric_box.currentData())
        )
        self.levels_button = QToolButton()
        self.levels_button.setText("All k")
        self.levels_button.setCheckable(True)
        self.levels_button.setToolTip("Also plot the error with every number of layers, one colour each")
        self.levels_button.toggled.connect(strip.set_every_level)
        self.worst_button = QToolButton()
        self.worst_button.setText("Worst")
        self.worst_button.setToolTip("Jump to one of the clip's worst frames (numbered on the strip)")
        self.worst_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.worst_menu = QMenu(self.worst_button)
        self.worst_menu.aboutToShow.connect(self.fill_worst_menu)
        self.worst_button.setMenu(self.worst_menu)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.metric_box, self.levels_button, self.worst_button):
            layout.addWidget(widget)

    def fill_worst_menu(self) -> None:
        self.worst_menu.clear()
        series = self.strip.series
        if series is None:
            self.worst_menu.addAction("No reconstruction").setEnabled(False)
            return
        for rank, frame in enumerate(series.worst, start=1):
            text = f"{rank}. frame {frame} · {series.values[frame]:.1f} {series.unit}"
            self.worst_menu.addAction(text, lambda f=int(frame): self.strip.playback.seek(f))
