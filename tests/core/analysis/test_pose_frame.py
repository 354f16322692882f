"""Windows of joints put in one body frame (core.analysis.pose_frame): where a clip stands and which
way it faces drop out, the movement inside the window stays."""

from __future__ import annotations

import numpy as np
import pytest

from core.analysis.pose_frame import BodyFrame, side_pairs
from core.formats import load_motion


@pytest.fixture(scope="module")
def walk(data_dir):
    return load_motion(data_dir / "bandai" / "dataset-1" / "dataset-1_walk_normal_001.bvh")


def _turned(points: np.ndarray, angle: float, shift: np.ndarray) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    turn = np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])
    return points @ turn.T + shift


def test_the_body_root_is_the_pelvis_under_a_helper_root(walk):
    frame = BodyFrame.of(walk.skeleton)
    names = walk.skeleton.joint_names
    assert names[0] == "joint_Root" and names[frame.root] == "Hips"
    assert [(names[a], names[b]) for a, b in zip(frame.left, frame.right, strict=True)] == [
        ("UpperLeg_L", "UpperLeg_R")
    ]


def test_side_pairs_name_the_left_joint_first():
    left, right = side_pairs(("pelvis", "right_hip", "left_hip", "Hand_L", "Hand_R", "spine"))
    assert sorted(zip(left.tolist(), right.tolist(), strict=True)) == [(2, 1), (3, 4)]


def test_a_window_moved_and_turned_anywhere_aligns_to_the_same_pose(walk):
    frame = BodyFrame.of(walk.skeleton)
    window = walk.joint_positions()[40:60]
    elsewhere = _turned(window, 2.1, np.array([3.0, 0.4, -7.0]))
    a, b = frame.align(np.stack([window, elsewhere]), reference=4)
    np.testing.assert_allclose(a, b, atol=1e-9)


def test_the_aligned_pelvis_is_at_the_origin_with_the_left_hip_along_x_and_the_walk_going_forward(walk):
    frame = BodyFrame.of(walk.skeleton)
    aligned = frame.align(walk.joint_positions()[None, 40:70], reference=0)[0]
    np.testing.assert_allclose(aligned[0, frame.root], 0.0, atol=1e-12)
    hips = aligned[0, frame.left[0]] - aligned[0, frame.right[0]]
    assert abs(hips[2]) < 1e-9 and hips[0] > 0
    travel = aligned[-1, frame.root] - aligned[0, frame.root]
    assert travel[2] > 0.5 and abs(travel[0]) < 0.2 * travel[2]  # a second of walking, towards +Z


def test_a_skeleton_without_named_sides_is_moved_but_not_turned(walk):
    from core.motion.skeleton import Skeleton

    sk = walk.skeleton
    anonymous = Skeleton(tuple(f"j{i}" for i in range(sk.num_joints)), sk.parents, sk.offsets)
    frame = BodyFrame.of(anonymous)
    window = walk.joint_positions()[None, 10:20]
    aligned = frame.align(window)
    assert len(frame.left) == 0
    np.testing.assert_allclose(aligned, window - window[:, :1, frame.root : frame.root + 1], atol=1e-12)
