"""The joint-error colour key, and the control that sets and locks its scale.

The scale itself lives in the session (:class:`core.session.error_scale.ErrorScale`); these widgets
show it and pass the user's changes to it, so the viewer's colours and the key always agree.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QLinearGradient, QPainter, QPen
from PySide6.QtWidgets import QHBoxLayout, QSpinBox, QToolButton, QWidget

from app.state.session import Session
from app.style import theme


class ErrorLegend(QWidget):
    """The joint-error colour bar with its millimetre range."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._scale_mm = 100.0
        self.setMinimumSize(130, 28)  # the bar and, below it, the millimetre labels
        self.setToolTip(
            "Joint error: reconstruction joints are coloured by their distance from the original joint"
        )

    def sizeHint(self) -> QSize:
        return QSize(170, 30)

    @property
    def scale_mm(self) -> float:
        return self._scale_mm

    def set_scale(self, scale_mm: float) -> None:
        self._scale_mm = scale_mm
        self.update()

    def paintEvent(self, event: object) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        bar = QRectF(4, 3, self.width() - 8, 9)
        gradient = QLinearGradient(bar.topLeft(), bar.topRight())
        for stop, color in zip(theme.ERROR_STOPS, theme.ERROR_COLORS, strict=True):
            gradient.setColorAt(stop, color)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(gradient)
        painter.drawRoundedRect(bar, 3, 3)
        painter.setPen(QPen(theme.DIM_TEXT))
        font = painter.font()
        font.setPointSizeF(font.pointSizeF() * 0.85)
        painter.setFont(font)
        y = bar.bottom() + 13
        painter.drawText(QPointF(bar.left(), y), "0 mm")
        mid = f"{self._scale_mm / 2:g}"
        painter.drawText(QPointF(bar.center().x() - painter.fontMetrics().horizontalAdvance(mid) / 2, y), mid)
        high = f"≥{self._scale_mm:g}"
        painter.drawText(QPointF(bar.right() - painter.fontMetrics().horizontalAdvance(high), y), high)
        painter.end()


class ErrorScaleControl(QWidget):
    """The legend, a spin box for its top (mm) and a lock: the user's hold on the colour scale."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.legend = ErrorLegend()
        self.spin = QSpinBox()
        self.spin.setRange(1, 10000)
        self.spin.setSuffix(" mm")
        self.spin.setMaximumWidth(90)
        self.spin.setKeyboardTracking(False)
        self.spin.setToolTip(
            "Error shown at the top of the colour scale. It is chosen once per reconstruction (from its "
            "errors at the layers shown when it opens) and does not change with the layers or the alignment; set it here."
        )
        self.lock = QToolButton()
        self.lock.setText("Lock")
        self.lock.setCheckable(True)
        self.lock.setToolTip("Keep this scale for other clips and checkpoints too, so their colours compare")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.legend, 1)
        layout.addWidget(self.spin)
        layout.addWidget(self.lock)
        self.spin.valueChanged.connect(lambda mm: session.set_error_scale(scale_mm=float(mm)))
        self.lock.toggled.connect(lambda locked: session.set_error_scale(locked=locked))
        session.errorScaleChanged.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        scale = self.session.error_scale
        for widget, set_value in ((self.spin, self.spin.setValue), (self.lock, self.lock.setChecked)):
            widget.blockSignals(True)
            set_value(round(scale.scale_mm) if widget is self.spin else scale.locked)
            widget.blockSignals(False)
        self.legend.set_scale(scale.scale_mm)
