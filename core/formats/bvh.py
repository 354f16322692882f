"""Biovision Hierarchy (.bvh) reader and writer.

Hand-written: on our data bvhio parses ~9 MB/s, a numpy split of the MOTION section ~30 MB/s.

Loading rules (the :class:`Motion` only has per-joint rotations, rest offsets and a root translation):

* Any channel order, any intrinsic Euler order per joint (``Zrotation Xrotation Yrotation`` means
  R = Rz Rx Ry); a joint with fewer than three rotation channels gets the missing axes, at angle 0,
  appended in Z, Y, X order. Position channels are allowed on any joint and replace that joint's OFFSET.
* A joint whose position channels are constant (within 0.01 mm) gets its first-frame value as offset.
* A varying translation on a direct child of the root is folded exactly into the root translation:
  ``root'(t) = root(t) + R_root(t) @ (t_child(t) - rest)``, with ``rest`` the vertical (world Y) part of
  the child's first-frame translation, so that the root travels on the floor under, e.g., Bandai's Hips.
  Other children of that root then travel along with it, which is recorded as a warning.
* Any other varying translation keeps its first-frame value, with a warning in ``source["warnings"]``.
* Units: the largest extent of the body (joints and End Sites, root excluded, over a few frames) picks
  metres, cm, mm, inches or CMU ASF units (0.0254 / 0.45 m), whichever is closest to a 1.7 m human in
  log space; ``unit_scale`` (metres per file unit) overrides. Y is up, as in the file.
* fps is 1 / Frame Time, snapped to the nearest integer when within 0.01 % (0.0333333 -> 30).

``motion.source`` gets ``path``, ``format`` ("bvh"), ``unit_scale``, ``channels`` (each joint's channel
names in file order), ``rotation_orders`` (each joint's completed Euler order, e.g. "ZXY") and
``warnings`` (list of strings). :func:`save_bvh` writes that layout and unit back; motions from other
formats get a root with ``Xposition Yposition Zposition Zrotation Yrotation Xrotation`` and
``Zrotation Yrotation Xrotation`` elsewhere, in centimetres. Joints come back in depth-first order.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

import numpy as np

from core.errors import MotionFileError
from core.files import write_text_atomic
from core.motion.clip import Motion
from core.motion.kinematics import forward_kinematics_transforms
from core.motion.rotations import euler_to_matrix, matrix_to_euler
from core.motion.skeleton import Skeleton

POSITION_CHANNELS = ("Xposition", "Yposition", "Zposition")
ROTATION_CHANNELS = ("Xrotation", "Yrotation", "Zrotation")
_CHANNEL_BY_LOWER = {c.lower(): c for c in POSITION_CHANNELS + ROTATION_CHANNELS}
_AXIS = {"X": 0, "Y": 1, "Z": 2}
DEFAULT_ORDER = "ZYX"
DEFAULT_ROOT_CHANNELS = ("Xposition", "Yposition", "Zposition", "Zrotation", "Yrotation", "Xrotation")
DEFAULT_JOINT_CHANNELS = ("Zrotation", "Yrotation", "Xrotation")

UNIT_SCALES = {"m": 1.0, "cm": 0.01, "mm": 0.001, "inch": 0.0254, "cmu_asf": 0.0254 / 0.45}
HUMAN_HEIGHT_M = 1.7
MAX_JOINTS = 10_000
_MAX_HEADER_BYTES = 16 << 20
"""A hierarchy is read this far at most looking for 'Frame Time' (10,000 joints take about 2 MB)."""
"""Far beyond any real rig (a few hundred joints with fingers and face); forward kinematics of a deeper
chain takes time quadratic in its depth."""
CONSTANT_TOLERANCE_M = 1e-5
_UNIT_SAMPLE_FRAMES = 5
_KEYWORDS = frozenset({"{", "}", "OFFSET", "CHANNELS", "JOINT", "ROOT", "End", "MOTION"})
_FRAMES_RE = re.compile(r"\s*Frames\s*:\s*(\S+)\s+Frame\s+Time\s*:\s*(\S+)", re.IGNORECASE)
_MOTION_RE = re.compile(r"(?<!\S)MOTION(?!\S)")


@dataclass
class _Joint:
    name: str
    parent: int
    offset: np.ndarray | None = None
    channels: list[str] = field(default_factory=list)
    first_column: int = 0


@dataclass
class _Header:
    joints: list[_Joint]
    end_sites: dict[int, np.ndarray]
    num_channels: int
    frames: int
    frame_time: float
    data_start: int
    warnings: list[str]


class _Tokens:
    """Header tokens: the text before the first MOTION keyword, split once (the motion data never is)."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        found = _MOTION_RE.search(text)
        self.motion_end = found.end() if found else len(text)
        self._tokens = text[: found.start() if found else len(text)].split()
        if found:
            self._tokens.append("MOTION")
        self._pos = 0

    def exhausted(self) -> bool:
        return self._pos >= len(self._tokens)

    def next(self, context: str) -> str:
        if self._pos >= len(self._tokens):
            raise MotionFileError(self.path, f"truncated header: file ends {context}")
        self._pos += 1
        return self._tokens[self._pos - 1]

    def offset(self, owner: str) -> np.ndarray:
        values = [self.next("in an OFFSET") for _ in range(3)]
        try:
            offset = np.array([float(v) for v in values])
        except ValueError:
            raise MotionFileError(
                self.path, f"non-numeric OFFSET of {owner}: {' '.join(values)[:60]!r}"
            ) from None
        if not np.all(np.isfinite(offset)):
            raise MotionFileError(self.path, f"non-finite OFFSET of {owner}: {' '.join(values)[:60]!r}")
        return offset


