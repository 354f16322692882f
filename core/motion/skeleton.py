"""Skeleton topology and rest pose shared by every motion format."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np


@dataclass(frozen=True, eq=False)
class Skeleton:
    """Joint names, parents and rest offsets (metres) of a kinematic tree.

    ``parents[j] < j`` for every non-root joint (topological order), the root has parent -1.
    ``offsets[j]`` is joint j's rest translation in its parent's frame; the root's offset is its
    rest position. ``end_sites`` keeps BVH End Site offsets (joint index -> offset) so that a
    BVH survives a round trip.
    """

    joint_names: tuple[str, ...]
    parents: np.ndarray
    offsets: np.ndarray
    name: str = "custom"
    end_sites: dict[int, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        parents = np.asarray(self.parents, dtype=np.int64)
        offsets = np.asarray(self.offsets, dtype=np.float64)
        n = len(self.joint_names)
        if parents.shape != (n,) or offsets.shape != (n, 3):
            raise ValueError(f"skeleton of {n} joints needs parents ({n},) and offsets ({n}, 3)")
        if n == 0 or parents[0] != -1 or np.any(parents[1:] < 0) or np.any(parents[1:] >= np.arange(1, n)):
            raise ValueError("skeleton parents must be topologically ordered with a single root at index 0")
        if not np.all(np.isfinite(offsets)):
            raise ValueError("skeleton offsets must be finite")
        object.__setattr__(self, "parents", parents)
        object.__setattr__(self, "offsets", offsets)
        object.__setattr__(self, "joint_names", tuple(self.joint_names))

    @property
    def num_joints(self) -> int:
        return len(self.joint_names)

    def index(self, name: str) -> int:
        return self.joint_names.index(name)

    def children(self, joint: int) -> list[int]:
        return [j for j in range(self.num_joints) if self.parents[j] == joint]

    def same_topology(self, other: Skeleton) -> bool:
        """True when two skeletons have the same joints, listed in the same order, in the same tree
        (offsets may differ). For "the same tree, in any order" see :func:`describe_difference`."""
        return self.joint_names == other.joint_names and np.array_equal(self.parents, other.parents)

    def joint_order_in(self, reference: Skeleton) -> np.ndarray:
        """(J,) index of this skeleton's joint for each of ``reference``'s joints, matched by name:
        ``self.reordered(order)`` lists the joints as ``reference`` does. Raises ValueError (saying
        what differs) when the two are not the same tree."""
        reason = describe_difference(self, reference)
        if reason is not None:
            raise ValueError(reason)
        if self.joint_names == reference.joint_names:  # also where names repeat (matched by position)
            return np.arange(self.num_joints)
        return np.array([self.index(name) for name in reference.joint_names], dtype=np.int64)

    def renamed(self, joint_names: Sequence[str]) -> Skeleton:
        """The same tree and offsets under other joint names (one per joint, in this order)."""
        if len(joint_names) != self.num_joints:
            raise ValueError(f"renaming {self.num_joints} joints needs {self.num_joints} names")
        return replace(self, joint_names=tuple(joint_names))

    def reordered(self, order: Sequence[int]) -> Skeleton:
        """The same tree with joint ``order[i]`` listed i-th, offsets and End Sites following their
        joints; ``order`` must keep parents before children (ValueError otherwise)."""
        index = np.array([int(j) for j in order], dtype=np.int64)
        if sorted(index.tolist()) != list(range(self.num_joints)):
            raise ValueError(f"a joint order must list each of the {self.num_joints} joints once")
        position = np.empty_like(index)
        position[index] = np.arange(self.num_joints)
        old_parents = self.parents[index]
        return Skeleton(
            joint_names=tuple(self.joint_names[j] for j in index),
            parents=np.where(old_parents < 0, -1, position[old_parents]),
            offsets=self.offsets[index],
            name=self.name,
            end_sites={int(position[j]): offset for j, offset in self.end_sites.items()},
        )

    def bones(self) -> np.ndarray:
        """(J-1, 2) pairs of (parent, child) joint indices, for drawing."""
        child = np.arange(1, self.num_joints)
        return np.stack([self.parents[1:], child], axis=1)

    def to_dict(self) -> dict:
        """JSON-friendly form, stored in checkpoints."""
        return {
            "name": self.name,
            "joint_names": list(self.joint_names),
            "parents": self.parents.tolist(),
            "offsets": self.offsets.tolist(),
            "end_sites": {str(k): np.asarray(v).tolist() for k, v in self.end_sites.items()},
        }

    @classmethod
    def from_dict(cls, data: dict) -> Skeleton:
        return cls(
            joint_names=tuple(data["joint_names"]),
            parents=np.asarray(data["parents"], dtype=np.int64),
            offsets=np.asarray(data["offsets"], dtype=np.float64),
            name=str(data.get("name", "custom")),
            end_sites={int(k): np.asarray(v, dtype=np.float64) for k, v in data.get("end_sites", {}).items()},
        )


_LISTED = 5  # joints named in a difference before the rest are counted


@dataclass(frozen=True, eq=False)
class JointMatch:
    """How a clip's joints are read as a reference tree's: ``order[i]`` is the clip's joint for the
    reference's i-th joint. ``renamed`` holds the (clip's name, reference's name) pairs of joints matched
    by their place in the tree, not by name: two converters naming one tree differently."""

    order: np.ndarray
    renamed: tuple[tuple[str, str], ...] = ()


def match_joints(
    clip: Skeleton,
    reference: Skeleton,
    by_position: bool = True,
    clip_label: str = "the clip",
    reference_label: str = "the reference",
) -> JointMatch:
    """Match ``clip``'s joints to ``reference``'s: by name (in any order), else, with ``by_position``,
    by place when the two trees have the same shape listed in the same order (same parents, joint for
    joint, and every name both use in the same place). Raises ValueError saying what differs."""
    reason = describe_difference(clip, reference, clip_label, reference_label)
    if reason is None:
        return JointMatch(clip.joint_order_in(reference))
    if not _same_shape_in_order(clip, reference):
        raise ValueError(reason)
    if not by_position:
        raise ValueError(
            f"{reason} (the trees have the same shape, so their joints could be matched by position)"
        )
    renamed = tuple(
        (ours, theirs)
        for ours, theirs in zip(clip.joint_names, reference.joint_names, strict=True)
        if ours != theirs
    )
    return JointMatch(np.arange(clip.num_joints), renamed)


def describe_renaming(renamed: Sequence[tuple[str, str]]) -> str:
    """The joints matched by position, as "LeftHip = LeftUpLeg, ..." (each pair once, the clip's name first)."""
    return ", ".join(f"{ours} = {theirs}" for ours, theirs in renamed)


def _same_shape_in_order(clip: Skeleton, reference: Skeleton) -> bool:
    """Same number of joints, the same parent at every place, and no name both trees use in two places."""
    if clip.num_joints != reference.num_joints or not np.array_equal(clip.parents, reference.parents):
        return False
    ours, theirs = set(clip.joint_names), set(reference.joint_names)
    return all(
        a == b or (a not in theirs and b not in ours)
        for a, b in zip(clip.joint_names, reference.joint_names, strict=True)
    )


def describe_difference(
    clip: Skeleton, reference: Skeleton, clip_label: str = "the clip", reference_label: str = "the reference"
) -> str | None:
    """What keeps ``clip`` from being read as ``reference``'s tree (None when nothing does).

    Joints are matched by name, so the same tree listed in another order, or with other bone
    lengths, is no difference: the features are per joint and do not depend on offsets. Different
    joint names, or a joint hanging from another parent (or being the root in one only), are.
    """
    if clip.same_topology(reference):
        return None
    for skeleton, label in ((clip, clip_label), (reference, reference_label)):
        repeated = sorted({n for n in skeleton.joint_names if skeleton.joint_names.count(n) > 1})
        if repeated:
            return (
                f"joint names repeat in {label} ({_listing(repeated)}), so joints cannot be matched by name"
            )
    clip_names, reference_names = set(clip.joint_names), set(reference.joint_names)
    only_clip = [n for n in clip.joint_names if n not in reference_names]
    only_reference = [n for n in reference.joint_names if n not in clip_names]
    if only_clip or only_reference:
        parts = []
        if clip.num_joints != reference.num_joints:
            parts.append(f"{clip.num_joints} joints vs {reference.num_joints}")
        if only_clip:
            parts.append(f"joints only in {clip_label}: {_listing(only_clip)}")
        if only_reference:
            parts.append(f"joints only in {reference_label}: {_listing(only_reference)}")
        return "; ".join(parts)
    clip_parents, reference_parents = _parents_by_name(clip), _parents_by_name(reference)
    moved = [
        f"{name!r} {_hangs(clip_parents[name])} in {clip_label}, "
        f"{_hangs(reference_parents[name], clip_parents[name] is not None)} in {reference_label}"
        for name in reference.joint_names
        if clip_parents[name] != reference_parents[name]
    ]
    if not moved:
        return None
    rest = len(moved) - _LISTED
    return "; ".join(moved[:_LISTED]) + (f"; {rest} more joints hang elsewhere" if rest > 0 else "")


def _parents_by_name(skeleton: Skeleton) -> dict[str, str | None]:
    names = skeleton.joint_names
    return {
        name: None if p < 0 else names[p] for name, p in zip(names, skeleton.parents.tolist(), strict=True)
    }


def _hangs(parent: str | None, after_hangs: bool = False) -> str:
    """Where a joint hangs: "hangs from 'Spine'", "from 'Spine'" (``after_hangs``), or "is the root"."""
    if parent is None:
        return "is the root"
    return f"{'' if after_hangs else 'hangs '}from {parent!r}"


def _listing(names: Sequence[str]) -> str:
    shown = ", ".join(names[:_LISTED])
    return shown if len(names) <= _LISTED else f"{shown}, … ({len(names) - _LISTED} more)"
