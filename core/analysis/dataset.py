"""A checkpoint evaluated clip by clip over a dataset, and two checkpoints compared on the same clips.

The evaluation is a generator: it yields one :class:`Progress` per clip and returns the result, so the
CLI draws a bar, the app runs it on a background job (polling ``should_stop`` between clips)
and a notebook just iterates. Clips are read lazily, a group at a time, and measured in batches. Its summary is the :class:`EvalReport` that ``rvq-motion eval`` prints: both
come from the same per-clip figures (:func:`evaluate_clip`) added up by the same :class:`Tally`.
Clips that cannot be read, or do not fit the checkpoint's skeleton, are listed as skipped with the
reason instead of ending the run.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from core.analysis.evaluate import ClipEvaluation, EvalReport, Tally, evaluate_clip, evaluate_clips
from core.analysis.plausibility import Plausibility
from core.datasets.selection import select_clips
from core.errors import MotionFileError
from core.formats import load_motion
from core.model.checkpoint import Checkpoint
from core.motion.clip import Motion
from core.motion.skeleton import describe_renaming
from core.tokens.codec import fit_clip
from core.tokens.refine import RefineSettings


def dataset_files(
    data: Iterable[str | Path], split: str | Path | None = None, speakers: Sequence[int] = ()
) -> list[Path]:
    """The clips under ``data`` a split (a name the dataset root ships, a file of ids, or a JSON split file: its
    held-out clips) and speakers choose; see :func:`core.datasets.selection.select_clips`."""
    return list(select_clips(data, split, speakers).files)


@dataclass(frozen=True)
class ClipRow:
    """One clip's line of the per-clip table. Errors are root-aligned MPJPE in millimetres unless
    named global."""

    path: str
    frames: int
    mpjpe_mm: tuple[float, ...]
    """Root-aligned MPJPE with the first k layers, k = 1..Q."""
    global_mpjpe_mm: float
    """MPJPE without root alignment, all Q layers."""
    worst_frame: int
    worst_frame_mm: float
    """The root-aligned MPJPE (all Q layers) of the worst frame."""
    frame_mpjpe_mm: np.ndarray = field(repr=False, compare=False)
    """(frames,) root-aligned MPJPE of every frame, all Q layers: the error-over-time curve."""
    plausibility: tuple[Plausibility, ...] = ()
    """Foot skating, jitter, penetration and floating of the reconstruction with k = 1..Q layers."""
    plausibility_original: Plausibility = field(default_factory=Plausibility)
    """The same figures of the original clip."""

    @property
    def foot_skating(self) -> float | None:
        """Share of frame pairs in which a foot skates, all Q layers (None: no feet, or not measured)."""
        return self.plausibility[-1].foot_skating if self.plausibility else None

    @property
    def jitter_m_s3(self) -> float | None:
        """Mean jerk of the measured joints in m/s^3, all Q layers."""
        return self.plausibility[-1].jitter_m_s3 if self.plausibility else None

    renamed_joints: tuple[tuple[str, str], ...] = ()
    """(clip's name, checkpoint's name) of joints matched by position, not by name."""

    @property
    def name(self) -> str:
        return Path(self.path).name

    @property
    def full_mpjpe_mm(self) -> float:
        """Root-aligned MPJPE with every layer: what "worst clip" sorts by."""
        return self.mpjpe_mm[-1]

    @classmethod
    def of(cls, path: str | Path, clip: ClipEvaluation) -> ClipRow:
        q = max(clip.layers)
        worst = int(np.argmax(clip.frame_mpjpe_mm))
        return cls(
            path=str(path),
            frames=clip.frames,
            mpjpe_mm=tuple(clip.layers[k].mpjpe_root_aligned_mm for k in sorted(clip.layers)),
            global_mpjpe_mm=clip.layers[q].mpjpe_mm,
            worst_frame=worst,
            worst_frame_mm=float(clip.frame_mpjpe_mm[worst]),
            frame_mpjpe_mm=clip.frame_mpjpe_mm,
            plausibility=tuple(clip.plausibility[k] for k in sorted(clip.plausibility)),
            plausibility_original=clip.plausibility_original,
            renamed_joints=clip.renamed_joints,
        )

    def to_json(self) -> dict:
        return {
            "path": self.path,
            "frames": self.frames,
            "mpjpe_root_aligned_mm": list(self.mpjpe_mm),
            "mpjpe_global_mm": self.global_mpjpe_mm,
            "worst_frame": self.worst_frame,
            "worst_frame_mm": self.worst_frame_mm,
            "plausibility": {
                "original": self.plausibility_original.to_json(),
                "layers": [p.to_json() for p in self.plausibility],
            },
        }


@dataclass(frozen=True)
class SkippedClip:
    path: str
    reason: str


@dataclass(frozen=True)
class Progress:
    """After each clip: how far the run is, and that clip's row (or why it was skipped)."""

    done: int
    total: int
    item: ClipRow | SkippedClip
    checkpoint: str = ""
    """Which checkpoint this is ("A", "B") when two are evaluated in one run."""


