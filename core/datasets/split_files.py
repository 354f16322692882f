"""Split files given by path (``--split FILE``) and how their entries find clips.

Two kinds: a text file of ids, one per line (HumanML3D's ``train.txt`` format, for any source), and the
project's JSON holdout split (``{"holdout": [file names]}``), whose listed clips are the selection. An entry
finds a clip by its id in its source (``000021``, ``CMU/01/01_01_poses``, ``dataset-1/walk_001.bvh``), its
file name (``walk_001.bvh``) or its stem (``walk_001``); whatever finds nothing is reported, never guessed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from core.datasets.root import ClipSource, read_id_lines
from core.formats.discovery import read_holdout


@dataclass(frozen=True)
class SplitList:
    """The entries a split file lists, and its path."""

    entries: tuple[str, ...]
    path: Path


def read_split_file(path: Path) -> SplitList:
    """A JSON holdout split (``.json``) or a text file of ids; MotionFileError naming it when unreadable."""
    if path.suffix.lower() == ".json":
        return SplitList(tuple(sorted(read_holdout(path))), path)
    return SplitList(tuple(read_id_lines(path)), path)


def match_entries(entries: Sequence[str], sources: Iterable[ClipSource]) -> tuple[list[Path], list[str]]:
    """The clips the entries name (by id, file name or stem) and the entries that name none, in their order."""
    index: dict[str, list[Path]] = {}
    for source in sources:
        for clip_id, path in source.clips.items():
            for key in {clip_id, path.name, path.stem}:
                index.setdefault(key, []).append(path)
    found: dict[Path, None] = {}
    missing = []
    for entry in entries:
        paths = index.get(entry)
        if paths is None:
            missing.append(entry)
        found.update(dict.fromkeys(paths or ()))
    return list(found), missing


def clips(count: int) -> str:
    """``1 clip``, ``1,200 clips``."""
    return f"{count:,} clip{'' if count == 1 else 's'}"


def listing(names: Sequence[str], shown: int = 5) -> str:
    """``a, b, c, d, e and 12 more``: the first names of a long list."""
    head = ", ".join(names[:shown])
    return head + (f" and {len(names) - shown:,} more" if len(names) > shown else "")
