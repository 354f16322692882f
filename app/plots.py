"""Live training curves: losses, and perplexity and codebook usage per quantizer layer.

Curves are created once per run and fed with ``setData``; points are kept in plain lists, which
is cheap at the logging rate (one point every ``log_every`` steps).
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtWidgets import QTabWidget, QWidget

from app import theme
from core.train.events import StepEvent

LOSSES = ("loss", "reconstruction", "velocity", "commitment", "position")


def _plot(title: str, left: str, log_y: bool = False) -> pg.PlotWidget:
    plot = pg.PlotWidget()
    plot.setTitle(title, size="9pt")
    plot.setLabel("bottom", "step")
    plot.setLabel("left", left)
    plot.showGrid(x=True, y=True, alpha=0.25)
    plot.setLogMode(y=log_y)
    plot.addLegend(offset=(-8, 8), labelTextSize="8pt")
    plot.setMinimumHeight(120)
    return plot


class TrainingPlots(QTabWidget):
    """Three tabs of curves that grow as StepEvents arrive."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.losses = _plot("Loss", "loss", log_y=True)
        self.perplexity = _plot("Codebook perplexity per layer", "perplexity")
        self.usage = _plot("Codebook usage per layer", "fraction of codes used")
        self.usage.setYRange(0, 1)
        self.addTab(self.losses, "Losses")
        self.addTab(self.perplexity, "Perplexity")
        self.addTab(self.usage, "Usage")
        self.steps: list[int] = []
        self.values: dict[str, list[float]] = {}
        self._curves: dict[str, pg.PlotDataItem] = {}

    def clear(self) -> None:
        for plot in (self.losses, self.perplexity, self.usage):
            plot.clear()
            plot.getPlotItem().legend.clear()
        self.steps = []
        self.values = {}
        self._curves = {}

    def _curve(self, plot: pg.PlotWidget, key: str, name: str, color: object) -> pg.PlotDataItem:
        if key not in self._curves:
            self._curves[key] = plot.plot(name=name, pen=pg.mkPen(color, width=2))
            self.values[key] = []
        return self._curves[key]

    def add(self, event: StepEvent) -> None:
        """Append one logged step to every curve."""
        self.steps.append(event.step)
        series = [
            (
                self.losses,
                name,
                name,
                theme.LOSS_COLORS[name],
                getattr(event, name),
            )
            for name in LOSSES
            if name != "position" or event.position > 0  # runs without the term: no zeros on a log axis
        ]
        for layer, (ppl, use) in enumerate(zip(event.perplexity, event.usage, strict=True)):
            color = theme.layer_color(layer)
            series.append((self.perplexity, f"ppl{layer}", f"L{layer + 1}", color, ppl))
            series.append((self.usage, f"use{layer}", f"L{layer + 1}", color, use))
        for plot, key, name, color, value in series:
            curve = self._curve(plot, key, name, color)
            self.values[key].append(float(value))
            curve.setData(self.steps, self.values[key])
