"""The training objective: the seed documents' reconstruction + velocity + commitment, and an optional
joint-position term that measures errors where they are seen, after forward kinematics."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from core.features.representation import Normalizer, Representation, window_joint_positions
from core.motion.skeleton import Skeleton


@dataclass
class LossTerms:
    """The weighted sum ``loss`` that is minimised, and the unweighted terms it sums."""

    loss: torch.Tensor
    reconstruction: torch.Tensor
    velocity: torch.Tensor
    commitment: torch.Tensor
    position: torch.Tensor


class PositionLoss:
    """Joint errors in metres after forward kinematics: the pose's plus, with root channels, the path's.

    A feature loss weighs every 6D channel alike, yet a hip or shoulder error moves a whole limb
    while a wrist error moves a hand: the pose term (mean distance of root-relative joints) weighs
    rotations by what they displace. With root channels the path term (mean distance of the root,
    its path integrated from the window's first frame) counts a speed error as the drift it becomes.
    Kept as two terms so a drifting root does not swamp the gradient of the pose.
    """

    def __init__(self, representation: Representation, skeleton: Skeleton, normalizer: Normalizer) -> None:
        self.representation = representation
        self.skeleton = skeleton
        self.normalizer = normalizer
        self._offsets: dict[torch.device, torch.Tensor] = {}

    def __call__(self, reconstruction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        device = reconstruction.device
        if device not in self._offsets:  # copied to the device once, not every step
            self._offsets[device] = torch.as_tensor(self.skeleton.offsets, dtype=torch.float32, device=device)

        def positions(features: torch.Tensor) -> torch.Tensor:
            denormalized = self.normalizer.denormalize_tensor(features.float())
            return window_joint_positions(
                denormalized, self.representation, self.skeleton, self._offsets[device]
            )

        with torch.autocast(device_type=reconstruction.device.type, enabled=False):
            with torch.no_grad():
                true = positions(target)
            pred = positions(reconstruction)
            pose = (pred - pred[..., :1, :]) - (true - true[..., :1, :])
            path = pred[..., 0, :] - true[..., 0, :]
            return (
                torch.linalg.vector_norm(pose, dim=-1).mean() + torch.linalg.vector_norm(path, dim=-1).mean()
            )


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
    velocity = (
        F.smooth_l1_loss(
            (reconstruction[:, 1:] - reconstruction[:, :-1]).float(),
            (target[:, 1:] - target[:, :-1]).float(),
        )
        if target.shape[1] > 1
        else torch.zeros((), device=recon.device)  # one frame has no velocity (the mean of none is NaN)
    )
    loss = recon + velocity_weight * velocity + commit_weight * commit_loss
    position = torch.zeros((), device=recon.device)
    if position_loss is not None and position_weight > 0:
        position = position_loss(reconstruction, target)
        loss = loss + position_weight * position
    return LossTerms(
        loss=loss, reconstruction=recon, velocity=velocity, commitment=commit_loss, position=position
    )
