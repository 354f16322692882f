"""HumanML3D's 263-dim rows as the features, as MoMask, T2M-GPT and the seeds' Motion-S train on them.

The features are the rows of a ``new_joint_vecs`` file themselves (root yaw and ground velocity,
height, root-relative joint positions, 6D rotations, velocities, foot contacts; 22-joint T2M
skeleton, 20 fps). Decoded rows become joint positions with HumanML3D's ``recover_from_ric``, and
errors are measured on those; joint rotations are fitted to them only to export a BVH. A clip from
another format is converted first (:func:`core.formats.humanml3d_features.motion_to_humanml3d`:
SMPL-X/AMASS joints, uniform skeleton, facing +Z, 20 fps), so the clip the window shows is the one
the tokenizer sees.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from core.features.representation import Representation
from core.formats.humanml3d import FEATURE_WIDTH, JOINT_NAMES, humanml3d_motion, recover_from_ric
from core.formats.humanml3d_features import motion_to_humanml3d
from core.motion.clip import Motion
from core.motion.skeleton import Skeleton

ROWS_KEY = "humanml3d_features"


@dataclass(frozen=True)
class HumanML3D(Representation):
    """HumanML3D rows of the 22-joint T2M skeleton."""

    num_joints: int = len(JOINT_NAMES)
    kind: ClassVar[str] = "humanml3d"

    def __post_init__(self) -> None:
        if self.num_joints != len(JOINT_NAMES):
            raise ValueError(
                f"HumanML3D features are read for the 22-joint T2M skeleton, not {self.num_joints}"
            )

    @property
    def dim(self) -> int:
        return FEATURE_WIDTH

    def to_dict(self) -> dict:
        return {"kind": self.kind, "num_joints": self.num_joints}

    @classmethod
    def from_dict(cls, data: dict) -> HumanML3D:
        return cls(num_joints=int(data.get("num_joints", len(JOINT_NAMES))))

    def describe(self) -> str:
        return "HumanML3D 263-dim features (22 joints, 20 fps)"

    def fit(self, motion: Motion, skeleton: Skeleton) -> Motion:
        """A clip carrying its HumanML3D rows as it is; any other SMPL-X or T2M clip converted (20 fps,
        one frame fewer, on the floor, first frame facing +Z)."""
        rows = _rows(motion)
        if rows is not None:
            # A crop that starts mid-clip holds valid rows whose path starts anew at the origin facing +Z:
            # rebuilt from them, the clip shown is the one they describe.
            root = recover_from_ric(rows[:1].astype(np.float64))[0, 0]
            if np.abs(root - motion.root_translation[0]).max() <= 1e-4:
                return motion
            return humanml3d_motion(rows, {"path": motion.source.get("path", "clip")})
        try:
            rows = motion_to_humanml3d(motion)
        except ValueError as exc:
            raise ValueError(f"it cannot become HumanML3D features: {exc}") from None
        return humanml3d_motion(
            rows, {"path": motion.source.get("path", "clip"), "converted_from": motion.fps}
        )

    def features(self, motion: Motion) -> np.ndarray:
        rows = _rows(motion)
        if rows is None:
            raise ValueError("the clip holds no HumanML3D rows: convert it first (Representation.fit)")
        return rows.astype(np.float32)

    def motion(
        self,
        features: np.ndarray,
        skeleton: Skeleton,
        fps: float,
        like: Motion | None = None,
        root_start: np.ndarray | None = None,
    ) -> Motion:
        """The clip the rows describe (positions by ``recover_from_ric``, rotations fitted to them)."""
        feats = np.asarray(features)
        if feats.ndim != 2 or feats.shape[1] != self.dim:
            raise ValueError(f"features must be (frames, {self.dim}), got {feats.shape}")
        return humanml3d_motion(feats.astype(np.float32))

    def positions(self, features: np.ndarray, like: Motion) -> np.ndarray:
        return recover_from_ric(np.asarray(features, dtype=np.float64))

    def moves_later_frames(self) -> bool:
        return True


def _rows(motion: Motion) -> np.ndarray | None:
    rows = motion.source.get(ROWS_KEY)
    if isinstance(rows, np.ndarray) and rows.shape == (motion.num_frames, FEATURE_WIDTH):
        return rows
    return None
