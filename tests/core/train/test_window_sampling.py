"""Where training windows start in their clips. "starts" (every start inside a clip once: what runs
made before the setting did, so they resume exactly) trains a clip's first and last frames in one window
where its middle frames are in 64; "frames" trains every frame in at least as many windows as a middle one."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core.train.config import TrainConfig, preset
from core.train.dataset import WindowSampler, window_starts


def _coverage(frames: int, window: int, sampling: str) -> np.ndarray:
    """How many of a clip's windows hold each of its frames."""
    covered = np.zeros(frames, dtype=int)
    for start in window_starts(frames, window, sampling):
        covered[start : start + window] += 1
    return covered


def test_starts_trains_a_clips_ends_in_one_window_each():
    covered = _coverage(200, 64, "starts")
    assert covered[0] == covered[-1] == 1 and covered.max() == 64


@pytest.mark.parametrize("frames", [64, 65, 120, 500])
def test_frames_trains_every_frame_in_at_least_a_windows_worth(frames):
    covered = _coverage(frames, 64, "frames")
    assert covered.min() >= 64 and covered[0] >= 64 and covered[-1] >= 64


def test_frames_keeps_every_window_inside_its_clip():
    starts = window_starts(120, 64, "frames")
    assert starts.min() == 0 and starts.max() == 120 - 64 and len(starts) == 120 + 64 - 1


def test_an_unknown_sampling_is_refused():
    with pytest.raises(ValueError, match="window_sampling must be one of starts, frames"):
        TrainConfig(window_sampling="middle")


def test_a_run_made_before_the_setting_resumes_with_its_own_sampling():
    data = preset("small").to_dict()
    del data["window_sampling"]
    assert TrainConfig.from_dict(data).window_sampling == "starts"


def test_the_sampler_draws_clip_starts_as_often_as_any_frame():
    clips = [np.arange(100, dtype=np.float32)[:, None] + 1000 * k for k in range(3)]
    sampler = WindowSampler(
        np.concatenate(clips), [100] * 3, 16, torch.device("cpu"), seed=0, sampling="frames"
    )
    first = sampler.sample(20_000)[:, 0, 0].numpy()
    share = np.isin(first, [0, 1000, 2000]).mean()  # windows that hold a clip's first frame
    assert share == pytest.approx(16 / (100 + 15), rel=0.1)


def test_the_small_preset_trains_clip_ends_and_the_seed_preset_keeps_the_documents_sampling():
    assert preset("small").window_sampling == "frames" and preset("seed").window_sampling == "starts"
