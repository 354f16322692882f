"""The Qt-free edit session: what a window shows, driven as a script would (no Qt here)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from core.errors import MotionFileError
from core.formats import load_motion
from core.model.checkpoint import load_checkpoint
from core.session.edit_session import EditSession
from core.session.updates import Changed
from tests.helpers.paths import DEMO_CHECKPOINT

WALK = "bandai/dataset-1/dataset-1_walk_normal_001.bvh"
RUN = "bandai/dataset-1/dataset-1_run_normal_001.bvh"


@pytest.fixture
def session(punch_session) -> EditSession:
    return punch_session


@pytest.fixture
def other_clip_path(data_dir):
    return data_dir / WALK


def test_opening_a_clip_and_a_checkpoint_tokenizes_and_reconstructs(tiny_checkpoint, data_dir):
    s = EditSession()
    assert s.open_checkpoint(tiny_checkpoint).changed & Changed.CHECKPOINT
    update = s.open_clip(data_dir / WALK)
    assert Changed.CLIP in update.changed and Changed.RECONSTRUCTION in update.changed
    assert s.reconstruction is not None and s.mismatch is None
    assert s.layers_used == s.num_quantizers == 3
    assert s.editor.indices.shape == (s.reconstruction.num_steps, 3)


def test_the_reconstruction_reads_the_editors_grid_not_a_copy(session):
    assert np.shares_memory(session.reconstruction.indices, session.editor.indices)


def test_an_edit_reports_the_frames_it_changed_and_undo_restores_them(session):
    before = session.reconstruction.positions(3).copy()
    session.select(20, 1)
    update = session.set_code((session.selected_code() + 5) % 32)
    assert update.changed == Changed.TOKENS
    lo, hi = session.reconstruction.reach_of_step(20)
    assert update.frames[0] == lo and update.frames[1] >= hi
    assert session.can_undo and session.has_unsaved_edits()
    session.undo()
    np.testing.assert_allclose(session.reconstruction.positions(3), before, atol=1e-6)
    assert session.can_redo and not session.has_unsaved_edits()


def test_saved_tokens_are_the_saved_state_until_the_next_edit(session, tmp_path):
    session.select(3, 2)
    session.set_code((session.selected_code() + 1) % 32)
    assert Changed.SAVED in session.save_tokens(tmp_path / "walk.npy").changed
    assert not session.has_unsaved_edits()
    session.set_code((session.selected_code() + 1) % 32)
    assert session.has_unsaved_edits()
    session.load_tokens(tmp_path / "walk.npy")
    assert not session.has_unsaved_edits()


def test_a_clip_of_another_skeleton_is_shown_alone_and_says_why(session, data_dir):
    session.select(2, 0)
    session.copy_selection()
    cmu = sorted((data_dir / "cmu_iclone").rglob("*.bvh"))[0]
    update = session.open_clip(cmu)
    assert session.reconstruction is None and session.editor is None and session.selection is None
    assert update.notice is not None and session.mismatch
    assert session.no_reconstruction_reason().startswith("No reconstruction:")
    assert session.original_positions.shape[1] == session.motion.skeleton.num_joints
    assert session.clipboard is not None, "the clipboard outlives opening another clip"


def test_switching_back_to_a_fitting_clip_reconstructs_it_again(session, data_dir):
    session.open_clip(sorted((data_dir / "cmu_iclone").rglob("*.bvh"))[0])
    session.open_clip(data_dir / RUN)
    assert session.reconstruction is not None and session.mismatch is None
    assert session.no_reconstruction_reason() == ""


def test_a_bad_file_raises_and_leaves_the_session_as_it_was(session, tmp_path):
    session.select(5, 1)
    session.set_code((session.selected_code() + 1) % 32)
    grid = np.array(session.editor.indices)
    broken = tmp_path / "broken.bvh"
    broken.write_text("HIERARCHY\nROOT oops {")
    with pytest.raises(MotionFileError, match="broken.bvh"):
        session.open_clip(broken)
    np.testing.assert_array_equal(session.editor.indices, grid)


def test_the_layers_used_stay_within_the_model(session):
    assert session.set_layers_used(9).changed == Changed.NOTHING
    assert session.set_layers_used(1).changed == Changed.LAYERS_USED
    assert session.layers_used == 1


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
    session.set_layers_used(2)
    out = tmp_path / "decoded.bvh"
    session.export_motion(out)
    motion = load_motion(out)
    assert motion.num_frames == 224 and motion.skeleton.num_joints == 22
    np.testing.assert_allclose(motion.joint_positions(), session.reconstruction.positions(2), atol=2e-3)


def test_tokens_of_another_checkpoint_name_where_it_is(session, tmp_path, tiny_checkpoint):
    path = tmp_path / "t.npy"
    session.save_tokens(path)
    meta = json.loads(path.with_suffix(".json").read_text())
    assert meta["checkpoint_path"] == str(session.checkpoint.path) and meta["checkpoint_step"] == 40
    meta["checkpoint_sha256"] = "0" * 64
    path.with_suffix(".json").write_text(json.dumps(meta))
    with pytest.raises(
        MotionFileError, match=f"000000000000 \\({session.checkpoint.path}, step 40\\)"
    ) as refused:
        session.load_tokens(path)
    assert refused.value.checkpoint_path == str(session.checkpoint.path)


def test_an_edit_shows_the_frame_on_screen_first_and_the_rest_of_its_reach_after(session):
    session.select(20, 1)
    session.frame = session.reconstruction.frames_of_step(20)[0] + 1
    first = session.set_code((session.selected_code() + 5) % 32)
    assert first.frames[0] <= session.frame < first.frames[1]
    assert 3 in session.reconstruction.stale_levels  # the level on screen still owes part of the reach
    rest = session.finish_preview()
    assert rest.frames is not None and 3 not in session.reconstruction.stale_levels
    assert session.finish_preview().frames is None


def test_a_compute_device_this_machine_lacks_is_refused_and_the_session_stays_on_its_own(session):
    with pytest.raises(
        ValueError,
        match="no GPU is available" if not torch.cuda.is_available() else "no compute device 'cuda:7'",
    ):
        session.set_device("cuda:7")
    assert session.device == "cpu" and session.set_device("cpu").changed == Changed.NOTHING


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_on_a_gpu_the_session_decodes_and_edits_what_it_does_on_the_cpu(session):
    on_cpu = session.reconstruction.positions(3).copy()
    assert session.set_device("cuda:0").changed == Changed.DEVICE
    assert next(session.checkpoint.model.parameters()).is_cuda
    session.select(10, 0)
    session.set_code((session.selected_code() + 1) % 32)
    session.undo()
    np.testing.assert_allclose(session.reconstruction.positions(3), on_cpu, atol=1e-4)


def test_an_open_decodes_first_the_number_of_layers_the_window_then_uses(session, tiny_checkpoint):
    session.set_layers_used(2)
    assert session.first_levels(load_checkpoint(tiny_checkpoint)) == [2]  # as many layers: kept
    demo = load_checkpoint(DEMO_CHECKPOINT)
    assert session.first_levels(demo) == [6]  # another count: all of them
    session.set_checkpoint(load_checkpoint(tiny_checkpoint))
    assert session.layers_used == 2


def test_a_picked_code_stays_outlined_in_another_clip_but_not_under_another_checkpoint(
    punch_session, data_dir, tiny_checkpoint
):
    punch_session.highlight_code(0, 3)
    punch_session.open_clip(data_dir / "bandai" / "dataset-1" / "dataset-1_walk_normal_001.bvh")
    assert punch_session.highlighted == (0, 3)
    update = punch_session.open_checkpoint(tiny_checkpoint)
    assert punch_session.highlighted is None and Changed.HIGHLIGHT in update.changed


def test_a_humanml3d_clip_under_a_rotation_checkpoint_is_told_the_features_differ_not_the_joints(
    punch_session, data_dir
):
    update = punch_session.open_clip(data_dir / "humanml3d" / "new_joint_vecs" / "012314.npy")
    reason = punch_session.no_reconstruction_reason()
    assert "HumanML3D 263-dim features" in reason and "motion-s preset" in reason
    assert "skeleton does not match" not in reason
    assert update.notice is not None and not update.notice.interrupts
