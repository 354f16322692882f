"""The playback clock: wall-time driven frames, speed steps, loop and frame stepping."""

from __future__ import annotations

from app.playback import SPEEDS, Playback


def test_playing_advances_with_wall_time_and_loops(qtbot):
    clock = Playback()
    clock.set_clip(num_frames=20, fps=100.0)
    frames: list[int] = []
    clock.frameChanged.connect(frames.append)
    clock.play()
    qtbot.waitUntil(lambda: len(frames) > 3 and frames[-1] < frames[-2], timeout=3000)
    clock.pause()
    assert not clock.playing and max(frames) <= 19


def test_without_loop_playback_stops_on_the_last_frame(qtbot):
    clock = Playback()
    clock.set_clip(num_frames=10, fps=200.0)
    clock.set_loop(False)
    clock.play()
    qtbot.waitUntil(lambda: not clock.playing, timeout=3000)
    assert clock.frame == 9
    clock.play()  # at the end without loop: starts over
    assert clock.frame == 0
    clock.pause()


def test_speed_steps_through_the_presets_and_stays_in_range():
    clock = Playback()
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
    clock = Playback()
    clock.set_clip(num_frames=5, fps=30.0)
    clock.step(-1)
    assert clock.frame == 4
    clock.set_loop(False)
    clock.step(3)
    assert clock.frame == 4
    clock.seek(-10)
    assert clock.frame == 0
