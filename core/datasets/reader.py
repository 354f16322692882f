"""Many motion files read into features: in worker processes the first time, from the cache after.

:func:`read_files` yields one :class:`FileRecord` per file, in the files' order, with progress reports
(:class:`ReadProgress`) between them, so a caller can copy each clip's features where they belong and
drop them, and never holds more than a few clips besides its own array. A file is looked up in the
:class:`~core.datasets.cache.FeatureCache` first; the ones missing are read in worker processes (one per
core, from a fork server: forking a process that runs threads, as the app does, is unsafe), or in this
process when there are few of them or no pool can start. A worker writes what it read to the cache, so
an unchanged dataset is never opened again, not even to learn its clips' lengths and skeletons.

What a file becomes is decided by :class:`ReadSettings`: whether clips are converted to HumanML3D rows
first, and, when features are wanted, the representation and the skeleton whose joint order they are
made in. Every setting is in the cache key (with :data:`FEATURES_VERSION`, raised when a loader or a
representation changes what it computes).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from core.datasets.cache import Entry, FeatureCache, file_stamp
from core.datasets.progress import ReadProgress
from core.errors import MotionFileError
from core.features.humanml3d import HumanML3D
from core.features.representation import Representation
from core.formats import load_motion
from core.formats.humanml3d import body_for_width, positions_from_rows, read_humanml3d_rows, rest_skeleton
from core.motion.clip import Motion
from core.motion.skeleton import Skeleton, match_joints

FEATURES_VERSION = 1
"""Raise when a loader or a representation changes the features a file gives: old entries then miss."""
MIN_PARALLEL = 24
"""Files to read below which a pool of processes costs more than it saves."""
_CHUNK = 8
"""Files per task sent to a worker."""
_REPORT_EVERY_S = 0.2


@dataclass(frozen=True)
class ReadSettings:
    """What a file becomes: converted to HumanML3D rows first or not, and (for features) the
    representation and the reference skeleton whose joint order the features follow."""

    to_humanml3d: bool = False
    representation: Representation | None = None
    reference: Skeleton | None = None
    by_position: bool = True
    """A clip naming the reference's tree otherwise, joint for joint in the same order (another
    converter's names), is read as the reference by position (:func:`core.motion.skeleton.match_joints`)."""

    def __post_init__(self) -> None:
        if (self.representation is None) != (self.reference is None):
            raise ValueError("features need both a representation and a reference skeleton")

    @property
    def features(self) -> bool:
        return self.representation is not None

    def info_material(self) -> dict:
        return {"version": FEATURES_VERSION, "to_humanml3d": self.to_humanml3d}

    def features_material(self) -> dict:
        assert self.representation is not None and self.reference is not None
        return {
            **self.info_material(),
            "representation": self.representation.to_dict(),
            "by_position": self.by_position,
            "joints": list(self.reference.joint_names),
            "parents": [int(p) for p in self.reference.parents],
        }


@dataclass(frozen=True)
class FileInfo:
    """What one file holds, as far as choosing clips goes: frames, frame rate and skeleton (after
    the conversion the settings ask for), or why it cannot be read."""

    frames: int = 0
    fps: float = 0.0
    skeleton: Skeleton | None = None
    reason: str | None = None

    def to_json(self) -> dict:
        if self.skeleton is None:
            return {"reason": self.reason}
        s = self.skeleton
        return {
            "frames": self.frames,
            "fps": self.fps,
            "skeleton": {
                "name": s.name,
                "joints": list(s.joint_names),
                "parents": s.parents.tolist(),
                "offsets": s.offsets.tolist(),
            },
        }

    @classmethod
    def from_json(cls, data: dict) -> FileInfo:
        s = data.get("skeleton")
        if s is None:
            return cls(reason=str(data["reason"]))
        skeleton = Skeleton(
            tuple(s["joints"]), np.asarray(s["parents"]), np.asarray(s["offsets"]), name=s["name"]
        )
        return cls(int(data["frames"]), float(data["fps"]), skeleton)


@dataclass(frozen=True)
class FileRecord:
    """One file read: its info, and its ``(frames, D)`` float32 features when they were asked for and
    the file fits the reference (``problem`` says why a fitting skeleton still gave none)."""

    path: Path
    info: FileInfo
    features: np.ndarray | None = None
    problem: str | None = None
    cached: bool = False


