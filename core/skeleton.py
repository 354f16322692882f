"""Skeleton topology and rest pose shared by every motion format."""

from __future__ import annotations

from dataclasses import dataclass, field

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
        """True when two skeletons have the same joints in the same tree (offsets may differ)."""
        return self.joint_names == other.joint_names and np.array_equal(self.parents, other.parents)

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
