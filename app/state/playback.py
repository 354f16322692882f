"""The one clock: a single QTimer that advances the current frame for the viewer, timeline and scrubber.

The frame is derived from elapsed wall time, not counted per tick, so 4x speed on a slow machine
skips frames instead of playing slower than asked. The clip's length and rate, and the frame itself,
live in the session's model and are read from it whenever needed, never copied, so no view can see a
stale length and an edit knows which frame to decode first.
"""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QObject, Qt, QTimer, Signal

from app.state.session import Session

SPEEDS = (0.25, 0.5, 1.0, 2.0, 4.0)


class Playback(QObject):
    """Current frame, play/pause, speed and loop over the session's clip."""

    frameChanged = Signal(int)
    playingChanged = Signal(bool)
    speedChanged = Signal(float)
    loopChanged = Signal(bool)

    TICK_MS = 15

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._speed = 1.0
        self._loop = True
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(self.TICK_MS)
        self._timer.timeout.connect(self._tick)
        self._clock = QElapsedTimer()
        self._start_frame = 0
        session.clipChanged.connect(self._clip_changed)

    @property
    def frame(self) -> int:
        """The frame on screen, kept in the session's model (an edit decodes it first)."""
        return self._session.edit_session.frame

    @property
    def _frame(self) -> int:
        return self._session.edit_session.frame

    @_frame.setter
    def _frame(self, frame: int) -> None:
        self._session.edit_session.frame = frame

    @property
    def num_frames(self) -> int:
        return self._session.edit_session.num_frames

    @property
    def fps(self) -> float:
        return self._session.edit_session.fps

    @property
    def playing(self) -> bool:
        return self._timer.isActive()

    @property
    def speed(self) -> float:
        return self._speed

    @property
    def loop(self) -> bool:
        return self._loop

    def _clip_changed(self) -> None:
        """A new clip: keep playing state and speed, restart from its first frame."""
        self.seek(0)

    def seek(self, frame: int) -> None:
        frame = min(max(int(frame), 0), self.num_frames - 1)
        self._restart_clock(frame)
        if frame != self._frame:
            self._frame = frame
            self.frameChanged.emit(frame)

    def step(self, delta: int) -> None:
        """Move by ``delta`` frames (pausing first, as a frame-by-frame inspection wants)."""
        self.pause()
        target = self._frame + delta
        if self._loop:
            target %= self.num_frames
        self.seek(target)

    def play(self) -> None:
        if self.playing:
            return
        if not self._loop and self._frame >= self.num_frames - 1:
            self.seek(0)
        self._restart_clock(self._frame)
        self._timer.start()
        self.playingChanged.emit(True)

    def pause(self) -> None:
        if not self.playing:
            return
        self._timer.stop()
        self.playingChanged.emit(False)

    def toggle(self) -> None:
        if self.playing:
            self.pause()
        else:
            self.play()

    def set_speed(self, speed: float) -> None:
        speed = min(max(float(speed), SPEEDS[0]), SPEEDS[-1])
        if speed == self._speed:
            return
        self._restart_clock(self._frame)
        self._speed = speed
        self.speedChanged.emit(speed)

    def faster(self) -> None:
        self.set_speed(next((s for s in SPEEDS if s > self._speed), SPEEDS[-1]))

    def slower(self) -> None:
        self.set_speed(next((s for s in reversed(SPEEDS) if s < self._speed), SPEEDS[0]))

    def set_loop(self, loop: bool) -> None:
        if loop != self._loop:
            self._loop = bool(loop)
            self.loopChanged.emit(self._loop)

    def _restart_clock(self, frame: int) -> None:
        self._start_frame = frame
        self._clock.restart()

    def _tick(self) -> None:
        advanced = int(self._clock.elapsed() / 1000.0 * self.fps * self._speed)
        target = self._start_frame + advanced
        if target >= self.num_frames:
            if self._loop:
                target %= self.num_frames
                self._restart_clock(target)
            else:
                target = self.num_frames - 1
                self.pause()
        if target != self._frame:
            self._frame = target
            self.frameChanged.emit(target)
