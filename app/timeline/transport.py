"""Playback controls under the viewer: play/pause, step, the frame scrubber, speed and loop.

The scrubber also shows which frames the selected token steps cover (bright) and which frames an
edit there can change (faint), so the link between a cell and the motion is visible.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QIcon, QMouseEvent, QPainter
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

from app.state.playback import SPEEDS, Playback
from app.state.session import Session
from app.style import icons, theme


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

    def _rects(self) -> tuple[QRect, QRect]:
        """The groove and the handle, where the style draws them."""
        style, option, control = self.style(), QStyleOptionSlider(), QStyle.ComplexControl.CC_Slider
        self.initStyleOption(option)
        return (
            style.subControlRect(control, option, QStyle.SubControl.SC_SliderGroove, self),
            style.subControlRect(control, option, QStyle.SubControl.SC_SliderHandle, self),
        )

    def _track(self) -> tuple[int, int]:
        """x of the handle's centre at the first frame, and the pixels it travels to the last."""
        groove, handle = self._rects()
        return groove.left() + handle.width() // 2, groove.width() - handle.width()

    def _span(self, frames: tuple[int, int]) -> QRect:
        left, span = self._track()

        def x(frame: int) -> int:
            return left + QStyle.sliderPositionFromValue(self.minimum(), self.maximum(), frame, span)

        x0, x1 = x(frames[0]), x(max(frames[1] - 1, frames[0]))
        return QRect(x0, self._rects()[0].center().y() - 5, max(x1 - x0, 3), 10)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """A click on the groove jumps to the frame under the pointer (not a page towards it); the
        handle is then under the pointer, so the press goes on as a drag of it."""
        pos = event.position()
        if event.button() == Qt.MouseButton.LeftButton and not self._rects()[1].contains(pos.toPoint()):
            left, span = self._track()
            self.setValue(
                QStyle.sliderValueFromPosition(self.minimum(), self.maximum(), int(pos.x()) - left, span)
            )
        super().mousePressEvent(event)

    def paintEvent(self, event: object) -> None:
        super().paintEvent(event)
        if self.maximum() <= self.minimum():
            return
        painter = QPainter(self)
        if self.reach_frames is not None:
            painter.fillRect(self._span(self.reach_frames), theme.EDIT_REACH)
        if self.selected_frames is not None:
            painter.fillRect(self._span(self.selected_frames), theme.SCRUB_SELECTION)


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
        self._fit_time_label()
        self._frame_changed(self.playback.frame)
        self._selection_changed()

    def _time_text(self, frame: int) -> str:
        return f"frame {frame} / {self.playback.num_frames - 1}  ·  {frame / self.playback.fps:5.2f} s"

    def _fit_time_label(self) -> None:
        """Size the label for the clip's widest text (the last frame, in the font's widest digit),
        so the scrubber beside it keeps its width while the frame number grows."""
        metrics = self.time_label.fontMetrics()
        widest_digit = max("0123456789", key=metrics.horizontalAdvance)
        text = self._time_text(max(self.playback.num_frames - 1, 0))
        widest = "".join(widest_digit if c.isdigit() else c for c in text)
        self.time_label.setFixedWidth(metrics.horizontalAdvance(widest) + 8)  # a little air after it

    def _frame_changed(self, frame: int) -> None:
        self.scrubber.blockSignals(True)
        self.scrubber.setValue(frame)
        self.scrubber.blockSignals(False)
        self.time_label.setText(self._time_text(frame))

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
