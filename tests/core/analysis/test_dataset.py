"""Evaluation across a dataset, clip by clip (core.analysis.dataset), on the demo checkpoint and real
Bandai clips: the per-clip table, its summary (the one `rvq-motion eval` prints), skipped clips,
progress and stopping, and two checkpoints compared."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from core.analysis.dataset import (
    ClipRow,
    DatasetComparison,
    SkippedClip,
    compare_checkpoints,
    dataset_files,
    evaluate_dataset,
)
from core.analysis.evaluate import evaluate
from core.analysis.metrics import frame_weighted_mean
from core.formats import load_motion
from core.model.checkpoint import load_checkpoint
from core.progress import run_to_end
from tests.helpers.paths import BANDAI_THREE

CLIPS = BANDAI_THREE


@pytest.fixture(scope="module")
def files(data_dir) -> list[Path]:
    return [data_dir / "bandai" / "dataset-1" / name for name in CLIPS]


@pytest.fixture(scope="module")
def cmu_clip(data_dir) -> Path:
    """A 100-joint CMU rig: it does not fit the 22-joint demo checkpoint."""
    return min((data_dir / "cmu_iclone").rglob("*.bvh"), key=lambda f: f.stat().st_size)


@pytest.fixture(scope="module")
def result(demo, files, cmu_clip):
    return run_to_end(evaluate_dataset(demo, [files[0], cmu_clip, *files[1:]]))


def test_the_summary_is_what_evaluate_gives_for_the_same_clips(demo, files, result):
    direct = evaluate(demo, [load_motion(f) for f in files])
    assert result.summary == direct
    assert result.summary.table() == direct.table()


def test_each_clip_has_its_frames_and_root_aligned_mpjpe_for_every_number_of_layers(result, files):
    rows = {Path(r.path).name: r for r in result.rows}
    assert set(rows) == set(CLIPS)
    for name, row in rows.items():
        assert row.frames == load_motion(files[CLIPS.index(name)]).num_frames
        assert len(row.mpjpe_mm) == 6
        assert row.mpjpe_mm[0] > row.mpjpe_mm[-1] > 0  # more layers, closer to the clip


def test_the_clip_rows_weighted_by_frames_average_to_the_summary(result):
    frames = [r.frames for r in result.rows]
    for k, layer in result.summary.layers.items():
        per_clip = [r.mpjpe_mm[k - 1] for r in result.rows]
        assert frame_weighted_mean(per_clip, frames) == pytest.approx(layer.mpjpe_root_aligned_mm, rel=1e-9)
    globals_ = [r.global_mpjpe_mm for r in result.rows]
    assert frame_weighted_mean(globals_, frames) == pytest.approx(result.summary.layers[6].mpjpe_mm, rel=1e-9)


def test_a_frame_weighted_mean_leaves_out_clips_without_the_figure():
    assert frame_weighted_mean([10.0, math.nan, 40.0], [100, 50, 300]) == pytest.approx(32.5)
    assert math.isnan(frame_weighted_mean([math.nan], [10]))


def test_the_worst_frame_is_the_peak_of_the_clips_error_over_time(result):
    for row in result.rows:
        assert row.frame_mpjpe_mm.shape == (row.frames,)
        assert row.frame_mpjpe_mm.mean() == pytest.approx(row.full_mpjpe_mm, rel=1e-5)
        assert row.worst_frame == int(np.argmax(row.frame_mpjpe_mm))
        assert row.worst_frame_mm == row.frame_mpjpe_mm.max() > row.full_mpjpe_mm


def test_a_clip_on_another_skeleton_is_skipped_with_the_reason_and_the_rest_evaluated(result, cmu_clip):
    assert result.skipped == [SkippedClip(str(cmu_clip), result.skipped[0].reason)]
    assert "skeleton does not match" in result.skipped[0].reason
    assert len(result.rows) == result.summary.clips == 3


def test_progress_comes_once_per_clip_in_order(demo, files, cmu_clip):
    progress = list(evaluate_dataset(demo, [cmu_clip, files[0]]))
    assert [(p.done, p.total) for p in progress] == [(1, 2), (2, 2)]
    assert isinstance(progress[0].item, SkippedClip) and isinstance(progress[1].item, ClipRow)


def test_stopping_returns_the_clips_done_so_far_marked_incomplete(demo, files):
    work = evaluate_dataset(demo, files, should_stop=lambda: len(seen) == 1)
    seen: list = []
    result = run_to_end(work, seen.append)
    assert len(seen) == 1 and not result.complete
    assert [r.path for r in result.rows] == [str(files[0])] and result.summary.clips == 1


def test_a_split_file_keeps_only_the_clips_it_holds_out(data_dir, tmp_path, files):
    split = tmp_path / "split.json"
    split.write_text(json.dumps({"holdout": [CLIPS[1]]}))
    assert dataset_files([data_dir / "bandai" / "dataset-1"], split) == [files[1]]


def test_comparing_a_checkpoint_with_itself_finds_no_difference(demo, files):
    comparison = run_to_end(compare_checkpoints(demo, demo, files[:2]))
    assert [c.difference_mm for c in comparison.clips] == [0.0, 0.0]
    assert set(comparison.layer_differences_mm.values()) == {0.0}


def test_two_checkpoints_pair_clip_by_clip_with_b_minus_a_on_the_layers_both_have(
    demo, files, tiny_checkpoint
):
    tiny = load_checkpoint(tiny_checkpoint)
    progress = []
    comparison = run_to_end(compare_checkpoints(demo, tiny, files[:2]), progress.append)
    assert [(p.checkpoint, p.done, p.total) for p in progress] == [
        ("A", 1, 4),
        ("A", 2, 4),
        ("B", 3, 4),
        ("B", 4, 4),
    ]
    clip = comparison.clips[0]
    assert clip.difference_mm == clip.b.mpjpe_mm[2] - clip.a.mpjpe_mm[5]
    assert len(clip.layer_differences_mm) == 3  # the tiny model has 3 layers, the demo 6
    assert list(comparison.layer_differences_mm) == [1, 2, 3]
    assert "B - A" in comparison.table()


def test_a_comparison_differs_only_over_the_clips_both_checkpoints_evaluated(demo, files, tiny_checkpoint):
    a = run_to_end(evaluate_dataset(demo, files[:2]))
    b = run_to_end(evaluate_dataset(load_checkpoint(tiny_checkpoint), files[:1]))  # B lacks the second
    comparison = DatasetComparison(a, b)
    (clip,) = comparison.clips
    assert comparison.difference_mm == pytest.approx(clip.difference_mm)
    assert comparison.paired_mpjpe_mm(3) == pytest.approx((clip.a.mpjpe_mm[2], clip.b.mpjpe_mm[2]))
    assert comparison.layer_differences_mm[3] == pytest.approx(clip.b.mpjpe_mm[2] - clip.a.mpjpe_mm[2])


def test_a_comparison_without_a_clip_in_both_has_no_difference(demo, files):
    comparison = DatasetComparison(
        run_to_end(evaluate_dataset(demo, files[:1])), run_to_end(evaluate_dataset(demo, files[1:2]))
    )
    assert comparison.clips == [] and math.isnan(comparison.difference_mm)
    assert all(math.isnan(d) for d in comparison.layer_differences_mm.values())