@dataclass(frozen=True)
class DatasetEval:
    """A checkpoint over a dataset: per-clip rows, skipped clips, and the summary ``eval`` prints."""

    checkpoint: str
    rows: list[ClipRow]
    skipped: list[SkippedClip]
    summary: EvalReport
    code_counts: np.ndarray = field(repr=False, compare=False)
    """(Q, codebook size) how often each code was chosen, per layer (the usage histograms)."""
    complete: bool = True
    """False when the run was stopped before its last clip."""

    @property
    def num_quantizers(self) -> int:
        return len(self.summary.layers)

    def worst_first(self) -> list[ClipRow]:
        return sorted(self.rows, key=lambda r: r.full_mpjpe_mm, reverse=True)

    def renaming_lines(self) -> list[str]:
        """One line per way the clips name the checkpoint's joints otherwise (same tree, same order):
        how many clips, and the name pairs they were matched by, once."""
        groups: dict[tuple[tuple[str, str], ...], list[ClipRow]] = {}
        for row in self.rows:
            if row.renamed_joints:
                groups.setdefault(row.renamed_joints, []).append(row)
        return [
            f"{len(rows)} clip{'s' if len(rows) > 1 else ''} ({rows[0].name}{', …' if len(rows) > 1 else ''}) "
            f"name the checkpoint's joints otherwise, in the same tree and order: matched by position: "
            f"{describe_renaming(pairs)}"
            for pairs, rows in groups.items()
        ]

    def to_json(self) -> dict:
        return {
            "checkpoint": self.checkpoint,
            "complete": self.complete,
            "summary": self.summary.to_json(),
            "clips": [r.to_json() for r in self.rows],
            "skipped": [vars(s) for s in self.skipped],
        }


def _evaluate(
    ckpt: Checkpoint, clips: list[Motion], refine: RefineSettings | None, batch_frames: int | None
) -> list[ClipEvaluation]:
    if refine is not None:
        return [evaluate_clip(ckpt, clip, refine) for clip in clips]
    return evaluate_clips(ckpt, clips, batch_frames)


GROUP_BYTES = 16 * 2**20
"""File bytes read per group: some 150 HumanML3D clips (of about one length, the files being sorted by
size), or a few minute-long BEAT2 takes; what a stop request may wait for."""


