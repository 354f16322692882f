"""The training objective: the seed documents' reconstruction + velocity + commitment, and an optional
joint-position term that measures errors where they are seen, after forward kinematics."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from core.representation import Normalizer, Representation, window_joint_positions
from core.skeleton import Skeleton


@dataclass
class LossTerms:
    total: torch.Tensor
    reconstruction: torch.Tensor
    velocity: torch.Tensor
    commitment: torch.Tensor
    position: torch.Tensor


class PositionLoss:
    """Mean joint distance in metres between the FK of decoded and target windows.

    A feature loss weighs every 6D channel alike, yet a hip or shoulder error moves a whole limb
    while a wrist error moves a hand: this term weighs rotations by what they displace, and with root
    channels it also integrates the root path across the window, so a speed error counts as drift.
    """

    def __init__(self, representation: Representation, skeleton: Skeleton, normalizer: Normalizer) -> None:
        self.representation = representation
        self.skeleton = skeleton
        self.normalizer = normalizer

    def __call__(self, reconstruction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        def positions(features: torch.Tensor) -> torch.Tensor:
            denormalized = self.normalizer.denormalize_tensor(features.float())
            return window_joint_positions(denormalized, self.representation, self.skeleton)

        with torch.autocast(device_type=reconstruction.device.type, enabled=False):
            with torch.no_grad():
                true = positions(target)
            return torch.linalg.vector_norm(positions(reconstruction) - true, dim=-1).mean()


def rvq_losses(
    reconstruction: torch.Tensor,
    target: torch.Tensor,
    commit_loss: torch.Tensor,
    velocity_weight: float,
    commit_weight: float,
    position_loss: PositionLoss | None = None,
    position_weight: float = 0.0,
) -> LossTerms:
    """SmoothL1 on features, SmoothL1 on their frame-to-frame differences, weighted commitment, and
    ``position_weight`` x :class:`PositionLoss` when one is given (reported as 0 otherwise)."""
    recon = F.smooth_l1_loss(reconstruction.float(), target.float())
    velocity = F.smooth_l1_loss(
        (reconstruction[:, 1:] - reconstruction[:, :-1]).float(), (target[:, 1:] - target[:, :-1]).float()
    )
    total = recon + velocity_weight * velocity + commit_weight * commit_loss
    position = torch.zeros((), device=recon.device)
    if position_loss is not None and position_weight > 0:
        position = position_loss(reconstruction, target)
        total = total + position_weight * position
    return LossTerms(
        total=total, reconstruction=recon, velocity=velocity, commitment=commit_loss, position=position
    )
