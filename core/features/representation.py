"""Motion <-> feature matrix (frames, D), and the normalisation that travels with a dataset.

Default layout: the 6D rotation (first two rows of the matrix) of every joint, joint-major,
so an SMPL-X clip gives 55 x 6 = 330 features in the order EMAGE and the BEAT2 statistics use.
With ``root_channels`` three more columns follow: the root's world-frame ground displacement
since the previous frame (dx, dz; zero on the first frame) and its height y. Together with the
root joint's global 6D rotation this makes the clip's global trajectory recoverable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import torch

from core.motion.clip import Motion
from core.motion.kinematics import forward_kinematics
from core.motion.rotations import matrix_to_6d, sixd_to_matrix
from core.motion.skeleton import Skeleton

ROOT_CHANNELS = 3


@dataclass(frozen=True)
class Representation:
    """Which features a clip becomes; stored in checkpoints so decoding matches encoding."""

    num_joints: int
    root_channels: bool = False

    @property
    def dim(self) -> int:
        return self.num_joints * 6 + (ROOT_CHANNELS if self.root_channels else 0)

    def to_dict(self) -> dict:
        return {"kind": "rot6d", "num_joints": self.num_joints, "root_channels": self.root_channels}

    @classmethod
    def from_dict(cls, data: dict) -> Representation:
        if data.get("kind", "rot6d") != "rot6d":
            raise ValueError(f"unknown representation kind {data.get('kind')!r}")
        return cls(num_joints=int(data["num_joints"]), root_channels=bool(data.get("root_channels", False)))


def motion_to_features(motion: Motion, rep: Representation) -> np.ndarray:
    """(T, rep.dim) float32 features of a clip."""
    if motion.skeleton.num_joints != rep.num_joints:
        raise ValueError(
            f"clip has {motion.skeleton.num_joints} joints but the representation expects {rep.num_joints}"
        )
    rot = matrix_to_6d(motion.rotations).reshape(motion.num_frames, rep.num_joints * 6)
    if not rep.root_channels:
        return rot.astype(np.float32)
    root = motion.root_translation
    step = np.zeros((motion.num_frames, 2))
    step[1:] = root[1:, [0, 2]] - root[:-1, [0, 2]]
    return np.concatenate([rot, step, root[:, 1:2]], axis=1).astype(np.float32)


def integrate_root_path(features: np.ndarray, start_xz: np.ndarray | None = None) -> np.ndarray:
    """(T, 3) root positions from the root channels of (T, D) features: the ground steps summed from
    ``start_xz`` (the origin by default), the height as decoded."""
    root = np.empty((len(features), 3))
    start = np.zeros(2) if start_xz is None else np.asarray(start_xz, dtype=np.float64)
    root[:, [0, 2]] = start + np.cumsum(features[:, -3:-1], axis=0, dtype=np.float64)
    root[:, 1] = features[:, -1]
    return root


def features_to_motion(
    features: np.ndarray,
    rep: Representation,
    skeleton: Skeleton,
    fps: float,
    root_start: np.ndarray | None = None,
    root_translation: np.ndarray | None = None,
) -> Motion:
    """Rebuild a clip from (T, rep.dim) features (e.g. a decoder's output).

    Rotations are re-orthonormalised by Gram-Schmidt. The root path is integrated from the root
    channels starting at ``root_start`` (x, z; origin by default); a representation without
    root channels takes ``root_translation`` as given, or the skeleton's rest root position.
    """
    feats = np.asarray(features, dtype=np.float64)
    if feats.ndim != 2 or feats.shape[1] != rep.dim:
        raise ValueError(f"features must be (frames, {rep.dim}), got {feats.shape}")
    frames = feats.shape[0]
    rotations = sixd_to_matrix(feats[:, : rep.num_joints * 6].reshape(frames, rep.num_joints, 6))
    if rep.root_channels:
        root = integrate_root_path(feats, root_start)
    elif root_translation is not None:
        root = np.asarray(root_translation, dtype=np.float64)
    else:
        root = np.broadcast_to(skeleton.offsets[0], (frames, 3)).copy()
    return Motion(skeleton=skeleton, rotations=rotations, root_translation=root, fps=fps)


def window_joint_positions(
    features: torch.Tensor, rep: Representation, skeleton: Skeleton, offsets: torch.Tensor | None = None
) -> torch.Tensor:
    """Differentiable joint positions ``(B, T, J, 3)`` of denormalised feature windows ``(B, T, D)``.

    The torch twin of :func:`features_to_motion` + FK for training losses. With root channels the
    root path is integrated from each window's first frame (x, z start at 0, so a wrong speed shows
    as growing error across the window) and takes the decoded height; without, the root stays at the
    origin and the positions describe the pose alone. ``offsets`` may pass the skeleton's offsets
    already on the features' device.
    """
    batch, frames, dim = features.shape
    if dim != rep.dim or skeleton.num_joints != rep.num_joints:
        raise ValueError(f"features must be (batch, frames, {rep.dim}) for a {rep.num_joints}-joint skeleton")
    rotations = sixd_to_matrix(features[..., : rep.num_joints * 6].reshape(batch, frames, rep.num_joints, 6))
    root = features.new_zeros(batch, frames, 3)
    if rep.root_channels:
        steps = features[:, 1:, -3:-1]
        path = torch.cat([steps.new_zeros(batch, 1, 2), torch.cumsum(steps, dim=1)], dim=1)
        root = torch.stack([path[..., 0], features[..., -1], path[..., 1]], dim=-1)
    if offsets is None:
        offsets = torch.as_tensor(skeleton.offsets, dtype=features.dtype, device=features.device)
    return forward_kinematics(skeleton.parents, offsets, rotations, root)


@dataclass(frozen=True, eq=False)
class Normalizer:
    """Per-feature mean and std over a dataset, the std floored at ``MIN_STD``.

    The floor matters: hinge joints (knees, elbows) have 6D components that vary by ~1e-4, and
    dividing by that would blow their rounding noise up ten-thousandfold until it dominates the
    loss. 0.01 (about half a degree for rotation features) keeps every feature finite and no
    feature's noise amplified more than a hundredfold.
    """

    mean: np.ndarray
    std: np.ndarray
    _on_device: dict[tuple[torch.device, torch.dtype], tuple[torch.Tensor, torch.Tensor]] = field(
        default_factory=dict, init=False, repr=False
    )

    MIN_STD = 1e-2

    @classmethod
    def fit(cls, feature_arrays: Iterable[np.ndarray]) -> Normalizer:
        """Streaming mean/std over many clips (float64 sums, so long datasets stay exact)."""
        count, total, total_sq = 0, None, None
        for arr in feature_arrays:
            a = np.asarray(arr, dtype=np.float64)
            total = a.sum(0) if total is None else total + a.sum(0)
            total_sq = (a * a).sum(0) if total_sq is None else total_sq + (a * a).sum(0)
            count += a.shape[0]
        if count == 0 or total is None or total_sq is None:
            raise ValueError("cannot fit normalisation statistics on an empty dataset")
        mean = total / count
        std = np.sqrt(np.maximum(total_sq / count - mean * mean, 0.0))
        std = np.maximum(std, cls.MIN_STD)
        return cls(mean=mean.astype(np.float32), std=std.astype(np.float32))

    def normalize(self, features: np.ndarray) -> np.ndarray:
        return ((features - self.mean) / self.std).astype(np.float32)

    def denormalize(self, features: np.ndarray) -> np.ndarray:
        return (features * self.std + self.mean).astype(np.float32)

    def _tensors(self, like: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Mean and std as tensors of ``like``'s device and dtype, made once: training uses them every
        step, and on a GPU a copy from pageable host memory waits for the queued work."""
        key = (like.device, like.dtype)
        if key not in self._on_device:
            self._on_device[key] = tuple(
                torch.as_tensor(a, dtype=like.dtype, device=like.device) for a in (self.mean, self.std)
            )
        return self._on_device[key]

    def normalize_tensor(self, features: torch.Tensor) -> torch.Tensor:
        """:meth:`normalize` for a tensor on any device, differentiable."""
        mean, std = self._tensors(features)
        return (features - mean) / std

    def denormalize_tensor(self, features: torch.Tensor) -> torch.Tensor:
        """:meth:`denormalize` for a tensor on any device, differentiable."""
        mean, std = self._tensors(features)
        return features * std + mean

    def to_dict(self) -> dict:
        return {"mean": self.mean.tolist(), "std": self.std.tolist()}

    @classmethod
    def from_dict(cls, data: dict) -> Normalizer:
        mean = np.asarray(data["mean"], dtype=np.float32)
        std = np.asarray(data["std"], dtype=np.float32)
        if mean.shape != std.shape or mean.ndim != 1 or not (np.all(np.isfinite(mean)) and np.all(std > 0)):
            raise ValueError("normalisation needs finite 1-D mean and positive std of equal length")
        return cls(mean=mean, std=std)
