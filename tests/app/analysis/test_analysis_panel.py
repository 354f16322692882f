"""The Analysis dock: per-joint errors of the frame and the clip, the per-layer table, and the codebook
view whose picked code lights up its occurrences in the timeline."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QApplication

from app.analysis.analysis_panel import AnalysisPanel
from app.state.errors import ErrorReporter
from app.style.theme import HIGHLIGHT
from app.timeline.marks import highlighted_steps
from core.analysis.clip_analysis import code_steps, joint_errors
from core.analysis.metrics import code_counts


@pytest.fixture
def panel(decoded, qtbot) -> AnalysisPanel:
    panel = AnalysisPanel(decoded.session, decoded.playback, ErrorReporter(), list)
    qtbot.addWidget(panel)
    panel.resize(380, 600)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def test_the_joints_tab_lists_the_current_frames_joints_worst_first(decoded, panel):
    recon, playback = decoded.session.reconstruction, decoded.playback
    for frame in (20, 90):
        playback.seek(frame)
        rows = panel.bars.rows
        assert [r.frame_mm for r in rows] == sorted((r.frame_mm for r in rows), reverse=True)
        assert rows == joint_errors(recon, decoded.session.layers_used, frame, aligned=True)
        assert f"Frame <b>{frame}</b>" in panel.joints_label.text()


def test_the_joints_tab_sorts_by_the_clip_mean_on_request(panel):
    panel.sort_box.setCurrentIndex(panel.sort_box.findData("clip"))
    clip = [r.clip_mm for r in panel.bars.rows]
    assert clip == sorted(clip, reverse=True)


def test_the_layers_tab_shows_each_number_of_layers_aligned_and_global(decoded, panel, qtbot):
    recon = decoded.session.reconstruction
    panel.setCurrentWidget(panel.layer_table)
    qtbot.waitUntil(lambda: not recon.missing_levels, timeout=10_000)  # they decode after the open
    assert panel.layer_table.rowCount() == recon.num_quantizers
    for k in range(1, recon.num_quantizers + 1):
        assert panel.layer_table.item(k - 1, 1).text() == f"{recon.mpjpe_mm(k, aligned=True):.1f}"
        assert panel.layer_table.item(k - 1, 2).text() == f"{recon.mpjpe_mm(k, aligned=False):.1f}"


def test_the_codebook_tab_counts_the_codes_the_clip_leaves_unused(decoded, panel):
    panel.setCurrentWidget(panel.codebook)
    panel.codebook.layer_box.setCurrentIndex(1)
    recon = decoded.session.reconstruction
    dead = recon.ckpt.config.nb_code - len(np.unique(recon.indices[:, 1]))
    assert f"{dead} unused here" in panel.codebook.summary.text()


def test_clicking_a_code_on_the_map_outlines_its_occurrences_in_the_timeline(decoded, panel, qtbot):
    session, view = decoded.session, decoded.timeline_panel.view
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


def test_picking_the_highlighted_code_again_clears_the_highlight(decoded, panel):
    panel.setCurrentWidget(panel.codebook)
    code = int(decoded.session.reconstruction.indices[0, 0])
    panel.codebook.select_code(code)
    assert decoded.session.highlighted == (0, code)
    panel.codebook.select_code(code)
    assert decoded.session.highlighted is None
    assert highlighted_steps(decoded.timeline_panel.view)[1].size == 0


def test_a_datasets_code_counts_show_beside_the_clips(decoded, panel):
    panel.setCurrentWidget(panel.codebook)
    recon = decoded.session.reconstruction
    counts = code_counts(np.r_[recon.indices, recon.indices[:7]], recon.ckpt.config.nb_code)
    panel.codebook.set_dataset_counts(counts, "held-out set")
    used = int(np.count_nonzero(counts[0]))
    assert f"held-out set: {used} used" in panel.codebook.summary.text()
    assert len(panel.codebook.dataset_line.xData) == recon.ckpt.config.nb_code + 1
