"""Training-window augmentations: the same motion mirrored, facing another way, or played at another speed.

The features hold the root's orientation and ground displacement in the world frame, so a model
trained on clips that all start facing one way learns poses only at the headings those clips happen
to reach, and reconstructs a clip that faces elsewhere badly. Turning every window by a uniform random
angle about the vertical axis makes heading a variable the model must carry through, not a cue it can
memorise. Only the root's 6D rotation and (dx, dz) change; local joint rotations are heading-free.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator

import numpy as np
import torch
from torch import Tensor

from core.features.mirror import FeatureMirror
from core.features.representation import Normalizer
from core.features.rot6d import Rot6D


def turn_features(raw: Tensor, rep: Rot6D, cos: Tensor, sin: Tensor) -> Tensor:
    """Un-normalised features ``(..., D)`` turned about +y by the angles whose ``cos``/``sin`` broadcast
    against ``raw[..., :1]``: the root's world rotation ``G`` becomes ``Ry G`` (its first 6D row mixes
    with the third, rebuilt as a cross product; the second is unchanged) and (dx, dz) turn with it.
    The root is joint 0 (see :class:`core.motion.skeleton.Skeleton`)."""
    out = raw.clone()
    rows = raw[..., :6].unflatten(-1, (2, 3))
    third = torch.linalg.cross(rows[..., 0, :], rows[..., 1, :])
    out[..., :3] = cos * rows[..., 0, :] + sin * third
    if rep.root_channels:
        dx, dz = raw[..., rep.dim - 3 : rep.dim - 2], raw[..., rep.dim - 2 : rep.dim - 1]
        out[..., rep.dim - 3 : rep.dim - 1] = torch.cat([cos * dx + sin * dz, cos * dz - sin * dx], dim=-1)
    return out


def heading_free_normalizer(raw_features: Iterable[np.ndarray], rep: Rot6D) -> Normalizer:
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


class MirroredCopies:
    """Mirrored clips drawn at batch time instead of stored: the mirror of normalised windows.

    A mirror is ``raw[..., p] * s`` (:class:`core.features.mirror.FeatureMirror`); on normalised features
    it is ``x[..., p] * s * std[p] / std + (s * mean[p] - mean) / std``, so a window drawn from a clip
    and mirrored here equals the window of the stored mirrored clip, normalised, to float rounding
    (exactly the permutation with signs when the statistics were fitted to both sides, which share
    them). The samplers draw from twice as many windows or clips and mirror those from the second half.
    """

    def __init__(self, mirror: FeatureMirror, normalizer: Normalizer, device: torch.device) -> None:
        p = np.asarray(mirror.permutation)
        signs = np.asarray(mirror.signs, dtype=np.float64)
        mean, std = normalizer.mean.astype(np.float64), normalizer.std.astype(np.float64)
        self.permutation = torch.as_tensor(p, device=device)
        self.scale = torch.as_tensor(signs * std[p] / std, dtype=torch.float32, device=device)
        self.shift = torch.as_tensor((signs * mean[p] - mean) / std, dtype=torch.float32, device=device)

    def __call__(self, windows: Tensor, mirrored: Tensor) -> Tensor:
        """``windows`` (B, T, D) with those where ``mirrored`` (B,) is true mirrored."""
        flipped = windows[..., self.permutation] * self.scale + self.shift
        return torch.where(mirrored[:, None, None], flipped, windows)


class RandomHeading:
    """Turns normalised feature windows ``(B, T, D)`` about +y, one uniform angle per window."""

    def __init__(self, rep: Rot6D, normalizer: Normalizer) -> None:
        self.rep = rep
        self.normalizer = normalizer

    def __call__(self, windows: Tensor, generator: torch.Generator) -> Tensor:
        angle = torch.rand(windows.shape[0], 1, 1, device=windows.device, generator=generator) * (2 * math.pi)
        raw = self.normalizer.denormalize_tensor(windows)
        return self.normalizer.normalize_tensor(
            turn_features(raw, self.rep, torch.cos(angle), torch.sin(angle))
        )


class RandomSpeed:
    """Plays each window at a random speed: ``T`` output frames read a span of ``(T - 1) * rate + 1``
    clip frames, linearly interpolated, the rate log-uniform between ``1 / (1 + jitter)`` and
    ``1 + jitter``.

    Two takes of one motion differ in tempo among other things, and a small dataset holds few takes, so
    a model that sees each take at one tempo may learn that tempo (on Bandai it did not lower the held-out
    error at equal steps: docs/model.md). Only the root's per-frame ground steps change
    meaning with the rate (an output frame covers ``rate`` clip frames), so they are scaled by it.
    Adjacent 6D rotations are close enough at capture rates that interpolating them linearly stays
    within rounding of the rotation path.
    """

    def __init__(self, jitter: float, rep: Rot6D, normalizer: Normalizer) -> None:
        if jitter < 0:
            raise ValueError(f"speed jitter must be at least 0, got {jitter}")
        self.jitter = jitter
        self.rep = rep
        self._steps_columns = slice(rep.dim - 3, rep.dim - 1)
        self._steps_shift = (normalizer.mean / normalizer.std)[self._steps_columns].astype(np.float32)

    def rates(self, room: Tensor, window: int, generator: torch.Generator) -> Tensor:
        """One rate per window whose clip has ``room`` frames from its start on: drawn, then lowered
        where the span would run past the clip's end."""
        u = torch.rand(room.shape[0], device=room.device, generator=generator)
        rate = (1.0 + self.jitter) ** (2.0 * u - 1.0)
        return torch.minimum(rate, (room - 1).float() / max(window - 1, 1))

    def read(
        self, data: Tensor, start: Tensor, room: Tensor, steps: Tensor, generator: torch.Generator
    ) -> Tensor:
        """Windows ``(B, len(steps), D)`` of normalised ``data`` from each ``start``, at a rate drawn per
        window, the ground steps scaled to match. Interpolation weights come from the in-window offset,
        not the absolute frame: float32 spacing is 1/32 frame at 260k frames."""
        rate = self.rates(room, len(steps), generator)
        offset = rate[:, None] * steps
        before = start[:, None] + offset.floor().long()
        after = torch.minimum(before + 1, (start + room - 1)[:, None])
        weight = (offset - offset.floor())[..., None]
        windows = data[before] * (1 - weight) + data[after] * weight
        if self.rep.root_channels:
            # raw (dx, dz) times rate, in normalised units: x * rate + (rate - 1) * mean / std
            r = rate[:, None, None]
            shift = torch.as_tensor(self._steps_shift, device=windows.device)
            windows[..., self._steps_columns] = windows[..., self._steps_columns] * r + (r - 1) * shift
        return windows