def load_bvh(path: str | PathLike[str], unit_scale: float | None = None) -> Motion:
    """Read a BVH clip into metres, Y up; raises :class:`MotionFileError` for anything unreadable."""
    p = Path(path)
    text = _read_text(p)
    header = _parse_header(p, text)
    values = _parse_motion(p, text, header)
    return _build_motion(p, header, values, unit_scale)


def bvh_length(path: str | PathLike[str]) -> tuple[int, float, int]:
    """Frames, frame rate and joint count from the header alone (the frames are never read): what a
    summary of a folder of large clips needs. Raises :class:`MotionFileError` as :func:`load_bvh` does."""
    p = Path(path)
    try:
        with p.open("rb") as stream:
            head = _header_bytes(stream)
    except OSError as exc:
        raise MotionFileError(p, f"cannot read file: {exc.strerror or exc}") from None
    header = _parse_header(p, head.decode("utf-8-sig", errors="replace"))
    return header.frames, _fps(header.frame_time), len(header.joints)


def _header_bytes(stream: io.BufferedReader) -> bytes:
    """The file's start, up to the end of its 'Frame Time' line (or all of it, at most a bounded size)."""
    head = b""
    while len(head) < _MAX_HEADER_BYTES:
        at = head.lower().find(b"frame time")
        if at >= 0 and b"\n" in head[at:]:
            break
        chunk = stream.read(1 << 16)
        if not chunk:
            break
        head += chunk
    return head


def _fps(frame_time: float) -> float:
    fps = 1.0 / frame_time
    return float(round(fps)) if abs(fps - round(fps)) <= 1e-4 * fps else fps


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise MotionFileError(path, "file not found") from None
    except OSError as exc:
        raise MotionFileError(path, f"cannot read file: {exc.strerror or exc}") from None
    if not data or data.isspace():
        raise MotionFileError(path, "file is empty")
    return data.decode("utf-8-sig", errors="replace")


