"""6D rotations of every joint (plus, optionally, the root path): the project's default features.

Layout: the 6D rotation (first two rows of the matrix) of every joint, joint-major, so an SMPL-X
clip gives 55 x 6 = 330 features in the order EMAGE and the BEAT2 statistics use. With
``root_channels`` three more columns follow: the root's world-frame ground displacement since the
previous frame (dx, dz; zero on the first frame) and its height y. Together with the root joint's
global 6D rotation this makes the clip's global trajectory recoverable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import torch

from core.features.representation import DecodeTarget, Representation, follow_root_path, source_root_path
from core.motion.clip import Motion
from core.motion.kinematics import forward_kinematics
from core.motion.rotations import matrix_to_6d, sixd_to_matrix
from core.motion.skeleton import Skeleton

ROOT_CHANNELS = 3


def integrate_root_path(features: np.ndarray, start_xz: np.ndarray | None = None) -> np.ndarray:
    """(T, 3) root positions from the root channels (the last three columns) of (T, D) features: the
    ground steps summed from ``start_xz`` (the origin by default), the height as decoded."""
    root = np.empty((len(features), 3))
    start = np.zeros(2) if start_xz is None else np.asarray(start_xz, dtype=np.float64)
    root[:, [0, 2]] = start + np.cumsum(features[:, -3:-1], axis=0, dtype=np.float64)
    root[:, 1] = features[:, -1]
    return root


@dataclass(frozen=True)
class Rot6D(Representation):
    """6D rotations of ``num_joints`` joints, with the root path when ``root_channels``."""

    num_joints: int
    root_channels: bool = False
    kind: ClassVar[str] = "rot6d"

    @property
    def dim(self) -> int:
        return self.num_joints * 6 + (ROOT_CHANNELS if self.root_channels else 0)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "num_joints": self.num_joints, "root_channels": self.root_channels}

    @classmethod
    def from_dict(cls, data: dict) -> Rot6D:
        return cls(num_joints=int(data["num_joints"]), root_channels=bool(data.get("root_channels", False)))

    def describe(self) -> str:
        return f"6D rotations of {self.num_joints} joints" + (" + root path" if self.root_channels else "")

    def features(self, motion: Motion) -> np.ndarray:
        if motion.skeleton.num_joints != self.num_joints:
            raise ValueError(
                f"clip has {motion.skeleton.num_joints} joints but the representation expects {self.num_joints}"
            )
        rot = matrix_to_6d(motion.rotations).reshape(motion.num_frames, self.num_joints * 6)
        if not self.root_channels:
            return rot.astype(np.float32)
        root = motion.root_translation
        step = np.zeros((motion.num_frames, 2))
        step[1:] = root[1:, [0, 2]] - root[:-1, [0, 2]]
        return np.concatenate([rot, step, root[:, 1:2]], axis=1).astype(np.float32)

    def _motion(self, features: np.ndarray, target: DecodeTarget) -> Motion:
        """Rotations re-orthonormalised by Gram-Schmidt; the root path integrated from the root channels
        (from the source clip's first position, else ``root_start``, else the origin), or without root
        channels the source's path as it was, else the rest position."""
        feats = features.astype(np.float64)
        frames = feats.shape[0]
        rotations = sixd_to_matrix(feats[:, : self.num_joints * 6].reshape(frames, self.num_joints, 6))
        root = self._root(feats, target.skeleton, target.source, target.root_start)
        return Motion(target.skeleton, rotations, root, target.fps)

    def _root(
        self, features: np.ndarray, skeleton: Skeleton, like: Motion | None, root_start: np.ndarray | None
    ) -> np.ndarray:
        frames = len(features)
        if self.root_channels:
            start = like.root_translation[0, [0, 2]] if like is not None else root_start
            return integrate_root_path(features, start)
        return source_root_path(skeleton, like, frames)

    def positions(self, features: np.ndarray, like: Motion) -> np.ndarray:
        return self._fk(features, self._root(features, like.skeleton, like, None), like.skeleton)

    def refresh_positions(
        self, features: np.ndarray, positions: np.ndarray, start: int, stop: int, like: Motion
    ) -> int:
        """FK of the changed frames only; with root channels the frames after them move rigidly by the
        change of the integrated path (their poses depend on no other feature)."""
        root = self._root(features, like.skeleton, like, None)
        positions[start:stop] = self._fk(features[start:stop], root[start:stop], like.skeleton)
        return follow_root_path(positions, root, stop) if self.root_channels else stop

    def moves_later_frames(self) -> bool:
        return self.root_channels

    def _fk(self, features: np.ndarray, root: np.ndarray, skeleton: Skeleton) -> np.ndarray:
        joints = self.num_joints
        rot = sixd_to_matrix(
            np.ascontiguousarray(features[:, : joints * 6], dtype=np.float32).reshape(-1, joints, 6)
        )
        return forward_kinematics(skeleton.parents, skeleton.offsets, rot, root.astype(np.float32))

    def window_positions(
        self, features: torch.Tensor, skeleton: Skeleton, offsets: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Differentiable joint positions ``(B, T, J, 3)`` of denormalised feature windows ``(B, T, D)``,
        for training losses. With root channels the root path is integrated from each window's first
        frame (x, z start at 0, so a wrong speed shows as growing error across the window) and takes the
        decoded height; without, the root stays at the origin and the positions describe the pose alone.
        ``offsets`` may pass the skeleton's offsets already on the features' device."""
        batch, frames, dim = features.shape
        if dim != self.dim or skeleton.num_joints != self.num_joints:
            raise ValueError(
                f"features must be (batch, frames, {self.dim}) for a {self.num_joints}-joint skeleton"
            )
        rotations = sixd_to_matrix(
            features[..., : self.num_joints * 6].reshape(batch, frames, self.num_joints, 6)
        )
        root = features.new_zeros(batch, frames, 3)
        if self.root_channels:
            steps = features[:, 1:, -3:-1]
            path = torch.cat([steps.new_zeros(batch, 1, 2), torch.cumsum(steps, dim=1)], dim=1)
            root = torch.stack([path[..., 0], features[..., -1], path[..., 1]], dim=-1)
        if offsets is None:
            offsets = torch.as_tensor(skeleton.offsets, dtype=features.dtype, device=features.device)
        return forward_kinematics(skeleton.parents, offsets, rotations, root)
