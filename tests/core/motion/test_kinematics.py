"""Forward kinematics: the same answer as a joint-by-joint chain, in NumPy and torch."""

from __future__ import annotations

import numpy as np
import torch
from scipy.spatial.transform import Rotation

from core.motion.kinematics import forward_kinematics, forward_kinematics_transforms

PARENTS = np.array([-1, 0, 1, 2, 1, 4, 0, 6])
OFFSETS = np.random.default_rng(0).normal(size=(8, 3))


def _chain_fk(rotations: np.ndarray, root: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Reference: walk the tree one joint at a time."""
    glob = np.zeros_like(rotations)
    pos = np.zeros(rotations.shape[:-1])
    for j, p in enumerate(PARENTS):
        if p < 0:
            glob[:, j], pos[:, j] = rotations[:, j], root
        else:
            glob[:, j] = glob[:, p] @ rotations[:, j]
            pos[:, j] = pos[:, p] + glob[:, p] @ OFFSETS[j]
    return glob, pos


def _random_pose(frames: int) -> tuple[np.ndarray, np.ndarray]:
    rot = Rotation.random(frames * 8, random_state=1).as_matrix().reshape(frames, 8, 3, 3)
    return rot, np.random.default_rng(2).normal(size=(frames, 3))


def test_numpy_fk_equals_the_joint_by_joint_chain():
    rot, root = _random_pose(40)
    glob, pos = forward_kinematics_transforms(PARENTS, OFFSETS, rot, root)
    ref_glob, ref_pos = _chain_fk(rot, root)
    np.testing.assert_allclose(pos, ref_pos, atol=1e-12)
    np.testing.assert_allclose(glob, ref_glob, atol=1e-12)


def test_torch_fk_equals_numpy_fk():
    rot, root = _random_pose(40)
    ours = forward_kinematics(PARENTS, OFFSETS, torch.from_numpy(rot), torch.from_numpy(root))
    np.testing.assert_allclose(ours.numpy(), _chain_fk(rot, root)[1], atol=1e-12)


def test_fk_accepts_extra_batch_dimensions():
    rot, root = _random_pose(12)
    batched = forward_kinematics(PARENTS, OFFSETS, rot.reshape(3, 4, 8, 3, 3), root.reshape(3, 4, 3))
    np.testing.assert_allclose(batched.reshape(12, 8, 3), _chain_fk(rot, root)[1], atol=1e-12)


def test_torch_fk_is_differentiable():
    rot, root = _random_pose(5)
    rot_t = torch.from_numpy(rot).requires_grad_()
    forward_kinematics(PARENTS, OFFSETS, rot_t, torch.from_numpy(root)).square().sum().backward()
    assert rot_t.grad is not None and torch.isfinite(rot_t.grad).all() and rot_t.grad.abs().sum() > 0


def test_identity_rotations_give_the_rest_pose():
    rest = forward_kinematics(PARENTS, OFFSETS, np.broadcast_to(np.eye(3), (1, 8, 3, 3)), OFFSETS[None, 0])
    expected = np.zeros((8, 3))
    for j, p in enumerate(PARENTS):
        expected[j] = OFFSETS[j] if p < 0 else expected[p] + OFFSETS[j]
    np.testing.assert_allclose(rest[0], expected, atol=1e-12)


def test_numpy_fk_is_bit_identical_to_the_elementwise_torch_form_on_a_real_smplx_clip(data_dir):
    """The einsum NumPy path sums in the element-wise order, so real-data results do not move at all."""
    from core.formats import load_motion

    motion = load_motion(data_dir / "beat2" / "2_scott_0_1_1.npz").slice(0, 300)
    parents, offsets = motion.skeleton.parents, motion.skeleton.offsets
    for dtype in (np.float32, np.float64):
        rot, root = motion.rotations.astype(dtype), motion.root_translation.astype(dtype)
        glob, pos = forward_kinematics_transforms(parents, offsets, rot, root)
        ref_glob, ref_pos = forward_kinematics_transforms(
            parents, offsets, torch.from_numpy(rot), torch.from_numpy(root)
        )
        np.testing.assert_array_equal(glob, ref_glob.numpy())
        np.testing.assert_array_equal(pos, ref_pos.numpy())
        np.testing.assert_array_equal(forward_kinematics(parents, offsets, rot, root), pos)