def _parse_header(path: Path, text: str) -> _Header:
    """Walk the HIERARCHY block with an explicit stack (no recursion limit on deep rigs)."""
    tokens = _Tokens(path, text)
    first = tokens.next("before HIERARCHY")
    if first != "HIERARCHY":
        raise MotionFileError(path, f"missing HIERARCHY: file starts with {first[:40]!r}")
    keyword = tokens.next("after HIERARCHY")
    if keyword != "ROOT":
        raise MotionFileError(path, f"expected ROOT after HIERARCHY, found {keyword[:40]!r}")
    joints = [_Joint(_read_name(tokens, "ROOT"), -1)]
    end_sites: dict[int, np.ndarray] = {}
    notes: list[str] = []
    stack: list[tuple[int, bool]] = [(0, False)]  # (joint index, is an End Site of that joint)
    end_site_offset: np.ndarray | None = None
    num_channels = 0
    while stack:
        joint, in_end_site = stack[-1]
        if tokens.exhausted():
            raise MotionFileError(path, f"truncated header: file ends with {len(stack)} unclosed '{{'")
        token = tokens.next("inside the hierarchy")
        if token == "OFFSET":
            if in_end_site:
                end_site_offset = tokens.offset(f"End Site of {joints[joint].name!r}")
            else:
                joints[joint].offset = tokens.offset(repr(joints[joint].name))
        elif token == "CHANNELS":
            if in_end_site:
                raise MotionFileError(path, f"End Site of {joints[joint].name!r} has CHANNELS")
            if joints[joint].channels:
                raise MotionFileError(path, f"joint {joints[joint].name!r} declares CHANNELS twice")
            joints[joint].channels = _read_channels(tokens, joints[joint].name)
            joints[joint].first_column = num_channels
            num_channels += len(joints[joint].channels)
        elif token == "JOINT" and not in_end_site:
            if len(joints) == MAX_JOINTS:
                raise MotionFileError(path, f"hierarchy has more than {MAX_JOINTS} joints")
            joints.append(_Joint(_read_name(tokens, "JOINT"), joint))
            stack.append((len(joints) - 1, False))
        elif token == "End" and not in_end_site:
            site = tokens.next("after 'End'")
            if site != "Site" or tokens.next("after 'End Site'") != "{":
                raise MotionFileError(path, f"malformed End Site under {joints[joint].name!r}")
            stack.append((joint, True))
            end_site_offset = None
        elif token == "}":
            stack.pop()
            if in_end_site:
                if end_site_offset is None:
                    raise MotionFileError(path, f"End Site of {joints[joint].name!r} has no OFFSET")
                if joint in end_sites:
                    notes.append(f"joint {joints[joint].name!r} has several End Sites; kept the first")
                else:
                    end_sites[joint] = end_site_offset
            elif joints[joint].offset is None:
                raise MotionFileError(path, f"joint {joints[joint].name!r} has no OFFSET")
        elif token == "MOTION":
            raise MotionFileError(path, f"truncated header: MOTION found with {len(stack)} unclosed '{{'")
        else:
            raise MotionFileError(
                path, f"unexpected {token[:40]!r} in the hierarchy of {joints[joint].name!r}"
            )
    if tokens.exhausted():
        raise MotionFileError(path, "missing MOTION section after the hierarchy")
    token = tokens.next("after the hierarchy")
    if token == "ROOT":
        raise MotionFileError(path, "more than one ROOT: only single-rooted skeletons are supported")
    if token != "MOTION":
        raise MotionFileError(path, f"missing MOTION section: found {token[:40]!r} after the hierarchy")
    if num_channels == 0:
        raise MotionFileError(path, "hierarchy declares no CHANNELS")
    match = _FRAMES_RE.match(text, tokens.motion_end)
    if match is None:
        raise MotionFileError(path, "MOTION section lacks 'Frames:' and 'Frame Time:' lines")
    frames = _frame_count(path, match.group(1))
    frame_time = _frame_time(path, match.group(2))
    names = [j.name for j in joints]
    if len(set(names)) != len(names):
        notes.append("joint names are not unique; look-ups by name find the first")
    return _Header(joints, end_sites, num_channels, frames, frame_time, match.end(), notes)


def _read_name(tokens: _Tokens, keyword: str) -> str:
    """Joint name: every token up to '{' (a few exporters write names with spaces)."""
    words: list[str] = []
    while (token := tokens.next(f"in a {keyword} declaration")) != "{":
        if token in _KEYWORDS:
            raise MotionFileError(
                tokens.path, f"expected '{{' after {keyword} {' '.join(words)}, found {token!r}"
            )
        words.append(token)
    if not words:
        raise MotionFileError(tokens.path, f"{keyword} without a name")
    return " ".join(words)


