"""A clip beside its reconstruction: truncation levels, errors, and edits decoded locally."""

from __future__ import annotations

import numpy as np
import pytest

from core.checkpoint import load_checkpoint
from core.formats import load_motion
from core.reconstruction import Reconstruction
from core.token_edit import TokenEditor


@pytest.fixture()
def recon(tiny_checkpoint, data_dir) -> Reconstruction:
    clip = load_motion(data_dir / "bandai" / "dataset-1" / "dataset-1_walk_normal_001.bvh")
    return Reconstruction(load_checkpoint(tiny_checkpoint), clip)


def test_every_truncation_level_is_precomputed_with_its_own_motion(recon):
    assert recon.num_layers == 3
    first, last = recon.positions(1), recon.positions(3)
    assert first.shape == last.shape == recon.original_positions.shape
    assert not np.allclose(first, last)


def test_errors_are_distances_to_the_original_joints(recon):
    expected = np.linalg.norm(recon.positions(2) - recon.original_positions, axis=-1)
    np.testing.assert_allclose(recon.joint_errors(2), expected, atol=1e-6)
    assert recon.mpjpe_mm(2) == pytest.approx(1000 * expected.mean(), rel=1e-5)


def test_a_layer_count_outside_the_model_is_refused(recon):
    with pytest.raises(ValueError, match="1..3"):
        recon.positions(4)


def test_an_edit_decoded_locally_equals_a_full_decode(recon):
    editor = TokenEditor(recon.indices, recon.ckpt.config.nb_code)
    step = recon.num_steps // 2
    changed = editor.set_code(step, 0, (int(recon.indices[step, 0]) + 7) % recon.ckpt.config.nb_code)
    recon.apply(editor.indices, changed)
    truth = Reconstruction(recon.ckpt, recon.motion)
    truth.indices = editor.indices.copy()
    full = truth._decode_levels(editor.indices, np.arange(1, 4), 0, truth.num_steps)
    for k in (1, 2, 3):
        expected = truth._fk(full[k - 1], truth._root_path(full[k - 1]))
        np.testing.assert_allclose(recon.positions(k), expected, atol=1e-5)


def test_an_edit_changes_poses_only_inside_the_steps_reach(recon):
    before = recon.positions(3) - recon.positions(3)[:, :1]
    editor = TokenEditor(recon.indices, recon.ckpt.config.nb_code)
    step = recon.num_steps // 2
    recon.apply(editor.indices, editor.set_code(step, 1, (int(recon.indices[step, 1]) + 3) % 32))
    after = recon.positions(3) - recon.positions(3)[:, :1]
    lo, hi = recon.reach_of_step(step)
    changed = np.flatnonzero(np.abs(after - before).max(axis=(1, 2)) > 1e-6)
    assert changed.size > 0 and changed.min() >= lo and changed.max() < hi


def test_an_edit_of_a_late_layer_leaves_coarser_levels_alone(recon):
    coarse = recon.positions(2).copy()
    editor = TokenEditor(recon.indices, recon.ckpt.config.nb_code)
    recon.apply(editor.indices, editor.set_code(4, 2, (int(recon.indices[4, 2]) + 1) % 32))
    np.testing.assert_array_equal(recon.positions(2), coarse)


def test_undo_restores_the_reconstruction_exactly(recon):
    before = recon.positions(3).copy()
    editor = TokenEditor(recon.indices, recon.ckpt.config.nb_code)
    recon.apply(editor.indices, editor.set_code(6, 0, (int(recon.indices[6, 0]) + 5) % 32))
    recon.apply(editor.indices, editor.undo())
    np.testing.assert_allclose(recon.positions(3), before, atol=1e-6)


def test_steps_cover_consecutive_frames_and_reach_further(recon):
    assert recon.frames_of_step(2) == (8, 12)
    lo, hi = recon.reach_of_step(10)
    assert lo < 40 and hi > 44


def test_code_use_and_nearest_codes_describe_the_clip_and_codebook(recon):
    code = int(recon.indices[0, 0])
    assert recon.code_count(0, code) == int((recon.indices[:, 0] == code).sum()) >= 1
    near = recon.nearest_codes(0, code, k=5)
    assert len(near) == 5 and code not in near


def test_the_reconstruction_exports_as_a_clip(recon, tmp_path):
    from core.formats import save_motion

    save_motion(recon.motion_at(3), tmp_path / "recon.bvh")
    back = load_motion(tmp_path / "recon.bvh")
    np.testing.assert_allclose(back.joint_positions(), recon.positions(3), atol=2e-4)


def test_an_edit_can_decode_only_the_level_on_screen_and_the_rest_on_demand(recon):
    eager = Reconstruction(recon.ckpt, recon.motion)
    editor = TokenEditor(recon.indices, recon.ckpt.config.nb_code)
    changed = editor.set_code(9, 0, (int(recon.indices[9, 0]) + 2) % 32)
    recon.apply(editor.indices, changed, level=2)
    assert recon.stale_levels == [1, 3]
    eager.apply(editor.indices, changed)
    for k in (1, 2, 3):
        np.testing.assert_allclose(recon.positions(k), eager.positions(k), atol=1e-6)
    assert recon.stale_levels == []


def test_refresh_decodes_every_stale_level(recon):
    editor = TokenEditor(recon.indices, recon.ckpt.config.nb_code)
    recon.apply(editor.indices, editor.set_code(3, 0, (int(recon.indices[3, 0]) + 1) % 32), level=3)
    lo, hi = recon.refresh()
    assert recon.stale_levels == [] and hi > lo


def test_root_aligned_errors_stay_current_under_edits(recon):
    editor = TokenEditor(recon.indices, recon.ckpt.config.nb_code)
    recon.apply(editor.indices, editor.set_code(5, 0, (int(recon.indices[5, 0]) + 4) % 32), level=3)
    pos, orig = recon.positions(3), recon.original_positions
    expected = np.linalg.norm((pos - pos[:, :1]) - (orig - orig[:, :1]), axis=-1)
    np.testing.assert_allclose(recon.root_aligned_errors(3), expected, atol=1e-6)
