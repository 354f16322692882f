"""The Qt adapter of the edit session: each change arrives as its signal, and stale truncation levels
are decoded once the user pauses (the behaviour itself is specified in tests/test_edit_session.py)."""

from __future__ import annotations

import numpy as np
import pytest

from app.state.session import Session


@pytest.fixture
def session(qtbot, gui_checkpoint, clip_path) -> Session:
    s = Session()
    s.open_checkpoint(gui_checkpoint)
    s.open_clip(clip_path)
    return s


def test_a_clip_on_another_skeleton_is_shown_alone_and_said_in_passing(session, qtbot, mismatched_clip_path):
    with qtbot.assertNotEmitted(session.warning), qtbot.waitSignal(session.told) as told:
        session.open_clip(mismatched_clip_path)
    assert "does not match" in told.args[0] and "joints" in told.args[0]
    assert session.reconstruction is None and session.editor is None
    assert session.original_positions is not None


def test_truncating_layers_changes_the_reconstruction(session, qtbot):
    full = session.reconstruction.positions(3).copy()
    with qtbot.waitSignal(session.layersUsedChanged):
        session.set_layers_used(1)
    coarse = session.reconstruction.positions(session.layers_used)
    assert session.layers_used == 1
    assert np.abs(coarse - full).max() > 1e-4


def test_an_edit_changes_only_the_frames_its_step_reaches_and_undo_restores_them_exactly(session, qtbot):
    recon = session.reconstruction
    before = {k: recon.positions(k).copy() for k in (1, 2, 3)}
    step, layer = 28, 1
    session.select(step, layer)
    new_code = (session.selected_code() + 7) % 32
    with qtbot.waitSignal(session.framesChanged) as changed:
        session.set_code(new_code)
    reach = recon.reach_of_step(step)
    assert changed.args[0] == reach[0] and changed.args[1] >= reach[1]
    after = recon.positions(3)
    outside = np.ones(recon.num_frames, bool)
    outside[reach[0] : reach[1]] = False
    np.testing.assert_array_equal(after[outside], before[3][outside])
    assert np.abs(after[reach[0] : reach[1]] - before[3][reach[0] : reach[1]]).max() > 0
    qtbot.waitUntil(lambda: not recon.stale_levels, timeout=3000)  # other levels decode when idle
    np.testing.assert_array_equal(recon.positions(1), before[1])  # layer 2's code is not used at k=1
    assert session.editor.edited_mask().sum() == 1 and session.editor.edited_mask()[step, layer]

    session.undo()
    for k in (1, 2, 3):  # to float rounding: the window is decoded again, not restored from a cache
        np.testing.assert_allclose(recon.positions(k), before[k], rtol=0, atol=1e-6)
    np.testing.assert_array_equal(session.editor.indices, session.editor.original)
    assert not session.editor.is_edited() and session.can_redo
    session.redo()
    assert session.selected_code() == new_code
