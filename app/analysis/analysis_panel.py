"""The analysis panel: where the reconstruction fails, by joint, by number of layers and by code.

Three tabs: *Joints* (each joint's error at the current frame as a bar, its clip mean as a tick,
worst first), *Layers* (the clip's MPJPE, root-aligned and global, for 1..Q layers) and *Codebook*
(:class:`app.analysis.codebook_view.CodebookView`). Every figure comes from :mod:`core.analysis.clip_analysis`;
a tab recomputes only while it is shown, so a hidden panel costs nothing during playback or edits.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.analysis.atlas_view import AtlasView
from app.analysis.codebook_view import CodebookView
from app.state.errors import ErrorReporter
from app.state.playback import Playback
from app.state.session import Session
from app.style import theme
from core.analysis.clip_analysis import JointError, joint_errors, layer_table


class JointBars(QWidget):
    """One row per joint: name, a bar for the frame's error, a tick for the clip's mean, both values."""

    ROW = 18
    NAME = 92
    VALUES = 84

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[JointError] = []
        self.colour_scale_mm = 100.0
        """The 3D view's error scale, so a bar is the colour of its joint there."""

    def set_rows(self, rows: list[JointError], colour_scale_mm: float) -> None:
        self.rows, self.colour_scale_mm = rows, colour_scale_mm
        self.setMinimumHeight(self.ROW * len(rows) + 4)
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(300, self.ROW * len(self.rows) + 4)

    def paintEvent(self, event: object) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), theme.BASE)  # dark like the timeline and strip: the colours read alike
        if not self.rows:
            painter.end()
            return
        scale = max(max(max(r.frame_mm, r.clip_mm) for r in self.rows), 1e-6)
        bar_width = max(self.width() - self.NAME - self.VALUES - 8, 20)
        font = QFont(painter.font())
        font.setPointSizeF(max(font.pointSizeF() - 1, 7.5))
        painter.setFont(font)
        for i, row in enumerate(self.rows):
            y = 2 + i * self.ROW
            painter.setPen(theme.TEXT)
            painter.drawText(
                QRectF(0, y, self.NAME - 4, self.ROW),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                row.name,
            )
            length = bar_width * row.frame_mm / scale
            painter.fillRect(
                QRectF(self.NAME, y + 3, length, self.ROW - 6),
                _error_color(row.frame_mm / self.colour_scale_mm),
            )
            x = self.NAME + bar_width * row.clip_mm / scale
            painter.setPen(QPen(theme.PLAYHEAD, 2))
            painter.drawLine(int(x), y + 1, int(x), y + self.ROW - 1)
            painter.setPen(theme.DIM_TEXT)
            painter.drawText(
                QRectF(self.NAME + bar_width + 4, y, self.VALUES, self.ROW),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                f"{row.frame_mm:6.1f} · {row.clip_mm:5.1f}",
            )
        painter.end()


def _mm(value: float) -> str:
    return f"{value:.1f}" if np.isfinite(value) else "decoding…"


def _error_color(fraction: float) -> QColor:
    """The viewer's error colours (teal, yellow, red), so a long bar here is a red joint there."""
    return theme.error_colormap().mapToQColor(float(np.clip(fraction, 0.0, 1.0)))


