"""Which stretches of which clips the T2M evaluator protocol measures: fixed crops from a file, or
drawn at random as MoMask's evaluation loader draws them.

MoMask's loader (``Text2MotionDatasetEval``) keeps the test clips of ``min_frames`` (40 for t2m, 24 for
kit) up to 199 frames, and each time it serves one cuts its length down to a multiple of
``unit_length`` (4), one unit shorter still with probability 1/3, at a uniformly random start; it
serves them shuffled in batches of 32, the last partial batch dropped. Its entries also include the
stretches that single text annotations cover (``f_tag``/``to_tag``); a tokenizer's evaluation needs
no text, so only whole clips are drawn here (see README, "Numbers you can put in a paper").
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.errors import MotionFileError

PADDED_FRAMES = 196
"""Every crop is zero-padded to this many frames (MoMask's ``max_motion_length``)."""
LONGEST_CLIP = 200
"""Clips of this many frames or more are left out of random crops (MoMask's loader)."""
SHORTEST_CLIP = {"t2m": 40, "kit": 24}
"""Clips shorter than this are left out of random crops, per evaluator dataset."""
BATCH = 32
SHORTER_ODDS = 1 / 3
"""How often a random crop is one unit shorter than the longest multiple of the unit."""


@dataclass(frozen=True)
class Crop:
    """``length`` frames of the clip whose file stem is ``clip``, from frame ``start``."""

    clip: str
    start: int
    length: int

    def to_json(self) -> dict:
        return {"clip": self.clip, "start": self.start, "length": self.length}


def read_crops(path: str | Path) -> list[Crop]:
    """A crops file: a JSON list of ``{"clip": file stem, "start": frame, "length": frames}``."""
    p = Path(path)
    try:
        entries = json.loads(p.read_text())
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise MotionFileError(p, f"not a crops file ({exc})") from exc
    if not isinstance(entries, list) or not entries:
        raise MotionFileError(p, 'a crops file is a non-empty JSON list of {"clip", "start", "length"}')
    crops = []
    for i, entry in enumerate(entries):
        ok = isinstance(entry, dict) and isinstance(entry.get("clip"), str)
        numbers = [entry.get(k) for k in ("start", "length")] if ok else []
        if not ok or not all(isinstance(n, int) and not isinstance(n, bool) for n in numbers):
            raise MotionFileError(
                p, f'crop {i} is not {{"clip": stem, "start": int, "length": int}}: {entry!r}'[:300]
            )
        crops.append(Crop(entry["clip"], *numbers))
    return crops


def resolve(crops: Sequence[Crop], files: Sequence[Path], source: str | Path = "crops") -> list[Path]:
    """The file each crop names (by stem) among ``files``; a MotionFileError naming ``source`` lists
    the stems that match no file, or more than one."""
    by_stem: dict[str, list[Path]] = {}
    for f in files:
        by_stem.setdefault(f.stem, []).append(f)
    missing = sorted({c.clip for c in crops if c.clip not in by_stem})
    if missing:
        raise MotionFileError(
            source,
            f"{len(missing)} clip(s) not found under --data: {', '.join(missing[:5])}"
            + (" ..." if len(missing) > 5 else ""),
        )
    twice = sorted({c.clip for c in crops if len(by_stem[c.clip]) > 1})
    if twice:
        raise MotionFileError(
            source, f"clip {twice[0]} matches several files: {', '.join(map(str, by_stem[twice[0]]))}"
        )
    return [by_stem[c.clip][0] for c in crops]


def check_crop(crop: Crop, frames: int, unit: int, source: str | Path) -> None:
    """A crop the protocol can measure: inside its clip, a positive multiple of ``unit`` frames, at
    most :data:`PADDED_FRAMES`."""
    where = f"crop {crop.clip} start {crop.start} length {crop.length}"
    if crop.start < 0 or crop.start + crop.length > frames:
        raise MotionFileError(source, f"{where} reaches past the clip's {frames} frames")
    if not 0 < crop.length <= PADDED_FRAMES or crop.length % unit:
        raise MotionFileError(
            source, f"{where}: the length must be a multiple of {unit} frames, at most {PADDED_FRAMES}"
        )


def eligible(frames: int, dataset: str) -> bool:
    """Whether MoMask's loader keeps a clip of ``frames`` frames."""
    return SHORTEST_CLIP.get(dataset, SHORTEST_CLIP["t2m"]) <= frames < LONGEST_CLIP


def draw_crops(clips: dict[str, int], unit: int, rng: np.random.Generator, batch: int = BATCH) -> list[Crop]:
    """One random crop of every clip (``{stem: frames}``), shuffled; the last partial batch is
    dropped when there is a whole batch (MoMask's ``drop_last``), kept when there is none."""
    crops = []
    for stem, frames in clips.items():
        units = frames // unit - (1 if rng.random() < SHORTER_ODDS else 0)
        length = min(max(units, 1) * unit, PADDED_FRAMES)
        start = int(rng.integers(0, frames - length + 1))
        crops.append(Crop(stem, start, length))
    order = rng.permutation(len(crops))
    kept = len(crops) // batch * batch or len(crops)
    return [crops[i] for i in order[:kept]]
