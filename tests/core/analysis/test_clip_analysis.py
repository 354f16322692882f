"""Where one clip's reconstruction fails: per-frame, per-joint, per-layer and per-code figures, on a
held-out Bandai take through the demo checkpoint."""

from __future__ import annotations

import numpy as np
import pytest

from core.analysis import clip_analysis, metrics
from core.analysis.reconstruction import Reconstruction
from core.formats import load_motion
from core.model.checkpoint import load_checkpoint
from core.tokens.codec import fit_clip, tokenize
from tests.helpers.paths import DEMO_CHECKPOINT

HELD_OUT = "bandai/dataset-1/dataset-1_punch_normal_001.bvh"


@pytest.fixture(scope="module")
def recon(data_dir) -> Reconstruction:
    ckpt = load_checkpoint(DEMO_CHECKPOINT)
    clip = fit_clip(ckpt, load_motion(data_dir / HELD_OUT))
    return Reconstruction(ckpt, clip, tokenize(ckpt, clip))


def test_frame_mpjpe_per_level_averages_to_the_clip_mpjpe(recon):
    levels = clip_analysis.frame_errors_by_level(recon, "mpjpe", aligned=True)
    assert levels.shape == (recon.num_quantizers, recon.num_frames)
    for k in range(1, recon.num_quantizers + 1):
        assert levels[k - 1].mean() == pytest.approx(recon.mpjpe_mm(k, aligned=True), rel=1e-5)


def test_per_frame_velocity_error_averages_to_the_evaluation_figure(recon):
    k, joints = recon.num_quantizers, recon.measured_joints
    per_frame = clip_analysis.frame_errors(recon, k, "velocity", aligned=False)
    assert np.isnan(per_frame[0]) and np.isfinite(per_frame[1:]).all()
    expected = metrics.velocity_error_mm(recon.positions(k)[:, joints], recon.original_positions[:, joints])
    assert np.nanmean(per_frame) == pytest.approx(expected, rel=1e-5)


def test_per_frame_acceleration_error_is_centred_and_averages_to_the_evaluation_figure(recon):
    k, joints = 2, recon.measured_joints
    per_frame = clip_analysis.frame_errors(recon, k, "accel", aligned=False)
    assert np.isnan(per_frame[[0, -1]]).all() and np.isfinite(per_frame[1:-1]).all()
    expected = metrics.accel_error_mm(recon.positions(k)[:, joints], recon.original_positions[:, joints])
    assert np.nanmean(per_frame) == pytest.approx(expected, rel=1e-5)


def test_an_unknown_frame_metric_is_refused(recon):
    with pytest.raises(ValueError, match="mpjpe, velocity, accel"):
        clip_analysis.frame_errors(recon, 1, "jerk")


def test_worst_frames_are_the_highest_worst_first_and_kept_apart():
    values = np.array([1.0, 9.0, 8.5, np.nan, 2.0, 7.0, 0.5, 6.0])
    assert list(clip_analysis.worst_frames(values, n=3, min_spacing=1)) == [1, 2, 5]
    assert list(clip_analysis.worst_frames(values, n=3, min_spacing=2)) == [1, 5, 7]
    assert list(clip_analysis.worst_frames(values, n=10, min_spacing=1)) == [1, 2, 5, 7, 4, 0, 6]


def test_the_worst_frame_of_a_clip_is_its_highest_error(recon):
    values = clip_analysis.frame_errors(recon, recon.num_quantizers)
    worst = clip_analysis.worst_frames(values, n=5, min_spacing=recon.factor * 2)
    assert worst[0] == int(np.argmax(values))
    assert np.all(np.abs(np.diff(np.sort(worst))) >= recon.factor * 2)


def test_joint_errors_are_named_and_sorted_worst_first_at_the_frame(recon):
    k, frame = recon.num_quantizers, recon.num_frames // 3
    rows = clip_analysis.joint_errors(recon, k, frame)
    errors = 1000.0 * recon.joint_errors(k, aligned=True)
    assert [r.frame_mm for r in rows] == sorted((r.frame_mm for r in rows), reverse=True)
    assert sorted(r.joint for r in rows) == sorted(recon.measured_joints.tolist())
    for r in rows:
        assert r.name == recon.skeleton.joint_names[r.joint]
        assert r.frame_mm == pytest.approx(errors[frame, r.joint], rel=1e-5)
        assert r.clip_mm == pytest.approx(errors[:, r.joint].mean(), rel=1e-5)


def test_the_layer_table_has_both_errors_for_every_number_of_layers(recon):
    table = clip_analysis.layer_table(recon)
    assert [row.layers for row in table] == list(range(1, recon.num_quantizers + 1))
    for row in table:
        assert row.aligned_mm == pytest.approx(recon.mpjpe_mm(row.layers, aligned=True))
        assert row.global_mm == pytest.approx(recon.mpjpe_mm(row.layers, aligned=False))


