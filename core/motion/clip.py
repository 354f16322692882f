"""The one in-memory motion type every loader returns and every saver takes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from core.motion.kinematics import forward_kinematics
from core.motion.skeleton import JointMatch, Skeleton, match_joints

PER_JOINT_SOURCE = ("channels", "rotation_orders")
"""``source`` entries listed per joint (BVH channel layouts and Euler orders), which follow their joints
when a clip is reordered so that saving it keeps each joint's own layout."""


@dataclass(eq=False)
class Motion:
    """A clip: local joint rotations and root translation over time on a skeleton.

    ``rotations`` is (T, J, 3, 3) local rotation matrices (joint frame -> parent frame),
    ``root_translation`` is (T, 3) world position of the root joint in metres, Y up.
    ``source`` records where the clip came from (path, format) and format-specific extras that
    savers may write back (SMPL-X betas and expressions, BVH Euler order, ...).
    """

    skeleton: Skeleton
    rotations: np.ndarray
    root_translation: np.ndarray
    fps: float
    source: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.rotations = np.asarray(self.rotations, dtype=np.float64)
        self.root_translation = np.asarray(self.root_translation, dtype=np.float64)
        t, j = self.rotations.shape[:2] if self.rotations.ndim == 4 else (-1, -1)
        if self.rotations.shape != (t, self.skeleton.num_joints, 3, 3) or t < 1:
            raise ValueError(
                f"rotations must be (frames, {self.skeleton.num_joints}, 3, 3), got {self.rotations.shape}"
            )
        if self.root_translation.shape != (t, 3):
            raise ValueError(f"root_translation must be ({t}, 3), got {self.root_translation.shape}")
        if not (np.isfinite(self.fps) and self.fps > 0):
            raise ValueError(f"fps must be positive, got {self.fps}")

    @property
    def num_frames(self) -> int:
        return int(self.rotations.shape[0])

    @property
    def duration(self) -> float:
        return self.num_frames / self.fps

    def joint_positions(self) -> np.ndarray:
        """World joint positions (T, J, 3) in metres, Y up."""
        return forward_kinematics(
            self.skeleton.parents, self.skeleton.offsets, self.rotations, self.root_translation
        )

    def slice(self, start: int, stop: int) -> Motion:
        """Frames [start, stop) as a new clip; per-frame arrays of ``source`` and its extras (SMPL-X
        expressions, a HumanML3D file's rows) are sliced too."""
        frames = self.num_frames

        def per_frame(entries: dict) -> dict:
            return {
                k: v[start:stop]
                if isinstance(v, np.ndarray) and v.ndim >= 1 and len(v) == frames and k != "betas"
                else v
                for k, v in entries.items()
            }

        source = per_frame(self.source)
        if "extras" in self.source:
            source["extras"] = per_frame(self.source["extras"])
        return replace(
            self,
            rotations=self.rotations[start:stop],
            root_translation=self.root_translation[start:stop],
            source=source,
        )

    def matched(self, reference: Skeleton, match: JointMatch) -> Motion:
        """The clip read as ``reference``'s tree (:func:`core.motion.skeleton.match_joints`): its joints in
        ``reference``'s order, on its own bone lengths; joints matched by position take ``reference``'s
        names, and ``source["renamed_joints"]`` keeps the pairs so a tool can say what it matched."""
        motion = self.reordered(match.order)
        if not match.renamed:
            return motion
        source = {**motion.source, "renamed_joints": match.renamed}
        return replace(motion, skeleton=motion.skeleton.renamed(reference.joint_names), source=source)

    @property
    def renamed_joints(self) -> tuple[tuple[str, str], ...]:
        """(own name, name read as) of joints matched to another tree by position (:meth:`matched`)."""
        return tuple(self.source.get("renamed_joints", ()))

    def reordered(self, order: Sequence[int]) -> Motion:
        """The same motion with joint ``order[i]`` listed i-th (see :meth:`Skeleton.reordered`), e.g. to
        read a clip in a checkpoint's joint order; offsets and per-joint ``source`` entries follow.
        ``self`` when ``order`` changes nothing."""
        index = [int(j) for j in order]
        if index == list(range(self.skeleton.num_joints)):
            return self
        skeleton = self.skeleton.reordered(index)
        source = {
            k: [v[j] for j in index]
            if k in PER_JOINT_SOURCE and isinstance(v, list) and len(v) == len(index)
            else v
            for k, v in self.source.items()
        }
        return replace(self, skeleton=skeleton, rotations=self.rotations[:, index], source=source)


def renamed_like(motion: Motion, reference: Skeleton, by_position: bool = True) -> Motion:
    """``motion`` under ``reference``'s joint names where the two trees match only by position (same
    shape, same order, other names: :func:`core.motion.skeleton.match_joints`), else ``motion`` as it
    is, for a fit by name to accept or refuse."""
    try:
        match = match_joints(motion.skeleton, reference, by_position)
    except ValueError:
        return motion
    return motion.matched(reference, match) if match.renamed else motion
