"""What a run would train on, before it starts: the clips found under the chosen folders, which of them
are usable, which are skipped and why, and what the usable ones are (skeleton, frame rate, frames).

It sorts the clips with the very rule the run applies (:func:`core.train.data.skip_reason` with
:func:`core.train.data.min_frames_for`), so the summary and the run cannot disagree. It reads through the
feature cache and in worker processes as the run does; a dataset surveyed once is not opened again to
survey it after, and :func:`scan_data` reports its progress.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass
from pathlib import Path

from core.datasets.cache import FeatureCache
from core.datasets.reader import FileInfo, ReadProgress, read_files
from core.datasets.selection import select_clips
from core.train.config import TrainConfig
from core.train.data import min_frames_for, read_settings, renamed_joints, renaming_lines, skip_reason

NAMES_SHOWN = 4
"""Skipped clips named in the short summary; the details list every one."""


@dataclass(frozen=True)
class DataSurvey:
    found: int
    usable: tuple[Path, ...]
    skipped: tuple[tuple[Path, str], ...]
    held_out: tuple[Path, ...]
    min_frames: int
    joints: int = 0
    root: str = ""
    fps: float = 0.0
    frames: int = 0
    """Frames of the usable clips."""
    selection: str = ""
    """Where the clips were found and what the split and speakers chose (:meth:`Selection.summary`)."""
    warnings: tuple[str, ...] = ()
    """What the selection could not find (a split's ids missing from the folder...)."""
    renamed: tuple[tuple[Path, tuple[tuple[str, str], ...]], ...] = ()
    """Usable clips whose joints were matched to the first clip's by position, with the name pairs."""

    def headline(self) -> str:
        """One line: how many clips, and how many of them the run will train on."""
        parts = [f"{len(self.usable)} usable", f"{len(self.skipped)} skipped"]
        if self.held_out:
            parts.append(f"{len(self.held_out)} held out")
        clips = "clip" if self.found == 1 else "clips"
        return f"{self.found} {clips} found: " + ", ".join(parts)

    def data_line(self) -> str:
        """The usable clips' skeleton, frame rate and length (or why there are none)."""
        if not self.usable:
            return "no usable clips: nothing to train on"
        seconds = self.frames / self.fps if self.fps else 0.0
        return (
            f"{self.joints} joints (root {self.root}) · {self.fps:g} fps · {self.frames:,} frames "
            f"({seconds / 60:.1f} min)"
        )

    def skipped_line(self, names: int = NAMES_SHOWN) -> str:
        """The skipped clips by name with their reasons, the first ``names`` of them."""
        if not self.skipped:
            return ""
        shown = "; ".join(f"{path.name} ({reason})" for path, reason in self.skipped[:names])
        more = len(self.skipped) - names
        return "Skipped: " + shown + (f"; and {more} more" if more > 0 else "")

    def renamed_lines(self) -> list[str]:
        """Clips that name the joints otherwise, in the same tree and order, and were matched by position
        (one line per way of naming them, with the name pairs), as the run will print them."""
        return renaming_lines(self.renamed, self.usable[0].name) if self.usable else []

    def details(self) -> str:
        """The selection, its warnings, every renaming, skipped and held-out clip, one a line (a tooltip's or
        a log's text)."""
        lines = [line for line in (self.selection, self.headline(), self.data_line()) if line]
        lines += [f"warning: {warning}" for warning in self.warnings]
        lines += self.renamed_lines()
        lines += [f"skipped {path}: {reason}" for path, reason in self.skipped]
        lines += [f"held out {path}" for path in self.held_out]
        return "\n".join(lines)


def scan_data(
    paths: Sequence[str | Path],
    config: TrainConfig,
    holdout: set[str] = frozenset(),
    split: str | None = None,
    speakers: Sequence[int] = (),
    use_cache: bool = True,
) -> Generator[ReadProgress, None, DataSurvey]:
    """Sort every clip under ``paths`` (dataset roots recognised, ``split`` and ``speakers`` applied: see
    :func:`core.datasets.selection.select_clips`) as a run with ``config`` and this holdout would, without
    training; yields the reading progress (what a panel shows while a big folder is read) and returns the
    :class:`DataSurvey` (:func:`core.progress.run_to_end` for the survey alone)."""
    selection = select_clips(paths, split, speakers)
    files = list(selection.files)
    min_frames = min_frames_for(config)
    held_out = [f for f in files if f.name in holdout]
    kept = [f for f in files if f.name not in holdout]
    first: tuple[Path, FileInfo] | None = None
    usable: list[tuple[Path, FileInfo]] = []
    skipped: list[tuple[Path, str]] = []
    renamed: list[tuple[Path, tuple]] = []
    cache = FeatureCache() if use_cache else None
    settings = read_settings(config)
    for item in read_files(kept, settings, cache):
        if isinstance(item, ReadProgress):
            yield item
            continue
        owner = (first[0], first[1].skeleton) if first is not None and first[1].skeleton else None
        reason = skip_reason(item.info, owner, min_frames, settings.by_position)
        if reason is not None:
            skipped.append((item.path, reason))
            continue
        if owner is not None and (pairs := renamed_joints(item.info, owner, settings.by_position)):
            renamed.append((item.path, pairs))
        first = first or (item.path, item.info)
        usable.append((item.path, item.info))
    skeleton = first[1].skeleton if first else None
    return DataSurvey(
        found=len(files),
        usable=tuple(path for path, _ in usable),
        skipped=tuple(skipped),
        held_out=tuple(held_out),
        min_frames=min_frames,
        joints=skeleton.num_joints if skeleton else 0,
        root=skeleton.joint_names[0] if skeleton else "",
        fps=first[1].fps if first else 0.0,
        frames=sum(info.frames for _, info in usable),
        selection=selection.summary(),
        warnings=selection.warnings,
        renamed=tuple(renamed),
    )
