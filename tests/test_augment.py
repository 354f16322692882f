"""Random heading: training windows turned about the vertical axis."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from core.formats import load_motion
from core.representation import Normalizer, Representation, motion_to_features, window_joint_positions
from core.train.augment import RandomHeading, heading_free_normalizer, turn_features


@pytest.fixture(scope="module")
def walk_left(data_dir):
    return load_motion(data_dir / "bandai" / "dataset-1" / "dataset-1_walk-left_happy_001.bvh")


@pytest.fixture(scope="module")
def rep(walk_left):
    return Representation(walk_left.skeleton.num_joints, root_channels=True)


def _yaw(angle: float) -> torch.Tensor:
    c, s = math.cos(angle), math.sin(angle)
    return torch.tensor([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]], dtype=torch.float64)


def test_a_turned_window_is_the_same_motion_rotated_about_the_vertical(walk_left, rep):
    raw = torch.from_numpy(motion_to_features(walk_left, rep)[:64]).double()[None]
    angle = torch.tensor(2.0, dtype=torch.float64)
    turned = turn_features(raw, rep, torch.cos(angle), torch.sin(angle))
    before = window_joint_positions(raw, rep, walk_left.skeleton)
    after = window_joint_positions(turned, rep, walk_left.skeleton)
    torch.testing.assert_close(after, before @ _yaw(2.0).T, atol=1e-9, rtol=0)


def test_turning_leaves_every_local_joint_rotation_alone(walk_left, rep):
    raw = torch.from_numpy(motion_to_features(walk_left, rep)).double()
    turned = turn_features(raw, rep, torch.tensor(0.6), torch.tensor(0.8))
    assert torch.equal(turned[:, 6 : rep.num_joints * 6], raw[:, 6 : rep.num_joints * 6])
    assert torch.equal(turned[:, -1], raw[:, -1])


def test_the_heading_free_normalisation_equals_statistics_over_evenly_spread_headings(walk_left, rep):
    raw = motion_to_features(walk_left, rep)
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
    raw = motion_to_features(walk_left, rep)
    normalizer = heading_free_normalizer([raw], rep)
    windows = torch.from_numpy(normalizer.normalize(raw)[:64])[None].repeat(32, 1, 1)
    turned = RandomHeading(rep, normalizer)(windows, torch.Generator().manual_seed(0))
    assert turned[..., :6].abs().max() < 5


def test_random_headings_are_drawn_from_the_given_generator(walk_left, rep):
    raw = motion_to_features(walk_left, rep)
    normalizer = heading_free_normalizer([raw], rep)
    heading = RandomHeading(rep, normalizer)
    windows = torch.from_numpy(normalizer.normalize(raw)[:64])[None].repeat(4, 1, 1)
    first = heading(windows, torch.Generator().manual_seed(3))
    again = heading(windows, torch.Generator().manual_seed(3))
    other = heading(windows, torch.Generator().manual_seed(4))
    assert torch.equal(first, again)
    assert not torch.allclose(first, other)
