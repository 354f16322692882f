"""Seeing where a tokenizer fails: the error strip under the timeline, the per-joint and per-layer
tables, and the codebook view whose codes light up their occurrences in the timeline."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import QApplication

from app.analysis_panel import AnalysisPanel
from app.timeline_marks import HIGHLIGHT, highlighted_steps
from core.analysis.clip_analysis import code_steps, frame_errors, joint_errors
from core.analysis.metrics import code_counts


@pytest.fixture
def loaded(window, gui_checkpoint, clip_path):
    assert window.documents.open_checkpoint(gui_checkpoint)
    assert window.documents.open_clip(clip_path)
    window.session.refresh_stale()
    QApplication.processEvents()
    return window


@pytest.fixture
def panel(loaded, qtbot) -> AnalysisPanel:
    panel = AnalysisPanel(loaded.session, loaded.playback)
    qtbot.addWidget(panel)
    panel.resize(380, 600)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def _strip_point(strip, frame: int) -> QPoint:
    return QPoint(round(strip.x_of(frame)), strip.height() // 2)


def _frames_per_pixel(loaded) -> float:
    view = loaded.timeline_panel.view
    return loaded.session.reconstruction.factor / view.cell_width


def test_clicking_the_strip_seeks_to_the_frame_under_the_pointer(loaded, qtbot):
    strip, playback = loaded.timeline_panel.strip, loaded.playback
    target = loaded.session.num_frames * 2 // 3
    qtbot.mouseClick(strip, Qt.MouseButton.LeftButton, pos=_strip_point(strip, target))
    assert abs(playback.frame - target) <= _frames_per_pixel(loaded) + 1


def test_dragging_along_the_strip_scrubs(loaded, qtbot):
    strip, playback = loaded.timeline_panel.strip, loaded.playback
    start, end = 10, loaded.session.num_frames // 2
    qtbot.mousePress(strip, Qt.MouseButton.LeftButton, pos=_strip_point(strip, start))
    assert abs(playback.frame - start) <= _frames_per_pixel(loaded) + 1
    qtbot.mouseMove(strip, _strip_point(strip, end))
    qtbot.mouseRelease(strip, Qt.MouseButton.LeftButton, pos=_strip_point(strip, end))
    assert abs(playback.frame - end) <= _frames_per_pixel(loaded) + 1


def test_the_strip_sits_on_the_timelines_step_axis_when_zoomed_and_scrolled(loaded):
    view, strip = loaded.timeline_panel.view, loaded.timeline_panel.strip
    view.set_cell_width(30)
    view.horizontalScrollBar().setValue(view.horizontalScrollBar().maximum() // 2)
    frame = view.frame_at_x(view.viewport().width() / 2)
    in_view = view.viewport().mapToGlobal(QPointF(view.frame_x(frame), 0)).x()
    in_strip = strip.mapToGlobal(QPointF(strip.x_of(frame), 0)).x()
    assert in_strip == pytest.approx(in_view, abs=0.5)


def test_the_strip_plots_the_error_at_the_layers_used_and_marks_the_worst_frame(loaded):
    session, strip = loaded.session, loaded.timeline_panel.strip
    session.set_layers_used(1)
    expected = session.reconstruction.frame_mpjpe_mm(1, aligned=True)
    np.testing.assert_allclose(strip.series.values, expected)
    assert strip.series.worst[0] == int(np.argmax(expected))


def test_the_worst_menu_jumps_to_the_worst_frame(loaded):
    controls, playback = loaded.timeline_panel.strip_controls, loaded.playback
    controls.fill_worst_menu()
    actions = controls.worst_menu.actions()
    assert len(actions) == len(loaded.timeline_panel.strip.series.worst)
    actions[0].trigger()
    assert playback.frame == loaded.timeline_panel.strip.series.worst[0]


def test_the_strip_follows_an_edit(loaded):
    session, strip = loaded.session, loaded.timeline_panel.strip
    before = strip.series.values.copy()
    step = session.reconstruction.num_steps // 2
    session.select(step, 0)
    session.set_code((session.selected_code() + 5) % session.checkpoint.config.nb_code)
    after = strip.series.values
    np.testing.assert_allclose(
        after, session.reconstruction.frame_mpjpe_mm(session.layers_used, aligned=True)
    )
    lo, hi = session.reconstruction.reach_of_step(step)
    changed = np.flatnonzero(np.abs(after - before) > 1e-6)
    assert changed.size and changed.min() >= lo and changed.max() < hi


def test_every_layer_count_gets_its_own_curve(loaded, qtbot):
    strip = loaded.timeline_panel.strip
    loaded.timeline_panel.strip_controls.levels_button.setChecked(True)
    recon = loaded.session.reconstruction
    qtbot.waitUntil(lambda: not recon.missing_levels, timeout=10_000)  # they decode after the open
    assert strip.series.levels.shape == (recon.num_quantizers, recon.num_frames)
    np.testing.assert_allclose(strip.series.levels[0], recon.frame_mpjpe_mm(1, aligned=True))


def test_the_joints_tab_lists_the_current_frames_joints_worst_first(loaded, panel):
    recon, playback = loaded.session.reconstruction, loaded.playback
    for frame in (20, 90):
        playback.seek(frame)
        rows = panel.bars.rows
        assert [r.frame_mm for r in rows] == sorted((r.frame_mm for r in rows), reverse=True)
        assert rows == joint_errors(recon, loaded.session.layers_used, frame, aligned=True)
        assert f"Frame <b>{frame}</b>" in panel.joints_label.text()


def test_the_joints_tab_sorts_by_the_clip_mean_on_request(panel):
    panel.sort_box.setCurrentIndex(panel.sort_box.findData("clip"))
    clip = [r.clip_mm for r in panel.bars.rows]
    assert clip == sorted(clip, reverse=True)


def test_the_layers_tab_shows_each_number_of_layers_aligned_and_global(loaded, panel, qtbot):
    recon = loaded.session.reconstruction
    panel.setCurrentWidget(panel.layer_table)
    qtbot.waitUntil(lambda: not recon.missing_levels, timeout=10_000)  # they decode after the open
    assert panel.layer_table.rowCount() == recon.num_quantizers
    for k in range(1, recon.num_quantizers + 1):
        assert panel.layer_table.item(k - 1, 1).text() == f"{recon.mpjpe_mm(k, aligned=True):.1f}"
        assert panel.layer_table.item(k - 1, 2).text() == f"{recon.mpjpe_mm(k, aligned=False):.1f}"


def test_the_codebook_tab_counts_the_codes_the_clip_leaves_unused(loaded, panel):
    panel.setCurrentWidget(panel.codebook)
    panel.codebook.layer_box.setCurrentIndex(1)
    recon = loaded.session.reconstruction
    dead = recon.ckpt.config.nb_code - len(np.unique(recon.indices[:, 1]))
    assert f"{dead} unused here" in panel.codebook.summary.text()


def test_clicking_a_code_on_the_map_outlines_its_occurrences_in_the_timeline(loaded, panel, qtbot):
    session, view = loaded.session, loaded.timeline_panel.view
    panel.setCurrentWidget(panel.codebook)
    codebook = panel.codebook
    codebook.layer_box.setCurrentIndex(1)
    code = int(session.reconstruction.indices[5, 1])
    x, y = codebook.code_map()[code]
    plot = codebook.map
    plot.getPlotItem().vb.setRange(xRange=(x - 0.01, x + 0.01), yRange=(y - 0.01, y + 0.01), padding=0)
    QApplication.processEvents()
    scene_pos = plot.getPlotItem().vb.mapViewToScene(QPointF(x, y))
    qtbot.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=plot.mapFromScene(scene_pos))

    assert session.highlighted == (1, code)
    layer, steps = highlighted_steps(view)
    assert layer == 1
    np.testing.assert_array_equal(steps, code_steps(session.reconstruction.indices, 1, code))
    assert f"Code <b>{code}</b>: {len(steps)} steps" in codebook.summary.text()
    image = view.viewport().grab().toImage()
    rect = view.cell_rect(int(steps[0]), 1)
    assert image.pixelColor(int(rect.left()) + 1, int(rect.center().y())) == HIGHLIGHT


def test_picking_the_highlighted_code_again_clears_the_highlight(loaded, panel):
    panel.setCurrentWidget(panel.codebook)
    code = int(loaded.session.reconstruction.indices[0, 0])
    panel.codebook.select_code(code)
    assert loaded.session.highlighted == (0, code)
    panel.codebook.select_code(code)
    assert loaded.session.highlighted is None
    assert highlighted_steps(loaded.timeline_panel.view)[1].size == 0


def test_the_strip_can_plot_velocity_error_instead(loaded):
    controls, strip = loaded.timeline_panel.strip_controls, loaded.timeline_panel.strip
    controls.metric_box.setCurrentIndex(controls.metric_box.findData("velocity"))
    recon = loaded.session.reconstruction
    expected = frame_errors(recon, loaded.session.layers_used, "velocity", aligned=True)
    np.testing.assert_allclose(strip.series.values, expected)
    assert strip.series.unit == "mm/frame"


def test_a_datasets_code_counts_show_beside_the_clips(loaded, panel):
    panel.setCurrentWidget(panel.codebook)
    recon = loaded.session.reconstruction
    counts = code_counts(np.r_[recon.indices, recon.indices[:7]], recon.ckpt.config.nb_code)
    panel.codebook.set_dataset_counts(counts, "held-out set")
    used = int(np.count_nonzero(counts[0]))
    assert f"held-out set: {used} used" in panel.codebook.summary.text()
    assert len(panel.codebook.dataset_line.xData) == recon.ckpt.config.nb_code + 1


def _colours_inside(view, step: int, layer: int) -> int:
    image = view.viewport().grab().toImage()
    rect = view.cell_rect(step, layer).adjusted(3, 3, -3, -3)
    xs, ys = range(int(rect.left()), int(rect.right())), range(int(rect.top()), int(rect.bottom()))
    return len({image.pixel(x, y) for x in xs for y in ys})


def test_zoomed_in_cells_name_their_code_so_repeated_colours_are_told_apart(loaded):
    view = loaded.timeline_panel.view
    view.set_cell_width(12)
    assert _colours_inside(view, 3, 0) == 1
    view.set_cell_width(36)
    view.horizontalScrollBar().setValue(0)
    assert _colours_inside(view, 3, 0) > 1
