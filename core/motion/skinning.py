"""Linear blend skinning: a rest mesh carried along by the world transforms of forward kinematics.

A vertex ``v`` at rest follows ``sum_j w_vj (R_j (v - J_j) + p_j)``, with ``J_j`` the rest joints and
``R_j``, ``p_j`` the world rotations and positions from
:func:`core.motion.kinematics.forward_kinematics_transforms` (rest pose: identity rotations at the
rest joints, so the rest mesh comes back unchanged). The joint transforms are blended first (one
``(V, J) @ (J, 12)`` product a frame), then applied to the vertices, so a frame costs one small
matrix product: :func:`skin_frame` is what a viewer calls per frame, :func:`skin` does whole clips.

The mesh is anything with ``vertices`` (V, 3) and ``weights`` (V, J), such as
:class:`core.formats.smplx_skeleton.RestMesh` (this module sits below the formats layer).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np


class SkinnableMesh(Protocol):
    vertices: np.ndarray
    weights: np.ndarray


def _blend(
    mesh: SkinnableMesh, rest_joints: np.ndarray, rotations: np.ndarray, positions: np.ndarray
) -> np.ndarray:
    """Skinned vertices (T, V, 3) for world rotations (T, J, 3, 3) and positions (T, J, 3)."""
    vertices = np.asarray(mesh.vertices, dtype=np.float32)
    weights = np.asarray(mesh.weights, dtype=np.float32)
    rest = np.asarray(rest_joints, dtype=np.float32)
    rot = np.asarray(rotations, dtype=np.float32)
    pos = np.asarray(positions, dtype=np.float32)
    frames, joints = rot.shape[:2]
    if (
        weights.shape != (len(vertices), joints)
        or rest.shape != (joints, 3)
        or pos.shape != (frames, joints, 3)
    ):
        raise ValueError(
            f"weights {weights.shape}, rest joints {rest.shape}, rotations {rot.shape} and positions "
            f"{pos.shape} do not match {len(vertices)} vertices and {joints} joints"
        )
    # Each joint's transform x -> R x + t with t = p - R J, as 12 numbers, blended per vertex.
    translation = pos - np.einsum("tjab,jb->tja", rot, rest)
    transforms = np.concatenate([rot.reshape(frames, joints, 9), translation], axis=2)  # (T, J, 12)
    blended = np.matmul(weights, transforms)  # (T, V, 12)
    linear = blended[..., :9].reshape(frames, -1, 3, 3)
    return np.einsum("tvab,vb->tva", linear, vertices) + blended[..., 9:]


def skin(
    rest: SkinnableMesh, rest_joints: np.ndarray, world_rotations: np.ndarray, world_positions: np.ndarray
) -> np.ndarray:
    """Skinned vertices (T, V, 3), float32, for every frame of world rotations (T, J, 3, 3) and
    world positions (T, J, 3); ``rest_joints`` (J, 3) are the joints the rest mesh was bound to."""
    return _blend(rest, rest_joints, world_rotations, world_positions)


def skin_frame(
    rest: SkinnableMesh, rest_joints: np.ndarray, world_rotations: np.ndarray, world_positions: np.ndarray
) -> np.ndarray:
    """Skinned vertices (V, 3) of one frame: world rotations (J, 3, 3), world positions (J, 3)."""
    rotations = np.asarray(world_rotations)[None]
    positions = np.asarray(world_positions)[None]
    return _blend(rest, rest_joints, rotations, positions)[0]