def test_codebook_usage_counts_every_step_and_names_the_dead_codes(recon):
    nb_code = recon.ckpt.config.nb_code
    usage = clip_analysis.codebook_usage(recon.indices, nb_code)
    assert len(usage) == recon.num_quantizers
    for layer, u in enumerate(usage):
        column = recon.indices[:, layer]
        assert u.counts.sum() == recon.num_steps
        assert set(u.dead.tolist()) == set(range(nb_code)) - set(column.tolist())
        assert u.used == len(np.unique(column))
        assert 1.0 <= u.perplexity <= u.used


def test_codebook_usage_of_several_grids_adds_their_counts(recon):
    nb_code = recon.ckpt.config.nb_code
    one = clip_analysis.codebook_usage(recon.indices, nb_code)
    two = clip_analysis.codebook_usage([recon.indices, recon.indices[:10]], nb_code)
    extra = clip_analysis.codebook_usage(recon.indices[:10], nb_code)
    for a, b, c in zip(one, two, extra, strict=True):
        np.testing.assert_array_equal(b.counts, a.counts + c.counts)


def test_perplexity_is_the_number_of_equally_used_codes():
    assert metrics.perplexity(np.array([5, 5, 5, 5, 0])) == pytest.approx(4.0)
    assert metrics.perplexity(np.array([7, 0, 0])) == pytest.approx(1.0)
    assert metrics.perplexity(np.zeros(3)) == pytest.approx(1.0)


def test_the_codebook_map_keeps_the_two_widest_directions(recon):
    book = recon.ckpt.model.quantizer.codebooks[0].detach().float().numpy()
    xy, ratio = clip_analysis.codebook_map(recon, 0)
    assert xy.shape == (recon.ckpt.config.nb_code, 2)
    total = ((book - book.mean(0)) ** 2).sum()
    np.testing.assert_allclose((xy**2).sum(0) / total, ratio, rtol=1e-4)
    assert ratio[0] >= ratio[1] > 0 and ratio.sum() <= 1.0


def test_a_plane_in_many_dimensions_maps_without_distortion():
    rng = np.random.default_rng(0)
    plane = rng.normal(size=(40, 2)) * [3.0, 1.0]
    rotation, _ = np.linalg.qr(rng.normal(size=(8, 8)))
    xy, ratio = clip_analysis.pca_2d(np.c_[plane, np.zeros((40, 6))] @ rotation + 5.0)
    distances = np.linalg.norm(plane[:, None] - plane[None], axis=-1)
    np.testing.assert_allclose(np.linalg.norm(xy[:, None] - xy[None], axis=-1), distances, atol=1e-9)
    assert ratio.sum() == pytest.approx(1.0)


def test_code_steps_are_every_occurrence_of_a_code(recon):
    code = int(recon.indices[0, 1])
    steps = clip_analysis.code_steps(recon.indices, 1, code)
    assert (recon.indices[steps, 1] == code).all()
    assert len(steps) == recon.code_count(1, code)


def test_joint_errors_can_be_sorted_by_the_clip_mean(recon):
    rows = clip_analysis.joint_errors(recon, 1, 0, by="clip")
    assert [r.clip_mm for r in rows] == sorted((r.clip_mm for r in rows), reverse=True)


def test_a_frame_series_carries_its_mean_worst_frames_and_every_level(recon):
    k = recon.num_quantizers
    series = clip_analysis.frame_series(recon, k, "mpjpe", aligned=True, every_level=True)
    assert series.mean == pytest.approx(recon.mpjpe_mm(k, aligned=True), rel=1e-5)
    assert series.worst[0] == int(np.argmax(series.values)) and len(series.worst) == 5
    assert series.levels.shape == (k, recon.num_frames)
    np.testing.assert_allclose(series.levels[k - 1], series.values)
    assert series.unit == "mm"
    assert clip_analysis.frame_series(recon, k, "accel").unit == "mm/frame²"


def test_levels_still_decoding_are_left_out_not_decoded_on_the_spot(recon):
    partial = Reconstruction(recon.ckpt, recon.motion, np.array(recon.indices), levels=[2])
    assert clip_analysis.ready_levels(partial) == [2]
    table = clip_analysis.layer_table(partial)
    assert np.isnan(table[0].aligned_mm) and table[1].aligned_mm == pytest.approx(recon.mpjpe_mm(2, True))
    levels = clip_analysis.frame_errors_by_level(partial)
    assert np.isnan(levels[0]).all() and np.isfinite(levels[1]).all()
    assert partial.missing_levels == [k for k in range(1, recon.num_quantizers + 1) if k != 2]