def _read_channels(tokens: _Tokens, joint: str) -> list[str]:
    count_token = tokens.next("in a CHANNELS declaration")
    if not (count_token.isascii() and count_token.isdigit()) or int(count_token) > 6:
        raise MotionFileError(
            tokens.path, f"joint {joint!r} has an invalid channel count {count_token[:40]!r}"
        )
    channels: list[str] = []
    for _ in range(int(count_token)):
        token = tokens.next("in a CHANNELS declaration")
        if token in _KEYWORDS:
            raise MotionFileError(
                tokens.path, f"joint {joint!r} declares {count_token} channels but lists {len(channels)}"
            )
        channel = _CHANNEL_BY_LOWER.get(token.lower())
        if channel is None:
            raise MotionFileError(tokens.path, f"joint {joint!r} has unknown channel {token[:40]!r}")
        if channel in channels:
            axes = "".join(c[0] for c in channels if c in ROTATION_CHANNELS) + channel[0]
            what = (
                f"unsupported rotation order {axes}" if channel in ROTATION_CHANNELS else f"{channel} twice"
            )
            raise MotionFileError(tokens.path, f"joint {joint!r} has {what}")
        channels.append(channel)
    return channels


def _frame_count(path: Path, token: str) -> int:
    if not (token.isascii() and token.isdigit()):
        raise MotionFileError(path, f"frame count {token[:40]!r} is not a whole number")
    frames = int(token)
    if frames == 0:
        raise MotionFileError(path, "file has zero frames")
    return frames


def _frame_time(path: Path, token: str) -> float:
    try:
        frame_time = float(token)
    except ValueError:
        raise MotionFileError(path, f"frame time {token[:40]!r} is not a number") from None
    if not (np.isfinite(frame_time) and frame_time > 0 and np.isfinite(1.0 / frame_time)):
        raise MotionFileError(path, f"frame time must be a positive number of seconds, got {token[:40]!r}")
    return frame_time


def _parse_motion(path: Path, text: str, header: _Header) -> np.ndarray:
    """All frames in one numpy parse; the header's claim is checked against the file size first."""
    frames, channels = header.frames, header.num_channels
    expected = frames * channels
    available = len(text) - header.data_start
    if expected > (available + 1) // 2:
        raise MotionFileError(
            path,
            f"header claims {frames} frames x {channels} channels but the {available}-character motion section"
            f" can hold at most {(available + 1) // 2} values",
        )
    data = text[header.data_start :]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            values = np.loadtxt(io.StringIO(data), dtype=np.float64, comments=None, ndmin=2)
    except ValueError as exc:
        raise MotionFileError(path, _diagnose_motion(data, frames, channels, exc)) from None
    if values.shape != (frames, channels):
        rows = values.shape[0] if values.size else 0
        raise MotionFileError(
            path,
            f"motion section has {values.size} values in {rows} lines,"
            f" expected {frames} frames x {channels} channels = {expected}",
        )
    if not np.all(np.isfinite(values)):
        frame, column = np.argwhere(~np.isfinite(values))[0]
        joint, channel = _column_owner(header, int(column))
        raise MotionFileError(
            path, f"non-finite value {values[frame, column]} in frame {frame + 1} ({joint!r} {channel})"
        )
    return values


def _diagnose_motion(data: str, frames: int, channels: int, exc: ValueError) -> str:
    """A specific reason for a motion section numpy refused (slow, error path only)."""
    lines = [line.split() for line in data.splitlines() if line.strip()]
    for number, tokens in enumerate(lines, start=1):
        for token in tokens:
            try:
                float(token)
            except ValueError:
                return f"non-numeric value {token[:40]!r} in frame {number}"
    total = sum(len(tokens) for tokens in lines)
    for number, tokens in enumerate(lines[:-1], start=1):
        if len(tokens) != channels:
            return f"frame {number} has {len(tokens)} values, expected {channels}"
    if not lines or total != frames * channels or len(lines[-1]) != channels:
        return (
            f"motion section has {total} values in {len(lines)} lines,"
            f" expected {frames} frames x {channels} channels = {frames * channels}"
        )
    return f"cannot parse the motion section: {str(exc)[:120]}"


def _column_owner(header: _Header, column: int) -> tuple[str, str]:
    joint = max(
        (j for j in header.joints if j.channels and j.first_column <= column), key=lambda j: j.first_column
    )
    return joint.name, joint.channels[column - joint.first_column]


