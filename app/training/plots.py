"""Training curves: losses; the codebook's perplexity and usage per quantizer layer; held-out MPJPE and FID.

Curves are created once per run and fed with ``setData``; points are kept in plain lists, which is cheap
at the logging rate (one point every ``log_every`` steps). A run's history read back from
``metrics.jsonl`` is drawn in one go (:meth:`TrainingPlots.load`). The tab names are short enough that
every one reads whole in the narrowest dock (1024x700 window): perplexity and usage share a tab.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from app.style import theme
from app.training.curve_plot import CurvePlot
from app.training.held_out import FID_LABEL, HeldOutTab
from core.train.events import EvalEvent, StepEvent
from core.train.run_log import RunHistory

LOSSES = ("loss", "reconstruction", "velocity", "commitment", "position")
LOSS_LABELS = {"position": "position (m)"}
"""Legend names; the position term is a mean joint distance in metres, the others normalised-feature losses."""
LOSS_COLORS = theme.LOSS_COLORS
HELD_OUT = (("mpjpe_aligned", "root-aligned", theme.RECONSTRUCTION), ("mpjpe", "global", theme.ORIGINAL))
"""The held-out MPJPE curves: key, legend name, colour."""
FID_COLOR = theme.CHECKPOINT_B
EVAL_KEYS = {key for key, _, _ in HELD_OUT}


def _stacked(*plots: CurvePlot) -> QWidget:
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    for plot in plots:
        layout.addWidget(plot, 1)
    return page


class TrainingPlots(QTabWidget):
    """Tabs of curves that grow as StepEvents and EvalEvents arrive."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.losses = CurvePlot("Training loss (log scale)", "loss", log_y=True)
        self.perplexity = CurvePlot("Codebook perplexity per layer", "perplexity", units="codes")
        self.usage = CurvePlot("Codebook usage per layer", "codes used", units="%")
        self.usage.plot.setYRange(0, 100)
        self.held_out_tab = HeldOutTab()
        self.held_out, self.fid = self.held_out_tab.mpjpe, self.held_out_tab.fid
        self.addTab(self.losses, "Losses")
        self.addTab(_stacked(self.perplexity, self.usage), "Codebook")
        self.addTab(self.held_out_tab, "Held-out")
        self.setTabToolTip(0, "The training loss and its terms, on a log axis")
        self.setTabToolTip(1, "Perplexity and share of codes used, per quantizer layer")
        self.setTabToolTip(
            2, f"Clips kept out of training, measured as it trains: MPJPE, and the {FID_LABEL}"
        )
        self.steps: list[int] = []
        self.eval_steps: list[int] = []
        self.fid_steps: list[int] = []
        self.values: dict[str, list[float]] = {}
        self.curves: dict[str, pg.PlotDataItem] = {}

    def clear(self) -> None:
        for plot in (self.losses, self.perplexity, self.usage, self.held_out, self.fid):
            plot.clear_curves()
        self.steps = []
        self.eval_steps = []
        self.fid_steps = []
        self.values = {}
        self.curves = {}
        self.held_out_tab.show_points(False, False)

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
        if event.fid is not None:  # runs with a T2M evaluator (a resumed run's earlier points may lack it)
            self.fid_steps.append(event.step)
            self._append(self.fid, "fid", "held-out FID", FID_COLOR, event.fid)

    def _redraw(self) -> None:
        steps = {"fid": self.fid_steps, **dict.fromkeys(EVAL_KEYS, self.eval_steps)}
        for key, curve in self.curves.items():
            curve.setData(steps.get(key, self.steps), self.values[key])
        self.held_out_tab.show_points(bool(self.eval_steps), bool(self.fid_steps))

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
