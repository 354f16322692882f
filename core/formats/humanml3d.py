"""HumanML3D-layout feature files (``new_joint_vecs`` ``.npy``) as a Motion: HumanML3D's 263 columns (22-joint
T2M skeleton, 20 fps, metres) and KIT-ML's 251 (21-joint MMM skeleton, 12.5 fps, millimetres); the width
says which (:mod:`core.formats.humanml3d_bodies`).

The features hold positions, not a rest pose plus rotations, so loading takes two steps:

1. joint positions are recovered exactly as HumanML3D's ``recover_from_ric`` does (root yaw
   velocity integrated about Y, root velocity turned back by the inverse yaw and integrated, root
   height from channel 3, root-relative ``ric`` positions turned back and moved by the root XZ),
   then put in metres;
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
from core.formats.humanml3d_bodies import BODIES, T2M, RicBody, body_for_width
from core.formats.numpy_files import read_npy
from core.motion.clip import Motion
from core.motion.skeleton import Skeleton

FORMAT = T2M.format
FPS = T2M.fps
FEATURE_WIDTH = T2M.feature_width
MAX_FRAMES = 1_000_000
MAX_ABS_VALUE = 1e4
"""Largest feature magnitude accepted: real ones (metres, radians, per-frame velocities; KIT's millimetres)
stay below ~3,000; values near float range overflow the position recovery and stall the SVD of the rotation
fit."""
JOINT_NAMES = T2M.joint_names
KINEMATIC_CHAIN = T2M.kinematic_chain
PARENTS = T2M.parents
_WIDTHS = " or ".join(f"(frames, {b.feature_width}) {b.dataset}" for b in BODIES)


def load_humanml3d(path: str | PathLike[str]) -> Motion:
    """Read a (frames, 263) HumanML3D or (frames, 251) KIT-ML feature file as a Y-up clip in metres on its
    own skeleton, at its dataset's frame rate."""
    return humanml3d_motion(read_humanml3d_rows(path), {"path": str(Path(path))})


def read_humanml3d_rows(path: str | PathLike[str]) -> np.ndarray:
    """A HumanML3D or KIT-ML feature file's rows, checked, without the rotation fit of a clip
    (what the T2M evaluator protocol reads, thousands of files at a time)."""
    p = Path(path)
    require_file(p)
    features = read_npy(p)
    body = body_for_width(features.shape[1]) if features.ndim == 2 else None
    if body is None:
        raise MotionFileError(p, f"array has shape {features.shape}; expected {_WIDTHS} new_joint_vecs")
    if not np.issubdtype(features.dtype, np.floating):
        raise MotionFileError(p, f"array has dtype {features.dtype}; expected floating point")
    if not 0 < features.shape[0] <= MAX_FRAMES:
        raise MotionFileError(p, f"array has {features.shape[0]} frames; expected 1 to {MAX_FRAMES}")
    if not np.all(np.isfinite(features)):
        raise MotionFileError(p, "array contains NaN or infinite values")
    largest = float(np.abs(features).max())
    if largest > MAX_ABS_VALUE:
        raise MotionFileError(
            p,
            f"array holds a value of magnitude {largest:.3g}; {body.dataset} features stay below {MAX_ABS_VALUE:g}",
        )
    return features


def humanml3d_motion(features: np.ndarray, source: dict | None = None) -> Motion:
    """The clip that (T, 263) or (T, 251) rows describe, on its own skeleton, at its dataset's rate, the rows
    kept in ``source["humanml3d_features"]`` (the tokenizer's features and what saving writes back)."""
    body = _body(features)
    positions = positions_from_rows(features.astype(np.float64))
    skeleton, rotations = fit_rotations(positions, body)
    source = {**(source or {}), "format": body.format, "humanml3d_features": features}
    return Motion(
        skeleton=skeleton, rotations=rotations, root_translation=positions[:, 0], fps=body.fps, source=source
    )


def _body(features: np.ndarray) -> RicBody:
    body = body_for_width(features.shape[-1])
    if body is None:
        raise ValueError(f"rows of width {features.shape[-1]} are neither {_WIDTHS}")
    return body


def positions_from_rows(features: np.ndarray) -> np.ndarray:
    """World joint positions (T, J, 3) in metres from HumanML3D-layout rows of either body."""
    return recover_from_ric(features) / _body(features).units_per_metre


def _qrot(q: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Rotate vectors ``v`` (..., 3) by unit quaternions ``q`` (..., 4), (w, x, y, z) order."""
    axis = q[..., 1:]
    uv = np.cross(axis, v)
    return v + 2.0 * (q[..., :1] * uv + np.cross(axis, uv))


def recover_from_ric(features: np.ndarray) -> np.ndarray:
    """World joint positions (T, J, 3) from (T, 12 J - 1) features, in the rows' own unit, as HumanML3D's
    ``recover_from_ric(data, joints_num)``: J = 22 for HumanML3D's 263 columns, 21 for KIT-ML's 251."""
    frames = features.shape[0]
    moving = (features.shape[1] + 1) // 12 - 1
    yaw = np.zeros(frames)
    yaw[1:] = np.cumsum(features[:-1, 0])
    # Inverse of the root yaw quaternion (cos, 0, sin, 0): the stored angle is HumanML3D's half-angle.
    inverse_yaw = np.zeros((frames, 4))
    inverse_yaw[:, 0], inverse_yaw[:, 2] = np.cos(yaw), -np.sin(yaw)
    root = np.zeros((frames, 3))
    root[1:, [0, 2]] = features[:-1, 1:3]
    root = np.cumsum(_qrot(inverse_yaw, root), axis=0)
    root[:, 1] = features[:, 3]
    ric = features[:, 4 : 4 + moving * 3].reshape(frames, moving, 3)
    joints = _qrot(np.broadcast_to(inverse_yaw[:, None], (frames, moving, 4)), ric)
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


def rest_skeleton(first_frame: np.ndarray, body: RicBody = T2M) -> Skeleton:
    """``body``'s skeleton whose rest pose is one frame's (J, 3) joint positions (its bones, identity
    rotations): what a clip of HumanML3D-layout rows is drawn on."""
    offsets = np.array(first_frame, dtype=np.float64)
    offsets[1:] -= first_frame[body.parents[1:]]
    return Skeleton(body.joint_names, body.parents, offsets, name=body.name)


def fit_rotations(positions: np.ndarray, body: RicBody = T2M) -> tuple[Skeleton, np.ndarray]:
    """``body``'s skeleton from frame 0 of ``positions`` (T, J, 3) and local rotations (T, J, 3, 3) fitting them."""
    frames = positions.shape[0]
    parents = body.parents
    skeleton = rest_skeleton(positions[0], body)
    offsets = skeleton.offsets
    local = np.tile(np.eye(3), (frames, body.num_joints, 1, 1))
    world = local.copy()
    for joint in range(body.num_joints):
        parent_world = world[:, parents[joint]] if joint else np.tile(np.eye(3), (frames, 1, 1))
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
