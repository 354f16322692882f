"""Playback controls under the viewer: play/pause, step, the frame scrubber, speed and loop.

The scrubber also shows which frames the selected token steps cover (bright) and which frames an
edit there can change (faint), so the link between a cell and the motion is visible.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QStyle,
    QStyleOptionSlider,
    QToolButton,
    QWidget,
)

from app import icons
from app.playback import SPEEDS, Playback
from app.session import Session


class Scrubber(QSlider):
    """A frame slider that also marks the selection's frames and their reach."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.selected_frames: tuple[int, int] | None = None
        self.reach_frames: tuple[int, int] | None = None

    def set_marks(self, selected: tuple[int, int] | None, reach: tuple[int, int] | None) -> None:
        self.selected_frames, self.reach_frames = selected, reach
        self.update()

    def _span(self, frames: tuple[int, int]) -> QRect:
        option = QStyleOptionSlider()
        self.initStyleOption(option)
        groove = self.style().subControlRect(
            QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderGroove, self
        )
        handle = self.style().subControlRect(
            QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderHandle, self
        )
        span = groove.width() - handle.width()
        left = groove.left() + handle.width() // 2

        def x(frame: int) -> int:
            return left + QStyle.sliderPositionFromValue(self.minimum(), self.maximum(), frame, span)

        x0, x1 = x(frames[0]), x(max(frames[1] - 1, frames[0]))
        return QRect(x0, groove.center().y() - 5, max(x1 - x0, 3), 10)

    def paintEvent(self, event: object) -> None:
        super().paintEvent(event)
        if self.maximum() <= self.minimum():
            return
        painter = QPainter(self)
        if self.reach_frames is not None:
            painter.fillRect(self._span(self.reach_frames), QColor(78, 161, 255, 60))
        if self.selected_frames is not None:
            painter.fillRect(self._span(self.selected_frames), QColor(255, 255, 255, 170))


class TransportBar(QWidget):
    """Play/pause, step, scrubber, time, speed and loop, all bound to the one Playback clock."""

    def __init__(self, session: Session, playback: Playback, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.playback = playback
        self.back_button = self._button(icons.step_back(), "Previous frame (Left)")
        self.play_button = self._button(icons.play(), "Play (Space)")
        self.forward_button = self._button(icons.step_forward(), "Next frame (Right)")
        self.back_button.clicked.connect(lambda: playback.step(-1))
        self.play_button.clicked.connect(playback.toggle)
        self.forward_button.clicked.connect(lambda: playback.step(1))
        self.scrubber = Scrubber()
        self.scrubber.setToolTip("Current frame; the white mark shows the selected token steps' frames")
        self.scrubber.valueChanged.connect(playback.seek)
        self.time_label = QLabel()
        self.time_label.setMinimumWidth(150)
        self.speed_box = QComboBox()
        for speed in SPEEDS:
            self.speed_box.addItem(f"{speed:g}×", speed)
        self.speed_box.setToolTip("Playback speed ([ slower, ] faster)")
        self.speed_box.currentIndexChanged.connect(lambda i: playback.set_speed(self.speed_box.itemData(i)))
        self.speed_box.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.loop_box = QCheckBox("Loop")
        self.loop_box.setToolTip("Start again at the end (L)")
        self.loop_box.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.loop_box.toggled.connect(playback.set_loop)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        for widget in (self.back_button, self.play_button, self.forward_button):
            layout.addWidget(widget)
        layout.addWidget(self.scrubber, 1)
        layout.addWidget(self.time_label)
        layout.addWidget(self.speed_box)
        layout.addWidget(self.loop_box)

        playback.frameChanged.connect(self._frame_changed)
        playback.playingChanged.connect(self._playing_changed)
        playback.speedChanged.connect(self._speed_changed)
        playback.loopChanged.connect(self.loop_box.setChecked)
        session.reconstructionChanged.connect(self._clip_changed)
        session.clipChanged.connect(self._clip_changed)
        session.selectionChanged.connect(self._selection_changed)
        self._clip_changed()
        self._speed_changed(playback.speed)
        self.loop_box.setChecked(playback.loop)

    def _button(self, icon: QIcon, tip: str) -> QToolButton:
        button = QToolButton()
        button.setIcon(icon)
        button.setIconSize(QSize(20, 20))
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        return button

    def _clip_changed(self) -> None:
        self.scrubber.blockSignals(True)
        self.scrubber.setRange(0, max(self.playback.num_frames - 1, 0))
        self.scrubber.setValue(self.playback.frame)
        self.scrubber.blockSignals(False)
        self._frame_changed(self.playback.frame)
        self._selection_changed()

    def _frame_changed(self, frame: int) -> None:
        self.scrubber.blockSignals(True)
        self.scrubber.setValue(frame)
        self.scrubber.blockSignals(False)
        self.time_label.setText(
            f"frame {frame} / {self.playback.num_frames - 1}  ·  {frame / self.playback.fps:5.2f} s"
        )

    def _playing_changed(self, playing: bool) -> None:
        self.play_button.setIcon(icons.pause() if playing else icons.play())
        self.play_button.setToolTip("Pause (Space)" if playing else "Play (Space)")

    def _speed_changed(self, speed: float) -> None:
        index = self.speed_box.findData(speed)
        if index >= 0 and index != self.speed_box.currentIndex():
            self.speed_box.blockSignals(True)
            self.speed_box.setCurrentIndex(index)
            self.speed_box.blockSignals(False)

    def _selection_changed(self) -> None:
        recon, selection = self.session.reconstruction, self.session.selection
        if recon is None or selection is None:
            self.scrubber.set_marks(None, None)
            return
        first, last = recon.frames_of_step(selection.start), recon.frames_of_step(selection.stop - 1)
        reach_first, reach_last = (
            recon.reach_of_step(selection.start),
            recon.reach_of_step(selection.stop - 1),
        )
        self.scrubber.set_marks((first[0], last[1]), (reach_first[0], reach_last[1]))
