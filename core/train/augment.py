"""Random heading for training windows: the same motion, facing another way.

The features hold the root's orientation and ground displacement in the world frame, so a model
trained on clips that all start facing one way learns poses only at the headings those clips happen
to reach, and reconstructs a clip that faces elsewhere badly. Turning every window by a uniform random
angle about the vertical axis makes heading a variable the model must carry through, not a cue it can
memorise. Only the root's 6D rotation and (dx, dz) change; local joint rotations are heading-free.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

import numpy as np
import torch
from torch import Tensor

from core.representation import Normalizer, Representation


def turn_features(raw: Tensor, rep: Representation, cos: Tensor, sin: Tensor) -> Tensor:
    """Un-normalised features ``(..., D)`` turned about +y by the angles whose ``cos``/``sin`` broadcast
    against ``raw[..., :1]``: the root's world rotation ``G`` becomes ``Ry G`` (its first 6D row mixes
    with the third, rebuilt as a cross product; the second is unchanged) and (dx, dz) turn with it.
    The root is joint 0 (see :class:`core.skeleton.Skeleton`)."""
    out = raw.clone()
    rows = raw[..., :6].unflatten(-1, (2, 3))
    third = torch.linalg.cross(rows[..., 0, :], rows[..., 1, :])
    out[..., :3] = cos * rows[..., 0, :] + sin * third
    if rep.root_channels:
        dx, dz = raw[..., rep.dim - 3 : rep.dim - 2], raw[..., rep.dim - 2 : rep.dim - 1]
        out[..., rep.dim - 3 : rep.dim - 1] = torch.cat([cos * dx + sin * dz, cos * dz - sin * dx], dim=-1)
    return out


def heading_free_normalizer(raw_features: Sequence[np.ndarray], rep: Representation) -> Normalizer:
    """The normalisation of the clips as :class:`RandomHeading` shows them, at every heading.

    Fitted over each clip turned by 0, 90, 180 and 270 degrees, which is exact: turned features are
    linear in (cos, sin), and those four angles share the first and second moments of a uniform angle.
    Without this the root's rotation, nearly constant across clips that all start facing one way, gets
    a tiny std, and a turned window would reach normalised values in the hundreds.
    """
    quarter_turns = ((1.0, 0.0), (0.0, 1.0), (-1.0, 0.0), (0.0, -1.0))

    def turned() -> Iterator[np.ndarray]:
        for features in raw_features:
            raw = torch.from_numpy(np.asarray(features, dtype=np.float64))
            for cos, sin in quarter_turns:
                yield turn_features(raw, rep, torch.tensor(cos), torch.tensor(sin)).numpy()

    return Normalizer.fit(turned())


class RandomHeading:
    """Turns normalised feature windows ``(B, T, D)`` about +y, one uniform angle per window."""

    def __init__(self, rep: Representation, normalizer: Normalizer) -> None:
        self.rep = rep
        self.normalizer = normalizer

    def __call__(self, windows: Tensor, generator: torch.Generator) -> Tensor:
        angle = torch.rand(windows.shape[0], 1, 1, device=windows.device, generator=generator) * (2 * math.pi)
        raw = self.normalizer.denormalize_tensor(windows)
        return self.normalizer.normalize_tensor(
            turn_features(raw, self.rep, torch.cos(angle), torch.sin(angle))
        )
