"""A part of an SMPL-X body as features, the way SynTalker and GestureLSM train their tokenizers
(the seed documents' ``train_rvq.sh --body_part upper``).

The features are the part's joints' 6D rotations (first two rows, joint-major, the columns of the
BEAT2 330 layout), and for the ``_trans`` parts three root channels ``(dx, y, dz)``: x and z taken
relative to the first frame and differenced (``dx[0] = dx[1]``), y the absolute height of the
SMPL-X ``trans`` (the root's position less its rest offset), as SynTalker computes them
(docs: ../shared/docs/peer-tokenizers.md, sections 2.2 and 6.3). Decoding replaces only the part's
joints, and the root path for a ``_trans`` part, on a copy of the clip the codes were made from:
the rest of the body is the source's, so errors are measured on the part's joints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from core.features.representation import (
    DecodeTarget,
    Normalizer,
    Representation,
    follow_root_path,
    source_root_path,
)
from core.features.smplx_parts import PARTS
from core.motion.clip import Motion
from core.motion.kinematics import forward_kinematics
from core.motion.rotations import matrix_to_6d, sixd_to_matrix
from core.motion.skeleton import Skeleton

SMPLX_JOINTS = 55
TRANS_CHANNELS = 3


@dataclass(frozen=True)
class BodyPart(Representation):
    """The 6D rotations of ``joints`` (indices into the 55-joint SMPL-X skeleton), plus the root
    channels when ``trans``."""

    name: str
    joints: tuple[int, ...]
    trans: bool = False
    num_joints: int = SMPLX_JOINTS
    kind: ClassVar[str] = "body_part"

    def __post_init__(self) -> None:
        joints = tuple(int(j) for j in self.joints)
        if not joints or len(set(joints)) != len(joints) or not all(0 <= j < self.num_joints for j in joints):
            raise ValueError(
                f"a body part needs distinct joints in 0..{self.num_joints - 1}, got {self.joints}"
            )
        object.__setattr__(self, "joints", joints)

    @classmethod
    def named(cls, name: str) -> BodyPart:
        """One of SynTalker's parts (:data:`PARTS`)."""
        if name not in PARTS:
            raise ValueError(
                f"unknown body part {name!r}; choose one of {', '.join(PARTS)} or list joint names"
            )
        joints, trans = PARTS[name]
        return cls(name, joints, trans)

    @classmethod
    def of_joints(cls, names: Sequence[str], skeleton: Skeleton, trans: bool = False) -> BodyPart:
        """A part made of the named joints of ``skeleton``, in skeleton order."""
        unknown = [n for n in names if n not in skeleton.joint_names]
        if unknown:
            raise ValueError(f"joints not in the {skeleton.name} skeleton: {', '.join(unknown)}")
        joints = tuple(sorted(skeleton.index(n) for n in names))
        return cls("custom", joints, trans, skeleton.num_joints)

    @property
    def dim(self) -> int:
        return 6 * len(self.joints) + (TRANS_CHANNELS if self.trans else 0)

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "name": self.name,
            "joints": list(self.joints),
            "trans": self.trans,
            "num_joints": self.num_joints,
        }

    @classmethod
    def from_dict(cls, data: dict) -> BodyPart:
        return cls(
            name=str(data["name"]),
            joints=tuple(int(j) for j in data["joints"]),
            trans=bool(data.get("trans", False)),
            num_joints=int(data.get("num_joints", SMPLX_JOINTS)),
        )

    def describe(self) -> str:
        what = f"{self.name} body part" if self.name != "custom" else "body part"
        return f"{what}: {len(self.joints)} joints" + (" + root path" if self.trans else "")

    def measured_joints(self, skeleton: Skeleton) -> np.ndarray:
        return np.asarray(self.joints)

    def moves_later_frames(self) -> bool:
        return self.trans

    def feature_columns(self) -> np.ndarray:
        """Where each feature sits in the 333-column BEAT2 layout (330 = 55 x 6D, then dx, y, dz)."""
        columns = [6 * j + k for j in self.joints for k in range(6)]
        if self.trans:
            columns += [6 * self.num_joints + k for k in range(TRANS_CHANNELS)]
        return np.asarray(columns)

    def normalizer_from(
        self, mean: np.ndarray, std: np.ndarray, trans_mean: np.ndarray | None, trans_std: np.ndarray | None
    ) -> Normalizer:
        """The part's slice of whole-body statistics (BEAT2's ``beatx_2_330_{mean,std}.npy`` and, for a
        ``_trans`` part, ``beatx_2_trans_{mean,std}.npy``), used verbatim, as SynTalker does."""
        if self.trans and (trans_mean is None or trans_std is None):
            raise ValueError(f"the {self.name} part has root channels: give the trans statistics too")
        full_mean, full_std = np.asarray(mean, np.float64), np.asarray(std, np.float64)
        if self.trans:
            full_mean = np.concatenate([full_mean, np.asarray(trans_mean, np.float64)])
            full_std = np.concatenate([full_std, np.asarray(trans_std, np.float64)])
        columns = self.feature_columns()
        if columns.max() >= len(full_mean):
            raise ValueError(f"statistics of width {len(full_mean)} do not cover this part's columns")
        return Normalizer.from_dict({"mean": full_mean[columns].tolist(), "std": full_std[columns].tolist()})

    def features(self, motion: Motion) -> np.ndarray:
        rot = matrix_to_6d(motion.rotations[:, list(self.joints)]).reshape(motion.num_frames, -1)
        if not self.trans:
            return rot.astype(np.float32)
        return np.concatenate([rot, self._trans_channels(motion)], axis=1).astype(np.float32)

    def _trans_channels(self, motion: Motion) -> np.ndarray:
        """SynTalker's ``trans_v``: (dx, y, dz) of the SMPL-X ``trans``, ``dx[0] = dx[1]``."""
        trans = motion.root_translation - motion.skeleton.offsets[0]
        steps = np.zeros((motion.num_frames, 2))
        steps[1:] = np.diff(trans[:, [0, 2]], axis=0)
        if motion.num_frames > 1:
            steps[0] = steps[1]
        return np.stack([steps[:, 0], trans[:, 1], steps[:, 1]], axis=1)

    def _motion(self, features: np.ndarray, target: DecodeTarget) -> Motion:
        """The part's joints (and root path) from ``features``; every other joint from the source clip (at
        rest without one). The path starts at the source's first position (else ``root_start``): the
        first step ``dx[0]`` repeats ``dx[1]`` and is not a move, so it is taken back out of the sum."""
        feats = features.astype(np.float64)
        frames, skeleton, like = len(feats), target.skeleton, target.source
        body = (
            like.rotations[:frames]
            if like is not None
            else np.tile(np.eye(3), (frames, skeleton.num_joints, 1, 1))
        )
        root = self._root(feats, skeleton, like, target.root_start)
        return Motion(skeleton, self._rotations(feats, body), root, target.fps)

    def _rotations(self, features: np.ndarray, body: np.ndarray) -> np.ndarray:
        """``body``'s rotations with the part's joints replaced by the decoded ones."""
        rotations = body.copy()
        sixd = features[:, : 6 * len(self.joints)].reshape(len(features), -1, 6)
        rotations[:, list(self.joints)] = sixd_to_matrix(np.asarray(sixd, dtype=np.float64))
        return rotations

    def _root(
        self, features: np.ndarray, skeleton: Skeleton, like: Motion | None, root_start: np.ndarray | None
    ) -> np.ndarray:
        frames = len(features)
        if not self.trans:
            return source_root_path(skeleton, like, frames)
        rest = skeleton.offsets[0]
        if like is not None:
            start = like.root_translation[0, [0, 2]] - rest[[0, 2]]
        else:
            start = np.zeros(2) if root_start is None else np.asarray(root_start) - rest[[0, 2]]
        channels = features[:, -TRANS_CHANNELS:]
        trans = np.empty((frames, 3))
        trans[:, [0, 2]] = start + np.cumsum(channels[:, [0, 2]], axis=0) - channels[0, [0, 2]]
        trans[:, 1] = channels[:, 1]
        return trans + rest

    def refresh_positions(
        self, features: np.ndarray, positions: np.ndarray, start: int, stop: int, like: Motion
    ) -> int:
        """FK of the changed frames with the rest of the body from ``like``; with root channels the
        frames after them move rigidly by the change of the path."""
        skeleton = like.skeleton
        rotations = self._rotations(features[start:stop], like.rotations[start:stop])
        root = self._root(features, skeleton, like, None)
        positions[start:stop] = forward_kinematics(
            skeleton.parents, skeleton.offsets, rotations, root[start:stop]
        )
        return follow_root_path(positions, root, stop) if self.trans else stop