def prepared_motion(path: Path, to_humanml3d: bool) -> Motion:
    """A file's clip, converted to HumanML3D rows when asked (SMPL-X clips are; HumanML3D files stay as
    read). Raises MotionFileError for a file that cannot be read or converted."""
    motion = load_motion(path)
    if not to_humanml3d:
        return motion
    try:
        return HumanML3D.for_motion(motion).fit(motion, motion.skeleton)
    except ValueError as exc:
        raise MotionFileError(path, str(exc)) from None


def read_file(path: Path, settings: ReadSettings) -> tuple[FileInfo, np.ndarray | None, str | None]:
    """One file's info and, when asked and its skeleton fits the reference, its features (or why a
    fitting skeleton still gives none)."""
    rep, reference = settings.representation, settings.reference
    rows = None
    try:
        if path.suffix.lower() == ".npy" and (rep is None or isinstance(rep, HumanML3D)):
            # The rows are the features: no rotations fitted. The skeleton is made from the first frame,
            # as load_humanml3d makes it, and HumanML3D files need no conversion.
            rows = read_humanml3d_rows(path)
            body = body_for_width(rows.shape[1])
            skeleton = rest_skeleton(positions_from_rows(rows[:1].astype(np.float64))[0], body)
            info = FileInfo(len(rows), body.fps, skeleton)
        else:
            motion = prepared_motion(path, settings.to_humanml3d)
            info = FileInfo(motion.num_frames, motion.fps, motion.skeleton)
    except MotionFileError as exc:
        return FileInfo(reason=exc.reason), None, None
    except ValueError as exc:
        return FileInfo(reason=str(exc)), None, None
    if rep is None or reference is None:
        return info, None, None
    try:
        match = match_joints(info.skeleton, reference, settings.by_position)
    except ValueError:
        return info, None, None
    if rows is not None:
        return info, rows.astype(np.float32), None
    try:
        return info, rep.features(rep.fit(motion.matched(reference, match), reference)), None
    except ValueError as exc:
        return info, None, str(exc)


def _read_and_store(paths: Sequence[Path], settings: ReadSettings, folder: Path | None) -> list[tuple]:
    """A worker's task: read each file and store it in the cache; returns (info, features, problem,
    the cache's warning) per file."""
    cache = FeatureCache(folder) if folder is not None else None
    results = []
    for path in paths:
        try:
            stamp = file_stamp(path)  # before reading: a file changed meanwhile is stored as the old one
        except OSError:
            stamp = None
        info, features, problem = read_file(path, settings)
        if cache is not None and stamp is not None:
            _store(cache, stamp, settings, info, features, problem)
        results.append((info, features, problem, cache.warning if cache is not None else None))
    return results


def _store(
    cache: FeatureCache,
    stamp: dict,
    settings: ReadSettings,
    info: FileInfo,
    features: np.ndarray | None,
    problem: str | None,
) -> None:
    cache.put({**stamp, **settings.info_material()}, info.to_json())
    if features is not None or problem is not None:
        record = {"file": info.to_json(), "problem": problem}  # the info again: one record read per file
        cache.put({**stamp, **settings.features_material()}, record, features)


@dataclass(frozen=True)
class _Found:
    """A file's record found in the cache, its features still on disk (``features``: their entry), read
    only when the record's turn comes so that they are never all mapped at once."""

    record: FileRecord
    features: Entry | None = None


def _lookup(cache: FeatureCache, path: Path, settings: ReadSettings) -> _Found | None:
    """The file's cached record, or None when any part of it is missing or stale. With features asked
    for, their record (which repeats the file's info) is read first: the one record a warm start reads."""
    try:
        stamp = file_stamp(path)
    except OSError:
        return None
    try:
        if settings.features:
            features = cache.record({**stamp, **settings.features_material()})
            if features is not None:
                info = FileInfo.from_json(features.info["file"])
                problem = features.info.get("problem")
                if problem is not None:
                    return _Found(FileRecord(path, info, problem=str(problem), cached=True))
                return _Found(FileRecord(path, info, cached=True), features) if features.stored else None
        entry = cache.record({**stamp, **settings.info_material()})
        if entry is None:
            return None
        info = FileInfo.from_json(entry.info)
    except (KeyError, TypeError, ValueError):
        return None
    reference = settings.reference
    if (
        reference is not None
        and info.skeleton is not None
        and _matches(info.skeleton, reference, settings.by_position)
    ):
        return None  # a file the features are asked of, whose features are missing
    return _Found(FileRecord(path, info, cached=True))


