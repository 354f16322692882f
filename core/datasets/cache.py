"""Features of motion files kept on disk, so a second run over a dataset does not read it again.

An entry is what one file became under one set of settings: a JSON record (what was read: frames,
skeleton, or why the file could not be used) and, when there are features, a ``.npy`` array beside it
that is opened memory-mapped. Its name is a hash of its *material*: the file's absolute path, size and
modification time and every setting that changes the features; the material is also stored in the
record and compared on reading, so a changed file or other settings are never served an old entry.

Nothing read back is trusted: the array's dtype, shape and CRC-32 must match its record, otherwise the
entry counts as missing and the file is read again. Writes go to a temporary file renamed into place
(atomic on POSIX), the array before its record, so a crash or a second process writing the same entry
at the same moment (two runs, torchrun ranks) leaves either a whole entry or none. A folder that
cannot be written is a warning (``warning``), not a failure: the run reads the files instead.
"""

from __future__ import annotations

import hashlib
import json
import math
import mmap
import os
import shutil
import uuid
import zlib
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

ENVIRONMENT_VARIABLE = "RVQ_MOTION_CACHE"
"""A folder to keep the cache in instead of the platform's user cache folder."""
FORMAT = 2
"""The layout of entries; part of every entry's material."""
_ENTRIES = "features"


def default_folder() -> Path:
    """``$RVQ_MOTION_CACHE``, else the platform's user cache folder for ``rvq-motion``."""
    configured = os.environ.get(ENVIRONMENT_VARIABLE)
    if configured:
        return Path(configured).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("rvq-motion"))


def file_stamp(path: Path) -> dict:
    """What identifies one version of a file: its absolute path, size and modification time (ns)."""
    stat = path.stat()
    return {"path": os.path.abspath(path), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


@dataclass(frozen=True)
class CacheUsage:
    folder: Path
    entries: int
    """Records: one per file and setting of what it holds, one more per setting of its features, and one
    per training set a run stored whole (:mod:`core.train.training_set`)."""
    arrays: int
    bytes: int

    def summary(self) -> str:
        return f"{self.folder}: {self.entries} entries ({self.arrays} feature arrays), {self.bytes / 1e6:,.1f} MB"


@dataclass(frozen=True)
class Entry:
    """A record read back: ``info`` as written, what array was stored with it (``stored``: its shape and
    CRC-32, None for none) and the array itself once read (:meth:`FeatureCache.read_array`)."""

    key: str
    info: dict
    stored: dict | None
    array: np.ndarray | None = None


class FeatureCache:
    """Entries under ``folder`` (default :func:`default_folder`); see the module docstring."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = (folder if folder is not None else default_folder()) / _ENTRIES
        self.warning: str | None = None
        """Why entries are not being written, once a write failed (None while they are)."""

    @staticmethod
    def key(material: dict) -> str:
        return hashlib.sha256(json.dumps({"format": FORMAT, **material}, sort_keys=True).encode()).hexdigest()

    def _path(self, key: str, suffix: str) -> Path:
        return self.folder / key[:2] / f"{key}{suffix}"

    def get(self, material: dict, with_array: bool = True) -> Entry | None:
        """The entry made from ``material``, or None when there is none or it cannot be trusted. With
        ``with_array`` an entry that records an array is returned with it (memory-mapped, checked)."""
        entry = self.record(material)
        if entry is None or entry.stored is None or not with_array:
            return entry
        array = self.read_array(entry)
        return None if array is None else replace(entry, array=array)

    def record(self, material: dict) -> Entry | None:
        """The entry's record alone (its array, if any, is not read)."""
        key = self.key(material)
        try:
            record = json.loads(self._path(key, ".json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(record, dict) or record.get("material") != material:
            return None
        info, stored = record.get("info"), record.get("array")
        if not isinstance(info, dict) or not (stored is None or isinstance(stored, dict)):
            return None
        return Entry(key, info, stored)

    def read_array(self, entry: Entry, mapped: bool = True) -> np.ndarray | None:
        """The entry's array, memory-mapped (or, not ``mapped``, read into a writable array of its own,
        so a caller that keeps it does not also hold its mapped pages), or None unless its dtype, shape,
        length and CRC-32 all match."""
        try:
            shape, crc = tuple(int(n) for n in entry.stored["shape"]), int(entry.stored["crc32"])  # type: ignore[index]
            with open(self._path(entry.key, ".npy"), "rb") as stream:
                version = np.lib.format.read_magic(stream)
                read = (
                    np.lib.format.read_array_header_1_0
                    if version == (1, 0)
                    else np.lib.format.read_array_header_2_0
                )
                header = read(stream)  # shape, Fortran order, dtype
                offset, count = stream.tell(), math.prod(shape)
                if header != (shape, False, np.dtype(np.float32)):
                    return None
                if os.fstat(stream.fileno()).st_size != offset + 4 * count:
                    return None
                if mapped:
                    region = mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ)
                    array = np.frombuffer(region, np.float32, count=count, offset=offset).reshape(shape)
                else:
                    array = np.empty(shape, np.float32)
                    if count and stream.readinto(memoryview(array).cast("B")) != 4 * count:
                        return None
        except (OSError, ValueError, KeyError, TypeError, EOFError, SyntaxError):
            return None
        return array if zlib.crc32(array) == crc else None

    def put(self, material: dict, info: dict, array: np.ndarray | None = None) -> None:
        """Store an entry; a failure to write turns the cache's writing off with a ``warning``."""
        if self.warning is not None:
            return
        key = self.key(material)
        record: dict = {"material": material, "info": info, "array": None}
        try:
            self._path(key, "").parent.mkdir(parents=True, exist_ok=True)
            if array is not None:
                array = np.ascontiguousarray(array, dtype=np.float32)
                self._write(self._path(key, ".npy"), lambda f: np.save(f, array, allow_pickle=False))
                record["array"] = {"shape": list(array.shape), "crc32": zlib.crc32(array)}
            text = json.dumps(record).encode("utf-8")
            self._write(self._path(key, ".json"), lambda f: f.write(text))
        except OSError as exc:
            self.warning = (
                f"the feature cache in {self.folder} cannot be written ({exc.strerror or exc}); "
                "reading the files without it"
            )

    @staticmethod
    def _write(path: Path, write: object) -> None:
        """Write through a uniquely named temporary file renamed over ``path``."""
        tmp = path.with_name(f".{path.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp")
        try:
            with open(tmp, "wb") as stream:
                write(stream)  # type: ignore[operator]
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)

    def usage(self) -> CacheUsage:
        """How many entries the folder holds and the bytes it takes (temporary files included)."""
        entries = arrays = size = 0
        if self.folder.is_dir():
            for path in self.folder.rglob("*"):
                if path.is_file():
                    size += path.stat().st_size
                    entries += path.suffix == ".json"
                    arrays += path.suffix == ".npy"
        return CacheUsage(self.folder, entries, arrays, size)

    def clear(self) -> CacheUsage:
        """Remove every entry; returns what was there."""
        before = self.usage()
        shutil.rmtree(self.folder, ignore_errors=True)
        return before
