"""A clip beside its reconstruction: truncation levels, errors, and edits decoded locally."""

from __future__ import annotations

import numpy as np
import pytest

from core.analysis import metrics
from core.analysis.reconstruction import Reconstruction, decode_levels
from core.formats import load_motion
from core.model.checkpoint import load_checkpoint
from core.tokens.codec import tokenize
from core.tokens.edit import TokenEditor


@pytest.fixture()
def editor(tiny_checkpoint, data_dir) -> TokenEditor:
    ckpt = load_checkpoint(tiny_checkpoint)
    clip = load_motion(data_dir / "bandai" / "dataset-1" / "dataset-1_walk_normal_001.bvh")
    return TokenEditor(tokenize(ckpt, clip), ckpt.config.nb_code)


@pytest.fixture()
def recon(tiny_checkpoint, data_dir, editor) -> Reconstruction:
    """A reconstruction reading the editor's grid: edits made there are what it decodes."""
    clip = load_motion(data_dir / "bandai" / "dataset-1" / "dataset-1_walk_normal_001.bvh")
    return Reconstruction(load_checkpoint(tiny_checkpoint), clip, editor.indices)


def fresh(recon: Reconstruction, indices) -> Reconstruction:
    """A full decode of ``indices``, to compare an edited reconstruction with."""
    return Reconstruction(recon.ckpt, recon.motion, np.array(indices))


def test_every_truncation_level_is_precomputed_with_its_own_motion(recon, editor):
    assert recon.num_quantizers == 3
    first, last = recon.positions(1), recon.positions(3)
    assert first.shape == last.shape == recon.original_positions.shape
    assert not np.allclose(first, last)


def test_errors_are_distances_to_the_original_joints(recon, editor):
    expected = np.linalg.norm(recon.positions(2) - recon.original_positions, axis=-1)
    np.testing.assert_allclose(recon.joint_errors(2), expected, atol=1e-6)
    assert recon.mpjpe_mm(2) == pytest.approx(1000 * expected.mean(), rel=1e-5)


def test_a_layer_count_outside_the_model_is_refused(recon, editor):
    with pytest.raises(ValueError, match="1..3"):
        recon.positions(4)


def test_an_edit_decoded_locally_equals_a_full_decode(recon, editor):
    step = recon.num_steps // 2
    changed = editor.set_code(step, 0, (int(recon.indices[step, 0]) + 7) % recon.ckpt.config.nb_code)
    recon.apply(changed)
    truth = fresh(recon, editor.indices)
    for k in (1, 2, 3):
        np.testing.assert_allclose(recon.positions(k), truth.positions(k), atol=1e-5)


def test_an_edit_changes_poses_only_inside_the_steps_reach(recon, editor):
    before = recon.positions(3) - recon.positions(3)[:, :1]
    step = recon.num_steps // 2
    recon.apply(editor.set_code(step, 1, (int(recon.indices[step, 1]) + 3) % 32))
    after = recon.positions(3) - recon.positions(3)[:, :1]
    lo, hi = recon.reach_of_step(step)
    changed = np.flatnonzero(np.abs(after - before).max(axis=(1, 2)) > 1e-6)
    assert changed.size > 0 and changed.min() >= lo and changed.max() < hi


def test_an_edit_of_a_late_layer_leaves_coarser_levels_alone(recon, editor):
    coarse = recon.positions(2).copy()
    recon.apply(editor.set_code(4, 2, (int(recon.indices[4, 2]) + 1) % 32))
    np.testing.assert_array_equal(recon.positions(2), coarse)


def test_undo_restores_the_reconstruction_exactly(recon, editor):
    before = recon.positions(3).copy()
    recon.apply(editor.set_code(6, 0, (int(recon.indices[6, 0]) + 5) % 32))
    recon.apply(editor.undo())
    np.testing.assert_allclose(recon.positions(3), before, atol=1e-6)


def test_steps_cover_consecutive_frames_and_reach_further(recon, editor):
    assert recon.frames_of_step(2) == (8, 12)
    lo, hi = recon.reach_of_step(10)
    assert lo < 40 and hi > 44


def test_code_use_and_nearest_codes_describe_the_clip_and_codebook(recon, editor):
    code = int(recon.indices[0, 0])
    assert recon.code_count(0, code) == int((recon.indices[:, 0] == code).sum()) >= 1
    near = recon.nearest_codes(0, code, k=5)
    assert len(near) == 5 and code not in near


def test_the_reconstruction_exports_as_a_clip(recon, editor, tmp_path):
    from core.formats import save_motion

    save_motion(recon.motion_at(3), tmp_path / "recon.bvh")
    back = load_motion(tmp_path / "recon.bvh")
    np.testing.assert_allclose(back.joint_positions(), recon.positions(3), atol=2e-4)


