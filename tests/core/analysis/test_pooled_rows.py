"""Clips of an evaluation pooled into one row read what the evaluation's summary of them reads: all the
clips pooled give its own summary, plausibility included, and a subset is the summary of a run over it."""

from __future__ import annotations

import pytest

from core.analysis.dataset import evaluate_dataset
from core.analysis.pooled_rows import pooled
from core.progress import run_to_end
from tests.helpers.paths import BANDAI_THREE


@pytest.fixture(scope="module")
def files(data_dir):
    return [data_dir / "bandai" / "dataset-1" / name for name in BANDAI_THREE]


def test_every_clip_pooled_is_the_evaluations_own_summary(demo, files):
    result = run_to_end(evaluate_dataset(demo, files))
    row, summary = pooled(result.rows), result.summary
    assert row.frames == summary.frames
    for k, layer in summary.layers.items():
        assert row.mpjpe_mm[k - 1] == pytest.approx(layer.mpjpe_root_aligned_mm, rel=1e-9)
    assert row.global_mpjpe_mm == pytest.approx(summary.layers[max(summary.layers)].mpjpe_mm, rel=1e-9)
    assert row.plausibility[-1] == summary.plausibility[max(summary.plausibility)]
    assert row.plausibility_original == summary.plausibility_original


def test_some_clips_pooled_are_the_summary_of_an_evaluation_of_those_clips(demo, files):
    rows = run_to_end(evaluate_dataset(demo, files)).rows
    alone = run_to_end(evaluate_dataset(demo, files[:2])).summary
    row = pooled(rows[:2])
    assert row.mpjpe_mm[-1] == pytest.approx(alone.layers[max(alone.layers)].mpjpe_root_aligned_mm, rel=1e-6)
    assert row.plausibility[-1].foot_skating == alone.plausibility[max(alone.plausibility)].foot_skating
