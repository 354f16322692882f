"""The codebook of one quantizer layer: how often the clip (and a dataset) uses each code, which codes
are dead, and a 2D map of the codes (PCA) with usage as point size.

Clicking a code, on the map or in the histogram, highlights it: the session's ``highlighted``
(layer, code) is what the timeline outlines, so every occurrence in the clip is found at a glance.
Colours are the timeline's; since they repeat, the map's tooltip and the summary line name the code.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from app.state.session import Session
from app.style import theme
from app.style.code_colors import code_color
from core.analysis.clip_analysis import (
    CodebookUsage,
    code_steps,
    codebook_map,
    codebook_usage,
    usage_from_counts,
)


class CodebookView(QWidget):
    """Layer selector, usage summary, usage histogram and the PCA map of the codes."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.dataset_counts: np.ndarray | None = None
        self.dataset_label = ""
        self._maps: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
        self.layer_box = QComboBox()
        self.layer_box.setToolTip("The quantizer layer whose codebook is shown")
        self.layer_box.currentIndexChanged.connect(lambda _i: self.refresh())
        self.clear_button = QToolButton()
        self.clear_button.setText("Clear highlight")
        self.clear_button.setToolTip("Stop outlining the selected code in the timeline")
        self.clear_button.clicked.connect(lambda: session.highlight_code(self.layer, None))
        self.atlas_button = QToolButton()
        self.atlas_button.setToolTip(
            "Where the picked code is used in the dataset and what it looks like (Atlas tab)"
        )
        self.atlas_button.setVisible(False)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.histogram = self._plot("code", "share")
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.85)
        self.dataset_line = pg.PlotDataItem(stepMode="center", pen=pg.mkPen(theme.TEXT, width=1))
        self.histogram.addItem(self.bars)
        self.histogram.addItem(self.dataset_line)
        self.histogram.scene().sigMouseClicked.connect(self._histogram_clicked)
        self.map = self._plot("PC 1", "PC 2")
        self.map.setAspectLocked(True)
        self.points = pg.ScatterPlotItem(
            hoverable=True, tip=self._tip, hoverPen=pg.mkPen(theme.TEXT, width=2)
        )
        self.points.sigClicked.connect(self._point_clicked)
        self.ring = pg.ScatterPlotItem(pen=pg.mkPen(theme.HIGHLIGHT, width=2.5), brush=None, size=26)
        self.map.addItem(self.points)
        self.map.addItem(self.ring)
        row = QHBoxLayout()
        row.addWidget(QLabel("Layer"))
        row.addWidget(self.layer_box)
        row.addStretch(1)
        row.addWidget(self.clear_button)
        picked = QHBoxLayout()  # its own row: the button's text grows with the code's number
        picked.addWidget(self.atlas_button)
        picked.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(row)
        layout.addLayout(picked)
        layout.addWidget(self.summary)
        layout.addWidget(self.histogram, 2)
        layout.addWidget(self.map, 3)
        session.reconstructionChanged.connect(self._reconstruction_changed)
        session.tokensChanged.connect(self.refresh)
        session.highlightChanged.connect(self.refresh)
        session.checkpointChanged.connect(lambda: self.set_dataset_counts(None))  # counts were another's
        self._reconstruction_changed()

    @staticmethod
    def _plot(bottom: str, left: str) -> pg.PlotWidget:
        plot = pg.PlotWidget()
        plot.setLabel("bottom", bottom)
        plot.setLabel("left", left)
        plot.showGrid(x=True, y=True, alpha=0.2)
        plot.setMenuEnabled(False)
        plot.getAxis("left").enableAutoSIPrefix(False)
        plot.setMinimumHeight(110)
        return plot

    @property
    def layer(self) -> int:
        return max(self.layer_box.currentIndex(), 0)

    def set_dataset_counts(self, counts: np.ndarray | None, label: str = "dataset") -> None:
        """A dataset's ``(Q, nb_code)`` code counts (a dataset evaluation's), drawn beside the clip's."""
        self.dataset_counts, self.dataset_label = counts, label
        self.refresh()

    def dataset_evaluated(self, checkpoint: object, counts: np.ndarray) -> None:
        """The Dataset dock evaluated ``checkpoint``: its counts are shown while it is the open one."""
        if checkpoint is self.session.checkpoint:
            self.set_dataset_counts(counts)

    def _reconstruction_changed(self) -> None:
        recon = self.session.reconstruction
        q = recon.num_quantizers if recon is not None else 0
        if self.layer_box.count() != q:
            self.layer_box.blockSignals(True)
            self.layer_box.clear()
            self.layer_box.addItems([f"L{i + 1}" for i in range(q)])
            self.layer_box.blockSignals(False)
        self.refresh()

    def usage(self) -> CodebookUsage | None:
        """The clip's use of the shown layer's codes."""
        recon = self.session.reconstruction
        if recon is None:
            return None
        return codebook_usage(recon.indices, recon.ckpt.config.nb_code)[self.layer]

    def code_map(self) -> np.ndarray:
        """(nb_code, 2) map coordinates of the shown layer's codes (computed once per checkpoint and layer)."""
        recon = self.session.reconstruction
        key = (id(recon.ckpt), self.layer)
        if key not in self._maps:
            self._maps = {k: v for k, v in self._maps.items() if k[0] == key[0]}
            self._maps[key] = codebook_map(recon, self.layer)
        return self._maps[key][0]

    def refresh(self) -> None:
        """Redraw for the current clip, layer and highlight (only while shown: see :meth:`showEvent`)."""
        if not self.isVisible():
            return
        usage = self.usage()
        if usage is None:
            self.bars.setOpts(x=[], height=[])
            self.dataset_line.setData([], [])
            self.points.setData([])
            self.ring.setData([])
            reason = self.session.no_reconstruction_reason()
            self.summary.setText(
                f"No codebook use to show. {reason}"
                if reason
                else "Open a clip and a checkpoint to see their codebook use"
            )
            return
        counts = usage.counts
        codes = np.arange(len(counts))
        brushes = [pg.mkBrush(code_color(int(c))) for c in codes]
        self.bars.setOpts(x=codes, height=counts / max(counts.sum(), 1), brushes=brushes)
        self._draw_dataset(len(counts))
        self._draw_map(counts, brushes)
        self._summarise(usage)

    def _draw_dataset(self, nb_code: int) -> None:
        if self.dataset_counts is None or self.layer >= len(self.dataset_counts):
            self.dataset_line.setData([], [])
            return
        counts = np.asarray(self.dataset_counts[self.layer], dtype=np.float64)
        self.dataset_line.setData(np.arange(nb_code + 1) - 0.5, counts / max(counts.sum(), 1))

    def _draw_map(self, counts: np.ndarray, brushes: list) -> None:
        xy = self.code_map()
        sizes = 5 + 18 * np.sqrt(counts / max(counts.max(), 1))
        dead = pg.mkPen(theme.DIM_TEXT, width=1)
        self.points.setData(
            [
                {
                    "pos": (float(x), float(y)),
                    "size": float(size),
                    "data": code,
                    "brush": brushes[code] if counts[code] else pg.mkBrush(None),
                    "pen": pg.mkPen(theme.BASE) if counts[code] else dead,
                }
                for code, ((x, y), size) in enumerate(zip(xy, sizes, strict=True))
            ]
        )
        highlighted = self.session.highlighted
        if highlighted is not None and highlighted[0] == self.layer and highlighted[1] < len(xy):
            self.ring.setData(pos=[tuple(xy[highlighted[1]])])
        else:
            self.ring.setData([])

    def _summarise(self, usage: CodebookUsage) -> None:
        nb_code = len(usage.counts)
        text = (
            f"<b>L{self.layer + 1}</b>: {usage.used} of {nb_code} codes used in this clip · "
            f"<b>{len(usage.dead)} unused here</b> · perplexity {usage.perplexity:.1f}"
        )
        if self.dataset_counts is not None and self.layer < len(self.dataset_counts):
            whole = usage_from_counts(self.dataset_counts)[self.layer]
            text += (
                f"<br>{self.dataset_label}: {whole.used} used · {len(whole.dead)} dead (unused in all of it) · "
                f"perplexity {whole.perplexity:.1f}"
            )
        highlighted = self.session.highlighted
        if highlighted is not None and highlighted[0] == self.layer:
            steps = code_steps(self.session.reconstruction.indices, *highlighted)
            text += (
                f"<br>Code <b>{highlighted[1]}</b>: {len(steps)} steps, outlined in the timeline"
                if len(steps)
                else f"<br>Code <b>{highlighted[1]}</b> is not used in this clip"
            )
        else:
            text += "<br>Click a code (map or bars) to outline where the clip uses it"
        self.summary.setText(text)

    def showEvent(self, event: object) -> None:
        super().showEvent(event)
        self.refresh()

    def _tip(self, x: float, y: float, data: object) -> str:
        usage = self.usage()
        uses = int(usage.counts[int(data)]) if usage is not None else 0
        return f"code {data} · used {uses}× in this clip" + ("" if uses else " (unused here)")

    def _point_clicked(self, _item: pg.ScatterPlotItem, points: list, _event: object) -> None:
        if len(points):
            self.select_code(int(points[0].data()))

    def _histogram_clicked(self, event: object) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        view = self.histogram.getPlotItem().vb
        if not view.sceneBoundingRect().contains(event.scenePos()):
            return
        point: QPointF = view.mapSceneToView(event.scenePos())
        usage = self.usage()
        code = int(round(point.x()))
        if usage is not None and 0 <= code < len(usage.counts):
            self.select_code(code)

    def select_code(self, code: int) -> None:
        """Highlight ``code`` of the shown layer (again: clear it)."""
        same = self.session.highlighted == (self.layer, code)
        self.session.highlight_code(self.layer, None if same else code)
