"""Transport icons painted in the theme's text colour: the style's standard media icons are dark
grey and nearly invisible on the dark palette."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap, QPolygonF

from app.style import theme

SIZE = 32


def _icon(draw: str, color: QColor = theme.TEXT) -> QIcon:
    pixmap = QPixmap(SIZE, SIZE)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(color)
    if draw == "play":
        painter.drawPolygon(QPolygonF([QPointF(9, 6), QPointF(26, 16), QPointF(9, 26)]))
    elif draw == "pause":
        painter.drawRoundedRect(QRectF(8, 6, 6, 20), 1.5, 1.5)
        painter.drawRoundedRect(QRectF(18, 6, 6, 20), 1.5, 1.5)
    elif draw == "stop":
        painter.drawRoundedRect(QRectF(8, 8, 16, 16), 2, 2)
    elif draw == "back":
        painter.drawRect(QRectF(7, 8, 3, 16))
        painter.drawPolygon(QPolygonF([QPointF(25, 8), QPointF(12, 16), QPointF(25, 24)]))
    elif draw == "forward":
        painter.drawRect(QRectF(22, 8, 3, 16))
        painter.drawPolygon(QPolygonF([QPointF(7, 8), QPointF(20, 16), QPointF(7, 24)]))
    painter.end()
    icon = QIcon(pixmap)
    icon.addPixmap(_disabled(pixmap), QIcon.Mode.Disabled)
    return icon


def _disabled(pixmap: QPixmap) -> QPixmap:
    faded = QPixmap(pixmap.size())
    faded.fill(Qt.GlobalColor.transparent)
    painter = QPainter(faded)
    painter.setOpacity(0.35)
    painter.drawPixmap(0, 0, pixmap)
    painter.end()
    return faded


def play() -> QIcon:
    return _icon("play", theme.ACCENT.lighter(120))


def pause() -> QIcon:
    return _icon("pause", theme.ACCENT.lighter(120))


def stop() -> QIcon:
    return _icon("stop", QColor(255, 110, 110))


def step_back() -> QIcon:
    return _icon("back")


def step_forward() -> QIcon:
    return _icon("forward")
