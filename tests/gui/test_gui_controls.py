"""Pointer controls a new user reaches for: the nearest-code chips, the scrubber's groove, the
timeline's step ruler, and a transport bar that keeps its layout while playing."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication, QStyle, QStyleOptionSlider, QToolButton, QWidget

from core.formats import load_motion
from core.motion.clip import Motion


@pytest.fixture
def loaded(window, gui_checkpoint, clip_path):
    assert window.documents.open_checkpoint(gui_checkpoint)
    assert window.documents.open_clip(clip_path)
    return window


def _place(widget: QWidget, panel: QWidget) -> QRect:
    """Where ``widget`` lies in ``panel``, after any pending relayout."""
    QApplication.processEvents()
    return QRect(widget.mapTo(panel, QPoint(0, 0)), widget.size())


def _chips(panel) -> list[tuple[int, QRect]]:
    return [(int(b.property("code")), _place(b, panel)) for b in panel.nearest_buttons if b.isVisible()]


def test_picking_a_nearest_code_leaves_every_chip_in_place(loaded, qtbot):
    session, panel = loaded.session, loaded.editor_panel
    session.select(12, 2)
    original = session.selected_code()
    chips = _chips(panel)
    assert len(chips) == len(panel.nearest_buttons)

    qtbot.mouseClick(panel.nearest_buttons[0], Qt.MouseButton.LeftButton)
    assert session.selected_code() == chips[0][0]
    assert _chips(panel) == chips
    assert [b.isChecked() for b in panel.nearest_buttons[:2]] == [True, False]

    qtbot.mouseClick(panel.nearest_buttons[1], Qt.MouseButton.LeftButton)
    assert session.selected_code() == chips[1][0]
    assert _chips(panel) == chips
    assert [b.isChecked() for b in panel.nearest_buttons[:2]] == [False, True]

    qtbot.mouseClick(panel.nearest_buttons[1], Qt.MouseButton.LeftButton)  # the current code again
    assert panel.nearest_buttons[1].isChecked()

    session.undo()
    session.undo()
    assert session.selected_code() == original
    assert _chips(panel) == chips and not any(b.isChecked() for b in panel.nearest_buttons)


def test_another_cell_gets_the_chips_of_its_own_code(loaded):
    session, panel = loaded.session, loaded.editor_panel
    session.select(12, 2)
    panel.nearest_buttons[0].click()
    session.select(20, 1)
    expected = session.reconstruction.nearest_codes(1, session.selected_code(), k=len(panel.nearest_buttons))
    assert [code for code, _ in _chips(panel)] == expected


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


def test_with_nothing_selected_the_code_box_shows_no_code(window, gui_checkpoint, clip_path):
    assert window.documents.open_checkpoint(gui_checkpoint) and window.documents.open_clip(clip_path)
    panel = window.editor_panel
    window.session.select(4, 1)
    assert panel.spin.text() == str(window.session.selected_code())
    window.session.clear_selection()
    assert panel.spin.text().strip() == "" and not panel.spin.isEnabled()


def test_the_edit_buttons_keep_their_height_in_a_1024x700_window(window, qtbot, gui_checkpoint, clip_path):
    assert window.documents.open_checkpoint(gui_checkpoint) and window.documents.open_clip(clip_path)
    window.resize(1024, 700)
    window.session.set_layers_used(1)
    window.session.select(20, 2)
    window.session.select(24, 2, extend=True)  # the longest info: a range, on a layer that is off
    qtbot.wait(100)
    buttons = [b for b in window.editor_panel.findChildren(QToolButton) if b.defaultAction() is not None]
    assert buttons and all(b.height() >= b.sizeHint().height() for b in buttons)


def test_code_zero_reads_as_0_and_no_selection_as_blank(loaded):
    session, spin = loaded.session, loaded.editor_panel.spin
    session.select(4, 0)
    session.set_code(0)
    assert spin.text() == "0"
    session.clear_selection()
    assert spin.text().strip() == ""