def evaluate_dataset(
    ckpt: Checkpoint,
    files: Sequence[str | Path],
    refine: RefineSettings | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    label: str = "",
    batch_frames: int | None = None,
) -> Generator[Progress, None, DatasetEval]:
    """Evaluate ``ckpt`` on each file; yields a :class:`Progress` per clip and returns the
    :class:`DatasetEval` (partial, ``complete=False``, when ``should_stop()`` turned true).

    Clips are read a group at a time (:data:`GROUP_BYTES` of files, from the smallest file up, so a
    group holds clips of similar lengths), never all at once, and the model runs on batches of them
    (:func:`core.analysis.evaluate.evaluate_clips`); with ``refine`` each clip is refined on its own.
    Rows and skipped clips are listed in the order of ``files`` whatever the order they were measured in.
    """
    tally = Tally(ckpt, refine)
    found: list[tuple[int, ClipRow | SkippedClip]] = []
    complete = True
    for group in _groups(files, 1 if refine is not None else GROUP_BYTES):
        loaded: list[tuple[int, Motion]] = []
        for index in group:
            if should_stop():
                break
            try:
                loaded.append((index, fit_clip(ckpt, load_motion(files[index]))))
            except MotionFileError as exc:
                found.append((index, SkippedClip(str(files[index]), exc.reason)))
                yield Progress(len(found), len(files), found[-1][1], label)
        evaluations = (
            [] if should_stop() else _evaluate(ckpt, [clip for _, clip in loaded], refine, batch_frames)
        )
        for (index, _), clip in zip(loaded, evaluations, strict=False):  # none once stopped
            if should_stop():
                break
            tally.add(clip)
            found.append((index, ClipRow.of(files[index], clip)))
            yield Progress(len(found), len(files), found[-1][1], label)
        if should_stop():
            complete = len(found) == len(files)
            break
    found.sort(key=lambda pair: pair[0])
    rows = [item for _, item in found if isinstance(item, ClipRow)]
    skipped = [item for _, item in found if isinstance(item, SkippedClip)]
    return DatasetEval(str(ckpt.path), rows, skipped, tally.report(), tally.counts.copy(), complete)


def _groups(files: Sequence[str | Path], group_bytes: int) -> list[list[int]]:
    """Indices of ``files`` from the smallest file to the largest (similar lengths batch well), cut into
    groups of about ``group_bytes`` (one file at least)."""
    sizes = []
    for f in files:
        try:
            sizes.append(Path(f).stat().st_size)
        except OSError:
            sizes.append(0)  # read in its turn, where it is reported as missing
    groups: list[list[int]] = [[]]
    total = 0
    for index in sorted(range(len(files)), key=lambda i: sizes[i]):
        if groups[-1] and total + sizes[index] > group_bytes:
            groups.append([])
            total = 0
        groups[-1].append(index)
        total += sizes[index]
    return [g for g in groups if g]


@dataclass(frozen=True)
class ComparedClip:
    """One clip under both checkpoints; the difference is B minus A (negative: B is better)."""

    a: ClipRow
    b: ClipRow

    @property
    def path(self) -> str:
        return self.a.path

    @property
    def difference_mm(self) -> float:
        """Root-aligned MPJPE with all of B's layers minus all of A's."""
        return self.b.full_mpjpe_mm - self.a.full_mpjpe_mm

    @property
    def layer_differences_mm(self) -> tuple[float, ...]:
        """B minus A for each number of layers both checkpoints have."""
        return tuple(b - a for a, b in zip(self.a.mpjpe_mm, self.b.mpjpe_mm, strict=False))

    def to_json(self) -> dict:
        return {
            "path": self.path,
            "frames": self.a.frames,
            "a_mpjpe_root_aligned_mm": list(self.a.mpjpe_mm),
            "b_mpjpe_root_aligned_mm": list(self.b.mpjpe_mm),
            "difference_mm": self.difference_mm,
            "layer_differences_mm": list(self.layer_differences_mm),
            "a_mpjpe_global_mm": self.a.global_mpjpe_mm,
            "b_mpjpe_global_mm": self.b.global_mpjpe_mm,
        }


