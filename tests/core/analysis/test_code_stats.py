"""Per-code statistics gathered clip by clip (core.analysis.code_stats): counts, the motion summary
kept as running moments, and a bounded, seeded sample of occurrences."""

from __future__ import annotations

import numpy as np

from core.analysis.code_stats import CodeStatistics

NB_CODE, FRAMES, JOINTS = 6, 5, 3
STEP = slice(1, 3)


def _stats(per_code: int = 4, seed: int = 0) -> CodeStatistics:
    return CodeStatistics(0, NB_CODE, (FRAMES, JOINTS), STEP, per_code, seed)


def _clips(n: int, steps: int = 40, seed: int = 1) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(seed)
    return [
        (rng.integers(0, NB_CODE - 1, steps), rng.normal(size=(steps, FRAMES, JOINTS, 3))) for _ in range(n)
    ]


def test_counts_and_clip_counts_are_those_of_the_codes_given():
    stats, clips = _stats(), _clips(5)
    for i, (codes, windows) in enumerate(clips):
        stats.add_clip(i, codes, windows, np.ones(len(codes), dtype=bool))
    every = np.concatenate([codes for codes, _ in clips])
    assert stats.counts.tolist() == np.bincount(every, minlength=NB_CODE).tolist()
    in_clips = sum((np.bincount(codes, minlength=NB_CODE) > 0).astype(int) for codes, _ in clips)
    assert stats.clips.tolist() == in_clips.tolist()
    assert stats.counts[NB_CODE - 1] == 0  # never given: a dead code


def test_the_sample_never_holds_more_than_per_code_occurrences_and_fills_up_to_it():
    stats, clips = _stats(per_code=4), _clips(30)
    for i, (codes, windows) in enumerate(clips):
        stats.add_clip(i, codes, windows, np.ones(len(codes), dtype=bool))
    for code in range(NB_CODE):
        sampled_clips, steps, windows = stats.sample(code)
        assert len(sampled_clips) == min(4, stats.counts[code])
        assert windows.shape == (len(sampled_clips), FRAMES, JOINTS, 3)
        for clip, step in zip(sampled_clips, steps, strict=True):
            assert clips[clip][0][step] == code  # a real occurrence of this code
    assert stats.sample_windows.shape == (NB_CODE, 4, FRAMES, JOINTS, 3)  # allocated once, whatever came


def test_a_sampled_window_is_the_window_of_that_occurrence():
    stats, clips = _stats(), _clips(3)
    for i, (codes, windows) in enumerate(clips):
        stats.add_clip(i, codes, windows, np.ones(len(codes), dtype=bool))
    sampled_clips, steps, windows = stats.sample(0)
    for clip, step, window in zip(sampled_clips, steps, windows, strict=True):
        np.testing.assert_allclose(window, clips[clip][1][step], atol=2e-3)  # kept as float16


def test_the_sample_depends_on_the_seed_and_the_occurrences_not_the_order_they_come_in():
    clips = _clips(12)
    forward, backward, other_seed = _stats(seed=3), _stats(seed=3), _stats(seed=4)
    for i in range(12):
        forward.add_clip(i, clips[i][0], clips[i][1], np.ones(40, dtype=bool))
        other_seed.add_clip(i, clips[i][0], clips[i][1], np.ones(40, dtype=bool))
    for i in reversed(range(12)):
        backward.add_clip(i, clips[i][0], clips[i][1], np.ones(40, dtype=bool))
    for code in range(NB_CODE - 1):
        a, b = forward.sample(code), backward.sample(code)
        assert (a[0].tolist(), a[1].tolist()) == (b[0].tolist(), b[1].tolist())
    assert any(forward.sample(code)[1].tolist() != other_seed.sample(code)[1].tolist() for code in range(5))


def test_every_occurrence_is_sampled_about_equally_often_over_seeds():
    codes = np.zeros(12, dtype=np.int64)
    windows = np.zeros((12, FRAMES, JOINTS, 3))
    picked = np.zeros(12)
    for seed in range(600):
        stats = _stats(per_code=3, seed=seed)
        stats.add_clip(0, codes[:6], windows[:6], np.ones(6, dtype=bool))
        stats.add_clip(1, codes[6:], windows[6:], np.ones(6, dtype=bool))
        clips, steps, _ = stats.sample(0)
        picked[clips * 6 + steps] += 1
    # 3 of 12 each time: 150 expected per occurrence, binomial sd about 10.6
    assert np.abs(picked - 150).max() < 50


def test_a_code_whose_occurrences_are_identical_windows_has_no_spread():
    stats = _stats()
    window = np.random.default_rng(5).normal(size=(FRAMES, JOINTS, 3))
    for clip in range(7):
        codes = np.array([2, 2, 2, 1])
        windows = np.stack([window, window, window, window + clip])  # code 1 differs between clips
        stats.add_clip(clip, codes, windows, np.ones(4, dtype=bool))
    spread = stats.spread_per_joint_mm()
    assert np.abs(spread[2]).max() < 1e-9
    assert spread[1].min() > 100.0
    np.testing.assert_allclose(stats.mean[2], window[STEP])


def test_running_mean_and_spread_equal_those_of_all_windows_at_once():
    stats, clips = _stats(), _clips(9)
    for i, (codes, windows) in enumerate(clips):
        stats.add_clip(i, codes, windows, np.ones(len(codes), dtype=bool))
    codes = np.concatenate([c for c, _ in clips])
    windows = np.concatenate([w for _, w in clips])[:, STEP]
    for code in range(NB_CODE - 1):
        mine = windows[codes == code]
        np.testing.assert_allclose(stats.mean[code], mine.mean(axis=0), atol=1e-12)
        rms = np.sqrt(mine.var(axis=0).sum(axis=-1).mean(axis=0))
        np.testing.assert_allclose(stats.spread_per_joint_mm()[code], 1000.0 * rms, rtol=1e-10)


def test_steps_cut_short_by_the_clip_end_are_counted_but_not_averaged():
    stats = _stats()
    windows = np.zeros((3, FRAMES, JOINTS, 3))
    windows[2] = 50.0  # the held last frame of a short step would pull the mean
    stats.add_clip(0, np.array([1, 1, 1]), windows, np.array([True, True, False]))
    assert stats.counts[1] == 3 and stats.summarised[1] == 2
    assert np.abs(stats.mean[1]).max() == 0.0
    assert np.isnan(stats.spread_per_joint_mm()[0]).all()  # never summarised
