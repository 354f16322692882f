"""Synthetic KIT-ML data for tests: no KIT-ML file is on the development machine (and none may ship).

A clip is forward kinematics of KIT's 21-joint MMM skeleton (:data:`core.formats.humanml3d_bodies.KIT`, its
nominal rest pose) walking: legs and arms swing, the body bobs, the root advances and may turn. Its
251-dim rows are made by the project's own KIT feature maker, so tests of the KIT path check it against
itself and against the geometry it started from, not against released KIT files.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.spatial.transform import Rotation

from core.formats.humanml3d_bodies import KIT
from core.formats.humanml3d_features import humanml3d_features
from core.motion.clip import Motion

SWINGS = {11: 0.5, 16: -0.5, 5: -0.4, 8: 0.4}
"""Joint -> swing amplitude (radians, about X) of the hips and shoulders; the sides swing in opposite phase."""
BENDS = {12: 0.6, 17: 0.6, 6: 0.3, 9: 0.3}
"""Knees and elbows: how far they bend (radians) at the top of their stride."""


def kit_motion(frames: int = 60, turn: float = 0.0, phase: float = 0.0, twist: float = 0.15) -> Motion:
    """A KIT clip at 12.5 fps walking +Z at 1.2 m/s; ``turn`` radians of heading gained over the clip, the
    thorax twisting ``twist`` radians each way (with neither, the facing never changes)."""
    t = np.arange(frames) / KIT.fps
    stride = 2 * np.pi * 0.9 * t + phase
    euler = np.zeros((frames, KIT.num_joints, 3))
    for joint, amplitude in SWINGS.items():
        euler[:, joint, 0] = amplitude * np.sin(stride)
    for joint, bend in BENDS.items():
        side = 1.0 if joint in (12, 17) else -1.0
        euler[:, joint, 0] = side * bend * (0.5 + 0.5 * np.sin(stride + (np.pi if joint in (17, 9) else 0.0)))
    euler[:, 2, 1] = twist * np.sin(stride)
    heading = turn * t / max(t[-1], 1e-9)
    euler[:, 0, 1] = heading
    rotations = Rotation.from_euler("XYZ", euler.reshape(-1, 3)).as_matrix().reshape(frames, -1, 3, 3)
    step = 1.2 / KIT.fps
    root = np.zeros((frames, 3))
    root[1:, 0] = np.cumsum(step * np.sin(heading[:-1]))
    root[1:, 2] = np.cumsum(step * np.cos(heading[:-1]))
    root[:, 1] = 0.95 + 0.02 * np.cos(2 * stride)
    return Motion(KIT.rest_skeleton(), rotations, root, KIT.fps, source={"format": "synthetic"})


def kit_rows(frames: int = 60, turn: float = 0.0, phase: float = 0.0, twist: float = 0.15) -> np.ndarray:
    """(frames - 1, 251) float32 KIT-ML rows of :func:`kit_motion`, in millimetres."""
    joints = kit_motion(frames, turn, phase, twist).joint_positions()
    return humanml3d_features(joints, KIT).astype(np.float32)


def write_kit_root(root: Path, lengths: dict[str, int], splits: dict[str, list[str]]) -> Path:
    """A KIT-ML root as it ships: ``new_joint_vecs/<id>.npy`` of the given lengths (frames), ``Mean.npy`` and
    ``Std.npy`` over them, and one ``<split>.txt`` of ids per entry of ``splits``."""
    vectors = root / "new_joint_vecs"
    vectors.mkdir(parents=True)
    rows = {}
    for number, (clip, frames) in enumerate(sorted(lengths.items())):
        rows[clip] = kit_rows(frames, turn=0.3 * number, phase=0.7 * number)
        np.save(vectors / f"{clip}.npy", rows[clip])
    stacked = np.concatenate(list(rows.values()))
    np.save(root / "Mean.npy", stacked.mean(0))
    np.save(root / "Std.npy", np.maximum(stacked.std(0), 1e-3))
    for name, ids in splits.items():
        (root / f"{name}.txt").write_text("".join(f"{i}\n" for i in ids))
    return root