@dataclass(frozen=True)
class DatasetComparison:
    """Two checkpoints' evaluations over the same files, paired clip by clip."""

    a: DatasetEval
    b: DatasetEval

    @property
    def clips(self) -> list[ComparedClip]:
        """The clips both checkpoints evaluated (one may skip a clip the other fits)."""
        b_rows = {r.path: r for r in self.b.rows}
        return [ComparedClip(r, b_rows[r.path]) for r in self.a.rows if r.path in b_rows]

    def paired_mpjpe_mm(self, k: int) -> tuple[float, float]:
        """A's and B's root-aligned MPJPE with ``k`` layers over the clips both evaluated, weighted by
        frames as the summaries are (NaN without a clip in both, or a side without ``k`` layers).
        A clip one checkpoint skipped would otherwise make the difference compare other clips."""
        pairs = [c for c in self.clips if k <= len(c.a.mpjpe_mm) and k <= len(c.b.mpjpe_mm)]
        frames = sum(c.a.frames for c in pairs)
        if not frames:
            return float("nan"), float("nan")
        a = sum(c.a.frames * c.a.mpjpe_mm[k - 1] for c in pairs) / frames
        b = sum(c.b.frames * c.b.mpjpe_mm[k - 1] for c in pairs) / frames
        return a, b

    @property
    def difference_mm(self) -> float:
        """B minus A, each with all its layers, over the clips both evaluated (as per clip)."""
        pairs = self.clips
        frames = sum(c.a.frames for c in pairs)
        if not frames:
            return float("nan")
        return sum(c.a.frames * c.difference_mm for c in pairs) / frames

    @property
    def layer_differences_mm(self) -> dict[int, float]:
        """B minus A per number of layers both have, over the clips both evaluated."""
        differences = {}
        for k in sorted(set(self.a.summary.layers) & set(self.b.summary.layers)):
            a, b = self.paired_mpjpe_mm(k)
            differences[k] = b - a
        return differences

    def table(self) -> str:
        lines = [
            f"A: {self.a.checkpoint}",
            f"B: {self.b.checkpoint}",
            f"{len(self.clips)} clips in both; root-aligned MPJPE in mm; difference is B - A",
            "layers         A         B     B - A",
        ]
        a, b = self.a.summary.layers, self.b.summary.layers
        for k in sorted(set(a) | set(b)):
            paired = self.paired_mpjpe_mm(k)
            cells = [f"{v:9.2f}" if k in d else f"{'-':>9}" for d, v in zip((a, b), paired, strict=True)]
            diff = self.layer_differences_mm.get(k)
            lines.append(
                f"{k:>6} {cells[0]} {cells[1]} " + (f"{diff:+9.2f}" if diff is not None else f"{'-':>9}")
            )
        lines.append("clip                                          A         B     B - A")
        for c in sorted(self.clips, key=lambda c: c.difference_mm, reverse=True):
            lines.append(
                f"{Path(c.path).name[:40]:<40} {c.a.full_mpjpe_mm:9.2f} {c.b.full_mpjpe_mm:9.2f} "
                f"{c.difference_mm:+9.2f}"
            )
        return "\n".join(lines)

    def to_json(self) -> dict:
        return {
            "a": self.a.to_json(),
            "b": self.b.to_json(),
            "layer_differences_mm": {str(k): v for k, v in self.layer_differences_mm.items()},
            "clips": [c.to_json() for c in self.clips],
        }


def compare_checkpoints(
    a: Checkpoint,
    b: Checkpoint,
    files: Sequence[str | Path],
    should_stop: Callable[[], bool] = lambda: False,
) -> Generator[Progress, None, DatasetComparison]:
    """A over every file, then B; progress is labelled "A" or "B" and counts through both runs."""
    n = len(files)
    result_a = yield from _relabelled(evaluate_dataset(a, files, None, should_stop, "A"), 0, 2 * n)
    result_b = yield from _relabelled(evaluate_dataset(b, files, None, should_stop, "B"), n, 2 * n)
    return DatasetComparison(result_a, result_b)


def _relabelled(
    work: Generator[Progress, None, DatasetEval], offset: int, total: int
) -> Generator[Progress, None, DatasetEval]:
    """``work``'s progress counted as part of a longer run."""
    while True:
        try:
            p = next(work)
        except StopIteration as end:
            return end.value
        yield replace(p, done=p.done + offset, total=total)
