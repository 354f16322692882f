"""The session: loading, truncation, edits and their decoded reach, clipboard, token files, export."""

from __future__ import annotations

import json

import numpy as np
import pytest

from app.session import Session
from core.errors import MotionFileError
from core.formats import load_motion


@pytest.fixture
def session(qtbot, gui_checkpoint, clip_path) -> Session:
    s = Session()
    s.open_checkpoint(gui_checkpoint)
    s.open_clip(clip_path)
    return s


def test_opening_a_clip_and_checkpoint_tokenizes_and_reconstructs(session):
    recon = session.reconstruction
    assert recon is not None and session.editor is not None
    assert session.editor.indices.shape == (56, 3)  # 224 frames / 4, three quantizer layers
    assert session.num_layers == 3
    assert recon.positions(3).shape == session.original_positions.shape == (224, 22, 3)


def test_a_clip_on_another_skeleton_is_shown_alone_with_a_clear_warning(session, qtbot, mismatched_clip_path):
    with qtbot.waitSignal(session.warning) as warned:
        session.open_clip(mismatched_clip_path)
    title, text = warned.args
    assert "does not match" in text and "joints" in text
    assert session.reconstruction is None and session.editor is None
    assert session.original_positions is not None


def test_a_bad_file_raises_and_leaves_the_session_as_it_was(session, tmp_path):
    session.select(5, 1)
    session.set_code((session.selected_code() + 1) % 32)
    before = np.array(session.editor.indices)
    broken = tmp_path / "broken.bvh"
    broken.write_text("HIERARCHY\nROOT oops {")
    with pytest.raises(MotionFileError):
        session.open_clip(broken)
    with pytest.raises(MotionFileError):
        session.open_checkpoint(tmp_path)
    np.testing.assert_array_equal(session.editor.indices, before)
    assert session.editor.is_edited()


def test_truncating_layers_changes_the_reconstruction(session, qtbot):
    full = session.reconstruction.positions(3).copy()
    with qtbot.waitSignal(session.truncationChanged):
        session.set_num_layers(1)
    coarse = session.reconstruction.positions(session.num_layers)
    assert session.num_layers == 1
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


def test_copied_steps_survive_opening_another_clip_and_paste_there(session, other_clip_path):
    session.select(10, 0)
    session.select(13, 0, extend=True)
    session.copy_selection()
    block = session.clipboard.copy()
    assert block.shape == (4, 3)
    session.open_clip(other_clip_path)
    assert session.clipboard is not None
    session.select(2, 0)
    session.paste()
    np.testing.assert_array_equal(session.editor.indices[2:6], block)


def test_tokens_save_with_the_checkpoint_hash_and_edited_cells_and_load_back(session, tmp_path):
    session.select(3, 2)
    code = (session.selected_code() + 1) % 32
    session.set_code(code)
    edited = np.array(session.editor.indices)
    path = tmp_path / "punch_tokens.npy"
    session.save_tokens(path)
    meta = json.loads(path.with_suffix(".json").read_text())
    assert meta["checkpoint_sha256"] == session.checkpoint.weights_sha256
    assert meta["edited"] == [[3, 2]] and meta["frames"] == 224
    assert not session.has_unsaved_edits()

    session.reset_all()
    assert not session.editor.is_edited()
    session.load_tokens(path)
    np.testing.assert_array_equal(session.editor.indices, edited)


def test_tokens_of_another_checkpoint_are_refused(session, tmp_path):
    path = tmp_path / "t.npy"
    session.save_tokens(path)
    meta = json.loads(path.with_suffix(".json").read_text())
    meta["checkpoint_sha256"] = "0" * 64
    path.with_suffix(".json").write_text(json.dumps(meta))
    with pytest.raises(MotionFileError, match="belong to checkpoint"):
        session.load_tokens(path)


def test_the_decoded_motion_exports_as_bvh(session, tmp_path):
    session.set_num_layers(2)
    out = tmp_path / "decoded.bvh"
    session.export_motion(out)
    motion = load_motion(out)
    assert motion.num_frames == 224 and motion.skeleton.num_joints == 22
    np.testing.assert_allclose(motion.joint_positions(), session.reconstruction.positions(2), atol=2e-3)
