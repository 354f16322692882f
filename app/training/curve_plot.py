"""One training curve plot: values as they are on its axes (no "x0.001" rescaling), units where there are
some, a legend in a line of its own above the plot (covering no curve), and a wheel that scrolls the panel
around it unless Ctrl is held, when it zooms (a stray wheel would otherwise zoom and stop the auto-fit).
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QWheelEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

MIN_HEIGHT = 120
"""Two plots share a tab at 1024x700 with the setup folded."""


class LogAxis(pg.AxisItem):
    """A log axis that labels only 1, 2 and 5 times a power of ten: every minor tick's label overlaps."""

    def logTickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        strings = super().logTickStrings(values, scale, spacing)
        mantissas = [round(10 ** (v - math.floor(v)), 3) for v in values]
        return [text if m in (1.0, 2.0, 5.0) else "" for text, m in zip(strings, mantissas, strict=True)]


class WheelScrollingPlot(pg.PlotWidget):
    """A plot the wheel passes over (to the panel around it) unless Ctrl is held, when it zooms."""

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            super().wheelEvent(event)
        else:
            event.ignore()  # passed on to the widget around the plot


class CurvePlot(QWidget):
    """One plot with its legend in a line of its own above it, so no curve is hidden behind the legend."""

    def __init__(self, title: str, left: str, units: str = "", log_y: bool = False) -> None:
        super().__init__()
        self.view = WheelScrollingPlot(axisItems={"left": LogAxis("left")} if log_y else None)
        self.plot: pg.PlotItem = self.view.getPlotItem()
        self.plot.setLabel("left", left, units=units)
        for axis in ("bottom", "left"):
            self.plot.getAxis(axis).enableAutoSIPrefix(False)
        self.plot.getAxis("bottom").setToolTip("training step")
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.plot.setLogMode(y=log_y)
        self.view.setToolTip(
            f"{title} by training step. Ctrl+wheel zooms; the A button (bottom left) fits again"
        )
        self.legend = QLabel()
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self._entries: list[str] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.legend)
        layout.addWidget(self.view, 1)
        self.setMinimumHeight(MIN_HEIGHT)

    def curve(self, name: str, color: QColor) -> pg.PlotDataItem:
        self._entries.append(f"<span style='color:{color.name()}'>&#9473;&#9473;</span>&nbsp;{name}")
        self.legend.setText(" &nbsp; ".join(self._entries))
        return self.plot.plot(pen=pg.mkPen(color, width=2))

    def clear_curves(self) -> None:
        self.plot.clear()
        self._entries = []
        self.legend.clear()
