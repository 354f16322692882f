"""The 3D viewer as an analysis tool: a fixed, lockable error colour scale, naming the joint under
the pointer, root paths when roots are not aligned, the pre-edit ghost, previewing a hovered code
chip, and a second checkpoint (B) as a third skeleton."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtTest import QTest

from app.viewer.joint_hover import view_matrix
from app.viewer.skeleton_items import to_view
from core.session.picking import project


@pytest.fixture
def loaded(loaded):
    """The open punch at frame 100, in mid-move."""
    loaded.playback.seek(100)
    return loaded


def test_the_colour_scale_stays_when_the_layers_change(loaded):
    viewer, scale = loaded.viewer, loaded.session.error_scale.scale_mm
    loaded.timeline_panel.layers_slider.setValue(1)
    loaded.timeline_panel.layers_slider.setValue(3)
    viewer.set_align_roots(False)
    assert viewer.hud.legend.scale_mm == loaded.session.error_scale.scale_mm == scale


def test_the_scale_box_sets_the_scale_and_the_joint_colours_follow(loaded):
    control = loaded.viewer.hud.scale_control
    control.spin.setValue(1)
    assert loaded.session.error_scale.scale_mm == 1.0 and loaded.viewer.hud.legend.scale_mm == 1.0
    errors = loaded.session.reconstruction.joint_errors(3, aligned=True)[100]
    above = errors >= 0.001  # every joint but the aligned root is past the 1 mm top of the scale
    top = np.array(loaded.viewer._cmap.map(1.0, mode="float"))
    assert above.sum() == 21
    np.testing.assert_allclose(loaded.viewer.recon_joints.color[above], np.tile(top, (21, 1)), atol=1e-6)


def test_a_locked_scale_is_kept_for_another_clip(loaded, other_clip_path):
    control = loaded.viewer.hud.scale_control
    control.spin.setValue(42)
    control.lock.click()
    assert loaded.documents.open_clip(other_clip_path)
    assert loaded.session.error_scale.scale_mm == 42.0 and control.spin.value() == 42
    assert control.lock.isChecked()


def test_pointing_at_a_joint_names_it_and_its_error(loaded, qtbot):
    viewer = loaded.viewer
    scene = viewer.scene
    drawn = viewer.drawn_skeletons()[1]  # the reconstruction
    screen = project(drawn.points, view_matrix(scene), scene.width(), scene.height())
    joint = int(np.argmax(screen[:, 1]))  # the lowest joint on screen: a foot, not hidden by others
    QTest.mouseMove(scene, QPoint(int(round(screen[joint, 0])), int(round(screen[joint, 1]))))
    qtbot.waitUntil(lambda: viewer.hover.picked is not None)
    which, picked = viewer.hover.picked
    name = viewer.drawn_skeletons()[which].joint_names[picked]
    assert viewer.hud.hover_label.isVisible() and name in viewer.hud.hover_label.text()
    assert "mm" in viewer.hud.hover_label.text()


def test_root_paths_are_drawn_only_when_roots_are_not_aligned(loaded):
    viewer = loaded.viewer
    assert viewer.align_roots and not viewer.paths["recon"].item.visible()
    viewer.set_align_roots(False)
    assert viewer.paths["original"].item.visible() and viewer.paths["recon"].item.visible()
    path = viewer.paths["recon"].item.pos
    assert len(path) == loaded.session.num_frames and np.allclose(path[:, 2], path[0, 2])
    viewer.paths_action.setChecked(False)
    assert not viewer.paths["recon"].item.visible()


def test_the_pre_edit_ghost_shows_while_the_grid_is_edited(loaded):
    viewer, session = loaded.viewer, loaded.session
    assert not viewer.ghost.visible()
    session.select(25, 0)
    session.set_code((session.selected_code() + 5) % 32)
    assert viewer.ghost.visible()
    unedited = loaded.session.reconstruction.unedited_positions(3, aligned=True)[100]
    bones = session.motion.skeleton.bones()
    expected = (to_view(unedited) + [viewer._side_offset / 2, 0, 0])[bones].reshape(-1, 3)
    np.testing.assert_allclose(viewer.ghost.bones_item.pos, expected, atol=1e-5)
    viewer.ghost_action.setChecked(False)
    assert not viewer.ghost.visible()
    viewer.ghost_action.setChecked(True)
    session.undo()
    assert not viewer.ghost.visible()


def test_hovering_a_nearest_code_chip_previews_it_and_leaving_restores(loaded, qtbot):
    session, panel, viewer = loaded.session, loaded.editor_panel, loaded.viewer
    session.select(25, 0)
    shown = viewer.recon_joints.pos.copy()
    chip = panel.nearest_buttons[0]
    qtbot.mouseMove(chip)
    qtbot.waitUntil(lambda: session.preview is not None)
    assert session.preview.code == int(chip.property("code"))
    assert f"previewing code {session.preview.code}" in viewer.hud.mpjpe_label.text()
    assert not session.can_undo and np.abs(viewer.recon_joints.pos - shown).max() > 1e-6
    panel.eventFilter(chip, QEvent(QEvent.Type.Leave))
    assert session.preview is None
    np.testing.assert_allclose(viewer.recon_joints.pos, shown, atol=1e-6)


def test_clicking_a_previewed_chip_commits_its_code(loaded, qtbot):
    session, panel = loaded.session, loaded.editor_panel
    session.select(25, 0)
    chip = panel.nearest_buttons[1]
    qtbot.mouseMove(chip)
    qtbot.waitUntil(lambda: session.preview is not None)
    qtbot.mouseClick(chip, Qt.MouseButton.LeftButton)
    assert session.selected_code() == int(chip.property("code")) and session.can_undo
    assert session.active_preview() is None


def test_checkpoint_b_is_drawn_as_a_third_skeleton_with_its_error(loaded, gui_checkpoint):
    viewer = loaded.viewer
    viewer.session.open_checkpoint_b(gui_checkpoint)
    assert viewer.b.visible()
    assert "B" in viewer.hud.mpjpe_label.text() and viewer.hud.mpjpe_label.text().count("clip") == 2
    xs = [viewer.original_joints.pos[0, 0], viewer.recon_joints.pos[0, 0], viewer.b.joints_item.pos[0, 0]]
    assert xs[0] < xs[1] < xs[2]
    viewer.session.close_checkpoint_b()
    assert not viewer.b.visible() and viewer.hud.mpjpe_label.text().count("clip") == 1


def test_meshes_and_paths_are_unavailable_with_a_reason_when_they_would_draw_nothing(loaded):
    viewer = loaded.viewer
    assert not viewer.mesh_action.isEnabled() and "SMPL-X clips" in viewer.mesh_action.toolTip()
    assert loaded.session.aligned and not viewer.paths_action.isEnabled()
    assert "Align roots" in viewer.paths_action.toolTip()
    loaded.session.set_aligned(False)
    assert viewer.paths_action.isEnabled() and "Unavailable" not in viewer.paths_action.toolTip()


def test_the_comparison_toggles_are_unavailable_without_a_reconstruction(
    loaded, mismatched_clip_path, clip_path
):
    viewer = loaded.viewer
    assert loaded.documents.open_clip(mismatched_clip_path)
    for action in (viewer.align_action, viewer.overlay_action, viewer.ghost_action, viewer.paths_action):
        assert not action.isEnabled() and "no reconstruction to compare" in action.toolTip()
    assert loaded.documents.open_clip(clip_path)
    assert all(a.isEnabled() for a in (viewer.align_action, viewer.overlay_action, viewer.ghost_action))
