"""Synthetic BVH files and an independent reference reader for tests/test_bvh.py.

The writer and the reader here share no code with core.formats.bvh, so that a test comparing the two
checks the loader against a second, deliberately naive reading of the format.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.spatial.transform import Rotation

ROOT_CHANNELS = ["Xposition", "Yposition", "Zposition", "Zrotation", "Yrotation", "Xrotation"]
JOINT_CHANNELS = ["Zrotation", "Yrotation", "Xrotation"]

# The 31-joint CMU layout of the cgspeed BVH conversions, in ASF units (about 0.05644 m each):
# (name, parent, offset), then End Sites (joint, offset).
CMU_JOINTS: list[tuple[str, str | None, tuple[float, float, float]]] = [
    ("Hips", None, (0.0, 0.0, 0.0)),
    ("LHipJoint", "Hips", (0.0, 0.0, 0.0)),
    ("LeftUpLeg", "LHipJoint", (1.8559, -1.73949, 0.84976)),
    ("LeftLeg", "LeftUpLeg", (2.36836, -6.50702, 0.0)),
    ("LeftFoot", "LeftLeg", (2.53268, -6.95849, 0.0)),
    ("LeftToeBase", "LeftFoot", (0.15935, -0.43781, 1.94506)),
    ("RHipJoint", "Hips", (0.0, 0.0, 0.0)),
    ("RightUpLeg", "RHipJoint", (-1.68297, -1.73949, 0.84976)),
    ("RightLeg", "RightUpLeg", (-2.44709, -6.72334, 0.0)),
    ("RightFoot", "RightLeg", (-2.43843, -6.69953, 0.0)),
    ("RightToeBase", "RightFoot", (-0.20854, -0.57295, 2.02172)),
    ("LowerBack", "Hips", (0.0, 0.0, 0.0)),
    ("Spine", "LowerBack", (-0.0156, 2.23971, -0.03712)),
    ("Spine1", "Spine", (0.0549, 2.19225, -0.19086)),
    ("Neck", "Spine1", (0.0, 0.0, 0.0)),
    ("Neck1", "Neck", (-0.12403, 1.43168, 0.27585)),
    ("Head", "Neck1", (0.17855, 1.46173, -0.32578)),
    ("LeftShoulder", "Spine1", (0.0, 0.0, 0.0)),
    ("LeftArm", "LeftShoulder", (3.2765, 0.85634, 0.05396)),
    ("LeftForeArm", "LeftArm", (4.96755, 0.0, 0.0)),
    ("LeftHand", "LeftForeArm", (3.35751, 0.0, 0.0)),
    ("LeftFingerBase", "LeftHand", (0.0, 0.0, 0.0)),
    ("LeftHandIndex1", "LeftFingerBase", (0.79697, 0.0, 0.0)),
    ("LThumb", "LeftHand", (0.0, 0.0, 0.0)),
    ("RightShoulder", "Spine1", (0.0, 0.0, 0.0)),
    ("RightArm", "RightShoulder", (-3.24434, 1.02034, 0.34688)),
    ("RightForeArm", "RightArm", (-5.21859, 0.0, 0.0)),
    ("RightHand", "RightForeArm", (-3.36504, 0.0, 0.0)),
    ("RightFingerBase", "RightHand", (0.0, 0.0, 0.0)),
    ("RightHandIndex1", "RightFingerBase", (-0.62044, 0.0, 0.0)),
    ("RThumb", "RightHand", (0.0, 0.0, 0.0)),
]
CMU_END_SITES = {
    "LeftToeBase": (0.0, 0.0, 1.00661),
    "RightToeBase": (0.0, 0.0, 1.05594),
    "Head": (0.07217, 1.5159, -0.14537),
    "LeftHandIndex1": (0.64254, 0.0, 0.0),
    "LThumb": (0.65235, 0.0, 0.65235),
    "RightHandIndex1": (-0.50022, 0.0, 0.0),
    "RThumb": (-0.50786, 0.0, 0.50786),
}
CMU_HIPS_HEIGHT = 15.98  # ASF units: the cgspeed files stand the Hips about this high


@dataclass
class Joint:
    name: str
    parent: int
    offset: Sequence[float]
    channels: list[str] = field(default_factory=lambda: list(JOINT_CHANNELS))
    end_site: Sequence[float] | None = None


def cmu_joints(scale: float = 1.0) -> list[Joint]:
    """The CMU layout as :class:`Joint` rows, offsets multiplied by ``scale``."""
    names = [name for name, _, _ in CMU_JOINTS]
    joints = []
    for name, parent, offset in CMU_JOINTS:
        site = CMU_END_SITES.get(name)
        joints.append(
            Joint(
                name,
                -1 if parent is None else names.index(parent),
                [v * scale for v in offset],
                list(ROOT_CHANNELS if parent is None else JOINT_CHANNELS),
                None if site is None else [v * scale for v in site],
            )
        )
    return joints


def bvh_text(
    joints: list[Joint],
    frames: np.ndarray | Sequence[Sequence[float]],
    frame_time: float | str = 1 / 30,
    newline: str = "\n",
    indent: str = "  ",
) -> str:
    """A BVH file: joints in the given (depth-first) order, one frame of values per line."""
    lines = ["HIERARCHY"]
    depth_of: list[int] = []
    open_depths: list[int] = []

    def close_until(depth: int) -> None:
        while open_depths and open_depths[-1] >= depth:
            lines.append(indent * open_depths.pop() + "}")

    for index, joint in enumerate(joints):
        depth = 0 if joint.parent < 0 else depth_of[joint.parent] + 1
        depth_of.append(depth)
        close_until(depth)
        pad = indent * depth
        lines += [f"{pad}{'ROOT' if index == 0 else 'JOINT'} {joint.name}", pad + "{"]
        lines.append(pad + indent + "OFFSET " + " ".join(f"{v:.6f}" for v in joint.offset))
        lines.append(pad + indent + f"CHANNELS {len(joint.channels)} " + " ".join(joint.channels))
        if joint.end_site is not None:
            site = " ".join(f"{v:.6f}" for v in joint.end_site)
            lines += [pad + indent + "End Site", pad + indent + "{"]
            lines += [pad + indent * 2 + "OFFSET " + site, pad + indent + "}"]
        open_depths.append(depth)
    close_until(0)
    rows = np.atleast_2d(np.asarray(frames, dtype=float))
    lines += ["MOTION", f"Frames: {len(rows)}", f"Frame Time: {frame_time}"]
    lines += [" ".join(f"{v:.6f}" for v in row) for row in rows]
    return newline.join(lines) + newline


def write_bvh(path: Path, joints: list[Joint], frames, **kwargs) -> Path:
    path.write_bytes(bvh_text(joints, frames, **kwargs).encode())
    return path


@dataclass
class RawBvh:
    names: list[str]
    parents: list[int]
    offsets: np.ndarray
    channels: list[list[str]]
    values: np.ndarray


def read_raw(path: Path) -> RawBvh:
    """Naive token-by-token reading, no unit conversion, no folding."""
    tokens = path.read_text().split()
    names: list[str] = []
    parents: list[int] = []
    offsets: list[list[float]] = []
    channels: list[list[str]] = []
    stack: list[int] = []
    i, in_site = 1, False  # after HIERARCHY
    while tokens[i] != "MOTION":
        token = tokens[i]
        if token in ("ROOT", "JOINT"):
            names.append(tokens[i + 1])
            parents.append(stack[-1] if stack else -1)
            channels.append([])
            stack.append(len(names) - 1)
            i += 3
        elif token == "End":
            in_site = True
            i += 3
        elif token == "OFFSET":
            if not in_site:
                offsets.append([float(v) for v in tokens[i + 1 : i + 4]])
            i += 4
        elif token == "CHANNELS":
            count = int(tokens[i + 1])
            channels[stack[-1]] = tokens[i + 2 : i + 2 + count]
            i += 2 + count
        else:  # "}"
            if in_site:
                in_site = False
            else:
                stack.pop()
            i += 1
    values = np.array(tokens[i + 6 :], dtype=float).reshape(int(tokens[i + 2]), -1)
    return RawBvh(names, parents, np.array(offsets), channels, values)


def reference_world_positions(raw: RawBvh) -> np.ndarray:
    """(T, J, 3) world joint positions in file units, straight from the BVH definition."""
    frames = len(raw.values)
    world_rot = np.zeros((frames, len(raw.names), 3, 3))
    world_pos = np.zeros((frames, len(raw.names), 3))
    column = 0
    for j, channels in enumerate(raw.channels):
        local_pos = np.tile(raw.offsets[j], (frames, 1))
        angles, axes = [], ""
        for name in channels:
            if name.endswith("position"):
                local_pos[:, "XYZ".index(name[0])] = raw.values[:, column]
            else:
                angles.append(raw.values[:, column])
                axes += name[0]
            column += 1
        local_rot = (
            Rotation.from_euler(axes, np.stack(angles, axis=1), degrees=True).as_matrix()
            if axes
            else np.tile(np.eye(3), (frames, 1, 1))
        )
        p = raw.parents[j]
        if p < 0:
            world_rot[:, j], world_pos[:, j] = local_rot, local_pos
        else:
            world_rot[:, j] = world_rot[:, p] @ local_rot
            world_pos[:, j] = world_pos[:, p] + np.einsum("tij,tj->ti", world_rot[:, p], local_pos)
    return world_pos


def depth_first(joints: list[Joint], first: Sequence[str] = ()) -> list[Joint]:
    """The same tree listed in another depth-first order: at every joint the children named in ``first``
    come first (in that order), the others after them as before. Offsets, channels and End Sites follow
    their joints."""
    children: list[list[int]] = [[] for _ in joints]
    for index, joint in enumerate(joints[1:], start=1):
        children[joint.parent].append(index)
    rank = {name: k for k, name in enumerate(first)}
    order: list[int] = []
    stack = [0]
    while stack:
        index = stack.pop()
        order.append(index)
        kids = sorted(children[index], key=lambda c: rank.get(joints[c].name, len(rank)))
        stack.extend(reversed(kids))
    new_index = {old: new for new, old in enumerate(order)}
    return [
        Joint(
            joints[old].name,
            -1 if joints[old].parent < 0 else new_index[joints[old].parent],
            list(joints[old].offset),
            list(joints[old].channels),
            None if joints[old].end_site is None else list(joints[old].end_site),
        )
        for old in order
    ]


def cmu_frames(joints: list[Joint], frames: int = 64, scale: float = 1.0) -> np.ndarray:
    """(frames, channels) values of one smooth walk-like motion for any listing of the CMU joints:
    each joint's angles depend on its name only, so every listing and every ``scale`` carries the
    same rotations; the root walks forward at hip height (ASF units times ``scale``)."""
    names = [name for name, _, _ in CMU_JOINTS]
    t = np.arange(frames)[:, None] / 30.0
    columns: list[np.ndarray] = []
    for joint in joints:
        k = names.index(joint.name)
        phase = 0.7 * k + np.arange(3)
        angles = (20.0 + k) * np.sin(2 * np.pi * (0.5 + 0.05 * k) * t + phase)
        by_axis = dict(zip("ZYX", angles.T, strict=True))
        for channel in joint.channels:
            if channel == "Xposition":
                columns.append(0.5 * scale * np.sin(t[:, 0]))
            elif channel == "Yposition":
                columns.append(np.full(frames, CMU_HIPS_HEIGHT * scale))
            elif channel == "Zposition":
                columns.append(20.0 * scale * t[:, 0])
            else:
                columns.append(by_axis[channel[0]])
    return np.stack(columns, axis=1)


def renamed_copy(source: Path, target: Path, names: Mapping[str, str]) -> Path:
    """A copy of a real BVH file with joints renamed in its text (whole names on ROOT/JOINT lines only),
    as another converter of the same capture names the same tree."""
    text = source.read_bytes().decode()
    for old, new in names.items():
        pattern = rf"(?m)^([ \t]*(?:ROOT|JOINT)[ \t]+){re.escape(old)}(?=[ \t]*\r?$)"
        text, count = re.subn(pattern, rf"\g<1>{new}", text)
        assert count == 1, f"{old} named {count} times in {source}"
    target.write_bytes(text.encode())
    return target


CMU_SUBJECT_002 = ("cmu_iclone", "subjects", "002")
"""A CMU subject's folder in the shared data: its clips share one rig."""
LEG_NAMES = {
    "CC_Base_L_Thigh": "LeftHip",
    "CC_Base_L_Calf": "LeftKnee",
    "CC_Base_L_Foot": "LeftAnkle",
    "CC_Base_R_Thigh": "RightHip",
    "CC_Base_R_Calf": "RightKnee",
    "CC_Base_R_Foot": "RightAnkle",
}
"""The leg joints of that rig as another converter names them (same tree, same order)."""