def test_an_edit_can_decode_only_the_level_on_screen_and_the_rest_on_demand(recon, editor):
    eager_editor = TokenEditor(editor.indices)
    eager = Reconstruction(recon.ckpt, recon.motion, eager_editor.indices)
    code = (int(recon.indices[9, 0]) + 2) % 32
    recon.apply(editor.set_code(9, 0, code), level=2)
    assert recon.stale_levels == [1, 3]
    eager.apply(eager_editor.set_code(9, 0, code))
    for k in (1, 2, 3):
        np.testing.assert_allclose(recon.positions(k), eager.positions(k), atol=1e-6)
    assert recon.stale_levels == []


def test_refresh_decodes_every_stale_level(recon, editor):
    recon.apply(editor.set_code(3, 0, (int(recon.indices[3, 0]) + 1) % 32), level=3)
    lo, hi = recon.refresh()
    assert recon.stale_levels == [] and hi > lo


def test_root_aligned_errors_stay_current_under_edits(recon, editor):
    recon.apply(editor.set_code(5, 0, (int(recon.indices[5, 0]) + 4) % 32), level=3)
    pos, orig = recon.positions(3), recon.original_positions
    expected = np.linalg.norm((pos - pos[:, :1]) - (orig - orig[:, :1]), axis=-1)
    np.testing.assert_allclose(recon.joint_errors(3, aligned=True), expected, atol=1e-6)


def test_aligned_positions_put_the_root_on_the_original_path_and_keep_the_pose(recon, editor):
    aligned = recon.positions(2, aligned=True)
    np.testing.assert_allclose(aligned[:, 0], recon.original_positions[:, 0], atol=1e-6)
    decoded = recon.positions(2)
    np.testing.assert_allclose(aligned - aligned[:, :1], decoded - decoded[:, :1], atol=1e-6)


def test_aligned_errors_match_the_root_aligned_mpjpe_of_evaluation(recon, editor):
    for k in (1, 3):
        expected = metrics.mpjpe_mm(recon.positions(k), recon.original_positions, aligned=True)
        assert recon.mpjpe_mm(k, aligned=True) == pytest.approx(expected, rel=1e-5)
        assert recon.frame_mpjpe_mm(k, aligned=True).shape == (recon.num_frames,)
        assert recon.joint_errors(k, aligned=True)[:, 0].max() < 1e-6


def test_an_edit_previews_the_frame_on_screen_first_and_the_rest_of_its_window_after(recon, editor):
    step = recon.num_steps // 2
    changed = editor.set_code(step, 0, (int(recon.indices[step, 0]) + 5) % recon.ckpt.config.nb_code)
    focus = recon.frames_of_step(step)[0]
    first = recon.apply(changed, level=3, focus=focus)
    assert first[0] <= focus < first[1]
    assert recon.stale_levels == [1, 2, 3]  # level 3 still owes the part of the window past the focus
    truth = fresh(recon, editor.indices)
    np.testing.assert_allclose(recon._levels[2].positions[focus], truth.positions(3)[focus], atol=1e-5)
    recon.refresh_level(3)
    assert recon.stale_levels == [1, 2]
    np.testing.assert_allclose(recon._levels[2].positions, truth.positions(3), atol=1e-5)


def test_levels_decoded_later_from_a_snapshot_catch_up_with_edits_made_meanwhile(recon, editor):
    partial = Reconstruction(recon.ckpt, recon.motion, editor.indices, levels=[3])
    assert partial.missing_levels == [1, 2]
    snapshot = np.array(editor.indices)
    step = recon.num_steps // 3
    partial.apply(editor.set_code(step, 1, (int(snapshot[step, 1]) + 3) % recon.ckpt.config.nb_code), level=3)
    assert partial.install(decode_levels(partial, snapshot, [1, 2])) == [1, 2]
    assert partial.missing_levels == [] and partial.stale_levels == [2]
    truth = fresh(recon, editor.indices)
    for k in (1, 2, 3):
        np.testing.assert_allclose(partial.positions(k), truth.positions(k), atol=1e-5)


def test_a_level_read_before_it_arrives_is_decoded_then(recon, editor):
    partial = Reconstruction(recon.ckpt, recon.motion, editor.indices, levels=[1])
    np.testing.assert_allclose(partial.positions(2), recon.positions(2), atol=1e-6)
    assert partial.missing_levels == [3]


def test_the_ghost_is_the_reconstruction_before_any_edit(recon, editor):
    before = np.array(recon.positions(3))
    step = recon.num_steps // 2
    recon.apply(editor.set_code(step, 0, (int(recon.indices[step, 0]) + 9) % recon.ckpt.config.nb_code))
    assert not np.allclose(recon.positions(3), before)
    np.testing.assert_array_equal(recon.unedited_positions(3), before)


def test_a_code_decoded_beside_the_grid_equals_the_edit_and_changes_nothing(recon, editor):
    step, k = recon.num_steps // 2, 3
    code = (int(recon.indices[step, 1]) + 4) % recon.ckpt.config.nb_code
    before = np.array(recon.positions(k))
    beside = recon.with_code(step, 1, code, k)
    np.testing.assert_array_equal(recon.positions(k), before)
    recon.apply(editor.set_code(step, 1, code))
    np.testing.assert_allclose(beside.positions, recon.positions(k), atol=1e-5)
    np.testing.assert_allclose(beside.errors, recon.joint_errors(k), atol=1e-5)
