"""The training objective: the seed documents' reconstruction + velocity + commitment, an optional
weighted root term (Motion-S: the leading root channels count extra), and an optional joint-position
term that measures errors where they are seen, after forward kinematics.

Every term takes an optional ``(B, T)`` bool mask of real frames, for batches of clips padded to one
length: each is then averaged over real frames only (a velocity over pairs of real frames), so
padding reaches neither the loss nor the gradients."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from core.features.representation import Normalizer
from core.features.rot6d import Rot6D
from core.motion.skeleton import Skeleton


@dataclass
class LossTerms:
    """The weighted sum ``loss`` that is minimised, and the unweighted terms it sums."""

    loss: torch.Tensor
    reconstruction: torch.Tensor
    velocity: torch.Tensor
    commitment: torch.Tensor
    position: torch.Tensor
    root: torch.Tensor
    """SmoothL1 on the leading ``root_dims`` channels (0 when its weight is)."""


class PositionLoss:
    """Joint errors in metres after forward kinematics: the pose's plus, with root channels, the path's.

    A feature loss weighs every 6D channel alike, yet a hip or shoulder error moves a whole limb
    while a wrist error moves a hand: the pose term (mean distance of root-relative joints) weighs
    rotations by what they displace. With root channels the path term (mean distance of the root,
    its path integrated from the window's first frame) counts a speed error as the drift it becomes.
    Kept as two terms so a drifting root does not swamp the gradient of the pose.
    """

    def __init__(self, representation: Rot6D, skeleton: Skeleton, normalizer: Normalizer) -> None:
        self.representation = representation
        self.skeleton = skeleton
        self.normalizer = normalizer
        self._offsets: dict[torch.device, torch.Tensor] = {}

    def __call__(
        self, reconstruction: torch.Tensor, target: torch.Tensor, mask: torch.Tensor | None = None
    ) -> torch.Tensor:
        device = reconstruction.device
        if device not in self._offsets:  # copied to the device once, not every step
            self._offsets[device] = torch.as_tensor(self.skeleton.offsets, dtype=torch.float32, device=device)

        def positions(features: torch.Tensor) -> torch.Tensor:
            denormalized = self.normalizer.denormalize_tensor(features.float())
            return self.representation.window_positions(denormalized, self.skeleton, self._offsets[device])

        with torch.autocast(device_type=reconstruction.device.type, enabled=False):
            with torch.no_grad():
                true = positions(target)
            pred = positions(reconstruction)
            pose = (pred - pred[..., :1, :]) - (true - true[..., :1, :])
            path = pred[..., 0, :] - true[..., 0, :]
            return _mean(torch.linalg.vector_norm(pose, dim=-1), mask) + _mean(
                torch.linalg.vector_norm(path, dim=-1), mask
            )


def _mean(values: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
    """Mean of ``(B, T, ...)`` values, over the frames ``mask`` ``(B, T)`` marks real when given.

    ``torch.where`` rather than a product, so even a non-finite value in padding cannot leak in.
    """
    if mask is None:
        return values.mean()
    weight = mask.reshape(*mask.shape, *(1,) * (values.dim() - 2)).expand_as(values)
    return torch.where(weight, values, 0.0).sum() / weight.sum().clamp_min(1)


def _smooth_l1(pred: torch.Tensor, true: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
    if mask is None:
        return F.smooth_l1_loss(pred.float(), true.float())
    return _mean(F.smooth_l1_loss(pred.float(), true.float(), reduction="none"), mask)


def rvq_losses(
    reconstruction: torch.Tensor,
    target: torch.Tensor,
    commit_loss: torch.Tensor,
    velocity_weight: float,
    commit_weight: float,
    position_loss: PositionLoss | None = None,
    position_weight: float = 0.0,
    root_weight: float = 0.0,
    root_dims: int = 4,
    mask: torch.Tensor | None = None,
) -> LossTerms:
    """SmoothL1 on features, SmoothL1 on their frame-to-frame differences, weighted commitment,
    ``root_weight`` x SmoothL1 on the first ``root_dims`` channels (HumanML3D's root: rotation velocity,
    ground velocity x/z, height), and ``position_weight`` x :class:`PositionLoss` when one is given.
    Terms whose weight is 0 are reported as 0. ``mask`` ``(B, T)`` marks real frames (module docstring)."""
    zero = torch.zeros((), device=reconstruction.device)
    recon = _smooth_l1(reconstruction, target, mask)
    velocity = (
        _smooth_l1(
            reconstruction[:, 1:] - reconstruction[:, :-1],
            target[:, 1:] - target[:, :-1],
            None if mask is None else mask[:, 1:] & mask[:, :-1],
        )
        if target.shape[1] > 1
        else zero  # one frame has no velocity (the mean of none is NaN)
    )
    loss = recon + velocity_weight * velocity + commit_weight * commit_loss
    root = zero
    if root_weight > 0:
        root = _smooth_l1(reconstruction[..., :root_dims], target[..., :root_dims], mask)
        loss = loss + root_weight * root
    position = zero
    if position_loss is not None and position_weight > 0:
        position = position_loss(reconstruction, target, mask)
        loss = loss + position_weight * position
    return LossTerms(
        loss=loss,
        reconstruction=recon,
        velocity=velocity,
        commitment=commit_loss,
        position=position,
        root=root,
    )
