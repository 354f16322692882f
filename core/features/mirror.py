"""Left-right mirroring of clips in feature space, to double a training set with plausible motion.

A mirrored clip is the original reflected through a vertical plane, with every left joint playing its
right partner. On a skeleton whose left and right rest offsets are reflections of each other, this is
exact: the mirrored clip's joint positions are the reflected original positions. Skeletons set up their
joint frames differently (Bandai's arms point along +x on one side and -x on the other, its legs differ
in y), so each joint gets its own reflection ``M_j`` (a diagonal sign matrix of determinant -1), chosen
so that ``M_j`` maps every child's offset to the partner child's offset. A local rotation then mirrors as
``R'_j = M_parent R_partner(j) M_j`` (``W R M_root`` at the root, ``W`` the world reflection), which is a
sign flip of matrix entries: in the 6D layout of :mod:`core.features.representation` a mirror is a permutation
of feature columns with signs, cheap enough to apply to a whole dataset once.

Where offsets leave the reflection open (a leaf joint, a root whose only child lies on the midline, the
choice of world plane), the one that makes the mirrored mean pose closest to the data's mean pose is
taken, so mirrored features look like the data rather than a 180-degree-turned copy of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.features.rot6d import ROOT_CHANNELS, Rot6D
from core.motion.skeleton import Skeleton

SIDE_MARKERS = (
    ("Left", "Right"),
    ("left", "right"),
    ("LEFT", "RIGHT"),
    ("_L", "_R"),
    ("L_", "R_"),
    (".L", ".R"),
    ("_l", "_r"),
    ("l_", "r_"),
)
"""Substring pairs that name the two sides of a joint; a swap counts only if the swapped name exists."""

_REFLECTIONS = (*(np.where(np.arange(3) == axis, -1.0, 1.0) for axis in range(3)), -np.ones(3))
"""The improper diagonal sign matrices (odd count of -1): a joint frame mirrors through one of its
axis planes, or, where a rig turns the other side's frame half-way round that axis, through its origin."""
_WORLD_FLIPS = (_REFLECTIONS[0], _REFLECTIONS[2])
"""Vertical mirror planes: x = 0 or z = 0 (y is up in every format the project reads)."""
_ASYMMETRY_LIMIT = 0.3
"""Largest mismatch between a mirrored child offset and its partner's, relative to the offset's length."""
_TIE_MARGIN = 0.05
"""Reflections this close to the best fit of the offsets count as equally good."""


def mirror_partners(names: Sequence[str]) -> np.ndarray:
    """Index of each joint's other-side partner (itself for joints on the midline)."""
    index = {name: i for i, name in enumerate(names)}
    partners = np.arange(len(names))
    for i, name in enumerate(names):
        for a, b in SIDE_MARKERS:
            for old, new in ((a, b), (b, a)):
                swapped = name.replace(old, new)
                if old in name and swapped in index:
                    partners[i] = index[swapped]
    if not np.array_equal(partners[partners], np.arange(len(names))):
        raise ValueError("left/right joint names do not pair up one to one")
    return partners


@dataclass(frozen=True)
class FeatureMirror:
    """Mirror as ``features[..., permutation] * signs`` on (..., D) feature arrays; its own inverse."""

    permutation: np.ndarray
    signs: np.ndarray

    def __call__(self, features: np.ndarray) -> np.ndarray:
        return (features[..., self.permutation] * self.signs).astype(features.dtype, copy=False)


def _sixd_signs(row_flip: np.ndarray, column_flip: np.ndarray) -> np.ndarray:
    """Signs of the 6D entries (first two rows) of ``diag(row_flip) R diag(column_flip)``."""
    return np.outer(row_flip[:2], column_flip).reshape(6)


def _offset_mismatch(skeleton: Skeleton, partners: np.ndarray, joint: int, flip: np.ndarray) -> float:
    """How far ``flip`` is from mapping each child offset of ``joint`` onto its partner's, relative to the
    offset's length (or the skeleton's mean bone length for short offsets, whose direction is noise)."""
    mean_bone = max(float(np.linalg.norm(skeleton.offsets[1:], axis=1).mean()), 1e-6)
    worst = 0.0
    for child in skeleton.children(joint):
        target = skeleton.offsets[partners[child]]
        scale = max(float(np.linalg.norm(target)), mean_bone)
        worst = max(worst, float(np.linalg.norm(flip * skeleton.offsets[child] - target)) / scale)
    return worst


def feature_mirror(skeleton: Skeleton, rep: Rot6D, mean_features: np.ndarray) -> FeatureMirror:
    """The feature-space mirror of ``skeleton`` clips; ``mean_features`` (D,) settles open choices.

    Raises ValueError if the joint names do not pair up or the rest offsets are not mirror-symmetric.
    """
    partners = mirror_partners(skeleton.joint_names)
    mean6d = np.asarray(mean_features, dtype=np.float64)[: rep.num_joints * 6].reshape(rep.num_joints, 6)
    flips: list[np.ndarray] = [np.ones(3)] * skeleton.num_joints
    permutation = np.arange(rep.dim)
    signs = np.ones(rep.dim)
    world = _WORLD_FLIPS[0]
    for joint in range(skeleton.num_joints):
        partner, parent = int(partners[joint]), int(skeleton.parents[joint])
        if partner < joint:
            choices = [(flips[parent], flips[partner])]
        else:
            rows = list(_WORLD_FLIPS) if parent < 0 else [flips[parent]]
            choices = [(row, flip) for row in rows for flip in _symmetric_flips(skeleton, partners, joint)]
        row, flip = min(
            choices, key=lambda c: float(np.sum((_sixd_signs(*c) * mean6d[partner] - mean6d[joint]) ** 2))
        )
        if parent < 0:
            world = row
        flips[joint] = flip
        columns = slice(joint * 6, joint * 6 + 6)
        permutation[columns] = np.arange(partner * 6, partner * 6 + 6)
        signs[columns] = _sixd_signs(row, flip)
    if rep.root_channels:
        root = rep.num_joints * 6
        signs[root : root + ROOT_CHANNELS] = [world[0], world[2], 1.0]
    return FeatureMirror(permutation=permutation, signs=signs.astype(np.float32))


def _symmetric_flips(skeleton: Skeleton, partners: np.ndarray, joint: int) -> list[np.ndarray]:
    """Reflections that map the child offsets of ``joint`` and of its partner onto each other.

    Real skeletons are only nearly symmetric (an SMPL-X body shape differs by a few centimetres between
    sides), so the best reflection is accepted up to a relative mismatch of ``_ASYMMETRY_LIMIT``, and
    any other within ``_TIE_MARGIN`` of it stays open for the data to decide.
    """
    mismatch = [
        max(_offset_mismatch(skeleton, partners, j, flip) for j in (joint, int(partners[joint])))
        for flip in _REFLECTIONS
    ]
    if min(mismatch) > _ASYMMETRY_LIMIT:
        name = skeleton.joint_names[joint]
        raise ValueError(f"skeleton {skeleton.name!r} is not mirror-symmetric at joint {name!r}")
    return [flip for flip, m in zip(_REFLECTIONS, mismatch, strict=True) if m <= min(mismatch) + _TIE_MARGIN]
