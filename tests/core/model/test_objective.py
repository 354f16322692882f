"""The training objective: feature terms of the seed documents and the optional joint-position term."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core.features.representation import Normalizer
from core.features.rot6d import Rot6D
from core.formats import load_motion
from core.model.objective import PositionLoss, rvq_losses


@pytest.fixture(scope="module")
def walk(data_dir):
    """Two normalised 32-frame windows of a real walk and the position loss that reads them."""
    motion = load_motion(data_dir / "bandai" / "dataset-1" / "dataset-1_walk_normal_001.bvh")
    rep = Rot6D(num_joints=motion.skeleton.num_joints, root_channels=True)
    features = rep.features(motion)
    norm = Normalizer.fit([features])
    windows = torch.from_numpy(np.stack([norm.normalize(features[i : i + 32]) for i in (0, 60)]))
    return windows, PositionLoss(rep, motion.skeleton, norm)


def test_position_loss_is_zero_for_a_perfect_reconstruction(walk):
    windows, loss = walk
    assert loss(windows, windows).item() == pytest.approx(0.0, abs=1e-6)


def test_position_loss_is_in_metres_of_joint_displacement(walk):
    windows, loss = walk
    shifted = windows.clone()
    std_y = loss.normalizer.std[-1]
    shifted[..., -1] += 0.05 / std_y
    assert loss(shifted, windows).item() == pytest.approx(0.05, rel=1e-4)


def test_a_root_speed_error_grows_along_the_window_as_drift(walk):
    windows, loss = walk
    faster = windows.clone()
    faster[..., -3] += 0.001 / loss.normalizer.std[-3]
    assert loss(faster, windows).item() == pytest.approx(0.001 * 31 / 2, rel=1e-3)


def test_pose_and_path_errors_add_up_instead_of_masking_each_other(walk):
    windows, loss = walk
    lifted, bent = windows.clone(), windows.clone()
    lifted[..., -1] += 0.05 / loss.normalizer.std[-1]
    bent[..., 6 * 8 : 6 * 8 + 6] += 0.5  # the left elbow's 6D channels
    both = bent.clone()
    both[..., -1] = lifted[..., -1]
    assert loss(both, windows).item() == pytest.approx(
        loss(lifted, windows).item() + loss(bent, windows).item(), rel=1e-5
    )


def test_position_gradients_reach_every_rotation_channel_that_moves_a_joint(walk):
    windows, loss = walk
    torch.manual_seed(0)
    noisy = (windows + 0.1 * torch.randn_like(windows)).requires_grad_()
    loss(noisy, windows).backward()
    per_joint = noisy.grad[..., : 22 * 6].abs().sum(dim=(0, 1)).reshape(22, 6).sum(1)
    moved_by = set(loss.skeleton.parents[1:].tolist())
    assert all(per_joint[j] > 0 for j in moved_by)
    assert torch.isfinite(noisy.grad).all()


def test_without_a_position_weight_the_seed_objective_is_unchanged(walk):
    windows, loss = walk
    noisy = windows + 0.1
    plain = rvq_losses(noisy, windows, torch.tensor(0.5), 0.5, 0.02)
    off = rvq_losses(noisy, windows, torch.tensor(0.5), 0.5, 0.02, loss, 0.0)
    assert plain.position.item() == off.position.item() == 0.0
    assert off.loss.item() == pytest.approx(
        plain.reconstruction.item() + 0.5 * plain.velocity.item() + 0.02 * 0.5
    )


def test_the_position_term_is_added_with_its_weight(walk):
    windows, loss = walk
    noisy = windows + 0.1
    plain = rvq_losses(noisy, windows, torch.tensor(0.5), 0.5, 0.02)
    weighted = rvq_losses(noisy, windows, torch.tensor(0.5), 0.5, 0.02, loss, 2.0)
    assert weighted.position.item() > 0
    assert weighted.loss.item() == pytest.approx(plain.loss.item() + 2.0 * weighted.position.item(), rel=1e-6)
