"""Linear blend skinning of an SMPL-X rest mesh (from the synthetic model file) by FK transforms."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.formats.smplx_npz import load_smplx_npz
from core.formats.smplx_skeleton import RestMesh, smplx_skeleton_from_model
from core.motion.kinematics import forward_kinematics_transforms
from core.motion.rotations import axis_angle_to_matrix
from core.motion.skinning import skin, skin_frame
from tests.helpers.synthetic_smplx import write_synthetic_smplx_model


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("smplx") / "SMPLX_NEUTRAL.npz"
    write_synthetic_smplx_model(path)
    return path


def rest_joints(skeleton) -> np.ndarray:
    identity = np.tile(np.eye(3), (1, skeleton.num_joints, 1, 1))
    return forward_kinematics_transforms(
        skeleton.parents, skeleton.offsets, identity, skeleton.offsets[None, 0]
    )[1][0]


def test_rest_pose_gives_the_rest_vertices(model: Path) -> None:
    skeleton, mesh = smplx_skeleton_from_model(model, np.random.default_rng(2).normal(size=10))
    joints = rest_joints(skeleton)
    rotations = np.tile(np.eye(3), (3, 55, 1, 1))
    skinned = skin(mesh, joints, rotations, np.tile(joints, (3, 1, 1)))
    assert skinned.shape == (3, len(mesh.vertices), 3)
    np.testing.assert_allclose(skinned, np.broadcast_to(mesh.vertices, skinned.shape), atol=1e-5)
    np.testing.assert_allclose(skin_frame(mesh, joints, rotations[0], joints), mesh.vertices, atol=1e-5)


def test_a_joint_rotation_moves_only_the_vertices_weighted_to_its_subtree(model: Path) -> None:
    skeleton, smooth = smplx_skeleton_from_model(model)
    # Each vertex bound to one joint, so which vertices may move is known exactly.
    owner = np.arange(len(smooth.vertices)) % 55
    mesh = RestMesh(smooth.vertices, smooth.faces, np.eye(55)[owner])
    joint = skeleton.index("left_elbow")
    subtree = {joint} | {j for j in range(55) if joint in _ancestors(skeleton.parents, j)}
    local = np.tile(np.eye(3), (1, 55, 1, 1))
    local[0, joint] = axis_angle_to_matrix(np.array([0.0, 0.0, 1.2]))
    rot, pos = forward_kinematics_transforms(
        skeleton.parents, skeleton.offsets, local, skeleton.offsets[None, 0]
    )
    moved = np.linalg.norm(skin(mesh, rest_joints(skeleton), rot, pos)[0] - mesh.vertices, axis=1) > 1e-5
    expected = np.isin(owner, sorted(subtree))
    assert moved.any()
    # A vertex at the elbow's own centre would not move; every moved one belongs to the subtree.
    assert not (moved & ~expected).any()
    assert (moved == expected).sum() >= len(owner) - 1
    # One frame on demand gives the same vertices as the clip-wide product.
    np.testing.assert_allclose(
        skin_frame(mesh, rest_joints(skeleton), rot[0], pos[0]),
        skin(mesh, rest_joints(skeleton), rot, pos)[0],
    )


def _ancestors(parents: np.ndarray, j: int) -> set[int]:
    out = set()
    while parents[j] >= 0:
        j = int(parents[j])
        out.add(j)
    return out


def test_a_beat2_frame_stays_within_the_body_around_its_joints(data_dir: Path, model: Path) -> None:
    motion = load_smplx_npz(data_dir / "beat2" / "2_scott_0_1_1.npz", model_path=model)
    skeleton, mesh = smplx_skeleton_from_model(model, motion.source["extras"].get("betas"))
    np.testing.assert_allclose(skeleton.offsets, motion.skeleton.offsets, atol=1e-9)
    joints = rest_joints(skeleton)
    frames = slice(0, motion.num_frames, 25)
    rot, pos = forward_kinematics_transforms(
        skeleton.parents, skeleton.offsets, motion.rotations[frames], motion.root_translation[frames]
    )
    skinned = skin(mesh, joints, rot, pos)
    # Every blended rigid motion keeps a vertex as far from each joint as at rest: the skinned vertex
    # lies within its farthest rest joint distance of the weighted mean of the posed joints.
    reach = np.linalg.norm(mesh.vertices[:, None] - joints[None], axis=2).max(axis=1)
    centre = np.einsum("vj,tjc->tvc", mesh.weights, pos)
    assert (np.linalg.norm(skinned - centre, axis=2) <= reach + 1e-4).all()
    lo, hi = pos.min(axis=1, keepdims=True), pos.max(axis=1, keepdims=True)
    assert ((skinned >= lo - reach.max()) & (skinned <= hi + reach.max())).all()
    for t in range(len(rot)):
        np.testing.assert_allclose(skin_frame(mesh, joints, rot[t], pos[t]), skinned[t], atol=1e-5)


def test_mismatched_shapes_are_refused(model: Path) -> None:
    skeleton, mesh = smplx_skeleton_from_model(model)
    with pytest.raises(ValueError, match="do not match"):
        skin_frame(mesh, rest_joints(skeleton)[:20], np.tile(np.eye(3), (55, 1, 1)), np.zeros((55, 3)))
