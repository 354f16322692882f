"""HumanML3D 263-dim ``new_joint_vecs`` features (``.npy``, 20 fps, 22-joint T2M skeleton) as a Motion.

The features hold positions, not a rest pose plus rotations, so loading takes two steps:

1. joint positions are recovered exactly as HumanML3D's ``recover_from_ric`` does (root yaw
   velocity integrated about Y, root velocity turned back by the inverse yaw and integrated, root
   height from channel 3, root-relative ``ric`` positions turned back and moved by the root XZ);
2. a skeleton is made from the clip's own first frame (rest offsets = frame-0 bones, so frame 0
   has identity rotations) and the local rotations that reproduce every frame are solved per
   joint: a batched Kabsch fit (SVD, reflection-corrected) onto the child bones for joints with
   two or more children, the shortest arc onto the single child bone otherwise, identity for
   leaves (their own twist is not in the data).

HumanML3D keeps bone lengths fixed, so forward kinematics of the result reproduces the recovered
positions to float32 precision.

The file's rows are kept, as read, in ``source["humanml3d_features"]``: saving the clip unchanged
writes them back instead of recomputing (see :mod:`core.formats.humanml3d_features`), which would drop
the last frame (T frames give T - 1 rows) each time.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

import numpy as np
from scipy.spatial.transform import Rotation

from core.errors import MotionFileError, require_file
from core.formats.numpy_files import read_npy
from core.motion.clip import Motion
from core.motion.skeleton import Skeleton

FORMAT = "humanml3d"
FPS = 20.0
FEATURE_WIDTH = 263
MAX_FRAMES = 1_000_000
MAX_ABS_VALUE = 1e4
"""Largest feature magnitude accepted: real ones (metres, radians, per-frame velocities) stay below ~2;
values near float range overflow the position recovery and stall the SVD of the rotation fit."""
JOINT_NAMES = (
    "pelvis",
    "left_hip",
    "right_hip",
    "spine1",
    "left_knee",
    "right_knee",
    "spine2",
    "left_ankle",
    "right_ankle",
    "spine3",
    "left_foot",
    "right_foot",
    "neck",
    "left_collar",
    "right_collar",
    "head",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
)
KINEMATIC_CHAIN = (
    (0, 2, 5, 8, 11),
    (0, 1, 4, 7, 10),
    (0, 3, 6, 9, 12, 15),
    (9, 14, 17, 19, 21),
    (9, 13, 16, 18, 20),
)


def _parents() -> np.ndarray:
    parents = np.full(len(JOINT_NAMES), -1)
    for chain in KINEMATIC_CHAIN:
        parents[list(chain[1:])] = chain[:-1]
    return parents


PARENTS = _parents()


def load_humanml3d(path: str | PathLike[str]) -> Motion:
    """Read a (frames, 263) HumanML3D feature file as a Y-up, 20 fps clip on its own T2M skeleton."""
    p = Path(path)
    return humanml3d_motion(read_humanml3d_rows(p), {"path": str(p)})


def read_humanml3d_rows(path: Path) -> np.ndarray:
    """The (frames, 263) rows of a HumanML3D feature file, checked as :func:`load_humanml3d` checks them
    (what a dataset reader needs when the rows themselves are the features: no rotations are fitted)."""
    require_file(path)
    features = read_npy(path)
    if features.ndim != 2 or features.shape[1] != FEATURE_WIDTH:
        raise MotionFileError(
            path,
            f"array has shape {features.shape}; expected (frames, {FEATURE_WIDTH}) HumanML3D new_joint_vecs",
        )
    if not np.issubdtype(features.dtype, np.floating):
        raise MotionFileError(path, f"array has dtype {features.dtype}; expected floating point")
    if not 0 < features.shape[0] <= MAX_FRAMES:
        raise MotionFileError(path, f"array has {features.shape[0]} frames; expected 1 to {MAX_FRAMES}")
    if not np.all(np.isfinite(features)):
        raise MotionFileError(path, "array contains NaN or infinite values")
    largest = float(np.abs(features).max())
    if largest > MAX_ABS_VALUE:
        raise MotionFileError(
            path,
            f"array holds a value of magnitude {largest:.3g}; HumanML3D features stay below {MAX_ABS_VALUE:g}",
        )
    return features


def humanml3d_motion(features: np.ndarray, source: dict | None = None) -> Motion:
    """The 20 fps clip that (T, 263) rows describe, on its own T2M skeleton, the rows kept in
    ``source["humanml3d_features"]`` (the tokenizer's features and what saving writes back)."""
    positions = recover_from_ric(features.astype(np.float64))
    skeleton, rotations = fit_rotations(positions)
    source = {**(source or {}), "format": FORMAT, "humanml3d_features": features}
    return Motion(
        skeleton=skeleton, rotations=rotations, root_translation=positions[:, 0], fps=FPS, source=source
    )


def _qrot(q: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Rotate vectors ``v`` (..., 3) by unit quaternions ``q`` (..., 4), (w, x, y, z) order."""
    axis = q[..., 1:]
    uv = np.cross(axis, v)
    return v + 2.0 * (q[..., :1] * uv + np.cross(axis, uv))


def recover_from_ric(features: np.ndarray) -> np.ndarray:
    """World joint positions (T, 22, 3) from 263-dim features, as HumanML3D's ``recover_from_ric``."""
    frames = features.shape[0]
    yaw = np.zeros(frames)
    yaw[1:] = np.cumsum(features[:-1, 0])
    # Inverse of the root yaw quaternion (cos, 0, sin, 0): the stored angle is HumanML3D's half-angle.
    inverse_yaw = np.zeros((frames, 4))
    inverse_yaw[:, 0], inverse_yaw[:, 2] = np.cos(yaw), -np.sin(yaw)
    root = np.zeros((frames, 3))
    root[1:, [0, 2]] = features[:-1, 1:3]
    root = np.cumsum(_qrot(inverse_yaw, root), axis=0)
    root[:, 1] = features[:, 3]
    ric = features[:, 4 : 4 + 21 * 3].reshape(frames, 21, 3)
    joints = _qrot(np.broadcast_to(inverse_yaw[:, None], (frames, 21, 4)), ric)
    joints[..., 0] += root[:, None, 0]
    joints[..., 2] += root[:, None, 2]
    return np.concatenate([root[:, None], joints], axis=1)


def _kabsch(rest: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Rotations (T, 3, 3) best mapping rest vectors (C, 3) onto target vectors (T, C, 3)."""
    covariance = np.einsum("ci,tcj->tij", rest, target)
    u, _, vt = np.linalg.svd(covariance)
    reflection = np.sign(np.linalg.det(np.swapaxes(vt, 1, 2) @ np.swapaxes(u, 1, 2)))
    correction = np.zeros((len(target), 3, 3))
    correction[:, 0, 0] = correction[:, 1, 1] = 1.0
    correction[:, 2, 2] = np.where(reflection == 0, 1.0, reflection)
    return np.swapaxes(vt, 1, 2) @ correction @ np.swapaxes(u, 1, 2)


def shortest_arc(rest: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Smallest rotations (T, 3, 3) turning the rest direction (3,) onto target directions (T, 3)."""
    a = rest / np.linalg.norm(rest)
    b = target / np.maximum(np.linalg.norm(target, axis=-1, keepdims=True), 1e-12)
    xyzw = np.concatenate([np.cross(a, b), 1.0 + b @ a[:, None]], axis=-1)
    opposite = xyzw[:, 3] < 1e-9
    if np.any(opposite):
        # Half turn about any axis perpendicular to the rest direction.
        helper = np.eye(3)[np.argmin(np.abs(a))]
        xyzw[opposite] = np.r_[np.cross(a, helper) / np.linalg.norm(np.cross(a, helper)), 0.0]
    return Rotation.from_quat(xyzw).as_matrix()


def t2m_skeleton(first_frame: np.ndarray) -> Skeleton:
    """The T2M skeleton whose rest pose is one frame's (22, 3) joint positions (its bones, identity rotations)."""
    offsets = np.array(first_frame, dtype=np.float64)
    offsets[1:] -= first_frame[PARENTS[1:]]
    return Skeleton(JOINT_NAMES, PARENTS, offsets, name="humanml3d_t2m22")


def fit_rotations(positions: np.ndarray) -> tuple[Skeleton, np.ndarray]:
    """T2M skeleton from frame 0 of ``positions`` (T, 22, 3) and local rotations (T, 22, 3, 3) fitting them."""
    frames = positions.shape[0]
    skeleton = t2m_skeleton(positions[0])
    offsets = skeleton.offsets
    local = np.tile(np.eye(3), (frames, len(JOINT_NAMES), 1, 1))
    world = local.copy()
    for joint in range(len(JOINT_NAMES)):
        parent_world = world[:, PARENTS[joint]] if joint else np.tile(np.eye(3), (frames, 1, 1))
        children = [c for c in skeleton.children(joint) if np.linalg.norm(offsets[c]) > 1e-9]
        if children:
            bones = positions[:, children] - positions[:, joint, None]
            in_parent = np.einsum("tji,tcj->tci", parent_world, bones)
            if len(children) == 1:
                local[:, joint] = shortest_arc(offsets[children[0]], in_parent[:, 0])
            else:
                local[:, joint] = _kabsch(offsets[children], in_parent)
        world[:, joint] = parent_world @ local[:, joint]
    return skeleton, local
