"""A dataset's size from file headers alone: clips, frames and hours in all and per split, the skeleton and
the frame rate; what ``rvq-motion info DIR`` prints.

No clip is loaded: a ``.npy``'s frames are its header's first dimension (its width says HumanML3D or KIT-ML,
so the rate), an SMPL-X ``.npz``'s are the header of its ``poses`` member (the rate is its one-number
``mocap_frame_rate`` member), a BVH's are its ``Frames:`` line. HumanML3D's 29,232 files take seconds. A file
whose header cannot be read is listed with its reason, and the rest is counted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from core.datasets.humanml3d_root import HumanML3DRoot
from core.datasets.selection import recognise
from core.errors import MotionFileError
from core.formats.bvh import bvh_length
from core.formats.humanml3d_bodies import body_for_width
from core.formats.numpy_files import npy_header, npz_headers, read_npz
from core.formats.smplx_npz import frame_rate
from core.formats.smplx_skeleton import smplx_skeleton


@dataclass(frozen=True)
class ClipHeader:
    frames: int
    fps: float
    skeleton: str
    joints: int


def clip_header(path: Path) -> ClipHeader:
    """Frames, frame rate and skeleton of a clip from its header; MotionFileError naming what is wrong."""
    suffix = path.suffix.lower()
    if suffix == ".npy":
        shape, _ = npy_header(path)
        body = body_for_width(shape[1]) if len(shape) == 2 else None
        if body is None:
            raise MotionFileError(path, f"array has shape {shape}; expected HumanML3D or KIT-ML rows")
        return ClipHeader(shape[0], body.fps, body.name, body.num_joints)
    if suffix == ".npz":
        poses = npz_headers(path, ("poses",)).get("poses")
        if poses is None or len(poses[0]) != 2:
            raise MotionFileError(path, "no (frames, values) 'poses' array: not an SMPL-X clip")
        fps = frame_rate(path, read_npz(path, ("mocap_frame_rate", "mocap_framerate"), check_all=False))
        skeleton = smplx_skeleton()
        return ClipHeader(poses[0][0], fps, skeleton.name, skeleton.num_joints)
    if suffix == ".bvh":
        frames, fps, joints = bvh_length(path)
        return ClipHeader(frames, fps, "bvh", joints)
    raise MotionFileError(path, f"unsupported file type {suffix or '(none)'}")


@dataclass(frozen=True)
class Tally:
    """Clips, frames and duration of a set of clips (all of a dataset, or one split)."""

    name: str
    clips: int
    frames: int
    seconds: float
    missing: int = 0
    """Ids the split lists that are not in the dataset."""

    @classmethod
    def of(cls, name: str, headers: Iterable[ClipHeader], missing: int = 0) -> Tally:
        listed = list(headers)
        seconds = sum(h.frames / h.fps for h in listed)
        return cls(name, len(listed), sum(h.frames for h in listed), seconds, missing)

    @property
    def hours(self) -> float:
        return self.seconds / 3600.0

    def to_json(self) -> dict:
        return {
            "clips": self.clips,
            "frames": self.frames,
            "hours": round(self.hours, 4),
            "missing": self.missing,
        }


@dataclass(frozen=True)
class DatasetInfo:
    path: Path
    layout: str
    skeletons: tuple[tuple[str, int], ...]
    """(name, joints) of the clips' skeletons, most clips first (one for a dataset as it ships)."""
    frame_rates: tuple[float, ...]
    total: Tally
    splits: tuple[Tally, ...]
    statistics: tuple[Path, Path] | None
    unreadable: tuple[tuple[Path, str], ...]

    def to_json(self) -> dict:
        return {
            "path": str(self.path),
            "layout": self.layout,
            "skeleton": self.skeletons[0][0] if self.skeletons else None,
            "joints": self.skeletons[0][1] if self.skeletons else None,
            "skeletons": [{"name": n, "joints": j} for n, j in self.skeletons],
            "fps": list(self.frame_rates),
            **self.total.to_json(),
            "splits": {s.name: s.to_json() for s in self.splits},
            "statistics": [str(p) for p in self.statistics] if self.statistics else None,
            "unreadable": [{"path": str(p), "reason": r} for p, r in self.unreadable],
        }


def describe_dataset(path: Path) -> DatasetInfo:
    """Everything :class:`DatasetInfo` holds about the dataset root, folder or file at ``path``."""
    source = recognise(path)
    headers: dict[Path, ClipHeader] = {}
    unreadable = []
    for clip in source.clips.values():
        try:
            headers[clip] = clip_header(clip)
        except MotionFileError as exc:
            unreadable.append((clip, exc.reason))
    splits = []
    for name in source.split_names():
        ids = source.split_ids(name)
        present = [source.clips[i] for i in ids if i in source.clips]
        splits.append(Tally.of(name, (headers[c] for c in present if c in headers), len(ids) - len(present)))
    counts: dict[tuple[str, int], int] = {}
    for header in headers.values():
        counts[(header.skeleton, header.joints)] = counts.get((header.skeleton, header.joints), 0) + 1
    if isinstance(source, HumanML3DRoot) and not headers:
        counts[(source.body.name, source.body.num_joints)] = 0
    return DatasetInfo(
        path=path,
        layout=source.layout + (" root" if source.is_root else ""),
        skeletons=tuple(sorted(counts, key=lambda k: -counts[k])),
        frame_rates=tuple(sorted({h.fps for h in headers.values()})),
        total=Tally.of("all clips", headers.values()),
        splits=tuple(splits),
        statistics=source.statistics,
        unreadable=tuple(unreadable),
    )
