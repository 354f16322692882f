"""The error strip under the timeline: on the timeline step axis, per-frame error at the layers used (or
every layer count, or velocity error), worst frames marked; clicking or dragging seeks."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from app.timeline.analysis_strip import mark_labels
from core.analysis.clip_analysis import frame_errors


def _strip_point(strip, frame: int) -> QPoint:
    return QPoint(round(strip.x_of(frame)), strip.height() // 2)


def _frames_per_pixel(decoded) -> float:
    view = decoded.timeline_panel.view
    return decoded.session.reconstruction.factor / view.cell_width


def test_clicking_the_strip_seeks_to_the_frame_under_the_pointer(decoded, qtbot):
    strip, playback = decoded.timeline_panel.strip, decoded.playback
    target = decoded.session.num_frames * 2 // 3
    qtbot.mouseClick(strip, Qt.MouseButton.LeftButton, pos=_strip_point(strip, target))
    assert abs(playback.frame - target) <= _frames_per_pixel(decoded) + 1


def test_dragging_along_the_strip_scrubs(decoded, qtbot):
    strip, playback = decoded.timeline_panel.strip, decoded.playback
    start, end = 10, decoded.session.num_frames // 2
    qtbot.mousePress(strip, Qt.MouseButton.LeftButton, pos=_strip_point(strip, start))
    assert abs(playback.frame - start) <= _frames_per_pixel(decoded) + 1
    qtbot.mouseMove(strip, _strip_point(strip, end))
    qtbot.mouseRelease(strip, Qt.MouseButton.LeftButton, pos=_strip_point(strip, end))
    assert abs(playback.frame - end) <= _frames_per_pixel(decoded) + 1


def test_the_strip_sits_on_the_timelines_step_axis_when_zoomed_and_scrolled(decoded):
    view, strip = decoded.timeline_panel.view, decoded.timeline_panel.strip
    view.set_cell_width(30)
    view.horizontalScrollBar().setValue(view.horizontalScrollBar().maximum() // 2)
    frame = view.frame_at_x(view.viewport().width() / 2)
    in_view = view.viewport().mapToGlobal(QPointF(view.frame_x(frame), 0)).x()
    in_strip = strip.mapToGlobal(QPointF(strip.x_of(frame), 0)).x()
    assert in_strip == pytest.approx(in_view, abs=0.5)


def test_the_strip_plots_the_error_at_the_layers_used_and_marks_the_worst_frame(decoded):
    session, strip = decoded.session, decoded.timeline_panel.strip
    session.set_layers_used(1)
    expected = session.reconstruction.frame_mpjpe_mm(1, aligned=True)
    np.testing.assert_allclose(strip.series.values, expected)
    assert strip.series.worst[0] == int(np.argmax(expected))


def test_the_worst_menu_jumps_to_the_worst_frame(decoded):
    controls, playback = decoded.timeline_panel.strip_controls, decoded.playback
    controls.fill_worst_menu()
    actions = controls.worst_menu.actions()
    assert len(actions) == len(decoded.timeline_panel.strip.series.worst)
    actions[0].trigger()
    assert playback.frame == decoded.timeline_panel.strip.series.worst[0]


def test_the_strip_follows_an_edit(decoded):
    session, strip = decoded.session, decoded.timeline_panel.strip
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


def test_every_layer_count_gets_its_own_curve(decoded, qtbot):
    strip = decoded.timeline_panel.strip
    decoded.timeline_panel.strip_controls.levels_button.setChecked(True)
    recon = decoded.session.reconstruction
    qtbot.waitUntil(lambda: not recon.missing_levels, timeout=10_000)  # they decode after the open
    assert strip.series.levels.shape == (recon.num_quantizers, recon.num_frames)
    np.testing.assert_allclose(strip.series.levels[0], recon.frame_mpjpe_mm(1, aligned=True))


def test_the_strip_can_plot_velocity_error_instead(decoded):
    controls, strip = decoded.timeline_panel.strip_controls, decoded.timeline_panel.strip
    controls.metric_box.setCurrentIndex(controls.metric_box.findData("velocity"))
    recon = decoded.session.reconstruction
    expected = frame_errors(recon, decoded.session.layers_used, "velocity", aligned=True)
    np.testing.assert_allclose(strip.series.values, expected)
    assert strip.series.unit == "mm/frame"


def test_the_strip_can_plot_jitter_beside_the_originals_own(decoded):
    controls = decoded.timeline_panel.strip_controls
    controls.metric_box.setCurrentIndex(controls.metric_box.findData("jitter"))
    series = decoded.timeline_panel.strip.series
    assert series.metric == "jitter" and series.original is not None and series.measurable
    assert "original" in decoded.timeline_panel.strip.describe(
        100
    ) and "m/s³" in decoded.timeline_panel.strip.describe(100)


def test_crowded_worst_marks_keep_one_number_each_and_none_leaves_the_strip():
    labels = mark_labels([100.0, 104.0, 300.0, 795.0], width=800.0)
    assert [rank for rank, _, _ in labels] == [1, 3, 4]
    assert all(left >= 0 and right <= 800 for _, left, right in labels)
