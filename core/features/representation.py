"""What a clip becomes for the model, and the normalisation that travels with a dataset.

A :class:`Representation` turns a clip into a (frames, D) feature matrix and decoded features back
into a clip and joint positions. It is stored in every checkpoint (``to_dict``), so decoding always
matches encoding. The kinds live beside this module: :mod:`core.features.rot6d` (6D rotations of
every joint, the seed documents' 330 for SMPL-X), :mod:`core.features.humanml3d` (HumanML3D's 263
rows) and :mod:`core.features.body_part` (a part of an SMPL-X body, as SynTalker and GestureLSM train);
:func:`core.features.kinds.representation_from_dict` reads any of them back.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import torch

from core.motion.clip import Motion
from core.motion.skeleton import Skeleton, describe_difference


@dataclass(frozen=True)
class DecodeTarget:
    """What a clip decoded from features is built on: the skeleton and frame rate, and, when known, the
    clip the features were encoded from (``source``: its bone lengths, start position and, for a body
    part, the other joints) or, without one, where the root path starts (``root_start``, x and z)."""

    skeleton: Skeleton
    fps: float
    source: Motion | None = None
    root_start: np.ndarray | None = None

    @classmethod
    def like(cls, motion: Motion) -> DecodeTarget:
        """Decoded as ``motion`` was encoded: its skeleton, rate, bone lengths and start."""
        return cls(motion.skeleton, motion.fps, source=motion)


class Representation(ABC):
    """Clip <-> features; every method is per clip (frames first), NumPy in and out."""

    kind: ClassVar[str]

    @property
    @abstractmethod
    def dim(self) -> int:
        """Features per frame."""

    @abstractmethod
    def to_dict(self) -> dict:
        """JSON form stored in checkpoints (with a "kind" key)."""

    @abstractmethod
    def describe(self) -> str:
        """What the features hold, for people (the app's status bar, ``rvq-motion info``)."""

    def fit(self, motion: Motion, skeleton: Skeleton) -> Motion:
        """``motion`` made ready for :meth:`features` on checkpoints of ``skeleton``: by default the same
        joint tree, reordered to ``skeleton``'s joint order with the clip's own bone lengths. Raises
        ValueError saying what differs."""
        reason = describe_difference(motion.skeleton, skeleton, reference_label="the checkpoint")
        if reason is not None:
            raise ValueError(reason)
        return motion.reordered(motion.skeleton.joint_order_in(skeleton))

    @abstractmethod
    def features(self, motion: Motion) -> np.ndarray:
        """(T, dim) float32 features of a clip that :meth:`fit` made ready."""

    def motion(self, features: np.ndarray, target: DecodeTarget) -> Motion:
        """A clip from (T, dim) decoded features, built on ``target`` (:class:`DecodeTarget`)."""
        feats = np.asarray(features)
        if feats.ndim != 2 or feats.shape[1] != self.dim:
            raise ValueError(f"features must be (frames, {self.dim}), got {feats.shape}")
        return self._motion(feats, target)

    @abstractmethod
    def _motion(self, features: np.ndarray, target: DecodeTarget) -> Motion:
        """:meth:`motion` of features of the right shape."""

    def positions(self, features: np.ndarray, like: Motion) -> np.ndarray:
        """(T, J, 3) joints of decoded features, the ones errors are measured on."""
        return self.motion(features, DecodeTarget.like(like)).joint_positions()

    def refresh_positions(
        self, features: np.ndarray, positions: np.ndarray, start: int, stop: int, like: Motion
    ) -> int:
        """Update ``positions`` in place after ``features[start:stop]`` changed; returns the end of the
        frames that moved. By default every frame is recomputed; kinds whose later frames cannot move
        (or move rigidly) do less."""
        positions[:] = self.positions(features, like)
        return len(positions)

    def measured_joints(self, skeleton: Skeleton) -> np.ndarray:
        """Indices of the joints the features describe (errors are averaged over these)."""
        return np.arange(skeleton.num_joints)

    def moves_later_frames(self) -> bool:
        """Whether an edit can shift frames after the decoder's reach (an integrated root path)."""
        return False


def source_root_path(skeleton: Skeleton, like: Motion | None, frames: int) -> np.ndarray:
    """(frames, 3) root path of features without root channels: the source clip's, else the rest position."""
    if like is not None:
        return like.root_translation[:frames].astype(np.float64)
    return np.broadcast_to(skeleton.offsets[0], (frames, 3)).copy()


def follow_root_path(positions: np.ndarray, root: np.ndarray, stop: int) -> int:
    """Move the frames after ``stop`` rigidly onto ``root`` (an edit before them changed an integrated
    path; their poses depend on nothing else). Returns the end of the frames that moved."""
    if stop >= len(positions):
        return stop
    shift = root[stop:] - positions[stop:, 0]
    if np.abs(shift).max(initial=0.0) <= 1e-9:
        return stop
    positions[stop:] += shift[:, None, :].astype(positions.dtype)
    return len(positions)


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
