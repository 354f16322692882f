"""Training-window augmentations: turned about the vertical axis, played at another speed."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from core.features.representation import Normalizer
from core.features.rot6d import Rot6D
from core.formats import load_motion
from core.train.augment import RandomHeading, RandomSpeed, heading_free_normalizer, turn_features
from core.train.dataset import WindowSampler


@pytest.fixture(scope="module")
def walk_left(data_dir):
    return load_motion(data_dir / "bandai" / "dataset-1" / "dataset-1_walk-left_happy_001.bvh")


@pytest.fixture(scope="module")
def rep(walk_left):
    return Rot6D(walk_left.skeleton.num_joints, root_channels=True)


def _yaw(angle: float) -> torch.Tensor:
    c, s = math.cos(angle), math.sin(angle)
    return torch.tensor([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]], dtype=torch.float64)


def test_a_turned_window_is_the_same_motion_rotated_about_the_vertical(walk_left, rep):
    raw = torch.from_numpy(rep.features(walk_left)[:64]).double()[None]
    angle = torch.tensor(2.0, dtype=torch.float64)
    turned = turn_features(raw, rep, torch.cos(angle), torch.sin(angle))
    before = rep.window_positions(raw, walk_left.skeleton)
    after = rep.window_positions(turned, walk_left.skeleton)
    torch.testing.assert_close(after, before @ _yaw(2.0).T, atol=1e-9, rtol=0)


def test_turning_leaves_every_local_joint_rotation_alone(walk_left, rep):
    raw = torch.from_numpy(rep.features(walk_left)).double()
    turned = turn_features(raw, rep, torch.tensor(0.6), torch.tensor(0.8))
    assert torch.equal(turned[:, 6 : rep.num_joints * 6], raw[:, 6 : rep.num_joints * 6])
    assert torch.equal(turned[:, -1], raw[:, -1])


def test_the_heading_free_normalisation_equals_statistics_over_evenly_spread_headings(walk_left, rep):
    raw = rep.features(walk_left)
    exact = heading_free_normalizer([raw], rep)
    angles = np.linspace(0, 2 * np.pi, 36, endpoint=False)
    spread = Normalizer.fit(
        turn_features(
            torch.from_numpy(raw).double(), rep, torch.tensor(np.cos(a)), torch.tensor(np.sin(a))
        ).numpy()
        for a in angles
    )
    np.testing.assert_allclose(exact.mean, spread.mean, atol=1e-6)
    np.testing.assert_allclose(exact.std, spread.std, rtol=1e-5)


def test_random_headings_keep_normalised_windows_in_the_usual_range(walk_left, rep):
    raw = rep.features(walk_left)
    normalizer = heading_free_normalizer([raw], rep)
    windows = torch.from_numpy(normalizer.normalize(raw)[:64])[None].repeat(32, 1, 1)
    turned = RandomHeading(rep, normalizer)(windows, torch.Generator().manual_seed(0))
    assert turned[..., :6].abs().max() < 5


def test_random_headings_are_drawn_from_the_given_generator(walk_left, rep):
    raw = rep.features(walk_left)
    normalizer = heading_free_normalizer([raw], rep)
    heading = RandomHeading(rep, normalizer)
    windows = torch.from_numpy(normalizer.normalize(raw)[:64])[None].repeat(4, 1, 1)
    first = heading(windows, torch.Generator().manual_seed(3))
    again = heading(windows, torch.Generator().manual_seed(3))
    other = heading(windows, torch.Generator().manual_seed(4))
    assert torch.equal(first, again)
    assert not torch.allclose(first, other)


def _ramp_clips(rep: Rot6D) -> list[np.ndarray]:
    """Two clips whose first column counts frames (from 0 and from 1000) and whose ground steps are 1."""
    clips = []
    for first, frames in ((0, 100), (1000, 70)):
        clip = np.zeros((frames, rep.dim), dtype=np.float32)
        clip[:, 0] = first + np.arange(frames)
        clip[:, rep.dim - 3 : rep.dim - 1] = 1.0
        clips.append(clip)
    return clips


def _speed_sampler(jitter: float, seed: int = 0) -> WindowSampler:
    rep = Rot6D(num_joints=1, root_channels=True)
    identity = Normalizer(mean=np.zeros(rep.dim, np.float32), std=np.ones(rep.dim, np.float32))
    speed = RandomSpeed(jitter, rep, identity)
    clips = _ramp_clips(rep)
    return WindowSampler(
        np.concatenate(clips), [len(c) for c in clips], 16, torch.device("cpu"), seed=seed, speed=speed
    )


def test_each_window_reads_its_clip_at_one_rate_within_the_jitter():
    windows = _speed_sampler(0.25).sample(400)
    rate = windows[:, 1:, 0] - windows[:, :-1, 0]
    torch.testing.assert_close(rate, rate[:, :1].expand_as(rate), atol=1e-3, rtol=0)
    assert rate.min() >= 1 / 1.25 - 1e-4 and rate.max() <= 1.25 + 1e-4
    assert rate.std() > 0.1, "rates spread over the range"


def test_a_window_at_a_random_speed_never_runs_past_its_clip():
    ramp = _speed_sampler(0.5).sample(2000)[..., 0]
    in_first = ramp.max(dim=1).values <= 99
    in_second = (ramp.min(dim=1).values >= 1000) & (ramp.max(dim=1).values <= 1069)
    assert bool((in_first | in_second).all())


def test_ground_steps_scale_with_the_rate_the_window_is_played_at():
    windows = _speed_sampler(0.25).sample(200)
    rate = windows[:, 1, 0] - windows[:, 0, 0]
    torch.testing.assert_close(windows[:, :, -3], rate[:, None].expand(-1, 16), atol=1e-4, rtol=0)
    torch.testing.assert_close(windows[:, :, -2], windows[:, :, -3])


def test_ground_steps_scale_in_raw_units_under_any_normalisation():
    rep = Rot6D(num_joints=1, root_channels=True)
    normalizer = Normalizer(
        mean=np.linspace(-1, 1, rep.dim, dtype=np.float32), std=np.linspace(0.5, 3, rep.dim, dtype=np.float32)
    )
    clips = [normalizer.normalize(c) for c in _ramp_clips(rep)]
    speed = RandomSpeed(0.25, rep, normalizer)
    lengths = [len(c) for c in clips]
    windows = WindowSampler(
        np.concatenate(clips), lengths, 16, torch.device("cpu"), seed=0, speed=speed
    ).sample(200)
    raw = normalizer.denormalize_tensor(windows)
    rate = raw[:, 1, 0] - raw[:, 0, 0]
    torch.testing.assert_close(raw[:, :, -3], rate[:, None].expand(-1, 16), atol=1e-4, rtol=0)
    torch.testing.assert_close(raw[:, :, -2], raw[:, :, -3])


def test_no_jitter_gives_the_plain_windows():
    clips = _ramp_clips(Rot6D(1, root_channels=True))
    plain = WindowSampler(np.concatenate(clips), [len(c) for c in clips], 16, torch.device("cpu"), seed=5)
    assert torch.equal(_speed_sampler(0.0, seed=5).sample(8), plain.sample(8))
