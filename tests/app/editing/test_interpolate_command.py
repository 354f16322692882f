"""Edit > Interpolate steps: enabled for a range of 3 or more steps, previewed and marked at once,
undone with Ctrl+Z."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton

START, STOP = 20, 28


def test_the_action_needs_a_range_of_three_steps_and_has_a_button(loaded):
    action, session = loaded.commands["interpolate"], loaded.session
    assert action.shortcut().toString() == "Ctrl+I"
    assert not action.isEnabled()
    session.select(START, 0)
    session.select(START + 1, 0, extend=True)
    assert not action.isEnabled()
    session.select(START + 2, 0, extend=True)
    assert action.isEnabled()
    buttons = loaded.editor_panel.findChildren(QToolButton)
    assert any(b.defaultAction() is action for b in buttons)


def test_interpolating_marks_the_interior_cells_and_ctrl_z_undoes_it(loaded, qtbot):
    session, view = loaded.session, loaded.timeline_panel.view
    original = session.editor.indices.copy()
    before = session.reconstruction.positions(3).copy()
    session.select(START, 0)
    session.select(STOP - 1, 0, extend=True)
    loaded.commands["interpolate"].trigger()
    assert view._edited[START + 1 : STOP - 1].any()
    assert not view._edited[: START + 1].any() and not view._edited[STOP - 1 :].any()
    assert np.abs(session.reconstruction.positions(3) - before).max() > 0
    assert loaded.commands["undo"].isEnabled() and loaded.isWindowModified()

    qtbot.keyClick(loaded, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    np.testing.assert_array_equal(session.editor.indices, original)
    assert not view._edited.any()
    np.testing.assert_allclose(session.reconstruction.positions(3), before, rtol=0, atol=1e-6)
