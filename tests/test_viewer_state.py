"""The Qt-free state behind the 3D viewer: the fixed error colour scale, picking a joint under the
pointer, previewing a code without editing, and a second checkpoint's reconstruction (B)."""

from __future__ import annotations

import numpy as np
import pytest

from core.analysis.metrics import nice_scale_mm
from core.session.code_preview import CodePreview
from core.session.comparison import CheckpointComparison
from core.session.edit_session import Changed, EditSession
from core.session.error_scale import ErrorScale, default_scale_mm
from core.session.picking import nearest_point, project

WALK = "bandai/dataset-1/dataset-1_walk_normal_001.bvh"
SMPLX = "beat2/2_scott_0_1_1.npz"


@pytest.fixture
def session(punch_session) -> EditSession:
    return punch_session


# ----- the error colour scale -------------------------------------------------------------------


def test_the_nice_scale_is_the_round_bound_above_the_95th_percentile():
    errors = np.full(100, 0.040)
    errors[:4] = 2.0  # a few outliers do not stretch the scale
    assert nice_scale_mm(errors) == 50.0


def test_a_reconstruction_starts_with_the_scale_of_its_one_layer_errors(session):
    assert session.error_scale.scale_mm == default_scale_mm(session.reconstruction, session.layers_used)
    assert not session.error_scale.locked


def test_the_scale_does_not_follow_the_number_of_layers(session):
    before = session.error_scale.scale_mm
    for k in (1, 2, 3):
        update = session.set_layers_used(k)
        assert Changed.ERROR_SCALE not in update.changed
    assert session.error_scale.scale_mm == before


def test_an_unlocked_scale_is_chosen_again_for_another_clip(session, data_dir):
    session.set_error_scale(scale_mm=7.0)
    update = session.open_clip(data_dir / WALK)
    assert Changed.ERROR_SCALE in update.changed
    assert session.error_scale.scale_mm == default_scale_mm(session.reconstruction, session.layers_used)


def test_a_locked_scale_is_kept_for_another_clip(session, data_dir):
    update = session.set_error_scale(scale_mm=42.0, locked=True)
    assert update.changed == Changed.ERROR_SCALE
    session.open_clip(data_dir / WALK)
    assert (session.error_scale.scale_mm, session.error_scale.locked) == (42.0, True)


def test_setting_the_same_scale_changes_nothing_and_a_scale_must_be_positive():
    scale = ErrorScale(100.0)
    assert not scale.set(scale_mm=100.0)
    with pytest.raises(ValueError, match="above 0"):
        scale.set(scale_mm=0.0)


def test_errors_are_read_as_a_clipped_fraction_of_the_scale():
    np.testing.assert_allclose(ErrorScale(200.0).fraction(np.array([0.0, 0.1, 0.5])), [0.0, 0.5, 1.0])


# ----- picking ----------------------------------------------------------------------------------


def test_a_point_on_the_camera_axis_projects_to_the_centre_of_the_view():
    mvp = np.eye(4)
    mvp[3] = [0, 0, -1, 0]  # perspective divide by depth along -z
    screen = project(np.array([[0.0, 0.0, -2.0], [1.0, 1.0, -1.0]]), mvp, 200, 100)
    np.testing.assert_allclose(screen, [[100.0, 50.0], [200.0, 0.0]])


def test_points_behind_the_camera_are_never_picked():
    mvp = np.eye(4)
    mvp[3] = [0, 0, -1, 0]
    screen = project(np.array([[0.0, 0.0, 2.0]]), mvp, 200, 100)
    assert np.isnan(screen).all() and nearest_point(screen, 100, 50, 1000) is None


def test_the_nearest_point_within_the_radius_is_picked():
    screen = np.array([[10.0, 10.0], [30.0, 10.0], [31.0, 14.0]])
    assert nearest_point(screen, 29, 11, 5) == 1
    assert nearest_point(screen, 60, 60, 5) is None


# ----- previewing a code ------------------------------------------------------------------------


def test_a_preview_decodes_the_code_without_editing_the_grid_or_its_history(session):
    session.select(20, 0)
    grid, code = session.editor.indices.copy(), (session.selected_code() + 5) % 32
    update = session.preview_code(code)
    assert update.changed == Changed.PREVIEW and session.active_preview() is not None
    assert np.array_equal(session.editor.indices, grid) and not session.can_undo
    previewed = session.active_preview().positions().copy()
    session.end_preview()
    assert session.preview is None
    session.set_code(code)
    np.testing.assert_allclose(previewed, session.reconstruction.positions(session.layers_used), atol=1e-4)


def test_a_preview_no_longer_holds_after_an_edit_or_a_layer_change(session):
    session.select(20, 0)
    session.preview_code((session.selected_code() + 5) % 32)
    session.set_layers_used(2)
    assert session.active_preview() is None
    session.set_layers_used(3)
    assert session.active_preview() is not None
    session.select(30, 1)
    session.set_code((session.selected_code() + 1) % 32)
    assert session.active_preview() is None


def test_previewing_the_cells_own_code_is_no_preview(session):
    session.select(5, 1)
    assert session.preview_code(session.selected_code()) == session.end_preview()
    assert session.preview is None


def test_a_preview_reports_its_mpjpe_as_the_reconstruction_would(session):
    session.select(20, 0)
    recon = session.reconstruction
    same = CodePreview.decode(recon, 20, 0, session.selected_code(), 3)
    assert same.mpjpe_mm(aligned=True) == pytest.approx(recon.mpjpe_mm(3, aligned=True), rel=1e-4)
    np.testing.assert_allclose(same.frame_mpjpe_mm(), recon.frame_mpjpe_mm(3), rtol=1e-4, atol=1e-3)


# ----- checkpoint B -----------------------------------------------------------------------------


def test_checkpoint_b_reconstructs_the_open_clip(session, tiny_checkpoint):
    b = CheckpointComparison()
    b.open(tiny_checkpoint, session.motion)
    assert b.reconstruction is not None and b.mismatch is None
    assert b.layers(3) == 3 and b.layers(5) == 3
    np.testing.assert_allclose(
        b.positions(3, aligned=True), session.reconstruction.positions(3, aligned=True), atol=1e-4
    )


def test_checkpoint_b_follows_another_clip_once(session, tiny_checkpoint, data_dir):
    b = CheckpointComparison()
    b.open(tiny_checkpoint, session.motion)
    first = b.reconstruction
    assert not b.follow(session.motion) and b.reconstruction is first
    session.open_clip(data_dir / WALK)
    assert b.follow(session.motion) and b.reconstruction.num_frames == session.reconstruction.num_frames


def test_checkpoint_b_says_why_it_cannot_read_a_clip_of_another_skeleton(tiny_checkpoint, data_dir):
    from core.formats import load_motion

    b = CheckpointComparison()
    b.open(tiny_checkpoint, load_motion(data_dir / SMPLX).slice(0, 64))
    assert b.reconstruction is None and b.mismatch
    b.close()
    assert b.checkpoint is None and b.mismatch is None
