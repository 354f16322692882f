"""A BEAT2 root as it ships (``beat_english_v2.0.0``): ``smplxflame_30/<id>.npz`` (SMPL-X, 30 fps) and
``train_test_split.csv``, whose ``id`` column names a clip and ``type`` column its split (``train``,
``val``, ``test``, ``additional``), as EMAGE's, SynTalker's and GestureLSM's loaders read it.

An id starts with its speaker's number (``2_scott_0_1_1``: speaker 2), which ``--speakers`` selects, as
those loaders' ``training_speakers`` do.
"""

from __future__ import annotations

import csv
import re
from functools import cached_property
from pathlib import Path

from core.datasets.root import ClipSource, clip_folder, files_in
from core.errors import MotionFileError

CLIP_FOLDER = "smplxflame_30"
SPLIT_FILE = "train_test_split.csv"
SPLITS = ("train", "val", "test", "additional")
"""BEAT2's split types, in the order they are listed; other values of the column are listed after them."""
_SPEAKER = re.compile(r"^(\d+)_")


def parse_speakers(text: str) -> tuple[int, ...]:
    """``"2"`` or ``"2,4"`` -> (2,) or (2, 4); ValueError naming what is not a speaker number."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts or not all(p.isdigit() for p in parts):
        raise ValueError(f"speakers are numbers separated by commas (2 or 2,4), not {text!r}")
    return tuple(sorted({int(p) for p in parts}))


def speaker_of(clip_name: str) -> int | None:
    """The speaker number a BEAT2 clip's name starts with (``2_scott_0_1_1`` -> 2), None without one."""
    found = _SPEAKER.match(clip_name)
    return int(found.group(1)) if found else None


class Beat2Root(ClipSource):
    kind = "BEAT2"
    is_root = True
    speakers = True

    @classmethod
    def recognise(cls, path: Path) -> Beat2Root | None:
        root = clip_folder(path, CLIP_FOLDER, path)
        return cls(root) if root is not None else None

    def _find_clips(self) -> dict[str, Path]:
        return files_in(self.path / CLIP_FOLDER, ".npz")

    @cached_property
    def _split_table(self) -> dict[str, list[str]]:
        """Split type -> ids, in the csv's order; empty when the root has no csv."""
        table = self.path / SPLIT_FILE
        if not table.is_file():
            return {}
        try:
            with table.open(newline="", encoding="utf-8", errors="replace") as stream:
                rows = list(csv.DictReader(stream))
        except (OSError, csv.Error) as exc:
            raise MotionFileError(table, f"cannot read the split table: {exc}") from None
        if rows and not {"id", "type"} <= rows[0].keys():
            raise MotionFileError(table, f"expected the columns id,type; found {','.join(rows[0])}")
        splits: dict[str, list[str]] = {}
        for row in rows:
            splits.setdefault((row["type"] or "").strip(), []).append((row["id"] or "").strip())
        return splits

    def split_names(self) -> tuple[str, ...]:
        found = self._split_table
        return tuple(n for n in SPLITS if n in found) + tuple(sorted(n for n in found if n not in SPLITS))

    def split_ids(self, name: str) -> list[str]:
        if not (self.path / SPLIT_FILE).is_file():
            raise MotionFileError(
                self.path, f"this BEAT2 root has no {SPLIT_FILE}; expected one for --split {name}"
            )
        if name not in self._split_table:
            raise MotionFileError(
                self.path / SPLIT_FILE,
                f"no clip has type {name!r}; the types are {', '.join(self.split_names()) or 'none'}",
            )
        return self._split_table[name]
