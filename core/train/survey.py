"""What a run would train on, before it starts: the clips found under the chosen folders, which of them
are usable, which are skipped and why, and what the usable ones are (skeleton, frame rate, frames).

It sorts the clips with the very rule the run applies (:func:`core.train.dataset.scan_clips` with
:func:`core.train.dataset.min_frames_for`), so the summary and the run cannot disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from core.datasets.selection import select_clips
from core.train.config import TrainConfig
from core.train.dataset import min_frames_for, scan_clips
from core.train.features import clip_preparation

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

    def details(self) -> str:
        """Every skipped and held-out clip, one a line (a tooltip's or a log's text)."""
        lines = [self.headline(), self.data_line()]
        lines += [f"skipped {path}: {reason}" for path, reason in self.skipped]
        lines += [f"held out {path}" for path in self.held_out]
        return "\n".join(lines)


def survey_data(
    paths: Sequence[str | Path],
    config: TrainConfig,
    holdout: set[str] = frozenset(),
    split: str | None = None,
    speakers: Sequence[int] = (),
) -> DataSurvey:
    """Sort every clip under ``paths`` (dataset roots recognised, ``split`` and ``speakers`` applied: see
    :func:`core.datasets.selection.select_clips`) as a run with ``config`` and this holdout would, without
    training."""
    files = list(select_clips(paths, split, speakers).files)
    min_frames = min_frames_for(config)
    scan = scan_clips(files, holdout, min_frames, clip_preparation(config))
    first = scan.clips[0] if scan.clips else None
    return DataSurvey(
        found=len(files),
        usable=tuple(scan.paths),
        skipped=tuple(scan.skipped),
        held_out=tuple(scan.held_out),
        min_frames=min_frames,
        joints=first.skeleton.num_joints if first else 0,
        root=first.skeleton.joint_names[0] if first else "",
        fps=first.fps if first else 0.0,
        frames=sum(c.num_frames for c in scan.clips),
    )