class AnalysisPanel(QTabWidget):
    """Joints, Layers and Codebook tabs for the open clip's reconstruction; Atlas for the codes across a dataset."""

    def __init__(
        self,
        session: Session,
        playback: Playback,
        reporter: ErrorReporter,
        dataset_files: Callable[[], list[Path]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session, self.playback = session, playback
        self.aligned = True
        self.addTab(self._joints_tab(), "Joints")
        self.layer_table = QTableWidget(0, 3)
        self.layer_table.setHorizontalHeaderLabels(["Layers", "Root-aligned mm", "Global mm"])
        self.layer_table.verticalHeader().hide()
        self.layer_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.layer_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.layer_table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.layer_table.setToolTip("The clip's MPJPE with the first k layers; click a row to decode with k")
        self.layer_table.cellClicked.connect(lambda row, _col: session.set_layers_used(row + 1))
        self.addTab(self.layer_table, "Layers")
        self.codebook = CodebookView(session)
        self.addTab(self.codebook, "Codebook")
        self.atlas = AtlasView(session, reporter, dataset_files)
        self.addTab(self.atlas, "Atlas")
        self.codebook.atlas_button.clicked.connect(lambda: self.setCurrentWidget(self.atlas))
        for signal in (session.highlightChanged, session.checkpointChanged, self.atlas.build_job.finished):
            signal.connect(self._offer_atlas)
        self._offer_atlas()
        for signal in (
            session.reconstructionChanged,
            session.tokensChanged,
            session.levelsChanged,
            session.errorScaleChanged,
        ):
            signal.connect(self.refresh)
        session.framesChanged.connect(lambda _start, _stop: self.refresh())
        session.layersUsedChanged.connect(lambda _k: self.refresh())
        playback.frameChanged.connect(lambda _frame: self.refresh_joints())
        self.currentChanged.connect(lambda _i: self.refresh())

    def _joints_tab(self) -> QWidget:
        self.sort_box = QComboBox()
        self.sort_box.addItem("this frame", "frame")
        self.sort_box.addItem("clip mean", "clip")
        self.sort_box.currentIndexChanged.connect(lambda _i: self.refresh_joints())
        self.joints_label = QLabel()
        self.joints_label.setWordWrap(True)
        self.bars = JointBars()
        scroll = QScrollArea()
        scroll.setWidget(self.bars)
        scroll.setWidgetResizable(True)
        row = QHBoxLayout()
        row.addWidget(QLabel("Worst first by"))
        row.addWidget(self.sort_box)
        row.addStretch(1)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(row)
        layout.addWidget(self.joints_label)
        layout.addWidget(scroll, 1)
        return tab

    def _offer_atlas(self, *_: object) -> None:
        """The codebook's way to the picked code across the dataset: the Atlas tab shows it, or, before an
        atlas of this checkpoint is built, says how to build one."""
        highlighted = self.session.highlighted
        self.codebook.atlas_button.setVisible(highlighted is not None)
        if highlighted is not None:
            then = "" if self.atlas.current() else ": build the atlas"
            self.codebook.atlas_button.setText(f"Code {highlighted[1]} across the dataset{then} ▸")

    def set_aligned(self, aligned: bool) -> None:
        """Root-aligned errors (the viewer's *Align roots*) or global ones."""
        self.aligned = bool(aligned)
        self.refresh()

    def refresh(self) -> None:
        """Recompute the tab on show (the others wait until they are shown)."""
        if self.currentWidget() is self.layer_table:
            self.refresh_layers()
        else:
            self.refresh_joints()

    def refresh_joints(self) -> None:
        recon = self.session.reconstruction
        if not self.isVisible() or self.currentIndex() != 0:
            return
        if recon is None:
            self.bars.set_rows([], self.session.error_scale.scale_mm)
            self.joints_label.setText(self.session.no_reconstruction_reason())
            return
        frame, k = self.playback.frame, self.session.layers_used
        rows = joint_errors(recon, k, frame, self.aligned, by=self.sort_box.currentData())
        self.bars.set_rows(rows, self.session.error_scale.scale_mm)
        kind = "root-aligned" if self.aligned else "global"
        self.joints_label.setText(
            f"Frame <b>{frame}</b>, {k} of {recon.num_quantizers} layers, {kind} error in mm: "
            "bar = this frame, white tick = clip mean"
        )

    def refresh_layers(self) -> None:
        recon = self.session.reconstruction
        rows = [] if recon is None else layer_table(recon)
        self.layer_table.setRowCount(len(rows))
        bold = QFont(self.font())
        bold.setBold(True)
        for i, row in enumerate(rows):
            cells = (str(row.layers), _mm(row.aligned_mm), _mm(row.global_mm))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if row.layers == self.session.layers_used:
                    item.setFont(bold)
                self.layer_table.setItem(i, column, item)

    def showEvent(self, event: object) -> None:
        super().showEvent(event)
        self.refresh()