def _complete_order(channels: list[str]) -> str:
    """Rotation axes in channel order, missing axes (angle 0, so anywhere is exact) appended Z, Y, X."""
    axes = "".join(c[0] for c in channels if c in ROTATION_CHANNELS)
    return axes + "".join(a for a in DEFAULT_ORDER if a not in axes)


def _rotations(header: _Header, values: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """(T, J, 3, 3) local rotations, one vectorised pass per distinct Euler order."""
    num_frames, num_joints = values.shape[0], len(header.joints)
    rotations = np.empty((num_frames, num_joints, 3, 3))
    rotations[:] = np.eye(3)
    orders = [_complete_order(j.channels) for j in header.joints]
    padded = np.concatenate([values, np.zeros((num_frames, 1))], axis=1)  # last column: angle 0
    groups: dict[str, tuple[list[int], list[list[int]]]] = {}
    for index, joint in enumerate(header.joints):
        if not any(c in ROTATION_CHANNELS for c in joint.channels):
            continue
        columns = [
            joint.first_column + joint.channels.index(f"{axis}rotation")
            if f"{axis}rotation" in joint.channels
            else -1
            for axis in orders[index]
        ]
        members, member_columns = groups.setdefault(orders[index], ([], []))
        members.append(index)
        member_columns.append(columns)
    for order, (members, member_columns) in groups.items():
        rotations[:, members] = euler_to_matrix(padded[:, np.asarray(member_columns)], order)
    return rotations, orders


def _translations(header: _Header, values: np.ndarray) -> tuple[list[int], np.ndarray]:
    """Joints with position channels and their (T, k, 3) translations (OFFSET where an axis has no channel)."""
    moving = [i for i, j in enumerate(header.joints) if any(c in POSITION_CHANNELS for c in j.channels)]
    translations = np.empty((values.shape[0], len(moving), 3))
    for k, index in enumerate(moving):
        joint = header.joints[index]
        translations[:, k] = joint.offset
        for channel_index, channel in enumerate(joint.channels):
            if channel in POSITION_CHANNELS:
                translations[:, k, _AXIS[channel[0]]] = values[:, joint.first_column + channel_index]
    return moving, translations


def _guess_unit_scale(
    parents: np.ndarray,
    offsets: np.ndarray,
    rotations: np.ndarray,
    root: np.ndarray,
    end_sites: dict[int, np.ndarray],
) -> float | None:
    """Metres per file unit that makes the body's largest extent closest to a human's, or None if flat.

    A few frames are measured (a crouching first frame alone would mislead) with first-frame
    translations; the root is left out because some rigs (Bandai) keep it far from the body.
    """
    frames = np.unique(np.linspace(0, len(root) - 1, min(len(root), _UNIT_SAMPLE_FRAMES)).astype(int))
    glob, pos = forward_kinematics_transforms(parents, offsets, rotations[frames], root[frames])
    points = [pos[:, 1:] if pos.shape[1] > 1 else pos]
    points += [(pos[:, j] + glob[:, j] @ offset)[:, None] for j, offset in end_sites.items()]
    extent = float(np.ptp(np.concatenate(points, axis=1), axis=1).max())
    if not (np.isfinite(extent) and extent > 0):
        return None
    scales = np.array(list(UNIT_SCALES.values()))
    return float(scales[np.argmin(np.abs(np.log(extent * scales / HUMAN_HEIGHT_M)))])


def _fold_travel(
    root: np.ndarray, root_rotation: np.ndarray, child: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """New root translation and the child's rest offset such that FK still puts the child at root + R @ child.

    The rest offset keeps only the vertical part of the first-frame translation, so the root walks
    on the floor under the child rather than wherever the file left it.
    """
    vertical = root_rotation[0] @ child[0]
    rest = root_rotation[0].T @ np.array([0.0, vertical[1], 0.0])
    return root + np.einsum("tij,tj->ti", root_rotation, child - rest), rest


def _build_motion(path: Path, header: _Header, values: np.ndarray, unit_scale: float | None) -> Motion:
    joints = header.joints
    names = [j.name for j in joints]
    parents = np.array([j.parent for j in joints])
    notes = list(header.warnings)
    rotations, orders = _rotations(header, values)
    moving, translations = _translations(header, values)
    offsets = np.array([j.offset for j in joints])
    offsets[moving] = translations[0]
    root = translations[:, 0] if moving and moving[0] == 0 else np.tile(offsets[0], (values.shape[0], 1))
    if unit_scale is None:
        unit_scale = _guess_unit_scale(parents, offsets, rotations, root, header.end_sites)
        if unit_scale is None:
            unit_scale = UNIT_SCALES["cm"]
            notes.append("could not measure the body to guess units; assumed centimetres")
    elif not (np.isfinite(unit_scale) and unit_scale > 0):
        raise MotionFileError(path, f"unit_scale must be a positive number, got {unit_scale}")
    deviation = np.abs(translations - translations[:1]).max(axis=(0, 2)) if moving else np.zeros(0)
    varying = [
        j
        for j, dev in zip(moving, deviation, strict=True)
        if j != 0 and dev * unit_scale > CONSTANT_TOLERANCE_M
    ]
    root_children = [j for j in varying if joints[j].parent == 0]
    if root_children:
        subtree = np.zeros(len(joints), dtype=int)
        for index in range(len(joints) - 1, 0, -1):
            subtree[joints[index].parent] += subtree[index] + 1
        folded = max(root_children, key=lambda j: subtree[j])
        varying.remove(folded)
        root, offsets[folded] = _fold_travel(root, rotations[:, 0], translations[:, moving.index(folded)])
        riders = [names[j] for j in range(1, len(joints)) if joints[j].parent == 0 and j != folded]
        if riders:
            notes.append(
                f"root children {riders} now travel with {names[folded]!r}, whose motion moved to the root"
            )
    for index in varying:
        dev = deviation[moving.index(index)] * unit_scale * 100
        notes.append(
            f"joint {names[index]!r} translation varies by up to {dev:.2f} cm; kept its first-frame value"
        )
    offsets[0] = root[0]
    if not (np.all(np.isfinite(root)) and np.all(np.isfinite(offsets))):
        raise MotionFileError(path, "translations are too large to represent")
    fps = _fps(header.frame_time)
    skeleton = Skeleton(
        joint_names=tuple(names),
        parents=parents,
        offsets=offsets * unit_scale,
        name="bvh",
        end_sites={j: offset * unit_scale for j, offset in header.end_sites.items()},
    )
    source = {
        "path": str(path),
        "format": "bvh",
        "unit_scale": float(unit_scale),
        "channels": [list(j.channels) for j in joints],
        "rotation_orders": orders,
        "warnings": notes,
    }
    return Motion(skeleton, rotations, root * unit_scale, fps, source)


def save_bvh(motion: Motion, path: str | PathLike[str]) -> None:
    """Write ``motion`` as BVH in its source's channel layout and unit (defaults: ZYX Euler, centimetres).

    Channels the Motion needs but the source layout lacks (a rotation axis on a partially rotated
    joint, travel on a root without position channels) are added rather than dropped. Leaves without
    a recorded End Site get a zero one, as most readers expect a leaf to end with one.
    """
    p = Path(path)
    skeleton = motion.skeleton
    scale = _saved_unit_scale(motion.source)
    layouts = _saved_layouts(motion)
    children: list[list[int]] = [[] for _ in range(skeleton.num_joints)]
    for index in range(1, skeleton.num_joints):
        children[int(skeleton.parents[index])].append(index)
    offsets = skeleton.offsets / scale
    offsets[0] = motion.root_translation[0] / scale
    euler = _euler_angles(motion, layouts)
    lines = ["HIERARCHY"]
    columns: list[np.ndarray] = []
    stack: list[tuple[int, int, bool]] = [(0, 0, True)]  # (joint, depth, opening)
    while stack:
        joint, depth, opening = stack.pop()
        indent = "\t" * depth
        if not opening:
            end_site = skeleton.end_sites.get(joint)
            if end_site is not None or not children[joint]:
                site = np.zeros(3) if end_site is None else np.asarray(end_site) / scale
                lines += [
                    f"{indent}\tEnd Site",
                    f"{indent}\t{{",
                    f"{indent}\t\tOFFSET {_fmt(site)}",
                    f"{indent}\t}}",
                ]
            lines.append(f"{indent}}}")
            continue
        name = re.sub(r"[\s{}]+", "_", skeleton.joint_names[joint]) or f"joint{joint}"
        lines += [f"{indent}{'ROOT' if joint == 0 else 'JOINT'} {name}", f"{indent}{{"]
        lines.append(f"{indent}\tOFFSET {_fmt(offsets[joint])}")
        lines.append(f"{indent}\tCHANNELS {len(layouts[joint])} {' '.join(layouts[joint])}".rstrip())
        for channel in layouts[joint]:
            axis = _AXIS[channel[0]]
            if channel in ROTATION_CHANNELS:
                columns.append(euler[joint][:, axis])
            elif joint == 0:
                columns.append(motion.root_translation[:, axis] / scale)
            else:
                columns.append(np.full(motion.num_frames, offsets[joint, axis]))
        stack.append((joint, depth, False))
        stack.extend((child, depth + 1, True) for child in reversed(children[joint]))
    lines += ["MOTION", f"Frames: {motion.num_frames}", f"Frame Time: {1.0 / motion.fps:.8g}"]
    table = np.stack(columns, axis=1) if columns else np.zeros((motion.num_frames, 0))
    row_format = " ".join(["%.6f"] * table.shape[1])
    body = "\n".join(row_format % tuple(row) for row in table.tolist())
    write_text_atomic(p, "\n".join(lines) + "\n" + body + "\n")


def _fmt(vector: np.ndarray) -> str:
    return " ".join(f"{v:.6f}" for v in vector)


def _saved_unit_scale(source: dict) -> float:
    scale = source.get("unit_scale")
    if isinstance(scale, (int, float)) and np.isfinite(scale) and scale > 0:
        return float(scale)
    return UNIT_SCALES["cm"]


def _source_layouts(motion: Motion) -> list[list[str]] | None:
    """The source file's channel layout when it fits this skeleton, else None."""
    channels = motion.source.get("channels")
    if motion.source.get("format") != "bvh" or not isinstance(channels, list):
        return None
    if len(channels) != motion.skeleton.num_joints:
        return None
    known = set(POSITION_CHANNELS + ROTATION_CHANNELS)
    for layout in channels:
        if (
            not isinstance(layout, (list, tuple))
            or not set(layout) <= known
            or len(set(layout)) != len(layout)
        ):
            return None
    return [list(layout) for layout in channels]


def _saved_layouts(motion: Motion) -> list[list[str]]:
    """Per-joint channels to write: the source's, plus whatever this motion needs beyond it."""
    layouts = _source_layouts(motion) or [
        list(DEFAULT_ROOT_CHANNELS if j == 0 else DEFAULT_JOINT_CHANNELS)
        for j in range(motion.skeleton.num_joints)
    ]
    missing = [c for c in POSITION_CHANNELS if c not in layouts[0]]
    if any(np.ptp(motion.root_translation[:, _AXIS[c[0]]]) > 1e-9 for c in missing):
        layouts[0] = missing + layouts[0]
    for joint, layout in enumerate(layouts):
        present = [c for c in layout if c in ROTATION_CHANNELS]
        if len(present) == 3:
            continue
        order = _complete_order(layout)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            angles = matrix_to_euler(motion.rotations[:, joint], order)
        if np.abs(angles[:, len(present) :]).max() > 1e-6:
            layout.extend(f"{axis}rotation" for axis in order[len(present) :])
    return layouts


def _euler_angles(motion: Motion, layouts: list[list[str]]) -> dict[int, np.ndarray]:
    """Each rotated joint's (T, 3) Euler angles in degrees, indexed by axis X, Y, Z."""
    groups: dict[str, list[int]] = {}
    for joint, layout in enumerate(layouts):
        if any(c in ROTATION_CHANNELS for c in layout):
            groups.setdefault(_complete_order(layout), []).append(joint)
    result: dict[int, np.ndarray] = {}
    for order, joints in groups.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            angles = matrix_to_euler(motion.rotations[:, joints], order)
        by_axis = angles[..., [order.index(axis) for axis in "XYZ"]]
        for k, joint in enumerate(joints):
            result[joint] = by_axis[:, k]
    return result
