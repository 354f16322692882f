"""Short windows of joint positions put in one body frame, so windows from anywhere in a dataset compare.

Where a clip stands, which way it faces and how tall its actor is say nothing about the movement, so
before windows are averaged or overlaid each is moved and turned: its body root (the pelvis) to the
origin and the line from its right hip to its left hip along +X, so it faces +Z (where the renderer's
and the app's camera stand), both read at one reference frame. One rigid transform per window keeps
the movement inside it (a step forward stays a step forward, a crouch lowers the feet's height
relative to the pelvis), as the root-aligned errors of :mod:`core.analysis.metrics` do per frame.

The body root is the first joint of the tree with more than one child: the pelvis of SMPL-X and
HumanML3D, Bandai's ``Hips`` under its helper ``joint_Root`` (which stays on the ground). The hips are
the left/right pair nearest the root in the tree (arms swing; the pelvis says where the body faces),
told by joint names (``_L``/``_R``, ``left_``/``right_``...); a skeleton without named sides is moved to
the origin without turning.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.features.mirror import SIDE_MARKERS, mirror_partners
from core.motion.skeleton import Skeleton


@dataclass(frozen=True)
class BodyFrame:
    """Which joints place and turn a window of a skeleton."""

    root: int
    """The body root: the joint put on the vertical axis."""
    left: np.ndarray
    """(P,) left joints nearest the root (the hips), each paired with ``right``'s joint."""
    right: np.ndarray

    @classmethod
    def of(cls, skeleton: Skeleton) -> BodyFrame:
        root = 0
        while len(skeleton.children(root)) == 1:
            root = skeleton.children(root)[0]
        left, right = side_pairs(skeleton.joint_names)
        depth = np.array([_depth(skeleton.parents, j) for j in left], dtype=np.int64)
        nearest = depth == depth.min() if len(depth) else np.zeros(0, dtype=bool)
        return cls(root, left[nearest], right[nearest])

    def align(self, windows: np.ndarray, reference: int = 0) -> np.ndarray:
        """``(n, W, J, 3)`` windows, each moved and turned by one rigid transform so that at frame
        ``reference`` its body root is at the origin and its left hip points along +X."""
        windows = np.asarray(windows, dtype=np.float64)
        origin = windows[:, reference, self.root]
        moved = windows - origin[:, None, None, :]
        if not len(self.left):
            return moved
        across = (moved[:, reference, self.left] - moved[:, reference, self.right]).mean(axis=1)
        length = np.hypot(across[:, 0], across[:, 2])
        flat = length < 1e-9
        cos = np.where(flat, 1.0, across[:, 0] / np.where(flat, 1.0, length))[:, None, None]
        sin = np.where(flat, 0.0, across[:, 2] / np.where(flat, 1.0, length))[:, None, None]
        x, z = moved[..., 0], moved[..., 2]
        turned = moved.copy()
        turned[..., 0] = cos * x + sin * z
        turned[..., 2] = cos * z - sin * x
        return turned


def side_pairs(names: tuple[str, ...] | list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The (left, right) joint index pairs a skeleton's names make (empty when they make none): the
    first name of each :data:`~core.features.mirror.SIDE_MARKERS` pair is the left one."""
    try:
        partners = mirror_partners(names)
    except ValueError:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    left, right = [], []
    for joint, partner in enumerate(partners.tolist()):
        name, other = names[joint], names[partner]
        if partner != joint and any(a in name and name.replace(a, b) == other for a, b in SIDE_MARKERS):
            left.append(joint)
            right.append(partner)
    return np.asarray(left, dtype=np.int64), np.asarray(right, dtype=np.int64)


def _depth(parents: np.ndarray, joint: int) -> int:
    depth = 0
    while parents[joint] >= 0:
        joint, depth = int(parents[joint]), depth + 1
    return depth
