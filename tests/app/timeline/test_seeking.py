"""Seeking with the pointer: the scrubber groove and the timeline step ruler jump and scrub, and the
transport bar keeps its layout while playing."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QStyle, QStyleOptionSlider

from core.formats import load_motion
from core.motion.clip import Motion


def _groove_x(scrubber, frame: int) -> int:
    option = QStyleOptionSlider()
    scrubber.initStyleOption(option)
    style, control = scrubber.style(), QStyle.ComplexControl.CC_Slider
    groove = style.subControlRect(control, option, QStyle.SubControl.SC_SliderGroove, scrubber)
    handle = style.subControlRect(control, option, QStyle.SubControl.SC_SliderHandle, scrubber)
    span = groove.width() - handle.width()
    offset = QStyle.sliderPositionFromValue(scrubber.minimum(), scrubber.maximum(), frame, span)
    return groove.left() + handle.width() // 2 + offset


def test_clicking_the_scrubber_groove_jumps_to_that_frame_and_dragging_scrubs(loaded, qtbot):
    scrubber, playback = loaded.transport.scrubber, loaded.playback
    y = scrubber.height() // 2
    qtbot.mouseClick(scrubber, Qt.MouseButton.LeftButton, pos=QPoint(_groove_x(scrubber, 150), y))
    assert playback.frame == 150

    qtbot.mousePress(scrubber, Qt.MouseButton.LeftButton, pos=QPoint(_groove_x(scrubber, 40), y))
    assert playback.frame == 40
    qtbot.mouseMove(scrubber, QPoint(_groove_x(scrubber, 90), y))
    qtbot.mouseRelease(scrubber, Qt.MouseButton.LeftButton, pos=QPoint(_groove_x(scrubber, 90), y))
    assert playback.frame == 90


def test_clicking_the_step_ruler_seeks_to_the_step_and_dragging_scrubs(loaded, qtbot):
    view, playback = loaded.timeline_panel.view, loaded.playback
    viewport = view.viewport()

    def on_ruler(step: int) -> QPoint:
        return QPoint(int(view.cell_rect(step, 0).center().x()), view.RULER // 2)

    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=on_ruler(30))
    assert playback.frame == 120 and loaded.session.selection is None

    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=on_ruler(10))
    assert playback.frame == 40
    qtbot.mouseMove(viewport, on_ruler(25))
    assert playback.frame == 100
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=on_ruler(25))
    assert loaded.session.selection is None

    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=view.cell_rect(20, 1).center().toPoint())
    assert (loaded.session.selection.step, loaded.session.selection.layer) == (20, 1)


def test_the_scrubber_keeps_its_width_as_the_frame_label_changes(window, clip_path):
    motion = load_motion(clip_path)
    repeats = 16  # past 100 s, so the time gains a digit too
    window.session.set_clip(
        Motion(
            skeleton=motion.skeleton,
            rotations=np.concatenate([motion.rotations] * repeats),
            root_translation=np.concatenate([motion.root_translation] * repeats),
            fps=motion.fps,
        )
    )
    scrubber, playback = window.transport.scrubber, window.playback
    widths = []
    for frame in (0, 7, playback.num_frames - 1):
        playback.seek(frame)
        QApplication.processEvents()
        widths.append(scrubber.width())
    assert playback.num_frames - 1 >= 100 * playback.fps
    assert len(set(widths)) == 1, widths
