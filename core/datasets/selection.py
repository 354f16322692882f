"""Which clips a command uses: the folders given, recognised as the datasets they are, a split and speakers.

:func:`select_clips` is the one entry point (``rvq-motion train``, ``eval``, ``compare``, the app's survey and
Dataset dock). Each path is a dataset root as it ships (:mod:`core.datasets.humanml3d_root` for HumanML3D
and KIT-ML, :mod:`~core.datasets.beat2_root`, :mod:`~core.datasets.amass_root`), a plain folder of clips
or a clip file (:mod:`~core.datasets.folder`, every loadable file as always). ``split`` is the name of a
split the roots ship (``train``, ``val``, ``test``...: a bare word) or the path of a split file (a text file
of ids, or the JSON holdout split: :mod:`~core.datasets.split_files`); ``speakers`` keeps BEAT2 clips of
those speakers. The result is a :class:`Selection`: the files, sorted, and what was asked and found, so a
run can say exactly what it uses. Entries of a split that name no clip are warnings (their count and the
first names); a split that selects nothing, or a folder that has no such split, is a MotionFileError.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from core.datasets.amass_root import AmassRoot
from core.datasets.beat2_root import Beat2Root, speaker_of
from core.datasets.folder import ClipFile, PlainFolder
from core.datasets.humanml3d_root import HumanML3DRoot
from core.datasets.root import ClipSource
from core.datasets.split_files import clips, listing, match_entries, read_split_file
from core.errors import MotionFileError

_SPLIT_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(frozen=True)
class Selection:
    """The clips a command uses, and how they were chosen."""

    files: tuple[Path, ...]
    """The clips, sorted by path: the same every time for the same folders and split."""
    sources: tuple[ClipSource, ...]
    """Each path given, as what it was recognised as (a dataset root, a folder, a file)."""
    found: int
    """Clips under the paths before the split and the speakers."""
    split: str | None = None
    speakers: tuple[int, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def layout(self) -> str:
        """ "HumanML3D", "KIT-ML", "BEAT2", "AMASS", "folder" or "file"; several joined by " + "."""
        return " + ".join(dict.fromkeys(source.layout for source in self.sources))

    @property
    def statistics(self) -> tuple[Path, Path] | None:
        """The (mean, std) files of the one dataset root given, when it ships them."""
        return self.sources[0].statistics if len(self.sources) == 1 else None

    def summary(self) -> str:
        """One line a run starts with: where, which split and speakers, how many clips of how many."""
        where = ", ".join(source.describe() for source in self.sources)
        chosen = [f"split {self.split}"] if self.split else []
        chosen += [f"speakers {', '.join(map(str, self.speakers))}"] if self.speakers else []
        if not chosen:
            return f"{where}: {clips(len(self.files))}"
        verb = "select" if len(chosen) > 1 else "selects"
        return f"{where}: {' and '.join(chosen)} {verb} {len(self.files):,} of {clips(self.found)}"


def is_split_name(split: str) -> bool:
    """A bare word (``train``, ``val``...) names a split the roots ship; anything else is a file's path."""
    return bool(_SPLIT_NAME.match(split))


def recognise(path: Path) -> ClipSource:
    """What ``path`` is: a dataset root, a plain folder or a clip file; MotionFileError when it is none."""
    if path.is_file():
        return ClipFile(path)
    if not path.is_dir():
        raise MotionFileError(path, "no such file or folder")
    for layout in (HumanML3DRoot, Beat2Root, AmassRoot):
        found = layout.recognise(path)
        if found is not None:
            return found
    return PlainFolder(path)


def select_clips(
    paths: Iterable[str | Path], split: str | Path | None = None, speakers: Sequence[int] = ()
) -> Selection:
    """The clips under ``paths`` that ``split`` and ``speakers`` choose (see the module docstring)."""
    sources = tuple(recognise(Path(p)) for p in paths)
    every = {path: None for source in sources for path in source.clips.values()}
    warnings: list[str] = []
    if split is None:
        chosen = list(every)
    elif is_split_name(str(split)):
        chosen = _named_split(sources, str(split), warnings)
    else:
        chosen = _split_file(sources, Path(split), warnings)
    if speakers:
        chosen = _of_speakers(sources, chosen, speakers, warnings)
    asked = ([f"split {split}"] if split is not None else []) + (
        [f"speakers {', '.join(map(str, speakers))}"] if speakers else []
    )
    if asked and every and not chosen:
        verb = "select" if len(asked) > 1 else "selects"
        raise MotionFileError(
            sources[0].path, f"{' and '.join(asked)} {verb} none of its {clips(len(every))}"
        )
    return Selection(
        files=tuple(sorted(set(chosen))),
        sources=sources,
        found=len(every),
        split=None if split is None else str(split),
        speakers=tuple(sorted(speakers)),
        warnings=tuple(warnings),
    )


def _named_split(sources: Sequence[ClipSource], name: str, warnings: list[str]) -> list[Path]:
    chosen: list[Path] = []
    for source in sources:
        ids = source.split_ids(name)
        missing = [i for i in ids if i not in source.clips]
        chosen += [source.clips[i] for i in ids if i in source.clips]
        if missing:
            warnings.append(
                f"the {name} split of {source.describe()} lists {clips(len(missing))} not found there: "
                f"{listing(missing)}"
            )
    return chosen


def _split_file(sources: Sequence[ClipSource], path: Path, warnings: list[str]) -> list[Path]:
    listed = read_split_file(path)
    chosen, missing = match_entries(listed.entries, sources)
    if missing:
        where = ", ".join(str(source.path) for source in sources)
        warnings.append(f"{path} lists {clips(len(missing))} not found under {where}: {listing(missing)}")
    return chosen


def _of_speakers(
    sources: Sequence[ClipSource], chosen: list[Path], speakers: Sequence[int], warnings: list[str]
) -> list[Path]:
    for source in sources:
        if not source.speakers:
            raise MotionFileError(
                source.path,
                f"--speakers keeps BEAT2 clips by the speaker number their names start with; this is a "
                f"{source.layout} root, whose clips have no speakers",
            )
    unnamed = [p.name for p in chosen if speaker_of(p.name) is None]
    if unnamed:
        warnings.append(
            f"{clips(len(unnamed))} without a speaker number at the start of the name left out: "
            f"{listing(unnamed)}"
        )
    wanted = set(speakers)
    return [p for p in chosen if speaker_of(p.name) in wanted]


@dataclass(frozen=True)
class SourceChoices:
    """What the sources at some paths let a user choose: the splits they ship, and whether clips carry
    BEAT2 speaker numbers (what a window offers beside the folders it was given)."""

    splits: tuple[str, ...] = ()
    speakers: bool = False


def source_choices(paths: Iterable[str | Path]) -> SourceChoices:
    """The named splits any of ``paths`` ships (in their order, each once) and whether ``--speakers``
    applies (a source whose clips are named by BEAT2 speaker); paths that are not there are left out (the
    selection itself reports them)."""
    splits: dict[str, None] = {}
    speakers = False
    for path in paths:
        try:
            source = recognise(Path(path))
        except MotionFileError:
            continue
        splits.update(dict.fromkeys(source.split_names()))
        speakers = speakers or (
            source.speakers and any(speaker_of(name) is not None for name in source.clips)
        )
    return SourceChoices(tuple(splits), speakers)
