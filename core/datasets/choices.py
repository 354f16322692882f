"""What a person can choose among the clips under some folders before selecting them: the named splits
the folders ship, and the BEAT2 speakers. The app's Training setup offers exactly these, so every choice
it offers is one :func:`core.datasets.selection.select_clips` accepts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from core.datasets.beat2_root import Beat2Root, speaker_of
from core.datasets.selection import recognise


@dataclass(frozen=True)
class DatasetChoices:
    layout: str
    """What the folders are ("HumanML3D", "BEAT2 + folder"...), as :attr:`Selection.layout` says it."""
    splits: tuple[str, ...]
    """The named splits every folder ships, in the first one's order (none when one is a plain folder)."""
    speakers: tuple[tuple[int, str], ...]
    """(number, name) of each speaker whose clips are there (``2_scott_0_1_1``: 2, "scott"), by number;
    only when a BEAT2 root is among the folders and every folder's clips are named by speaker."""

    def speakers_line(self) -> str:
        """``2 scott, 4 lawrence``: the speakers for people."""
        return ", ".join(f"{number} {name}".strip() for number, name in self.speakers)


def dataset_choices(paths: Iterable[str | Path]) -> DatasetChoices:
    """The splits and speakers offered for ``paths``; MotionFileError for a path that is no file or folder."""
    sources = [recognise(Path(p)) for p in paths]
    if not sources:
        return DatasetChoices("", (), ())
    shared = set.intersection(*(set(source.split_names()) for source in sources))
    splits = tuple(name for name in sources[0].split_names() if name in shared)
    speakers: dict[int, str] = {}
    if any(isinstance(s, Beat2Root) for s in sources) and all(s.speakers for s in sources):
        for source in sources:
            for clip in source.clips.values():
                number = speaker_of(clip.stem)
                if number is not None:
                    speakers.setdefault(number, _speaker_name(clip.stem))
    layout = " + ".join(dict.fromkeys(source.layout for source in sources))
    return DatasetChoices(layout, splits, tuple(sorted(speakers.items())))


def _speaker_name(clip_id: str) -> str:
    """The name after a BEAT2 id's speaker number (``2_scott_0_1_1`` -> "scott"), empty without one."""
    parts = clip_id.split("_")
    return parts[1] if len(parts) > 1 and not parts[1].isdigit() else ""