def _matches(skeleton: Skeleton, reference: Skeleton, by_position: bool) -> bool:
    try:
        match_joints(skeleton, reference, by_position)
    except ValueError:
        return False
    return True


def _with_features(found: _Found, cache: FeatureCache, dim: int) -> FileRecord | None:
    """The record with its features read from the cache (None if the array cannot be trusted)."""
    if found.features is None:
        return found.record
    array = cache.read_array(found.features)
    if array is None or array.shape != (found.record.info.frames, dim):
        return None
    return replace(found.record, features=array)


def default_workers() -> int:
    """One worker per core this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def read_files(
    files: Sequence[Path],
    settings: ReadSettings,
    cache: FeatureCache | None = None,
    workers: int | None = None,
) -> Iterator[FileRecord | ReadProgress]:
    """Every file's :class:`FileRecord` in order, with :class:`ReadProgress` reports between them (at
    most every 0.2 s, and after the last file). ``workers`` processes read what the cache lacks
    (default: one per core; 1 reads here)."""
    start = reported = time.perf_counter()
    found = [_lookup(cache, path, settings) if cache is not None else None for path in files]
    missing = [path for path, hit in zip(files, found, strict=True) if hit is None]
    folder = cache.folder.parent if cache is not None and cache.warning is None else None
    computed = _computed(missing, settings, folder, workers or default_workers())
    dim = settings.representation.dim if settings.representation is not None else 0
    cached = 0
    for done, (path, hit) in enumerate(zip(files, found, strict=True), start=1):
        record = _with_features(hit, cache, dim) if hit is not None and cache is not None else None
        if record is None:
            result = next(computed) if hit is None else _read_and_store([path], settings, folder)[0]
            info, features, problem, warning = result
            if warning is not None and cache is not None and cache.warning is None:
                cache.warning = warning
            record = FileRecord(path, info, features, problem)
        cached += record.cached
        yield record
        now = time.perf_counter()
        if now - reported >= _REPORT_EVERY_S or done == len(files):
            reported = now
            yield ReadProgress(done, len(files), cached, now - start)


def _computed(
    paths: list[Path], settings: ReadSettings, folder: Path | None, workers: int
) -> Iterator[tuple]:
    """What each of ``paths`` gives, in order: from a pool of workers when it pays, else read here."""
    done = 0
    if workers > 1 and len(paths) >= MIN_PARALLEL:
        tasks = [paths[i : i + _CHUNK] for i in range(0, len(paths), _CHUNK)]
        try:
            for results in _in_pool(tasks, settings, folder, workers):
                done += len(results)
                yield from results
        except (BrokenProcessPool, OSError):
            pass  # the pool could not start or lost a worker: what is left is read here
    for i in range(done, len(paths)):
        yield from _read_and_store([paths[i]], settings, folder)


def _in_pool(
    tasks: list[list[Path]], settings: ReadSettings, folder: Path | None, workers: int
) -> Iterator[list[tuple]]:
    """Each task's results in order, a few tasks per worker in flight (finished ones wait in memory)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    pool = ProcessPoolExecutor(min(workers, len(tasks)), mp_context=context, initializer=_worker_setup)
    try:
        pending: deque = deque()
        queued = iter(tasks)
        for task in queued:
            pending.append(pool.submit(_read_and_store, task, settings, folder))
            if len(pending) >= 4 * workers:
                break
        while pending:
            results = pending.popleft().result()
            task = next(queued, None)
            if task is not None:
                pending.append(pool.submit(_read_and_store, task, settings, folder))
            yield results
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _worker_setup() -> None:
    """One thread per worker (the workers are already one per core); Ctrl+C is the main process's to
    answer (it ends the pool), not a reason for each worker to die mid-file."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import torch  # imported by the representations already: the call is what matters

    torch.set_num_threads(1)
