"""Rotation conversions agree with SciPy and with each other."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.spatial.transform import Rotation

from core.motion.rotations import (
    EULER_ORDERS,
    axis_angle_to_matrix,
    euler_to_matrix,
    matrix_to_6d,
    matrix_to_axis_angle,
    matrix_to_euler,
    sixd_to_matrix,
)

ANGLES = np.random.default_rng(0).uniform(-180, 180, (50, 3))


@pytest.mark.parametrize("order", EULER_ORDERS)
def test_euler_to_matrix_equals_scipys_intrinsic_rotation(order):
    expected = Rotation.from_euler(order, ANGLES, degrees=True).as_matrix()
    np.testing.assert_allclose(euler_to_matrix(ANGLES, order), expected, atol=1e-12)


@pytest.mark.parametrize("order", EULER_ORDERS)
def test_matrix_to_euler_inverts_euler_to_matrix(order):
    matrices = euler_to_matrix(ANGLES, order)
    np.testing.assert_allclose(euler_to_matrix(matrix_to_euler(matrices, order), order), matrices, atol=1e-10)


def test_unknown_euler_order_is_refused():
    with pytest.raises(ValueError, match="unknown rotation order"):
        euler_to_matrix(ANGLES, "XXY")


def test_axis_angle_round_trips_through_matrices():
    rotvec = Rotation.random(20, random_state=1).as_rotvec()
    np.testing.assert_allclose(matrix_to_axis_angle(axis_angle_to_matrix(rotvec)), rotvec, atol=1e-10)


def test_6d_is_the_first_two_rows_and_round_trips():
    matrices = Rotation.random(20, random_state=2).as_matrix()
    sixd = matrix_to_6d(matrices)
    np.testing.assert_array_equal(sixd[:, :3], matrices[:, 0])
    np.testing.assert_allclose(sixd_to_matrix(sixd), matrices, atol=1e-12)


def test_6d_to_matrix_is_differentiable_in_torch():
    sixd = torch.randn(4, 6, dtype=torch.float64, requires_grad=True)
    sixd_to_matrix(sixd).sum().backward()
    assert sixd.grad is not None and torch.isfinite(sixd.grad).all()
