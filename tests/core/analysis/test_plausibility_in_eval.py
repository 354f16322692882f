"""Foot skating and jitter wherever the studio shows figures: eval's summary and JSON, the Dataset dock's
per-clip rows, the HTML report and the error strip's per-frame curves, on the demo checkpoint and real
Bandai takes. They are one measure (core.analysis.plausibility) read in several places, so the places
must agree."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.analysis import clip_analysis, plausibility
from core.analysis.dataset import evaluate_dataset
from core.analysis.evaluate import evaluate_clip, plausibility_judge
from core.analysis.reconstruction import Reconstruction
from core.analysis.report import report_html
from core.formats import load_motion
from core.model.checkpoint import load_checkpoint
from core.progress import run_to_end
from core.tokens.codec import fit_clip, tokenize
from tests.helpers.paths import DEMO_CHECKPOINT

CLIPS = ("dataset-1/dataset-1_punch_normal_001.bvh", "dataset-1/dataset-1_walk_normal_001.bvh")


@pytest.fixture(scope="module")
def dataset(demo, data_dir: Path):
    return run_to_end(evaluate_dataset(demo, [data_dir / "bandai" / c for c in CLIPS]))


@pytest.fixture(scope="module")
def punch(demo, data_dir: Path):
    clip = fit_clip(demo, load_motion(data_dir / "bandai" / CLIPS[0]))
    return clip, Reconstruction(demo, clip, tokenize(demo, clip))


def test_eval_reports_plausibility_of_the_original_and_every_number_of_layers(dataset) -> None:
    summary = dataset.summary
    assert sorted(summary.plausibility) == [1, 2, 3, 4, 5, 6]
    walk = summary.plausibility_original
    assert 0 <= walk.foot_skating < 1 and walk.jitter_m_s3 > 0 and walk.penetration_mm == 0.0
    report = summary.to_json()["plausibility"]
    assert set(report["layers"]["6"]) == {"foot_skating", "jitter_m_s3", "penetration_mm", "floating_mm"}
    assert "foot skating" in summary.table() and "| original |" in summary.markdown()


def test_the_summary_adds_the_clips_up_frame_weighted(dataset) -> None:
    rows = dataset.rows
    total = sum((r.plausibility_original for r in rows[1:]), rows[0].plausibility_original)
    assert dataset.summary.plausibility_original == total
    assert dataset.summary.plausibility[6] == rows[0].plausibility[-1] + rows[1].plausibility[-1]


def test_each_clip_row_carries_its_figures_for_the_dataset_dock(dataset) -> None:
    row = dataset.rows[0]
    assert len(row.plausibility) == 6
    assert row.foot_skating == row.plausibility[-1].foot_skating
    assert row.jitter_m_s3 == row.plausibility[-1].jitter_m_s3
    assert len(row.to_json()["plausibility"]["layers"]) == 6


def test_the_original_is_measured_as_the_module_measures_a_clip(punch) -> None:
    clip, _ = punch
    truth = clip.joint_positions()
    feet = plausibility.find_feet(clip.skeleton)
    expected = plausibility.measure(truth, clip.fps, feet, plausibility.floor_height(truth, feet))
    assert evaluate_clip(load_checkpoint(DEMO_CHECKPOINT), clip).plausibility_original == expected


def test_feet_outside_the_measured_joints_are_not_the_tokenizers_to_judge(punch) -> None:
    clip, _ = punch
    upper = np.array(
        [
            i
            for i, n in enumerate(clip.skeleton.joint_names)
            if "Leg" not in n and "Foot" not in n and "Toe" not in n
        ]
    )
    judged = plausibility_judge(clip.skeleton, clip.fps, clip.joint_positions(), upper)(
        clip.joint_positions()
    )
    assert judged.foot_skating is None and judged.jitter_m_s3 > 0


def test_the_strips_per_frame_curves_average_to_evals_figures(punch) -> None:
    clip, recon = punch
    figures = evaluate_clip(recon.ckpt, clip)
    jitter = clip_analysis.frame_errors(recon, 6, "jitter")
    assert np.isnan(jitter[[0, -2, -1]]).all()
    assert np.nanmean(jitter) == pytest.approx(figures.plausibility[6].jitter_m_s3, rel=1e-3)
    skate = clip_analysis.frame_errors(recon, 6, "foot_skate")
    assert np.mean(skate[1:] > 0) == pytest.approx(figures.plausibility[6].foot_skating)
    original = clip_analysis.original_frame_values(recon, "jitter")
    assert np.nanmean(original) == pytest.approx(figures.plausibility_original.jitter_m_s3, rel=1e-5)
    series = clip_analysis.frame_series(recon, 6, "jitter")
    assert series.unit == "m/s³" and len(series.worst) == 5


def test_the_report_shows_plausibility_per_layer_and_per_clip(dataset) -> None:
    html = report_html(dataset)
    assert "<h2>Physical plausibility</h2>" in html and "jitter m/s³, original &rarr; reconstructed" in html
