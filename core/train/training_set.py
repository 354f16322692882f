"""A run's training set kept whole in the feature cache, so the next run over the same clips reads one
array instead of a record and an array per clip.

Reading 4,000 HumanML3D clips back from their per-file entries costs about 3.4 s (4,000 records parsed,
4,000 arrays checked and copied); the whole set as one entry costs one record and one array. The entry's
key is the list of files and the read settings (so each selection and representation has one entry,
replaced when its files change); its record holds every file's size and modification time, and an entry
whose files changed since is a miss, read clip by clip as before. The array is read into memory, not
mapped, so a run never holds the cached pages beside its own copy.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.datasets.cache import FeatureCache
from core.datasets.reader import ReadSettings

FORMAT = 1
"""The layout of a training-set entry; part of its key."""


@dataclass(frozen=True)
class ReadClips:
    """What reading a run's files gave: the usable clips' rows end to end, and what became of each file."""

    features: np.ndarray
    lengths: list[int]
    used: list[Path]
    skipped: list[tuple[Path, str]]
    renamed: list[tuple[Path, tuple[tuple[str, str], ...]]]


def training_set_key(files: Sequence[Path], settings: ReadSettings, min_frames: int) -> dict:
    """What names a training set: its files in order, the read settings and the shortest usable clip."""
    return {
        "training_set": FORMAT,
        "files": [os.path.abspath(path) for path in files],
        "settings": settings.features_material(),
        "min_frames": min_frames,
    }


def file_versions(files: Sequence[Path]) -> list[list[int]] | None:
    """Each file's size and modification time (ns); None when one cannot be read."""
    try:
        return [[stat.st_size, stat.st_mtime_ns] for stat in (path.stat() for path in files)]
    except OSError:
        return None


def load_training_set(cache: FeatureCache, key: dict, versions: list[list[int]]) -> ReadClips | None:
    """The set stored under ``key`` if it was read from these very file versions (else None)."""
    entry = cache.record(key)
    if entry is None or entry.stored is None or entry.info.get("versions") != versions:
        return None
    try:
        info = entry.info
        lengths = [int(n) for n in info["lengths"]]
        used = [Path(p) for p in info["used"]]
        skipped = [(Path(p), str(reason)) for p, reason in info["skipped"]]
        renamed = [(Path(p), tuple((str(a), str(b)) for a, b in pairs)) for p, pairs in info["renamed"]]
    except (KeyError, TypeError, ValueError):
        return None
    features = cache.read_array(entry, mapped=False)
    if features is None or features.ndim != 2 or len(features) != sum(lengths) or len(used) != len(lengths):
        return None
    return ReadClips(features, lengths, used, skipped, renamed)


def store_training_set(cache: FeatureCache, key: dict, versions: list[list[int]], clips: ReadClips) -> None:
    """Keep ``clips`` under ``key``, with the file versions they were read from."""
    info = {
        "versions": versions,
        "lengths": clips.lengths,
        "used": [str(path) for path in clips.used],
        "skipped": [[str(path), reason] for path, reason in clips.skipped],
        "renamed": [[str(path), [list(pair) for pair in pairs]] for path, pairs in clips.renamed],
    }
    cache.put(key, info, clips.features)
