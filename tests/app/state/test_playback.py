"""The playback clock: wall-time driven frames, speed steps, loop and frame stepping."""

from __future__ import annotations

import numpy as np

from app.state.playback import SPEEDS, Playback
from app.state.session import Session
from core.motion.clip import Motion
from core.motion.skeleton import Skeleton


def _clock(num_frames: int = 1, fps: float = 30.0) -> Playback:
    """A clock over a session holding a one-joint clip of ``num_frames`` at ``fps``."""
    session = Session()
    clock = Playback(session, parent=session)
    skeleton = Skeleton(("root",), np.array([-1]), np.zeros((1, 3)))
    rotations = np.tile(np.eye(3), (num_frames, 1, 1, 1))
    session.set_clip(Motion(skeleton, rotations, np.zeros((num_frames, 3)), fps))
    return clock


def test_playing_advances_with_wall_time_and_loops(qtbot):
    clock = _clock(20, 100.0)
    frames: list[int] = []
    clock.frameChanged.connect(frames.append)
    clock.play()
    qtbot.waitUntil(lambda: len(frames) > 3 and frames[-1] < frames[-2], timeout=3000)
    clock.pause()
    assert not clock.playing and max(frames) <= 19


def test_without_loop_playback_stops_on_the_last_frame(qtbot):
    clock = _clock(10, 200.0)
    clock.set_loop(False)
    clock.play()
    qtbot.waitUntil(lambda: not clock.playing, timeout=3000)
    assert clock.frame == 9
    clock.play()  # at the end without loop: starts over
    assert clock.frame == 0
    clock.pause()


def test_speed_steps_through_the_presets_and_stays_in_range():
    clock = _clock()
    assert clock.speed == 1.0
    for _ in range(6):
        clock.faster()
    assert clock.speed == SPEEDS[-1] == 4.0
    for _ in range(6):
        clock.slower()
    assert clock.speed == SPEEDS[0] == 0.25
    clock.set_speed(100)
    assert clock.speed == 4.0


def test_stepping_pauses_and_wraps_when_looping():
    clock = _clock(5, 30.0)
    clock.step(-1)
    assert clock.frame == 4
    clock.set_loop(False)
    clock.step(3)
    assert clock.frame == 4
    clock.seek(-10)
    assert clock.frame == 0


def test_the_clip_length_comes_from_the_session_and_a_new_clip_starts_at_its_first_frame():
    clock = _clock(50, 30.0)
    clock.seek(40)
    session = clock.parent()
    skeleton = session.motion.skeleton
    session.set_clip(Motion(skeleton, np.tile(np.eye(3), (10, 1, 1, 1)), np.zeros((10, 3)), 60.0))
    assert clock.num_frames == 10 and clock.fps == 60.0 and clock.frame == 0
