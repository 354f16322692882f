"""HumanML3D-layout rows as the features, as MoMask, T2M-GPT and the seeds' Motion-S train on them: HumanML3D's
263 columns (22-joint T2M skeleton, 20 fps) or KIT-ML's 251 (21-joint MMM skeleton, 12.5 fps).

The features are the rows of a ``new_joint_vecs`` file themselves (root yaw and ground velocity,
height, root-relative joint positions, 6D rotations, velocities, foot contacts). Decoded rows become
joint positions with HumanML3D's ``recover_from_ric`` (in metres: KIT's millimetres are divided), and
errors are measured on those; joint rotations are fitted to them only to export a BVH. A clip from
another format is converted first (:func:`core.formats.humanml3d_features.motion_to_humanml3d`:
SMPL-X/AMASS joints, uniform skeleton, facing +Z, 20 fps), so the clip the window shows is the one
the tokenizer sees; KIT rows are only read, never made from another skeleton.

The checkpoint records the joint count (``{"kind": "humanml3d", "num_joints": 21}`` for KIT); checkpoints
written before KIT was known hold 22 or no count, and read back as HumanML3D's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from core.features.representation import DecodeTarget, Representation
from core.formats.humanml3d import humanml3d_motion, positions_from_rows
from core.formats.humanml3d_bodies import BODIES, KIT, T2M, RicBody
from core.formats.humanml3d_features import motion_to_humanml3d
from core.motion.clip import Motion
from core.motion.skeleton import Skeleton

ROWS_KEY = "humanml3d_features"


@dataclass(frozen=True)
class HumanML3D(Representation):
    """HumanML3D-layout rows of the 22-joint T2M skeleton (263 columns) or KIT-ML's 21 joints (251)."""

    num_joints: int = T2M.num_joints
    kind: ClassVar[str] = "humanml3d"

    def __post_init__(self) -> None:
        if self.num_joints not in {body.num_joints for body in BODIES}:
            raise ValueError(
                f"HumanML3D-layout features are read for the 22-joint T2M or the 21-joint KIT-ML skeleton, "
                f"not {self.num_joints} joints"
            )

    @classmethod
    def of_body(cls, body: RicBody) -> HumanML3D:
        return cls(num_joints=body.num_joints)

    @classmethod
    def for_motion(cls, motion: Motion) -> HumanML3D:
        """KIT-ML's rows for a clip that carries them, HumanML3D's otherwise (what other clips become)."""
        return cls.of_body(KIT) if _rows(motion, KIT) is not None else cls()

    @property
    def body(self) -> RicBody:
        return next(body for body in BODIES if body.num_joints == self.num_joints)

    @property
    def dim(self) -> int:
        return self.body.feature_width

    def to_dict(self) -> dict:
        return {"kind": self.kind, "num_joints": self.num_joints}

    @classmethod
    def from_dict(cls, data: dict) -> HumanML3D:
        return cls(num_joints=int(data.get("num_joints", T2M.num_joints)))

    def describe(self) -> str:
        body = self.body
        return f"{body.dataset} {self.dim}-dim features ({body.num_joints} joints, {body.fps:g} fps)"

    def fit(self, motion: Motion, skeleton: Skeleton) -> Motion:
        """A clip carrying rows of this width as it is; any other SMPL-X or T2M clip converted to HumanML3D's
        rows (20 fps, one frame fewer, on the floor, first frame facing +Z). KIT rows are never made."""
        body = self.body
        rows = _rows(motion, body)
        if rows is not None:
            # A crop that starts mid-clip holds valid rows whose path starts anew at the origin facing +Z:
            # rebuilt from them, the clip shown is the one they describe.
            root = positions_from_rows(rows[:1].astype(np.float64))[0, 0]
            if np.abs(root - motion.root_translation[0]).max() <= 1e-4:
                return motion
            return humanml3d_motion(rows, {"path": motion.source.get("path", "clip")})
        if body is not T2M:
            raise ValueError(
                f"it holds no {body.dataset} rows ({self.dim} columns): {body.dataset} features are read from "
                f"{body.dataset} .npy files, not made from other skeletons"
            )
        try:
            rows = motion_to_humanml3d(motion)
        except ValueError as exc:
            raise ValueError(f"it cannot become HumanML3D features: {exc}") from None
        if rows.shape[1] != self.dim:
            raise ValueError(f"it is a {rows.shape[1]}-column clip, not HumanML3D's {self.dim} columns")
        return humanml3d_motion(
            rows, {"path": motion.source.get("path", "clip"), "converted_from": motion.fps}
        )

    def features(self, motion: Motion) -> np.ndarray:
        rows = _rows(motion, self.body)
        if rows is None:
            raise ValueError(
                f"the clip holds no {self.body.dataset} rows: convert it first (Representation.fit)"
            )
        return rows.astype(np.float32)

    def _motion(self, features: np.ndarray, target: DecodeTarget) -> Motion:
        """The clip the rows describe (positions by ``recover_from_ric``, rotations fitted to them)."""
        return humanml3d_motion(features.astype(np.float32))

    def positions(self, features: np.ndarray, like: Motion) -> np.ndarray:
        return positions_from_rows(np.asarray(features, dtype=np.float64))

    def moves_later_frames(self) -> bool:
        return True


def _rows(motion: Motion, body: RicBody) -> np.ndarray | None:
    rows = motion.source.get(ROWS_KEY)
    if isinstance(rows, np.ndarray) and rows.shape == (motion.num_frames, body.feature_width):
        return rows
    return None
