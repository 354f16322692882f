"""Training curves: losses, perplexity and codebook usage per quantizer layer, and held-out MPJPE.

Curves are created once per run and fed with ``setData``; points are kept in plain lists, which
is cheap at the logging rate (one point every ``log_every`` steps). A run's history read back from
``metrics.jsonl`` is drawn in one go (:meth:`TrainingPlots.load`).

The wheel passes over a plot to the panel around it and Ctrl+wheel zooms (a stray wheel would
otherwise zoom and stop the auto-fit). Axes show their values as they are (no "x0.001" rescaling),
with units where there are some, and each legend has its own line above its plot, covering no curve.
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QWheelEvent
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from app.style import theme
from core.train.events import EvalEvent, StepEvent
from core.train.run_log import RunHistory

LOSSES = ("loss", "reconstruction", "velocity", "commitment", "position")
LOSS_LABELS = {"position": "position (m)"}
"""Legend names; the position term is a mean joint distance in metres, the others normalised-feature losses."""
LOSS_COLORS = theme.LOSS_COLORS
"""The theme's loss colours, velocity in green: the theme draws velocity and position in near-equal oranges."""
HELD_OUT = (("mpjpe", "global", theme.ORIGINAL), ("mpjpe_aligned", "root-aligned", theme.RECONSTRUCTION))
"""The held-out curves: key, legend name, colour."""
HELD_OUT_KEYS = {key for key, _, _ in HELD_OUT}


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
        self.setMinimumHeight(140)

    def curve(self, name: str, color: QColor) -> pg.PlotDataItem:
        self._entries.append(f"<span style='color:{color.name()}'>&#9473;&#9473;</span>&nbsp;{name}")
        self.legend.setText(" &nbsp; ".join(self._entries))
        return self.plot.plot(pen=pg.mkPen(color, width=2))

    def clear_curves(self) -> None:
        self.plot.clear()
        self._entries = []
        self.legend.clear()


class TrainingPlots(QTabWidget):
    """Tabs of curves that grow as StepEvents and EvalEvents arrive."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.losses = CurvePlot("Training loss (log scale)", "loss", log_y=True)
        self.perplexity = CurvePlot("Codebook perplexity per layer", "perplexity", units="codes")
        self.usage = CurvePlot("Codebook usage per layer", "codes used", units="%")
        self.usage.plot.setYRange(0, 100)
        self.held_out = CurvePlot("Held-out MPJPE, all layers", "MPJPE", units="mm")
        self.addTab(self.losses, "Losses")
        self.addTab(self.perplexity, "Perplexity")
        self.addTab(self.usage, "Usage")
        self.addTab(self.held_out, "Held-out")
        self.setTabToolTip(3, "Held-out clips' reconstruction error, when a split file holds clips out")
        self.steps: list[int] = []
        self.eval_steps: list[int] = []
        self.values: dict[str, list[float]] = {}
        self.curves: dict[str, pg.PlotDataItem] = {}

    def clear(self) -> None:
        for plot in (self.losses, self.perplexity, self.usage, self.held_out):
            plot.clear_curves()
        self.steps = []
        self.eval_steps = []
        self.values = {}
        self.curves = {}

    def _append(self, plot: CurvePlot, key: str, name: str, color: QColor, value: float) -> None:
        if key not in self.curves:
            self.curves[key] = plot.curve(name, color)
            self.values[key] = []
        self.values[key].append(float(value))

    def _add_step(self, event: StepEvent) -> None:
        self.steps.append(event.step)
        for name in LOSSES:
            if name != "position" or event.position > 0:  # runs without the term: no zeros on a log axis
                self._append(
                    self.losses, name, LOSS_LABELS.get(name, name), LOSS_COLORS[name], getattr(event, name)
                )
        for layer, (ppl, use) in enumerate(zip(event.perplexity, event.usage, strict=True)):
            color = theme.layer_color(layer)
            self._append(self.perplexity, f"ppl{layer}", f"L{layer + 1}", color, ppl)
            self._append(self.usage, f"use{layer}", f"L{layer + 1}", color, 100.0 * use)

    def _add_eval(self, event: EvalEvent) -> None:
        self.eval_steps.append(event.step)
        values = {"mpjpe": event.mpjpe_mm, "mpjpe_aligned": event.mpjpe_root_aligned_mm}
        for key, name, color in HELD_OUT:
            self._append(self.held_out, key, name, color, values[key])

    def _redraw(self) -> None:
        for key, curve in self.curves.items():
            steps = self.eval_steps if key in HELD_OUT_KEYS else self.steps
            curve.setData(steps, self.values[key])

    def add(self, event: StepEvent | EvalEvent) -> None:
        """Append one logged step (or one held-out evaluation) to its curves."""
        if isinstance(event, EvalEvent):
            self._add_eval(event)
        else:
            self._add_step(event)
        self._redraw()

    def load(self, history: RunHistory) -> None:
        """Draw a run's curves from its history, replacing what is shown."""
        self.clear()
        for step in history.steps:
            self._add_step(step)
        for evaluation in history.evals:
            self._add_eval(evaluation)
        self._redraw()
