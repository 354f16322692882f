"""The main window: opening files (menu methods, drag and drop, recent list), the timeline, the
truncation slider, editing with undo, error dialogs, help, playback and the rendered 3D view."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDropEvent, QPixmap
from PySide6.QtWidgets import QScrollArea, QTabBar

from app.documents.controller import classify_path
from app.viewer.viewer import bone_colors, helper_root_bone
from core.formats import load_motion
from core.motion.clip import Motion


def test_opening_a_clip_and_checkpoint_fills_every_view(loaded):
    session = loaded.session
    assert session.reconstruction is not None
    assert loaded.playback.num_frames == 224
    assert loaded.transport.scrubber.maximum() == 223
    assert "dataset-1_punch_normal_001.bvh" in loaded.windowTitle()
    assert "224 frames" in loaded.labels.clip_label.text()
    assert loaded.viewer.recon_joints.visible()


def test_the_timeline_has_one_row_per_quantizer_layer(loaded):
    view = loaded.timeline_panel.view
    assert view.num_rows == loaded.session.checkpoint.config.num_quantizers == 3
    assert view.num_steps == 56
    text = view.describe_cell(10, 2)
    assert "Layer 3" in text and "step 10" in text and "frames 40–43" in text and "used" in text


def test_the_layer_slider_truncates_and_the_viewer_follows(loaded, qtbot):
    viewer, slider = loaded.viewer, loaded.timeline_panel.layers_slider
    loaded.playback.seek(100)
    full = viewer.recon_joints.pos.copy()
    slider.setValue(1)
    assert loaded.session.layers_used == 1
    assert np.abs(viewer.recon_joints.pos - full).max() > 1e-5
    assert "1 of 3" in loaded.timeline_panel.layers_label.text()
    assert "with 1 of 3 layers" in viewer.hud.mpjpe_label.text()


def test_clicking_a_cell_selects_it_and_marks_its_frames_on_the_scrubber(loaded, qtbot):
    view = loaded.timeline_panel.view
    center = view.cell_rect(20, 1).center().toPoint()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=center)
    selection = loaded.session.selection
    assert (selection.step, selection.layer) == (20, 1)
    assert loaded.transport.scrubber.selected_frames == (80, 84)
    assert loaded.playback.frame == 80
    assert loaded.editor_panel.title.text() == "Layer 2 · step 20"


def test_editing_in_the_panel_previews_at_once_and_ctrl_z_restores_exactly(loaded, qtbot):
    session, panel = loaded.session, loaded.editor_panel
    recon = session.reconstruction
    session.select(30, 0)
    loaded.playback.seek(121)
    before = recon.positions(3).copy()
    shown_before = loaded.viewer.recon_joints.pos.copy()
    panel.spin.setValue((panel.spin.value() + 5) % 32)
    reach = recon.reach_of_step(30)
    changed = np.nonzero(np.abs(recon.positions(3) - before).max(axis=(1, 2)) > 0)[0]
    assert changed.min() >= reach[0] and changed.max() < reach[1]
    assert np.abs(loaded.viewer.recon_joints.pos - shown_before).max() > 0
    assert loaded.timeline_panel.view._edited[30, 0]
    assert loaded.commands["undo"].isEnabled()

    qtbot.keyClick(loaded, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    np.testing.assert_allclose(recon.positions(3), before, rtol=0, atol=1e-6)
    assert not loaded.timeline_panel.view._edited.any()
    qtbot.keyClick(
        loaded, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert loaded.timeline_panel.view._edited[30, 0]


def test_nearest_code_buttons_set_the_code(loaded):
    session, panel = loaded.session, loaded.editor_panel
    session.select(12, 2)
    button = panel.nearest_buttons[0]
    code = int(button.text())
    assert button.isVisible() and code != session.selected_code()
    button.click()
    assert session.selected_code() == code
    assert panel.spin.value() == code


def test_a_bad_clip_shows_a_dialog_and_keeps_the_edits(loaded, qtbot, tmp_path):
    session = loaded.session
    session.select(4, 0)
    session.set_code((session.selected_code() + 1) % 32)
    broken = tmp_path / "broken.bvh"
    broken.write_text("not a bvh")
    with qtbot.waitSignal(loaded.reporter.reported) as reported:
        assert not loaded.documents.open_clip(broken)
    kind, title, text = reported.args
    assert kind == "error" and title == "Could not open the clip" and "broken.bvh" in text
    assert session.editor.is_edited() and session.clip_path.name == "dataset-1_punch_normal_001.bvh"
    assert str(broken.resolve()) not in loaded.recent("clips")


def test_a_clip_for_another_skeleton_gets_a_clear_message(loaded, qtbot, mismatched_clip_path):
    loaded.documents.open_clip(mismatched_clip_path)
    assert "does not match" in loaded.viewer.hud.mpjpe_label.text()
    assert loaded.session.reconstruction is None
    assert not loaded.viewer.recon_joints.visible()
    assert loaded.timeline_panel.view.num_rows == 0


def test_dropping_files_opens_them_and_remembers_them(window, qtbot, gui_checkpoint, clip_path):
    assert classify_path(gui_checkpoint) == "checkpoint"
    assert classify_path(clip_path) == "clip"
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(clip_path)), QUrl.fromLocalFile(str(gui_checkpoint))])
    event = QDropEvent(
        QPointF(200, 200),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)
    assert window.session.reconstruction is not None
    assert window.recent("clips")[0] == str(clip_path.resolve())
    assert window.recent("checkpoints")[0] == str(gui_checkpoint.resolve())
    window.recent_menu.aboutToShow.emit()
    assert any(a.text().startswith(clip_path.name + " ") for a in window.recent_menu.actions())


def test_saved_tokens_are_recognised_on_drop(loaded, tmp_path):
    path = tmp_path / "tokens.npy"
    assert loaded.documents.save_tokens(path)
    assert classify_path(path) == "tokens"


def test_help_lists_the_keyboard_shortcuts(window, qtbot):
    table = dict(window.shortcut_table())
    assert table["Playback: Play"] == "Space"
    assert table["Edit: Undo"] == "Ctrl+Z"
    assert table["Edit: Redo"] == "Ctrl+Shift+Z"
    window.commands["shortcuts"].trigger()
    window.commands["about"].trigger()
    dialogs = {w.objectName() for w in window.findChildren(type(window).__mro__[2]) if w.isVisible()}
    assert {"shortcutsDialog", "aboutDialog"} <= dialogs


def test_space_plays_and_the_one_clock_drives_scrubber_and_timeline(loaded, qtbot):
    qtbot.keyClick(loaded, Qt.Key.Key_Space)
    assert loaded.playback.playing
    qtbot.waitUntil(lambda: loaded.playback.frame > 10, timeout=3000)
    qtbot.keyClick(loaded, Qt.Key.Key_Space)
    assert not loaded.playback.playing
    frame = loaded.playback.frame
    assert loaded.transport.scrubber.value() == frame
    qtbot.keyClick(loaded, Qt.Key.Key_Right)
    assert loaded.playback.frame == frame + 1 and loaded.transport.scrubber.value() == frame + 1
    loaded.playback.set_speed(4.0)
    assert loaded.transport.speed_box.currentText() == "4×"


def test_digits_pick_the_layers_and_escape_clears_the_selection(loaded, qtbot):
    qtbot.keyClick(loaded, Qt.Key.Key_1)
    assert loaded.session.layers_used == 1 and loaded.timeline_panel.layers_slider.value() == 1
    qtbot.keyClick(loaded, Qt.Key.Key_Period)
    assert loaded.session.layers_used == 2
    loaded.session.select(3, 2)
    assert "Layer 3 is off" in loaded.editor_panel.info.text()
    qtbot.keyClick(loaded, Qt.Key.Key_Escape)
    assert loaded.session.selection is None and loaded.editor_panel.title.text() == "No token selected"


def test_the_3d_view_renders_both_skeletons_on_the_grid(loaded, qtbot):
    loaded.playback.seek(90)
    qtbot.wait(50)
    image = loaded.viewer.grab_view()
    pixels = (
        np.frombuffer(image.constBits(), np.uint8)
        .reshape(image.height(), image.bytesPerLine())[:, : image.width() * 4]
        .reshape(image.height(), image.width(), 4)[..., :3]
        .astype(float)
    )
    assert pixels.std() > 5
    orange = (pixels[..., 0] > 200) & (pixels[..., 1] > 110) & (pixels[..., 1] < 200) & (pixels[..., 2] < 120)
    blue = (pixels[..., 2] > 200) & (pixels[..., 0] < 160)
    assert orange.sum() > 50 and blue.sum() > 50
    whole = loaded.grab_window()
    assert whole.width() == loaded.width()


def test_the_window_fits_1280x800(window):
    assert window.minimumSizeHint().width() <= 1280 and window.minimumSizeHint().height() <= 800


def test_the_timeline_stays_fast_for_a_long_clip(window, qtbot, gui_checkpoint, clip_path):
    """500+ steps: painting the whole grid (one scaled image, not a rectangle per cell) takes a few ms.

    Measured as the widget's own paint cost (rendered into a pixmap): an on-screen repaint also
    composites the GL view, which under Xvfb's software OpenGL costs more than the timeline.
    """
    motion = load_motion(clip_path)
    repeats = 9
    long_clip = Motion(
        skeleton=motion.skeleton,
        rotations=np.concatenate([motion.rotations] * repeats),
        root_translation=np.concatenate([motion.root_translation] * repeats),
        fps=motion.fps,
    )
    window.documents.open_checkpoint(gui_checkpoint)
    window.session.set_clip(long_clip)
    view = window.timeline_panel.view
    assert view.num_steps == 504
    canvas = QPixmap(view.viewport().size())
    for cell_width in (None, view.MAX_CELL):
        if cell_width is None:
            view.fit_to_width()
        else:
            view.set_cell_width(cell_width)
        timings = []
        for frame in range(0, 2000, 100):
            window.playback.seek(frame)
            start = time.perf_counter()
            view.viewport().render(canvas)
            timings.append(time.perf_counter() - start)
        assert np.median(timings) < 0.01, timings


def test_align_roots_compares_poses_on_the_original_path(loaded, qtbot):
    viewer = loaded.viewer
    loaded.playback.seek(150)
    assert viewer.align_roots and "Root-aligned MPJPE" in viewer.hud.mpjpe_label.text()
    shown_root = viewer.recon_joints.pos[0] - viewer.original_joints.pos[0]
    np.testing.assert_allclose(shown_root, [viewer._side_offset, 0, 0], atol=1e-5)
    qtbot.keyClick(loaded, Qt.Key.Key_A)
    assert not viewer.align_roots and not loaded.viewer.align_action.isChecked()
    assert viewer.hud.mpjpe_label.text().startswith("MPJPE")


def test_a_ground_helper_root_is_drawn_faint_not_as_a_third_leg(clip_path):
    skeleton = load_motion(clip_path).skeleton  # Bandai: joint_Root on the ground, Hips 0.9 m above
    helper = helper_root_bone(skeleton, height=1.7)
    assert skeleton.joint_names[helper] == "Hips"
    colors = bone_colors(skeleton.bones(), QColor(255, 0, 0), helper)
    assert colors[0, 3] < 0.2 and colors[2:, 3].min() > 0.9
    assert helper_root_bone(skeleton, height=5.0) is None


def _cmu_clip(tmp_path):
    """A 31-joint CMU clip (the cgspeed layout) of 40 frames."""
    from tests.helpers.bvh_fixtures import cmu_joints, write_bvh

    joints = cmu_joints()
    frames = np.random.default_rng(0).normal(0, 5, (40, sum(len(j.channels) for j in joints)))
    frames[:, 1] += 16
    return write_bvh(tmp_path / "01_01.bvh", joints, frames, frame_time=1 / 120)


def test_opening_a_clip_of_another_skeleton_after_playing_one_draws_the_new_skeleton(
    window, qtbot, gui_checkpoint, clip_path, tmp_path
):
    errors = []
    window.reporter.reported.connect(lambda kind, title, text: kind == "error" and errors.append(text))
    assert window.documents.open_checkpoint(gui_checkpoint)
    assert window.documents.open_clip(_cmu_clip(tmp_path))
    window.playback.seek(25)
    assert window.documents.open_clip(clip_path)
    assert not errors
    assert window.viewer.original_joints.pos.shape == (22, 3) and window.playback.frame == 0


def test_without_a_reconstruction_the_hud_says_why_instead_of_the_last_clips_error(
    loaded, qtbot, mismatched_clip_path
):
    assert "clip" in loaded.viewer.hud.mpjpe_label.text() and "mm" in loaded.viewer.hud.mpjpe_label.text()
    loaded.documents.open_clip(mismatched_clip_path)
    text = loaded.viewer.hud.mpjpe_label.text()
    assert text.startswith("No reconstruction:") and "MPJPE" not in text
    assert "joints" in text and "checkpoint" in text


def test_an_export_confirms_itself_in_the_status_bar(loaded, tmp_path):
    out = tmp_path / "decoded.bvh"
    assert loaded.documents.export_motion(out)
    assert out.is_file()
    assert loaded.statusBar().currentMessage().startswith("Exported the 3-layer reconstruction to")


def test_the_first_window_fits_a_1024x700_screen(window):
    from PySide6.QtCore import QSize

    from app.shell.main_window import initial_size

    assert initial_size(QSize(1024, 700)) == QSize(1024, 700)
    assert initial_size(QSize(1920, 1080)) == QSize(1280, 800)
    hint = window.minimumSizeHint()
    assert hint.width() <= 1024 and hint.height() <= 700, hint


def test_the_error_numbers_and_legend_never_cover_the_3d_view(loaded, qtbot):
    loaded.resize(1024, 700)
    qtbot.wait(50)
    viewer = loaded.viewer
    assert not viewer.hud.geometry().intersects(viewer.view.geometry())
    assert viewer.hud.legend.isVisible() and viewer.hud.legend.geometry().right() <= viewer.hud.width()


def test_recent_entries_name_their_folder_and_forget_files_that_are_gone(window, tmp_path, clip_path):
    import shutil

    copies = []
    for folder in ("take_a", "take_b"):
        (tmp_path / folder).mkdir()
        copies.append(shutil.copy(clip_path, tmp_path / folder / "walk.bvh"))
        assert window.documents.open_clip(copies[-1])
    window.recent_menu.aboutToShow.emit()
    texts = [a.text() for a in window.recent_menu.actions() if a.text().startswith("walk.bvh")]
    assert len(texts) == 2 and texts[0] != texts[1] and "take_b" in texts[0]
    Path(copies[0]).unlink()
    assert str(Path(copies[0]).resolve()) not in window.recent("clips")


def test_the_window_title_leaves_the_application_name_to_the_platform(loaded):
    assert "RVQ Motion Studio" not in loaded.windowTitle()
    assert loaded.windowTitle().startswith("dataset-1_punch_normal_001.bvh · ")


def test_error_dialogs_repeat_their_title_in_the_box(loaded, tmp_path):
    from PySide6.QtWidgets import QMessageBox

    broken = tmp_path / "broken.bvh"
    broken.write_text("not a bvh")
    loaded.documents.open_clip(broken)
    box = next(b for b in loaded.findChildren(QMessageBox) if b.objectName() == "errorDialog")
    assert "Could not open the clip" in box.text() and "broken.bvh" in box.informativeText()


def test_a_warning_shows_quotes_as_quotes_not_html_entities(window):
    from PySide6.QtWidgets import QLabel, QMessageBox

    window.reporter.warning("Skeleton does not match", "this clip's skeleton does not match the checkpoint's")
    box = next(b for b in window.findChildren(QMessageBox) if b.objectName() == "errorDialog")
    shown = " ".join(label.text() for label in box.findChildren(QLabel))
    assert "&#x27;" not in shown and "clip's skeleton" in box.informativeText()


def test_about_names_the_versions_and_the_device(window):
    from PySide6.QtWidgets import QMessageBox

    window.commands["about"].trigger()
    box = next(b for b in window.findChildren(QMessageBox) if b.objectName() == "aboutDialog")
    assert (
        "Version" in box.text()
        and "PyTorch" in box.text()
        and "Qt" in box.text()
        and "computing on" in box.text()
    )


def test_every_shortcut_row_shows_whole(window):
    from PySide6.QtWidgets import QDialog, QTableWidget

    window.commands["shortcuts"].trigger()
    dialog = next(d for d in window.findChildren(QDialog) if d.objectName() == "shortcutsDialog")
    table = dialog.findChild(QTableWidget)
    metrics = table.fontMetrics()
    widest = max(metrics.horizontalAdvance(table.item(r, 0).text()) for r in range(table.rowCount()))
    assert table.columnWidth(0) >= widest


def test_export_offers_only_the_formats_the_skeleton_takes_and_names_edits(loaded):
    offered = []
    loaded.prompts.export_path = lambda suggested, formats: offered.append((suggested, formats)) or None
    loaded.documents.export_motion()
    suggested, formats = offered[-1]
    assert formats == (".bvh",) and suggested.endswith("_decoded_3layers.bvh")  # Bandai: not SMPL-X
    loaded.session.select(3, 0)
    loaded.session.set_code((loaded.session.selected_code() + 1) % 32)
    loaded.documents.export_motion()
    assert offered[-1][0].endswith("_decoded_3layers_edited.bvh")


def test_at_1024x700_every_dock_tab_reads_whole_and_the_docks_need_no_sideways_scrolling(loaded, qtbot):
    loaded.resize(1024, 700)
    loaded.session.select(5, 1)
    qtbot.wait(50)
    bars = [bar for bar in loaded.findChildren(QTabBar) if bar.isVisible() and bar.count() >= 4]
    assert bars
    for bar in bars:
        for i in range(bar.count()):
            needed = bar.fontMetrics().horizontalAdvance(bar.tabText(i))
            assert bar.tabRect(i).width() >= needed, bar.tabText(i)
    for dock in (loaded.editor_dock, loaded.dataset_dock):
        dock.raise_()
        qtbot.wait(50)
        scrolled = (
            dock.widget() if isinstance(dock.widget(), QScrollArea) else dock.widget().findChild(QScrollArea)
        )
        assert not scrolled.horizontalScrollBar().isVisible(), dock.windowTitle()


def test_a_clip_that_does_not_fit_is_said_where_the_reconstruction_would_be_not_in_a_dialog(
    loaded, mismatched_clip_path, qtbot
):
    dialogs = []
    loaded.session.warning.connect(lambda title, text: dialogs.append(title))
    assert loaded.documents.open_clip(mismatched_clip_path)
    assert dialogs == [] and "No reconstruction" in loaded.viewer.hud.mpjpe_label.text()
