"""Rotation conversions used across formats and the feature representation.

Euler and axis-angle conversions for NumPy go through SciPy; the 6D representation goes through
``roma`` so that the same code serves NumPy arrays and (differentiable) torch tensors.

6D convention: the first two *rows* of the rotation matrix, as in PyTorch3D's
``matrix_to_rotation_6d`` and EMAGE's 330-dim SMPL-X features.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial.transform import Rotation

from core.motion.kinematics import Array, is_tensor

EULER_ORDERS = ("XYZ", "XZY", "YXZ", "YZX", "ZXY", "ZYX")


_PLANE = {"X": (1, 2), "Y": (2, 0), "Z": (0, 1)}


def euler_to_matrix(angles_deg: np.ndarray, order: str) -> np.ndarray:
    """Intrinsic Euler angles in degrees (..., 3), applied in ``order`` (BVH convention), to (..., 3, 3).

    Equal to SciPy's ``Rotation.from_euler(order, ..., degrees=True)`` (tested) but written out in
    NumPy: SciPy's per-rotation objects took half of a BVH load. Intrinsic ``order`` means
    R = R_a R_b R_c; right-multiplying by a rotation about one axis mixes just two columns, so each
    axis is a few element-wise products over all frames.
    """
    if order not in EULER_ORDERS:
        raise ValueError(f"unknown rotation order {order!r}")
    radians = np.radians(np.asarray(angles_deg, dtype=np.float64))
    cos, sin = np.cos(radians), np.sin(radians)
    matrix = np.zeros(radians.shape[:-1] + (3, 3))
    matrix[..., [0, 1, 2], [0, 1, 2]] = 1.0
    for k, axis in enumerate(order):
        u, v = _PLANE[axis]
        c, s = cos[..., k, None], sin[..., k, None]
        col_u, col_v = matrix[..., :, u].copy(), matrix[..., :, v].copy()
        matrix[..., :, u] = col_u * c + col_v * s
        matrix[..., :, v] = col_v * c - col_u * s
    return matrix


def matrix_to_euler(matrix: np.ndarray, order: str) -> np.ndarray:
    """Inverse of :func:`euler_to_matrix`: (..., 3, 3) to intrinsic Euler degrees (..., 3)."""
    if order not in EULER_ORDERS:
        raise ValueError(f"unknown rotation order {order!r}")
    m = np.asarray(matrix, dtype=np.float64)
    flat = Rotation.from_matrix(m.reshape(-1, 3, 3)).as_euler(order, degrees=True)
    return flat.reshape(m.shape[:-2] + (3,))


def axis_angle_to_matrix(rotvec: np.ndarray) -> np.ndarray:
    """Axis-angle vectors (..., 3) in radians to rotation matrices (..., 3, 3)."""
    v = np.asarray(rotvec, dtype=np.float64)
    return Rotation.from_rotvec(v.reshape(-1, 3)).as_matrix().reshape(v.shape[:-1] + (3, 3))


def matrix_to_axis_angle(matrix: np.ndarray) -> np.ndarray:
    """Rotation matrices (..., 3, 3) to axis-angle vectors (..., 3) in radians."""
    m = np.asarray(matrix, dtype=np.float64)
    return Rotation.from_matrix(m.reshape(-1, 3, 3)).as_rotvec().reshape(m.shape[:-2] + (3,))


def matrix_to_6d(matrix: Array) -> Array:
    """First two rows of each rotation matrix, flattened: (..., 3, 3) -> (..., 6)."""
    return matrix[..., :2, :].reshape(matrix.shape[:-2] + (6,))


def sixd_to_matrix(sixd: Array) -> Array:
    """Gram-Schmidt a 6D vector (two rows) back to a rotation matrix: (..., 6) -> (..., 3, 3).

    Works on any 6D input, including the un-normalised output of a decoder. Tensors go through
    ``roma`` (differentiable, any device); arrays through the same arithmetic in NumPy, so loading and
    drawing clips never imports torch.
    """
    if is_tensor(sixd):
        import roma

        rows = sixd.reshape(sixd.shape[:-1] + (2, 3))
        return roma.special_gramschmidt(rows.transpose(-1, -2)).transpose(-1, -2)
    rows = np.asarray(sixd).reshape(np.shape(sixd)[:-1] + (2, 3))
    first = rows[..., 0, :] / np.linalg.norm(rows[..., 0, :], axis=-1, keepdims=True)
    second = rows[..., 1, :] - np.sum(first * rows[..., 1, :], axis=-1, keepdims=True) * first
    second = second / np.linalg.norm(second, axis=-1, keepdims=True)
    return np.stack([first, second, np.cross(first, second)], axis=-2)
