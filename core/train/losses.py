"""The training objective of the seed documents: reconstruction + velocity + commitment."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F


@dataclass
class LossTerms:
    total: torch.Tensor
    reconstruction: torch.Tensor
    velocity: torch.Tensor
    commitment: torch.Tensor


def rvq_losses(
    reconstruction: torch.Tensor,
    target: torch.Tensor,
    commit_loss: torch.Tensor,
    velocity_weight: float,
    commit_weight: float,
) -> LossTerms:
    """SmoothL1 on features, SmoothL1 on their frame-to-frame differences, weighted commitment."""
    recon = F.smooth_l1_loss(reconstruction.float(), target.float())
    velocity = F.smooth_l1_loss(
        (reconstruction[:, 1:] - reconstruction[:, :-1]).float(), (target[:, 1:] - target[:, :-1]).float()
    )
    total = recon + velocity_weight * velocity + commit_weight * commit_loss
    return LossTerms(total=total, reconstruction=recon, velocity=velocity, commitment=commit_loss)
