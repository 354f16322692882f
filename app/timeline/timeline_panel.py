"""The Tokens dock: the timeline grid under its header (the layer-truncation slider, the error strip's
choices, the zoom buttons) and the error strip below it, on the same step axis."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from superqt.utils import signals_blocked

from app.state.playback import Playback
from app.state.session import Session
from app.style import theme
from app.timeline.analysis_strip import AnalysisStrip, StripControls
from app.timeline.timeline_view import TimelineView

HINTS = ("Click: select · Shift/drag: range · Ctrl+wheel: zoom", "Click · Shift/drag · Ctrl+wheel", "")
"""The header's hint, longest first: it shows the longest that fits whole (a cut hint says nothing)."""


class FittingHint(QLabel):
    """A label showing the longest of its texts that fits its width whole."""

    def __init__(self, texts: tuple[str, ...]) -> None:
        super().__init__(texts[0])
        self.texts = texts

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        metrics = self.fontMetrics()
        self.setText(next((t for t in self.texts if metrics.horizontalAdvance(t) <= self.width()), ""))


class TimelinePanel(QWidget):
    """The timeline with its header and the error strip under it."""

    def __init__(self, session: Session, playback: Playback, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.playback = playback
        self.view = TimelineView(session, playback)
        self.strip = AnalysisStrip(self.view, session, playback)
        self.layers_slider = self._build_layers_slider()
        self.layers_label = QLabel()
        self.layers_label.setMinimumWidth(self.layers_label.fontMetrics().horizontalAdvance("16 of 16") + 4)
        self.strip_controls = StripControls(self.strip)
        self.splitter = self._build_splitter()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(self._build_header())
        layout.addWidget(self.splitter, 1)
        session.layersUsedChanged.connect(self._sync)
        session.reconstructionChanged.connect(self._sync)
        self._sync()

    def _build_layers_slider(self) -> QSlider:
        slider = QSlider(Qt.Orientation.Horizontal)
        slider.setRange(1, 1)
        slider.setPageStep(1)
        slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        slider.setMinimumWidth(60)
        slider.setMaximumWidth(140)
        slider.setToolTip(
            "Decode with only the first k quantizer layers: the coarse-to-fine contribution of each layer"
        )
        slider.valueChanged.connect(self.session.set_layers_used)
        return slider

    def _build_header(self) -> QHBoxLayout:
        header = QHBoxLayout()
        header.setContentsMargins(4, 2, 4, 2)
        header.addWidget(QLabel("Layers used"))
        header.addWidget(self.layers_slider)
        header.addWidget(self.layers_label)
        hint = FittingHint(HINTS)
        hint.setToolTip("Click a cell to select · Shift+click or drag for a range · Ctrl+wheel to zoom")
        hint.setStyleSheet(f"color: {theme.DIM_TEXT.name()}")
        hint.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        hint.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        header.addWidget(hint, 1)
        header.addSpacing(8)
        header.addWidget(self.strip_controls)
        header.addSpacing(8)
        for text, tip, slot in (
            ("−", "Zoom out (Ctrl+-)", lambda: self.view.zoom(1 / 1.5)),
            ("+", "Zoom in (Ctrl+=)", lambda: self.view.zoom(1.5)),
            ("Fit", "Show the whole clip", self.view.fit_to_width),
        ):
            button = QToolButton()
            button.setText(text)
            button.setToolTip(tip)
            button.clicked.connect(slot)
            header.addWidget(button)
        return header

    def _build_splitter(self) -> QSplitter:
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.view)
        splitter.addWidget(self.strip)
        splitter.setChildrenCollapsible(False)
        splitter.setStretchFactor(0, 1)
        splitter.setSizes([4 * AnalysisStrip.HEIGHT, AnalysisStrip.HEIGHT])
        return splitter

    def _sync(self) -> None:
        quantizers = self.session.num_quantizers
        with signals_blocked(self.layers_slider):
            self.layers_slider.setRange(1, max(quantizers, 1))
            self.layers_slider.setValue(min(self.session.layers_used, max(quantizers, 1)))
        self.layers_slider.setEnabled(quantizers > 1)
        self.layers_label.setText(f"{self.session.layers_used} of {quantizers}" if quantizers else "—")
