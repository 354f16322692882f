"""Tiles of a code's sampled occurrences, each a small looping preview drawn by core's software
renderer (:func:`core.render.atlas_preview.preview_frames`), captioned with the clip and the time.

One timer steps every tile, so a gallery of eight loops costs one repaint per frame; double-clicking
a tile asks, through ``openRequested``, for its clip to be opened at that step.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QImage, QMouseEvent, QPixmap
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget
from superqt import QFlowLayout

from app.analysis.clip_names import SharedStart
from app.style import theme
from core.analysis.atlas import Occurrence


class AtlasTile(QWidget):
    """One occurrence: its loop and a caption."""

    doubleClicked = Signal(str, int)

    def __init__(
        self, occurrence: Occurrence, frames: list[np.ndarray], name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.occurrence = occurrence
        self.pixmaps = [QPixmap.fromImage(_image(f)) for f in frames]
        self.picture = QLabel()
        self.picture.setFixedSize(self.pixmaps[0].size() if self.pixmaps else self.picture.size())
        caption = QLabel()
        width = self.picture.width()
        name = caption.fontMetrics().elidedText(name, Qt.TextElideMode.ElideMiddle, width)
        caption.setText(f"{name}\n{occurrence.time_s:.1f} s · step {occurrence.step}")
        caption.setStyleSheet(f"color: {theme.DIM_TEXT.name()}")
        caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        caption.setFixedWidth(width)
        self.setToolTip(
            f"{occurrence.path}\nframes {occurrence.frames[0]}–{occurrence.frames[1] - 1}; double-click opens it"
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(1)
        layout.addWidget(self.picture)
        layout.addWidget(caption)
        self.show_frame(0)

    def show_frame(self, t: int) -> None:
        if self.pixmaps:
            self.picture.setPixmap(self.pixmaps[t % len(self.pixmaps)])

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self.doubleClicked.emit(self.occurrence.path, self.occurrence.frames[0])


def _image(frame: np.ndarray) -> QImage:
    rgb = np.ascontiguousarray(frame[..., :3])
    height, width = rgb.shape[:2]
    return QImage(rgb.data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()


class AtlasGallery(QWidget):
    """Tiles of :class:`AtlasTile` flowing into rows as wide as the dock; ``openRequested(path, frame)`` on
    a tile's double-click."""

    openRequested = Signal(str, int)
    FRAME_MS = 80

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.flow = QFlowLayout(self)
        self.flow.setContentsMargins(0, 0, 0, 0)
        self.tiles: list[AtlasTile] = []
        self._t = 0
        self._timer = QTimer(self)
        self._timer.setInterval(self.FRAME_MS)
        self._timer.timeout.connect(self._step)

    def show_tiles(
        self,
        occurrences: Sequence[Occurrence],
        frames: Sequence[list[np.ndarray]],
        start: SharedStart | None = None,
    ) -> None:
        """A tile per occurrence, captioned with its clip's name less ``start`` (what every clip's shares)."""
        start = start or SharedStart()
        for tile in self.tiles:
            tile.deleteLater()
        self.tiles = []
        for occurrence, loop in zip(occurrences, frames, strict=True):
            tile = AtlasTile(occurrence, loop, Path(start.short(occurrence.path)).stem)
            tile.doubleClicked.connect(self.openRequested)
            self.flow.addWidget(tile)
            self.tiles.append(tile)
        self._t = 0
        (self._timer.start if self.tiles else self._timer.stop)()

    def _step(self) -> None:
        if not self.isVisible():
            return
        self._t += 1
        for tile in self.tiles:
            tile.show_frame(self._t)
