"""What a code means: every code of a tokenizer looked up across a dataset.

:func:`build_atlas` tokenizes each clip (the codes ``rvq-motion tokenize`` writes), decodes it with the
first ``layer`` layers of every layer asked for, and hands each step's decoded frames, in one body frame
(:mod:`core.analysis.pose_frame`), to that layer's :class:`~core.analysis.code_stats.CodeStatistics`
(the per-clip work, on one core or all of them, is :mod:`core.analysis.atlas_clips`).
A layer-``k`` code is summarised by what the tokenizer says with its first ``k`` layers, since that is
what the code adds to: a layer-1 code is a movement, a later one a correction whose spread shows how
much of the movement the earlier layers already fixed.

The result, an :class:`Atlas`, answers per (layer, code): how often and in how many clips it is used,
every occurrence (from the :class:`~core.analysis.token_index.TokenIndex`: clip, step, frames), the mean
and spread of its motion (spread in mm per joint: a few mm is one movement, hundreds several), a
sample of its occurrences with their decoded windows (previews, galleries), its nearest codes, and the
dead codes. Memory grows with the codes (statistics, samples) and two bytes per step and layer (the
index), never with the decoded frames. Layers are 0-based here as everywhere in ``core``; the CLI and
``atlas.json`` count them from 1.

Building is a generator, like :func:`core.analysis.dataset.evaluate_dataset`: it yields an
:class:`AtlasProgress` per clip and stops after a clip when ``should_stop()`` turns true.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.analysis.atlas_clips import ClipWindows, windows_of_files
from core.analysis.code_stats import CodeStatistics
from core.analysis.dataset import SkippedClip
from core.analysis.metrics import nearest_codes
from core.analysis.token_index import IndexedClip, TokenIndex
from core.datasets.reader import default_workers
from core.model.checkpoint import Checkpoint
from core.motion.skeleton import Skeleton

__all__ = [
    "Atlas",
    "AtlasProgress",
    "AtlasSettings",
    "CodeSummary",
    "Occurrence",
    "build_atlas",
    "default_workers",
]


@dataclass(frozen=True)
class AtlasSettings:
    layers: tuple[int, ...] = (0, 1)
    """The layers (0-based) whose codes get a motion summary and a sample; every layer is indexed."""
    per_code: int = 8
    """Occurrences kept per code, with their decoded windows (the preview's and gallery's)."""
    context_steps: int = 2
    """Steps of decoded motion kept either side of a sampled occurrence's own step."""
    seed: int = 0
    """Which occurrences are sampled (the same seed and clips give the same sample)."""
    workers: int = 1
    """Processes tokenizing and decoding clips (1: this one; :func:`default_workers`: one per core)."""


@dataclass(frozen=True)
class Occurrence:
    clip: int
    """The clip's number in :attr:`Atlas.clips`."""
    path: str
    step: int
    frames: tuple[int, int]
    """The frames ``[start, stop)`` the step covers."""
    time_s: float
    """When the step starts, in seconds from the clip's start."""


@dataclass(frozen=True)
class CodeSummary:
    """One code of one layer across the dataset."""

    layer: int
    code: int
    count: int
    clips: int
    summarised: int
    """Occurrences in the mean and spread (a clip's last step, cut short, is left out)."""
    mean_pose: np.ndarray = field(repr=False)
    """(frames per step, J, 3) metres: the mean decoded frames of the code's steps, in the body frame."""
    spread_joint_mm: np.ndarray = field(repr=False)
    """(J,) each joint's root mean square distance from its mean position across occurrences."""
    spread_mm: float
    """The mean of ``spread_joint_mm`` over the joints the tokenizer describes (NaN: never summarised)."""
    sample: tuple[Occurrence, ...]
    nearest: tuple[int, ...]
    """The closest codes of the layer's codebook, closest first."""

    @property
    def dead(self) -> bool:
        return self.count == 0


@dataclass(frozen=True)
class AtlasProgress:
    done: int
    total: int
    item: Path | SkippedClip
    """The clip just added, or why it was skipped."""


class Atlas:
    """The codes of a checkpoint across a dataset; built by :func:`build_atlas` (see the module)."""

    def __init__(
        self,
        checkpoint: str,
        settings: AtlasSettings,
        index: TokenIndex,
        stats: dict[int, CodeStatistics],
        skeleton: Skeleton,
        measured: np.ndarray,
        skipped: list[SkippedClip],
        complete: bool,
    ) -> None:
        self.checkpoint, self.settings, self.index, self.stats = checkpoint, settings, index, stats
        self.weights_sha256 = ""
        """The checkpoint's weights: a token grid searched in the atlas must come from the same ones."""
        self.skeleton, self.measured, self.skipped, self.complete = skeleton, measured, skipped, complete
        self._spread = {layer: s.spread_per_joint_mm() for layer, s in stats.items()}
        self._code_spread = {
            layer: np.where(s.summarised > 0, self._spread[layer][:, measured].mean(axis=1), np.nan)
            for layer, s in stats.items()
        }

    @property
    def clips(self) -> list[IndexedClip]:
        return self.index.clips

    @property
    def layers(self) -> tuple[int, ...]:
        """The layers summarised (0-based)."""
        return tuple(self.stats)

    @property
    def nb_code(self) -> int:
        return self.index.codebooks.shape[1] if self.index.codebooks is not None else 0

    @property
    def frames_per_step(self) -> int:
        return self.index.factor

    @property
    def lead_frames(self) -> int:
        """Frames of context before the step in a sampled window."""
        return self.settings.context_steps * self.index.factor

    def counts(self, layer: int) -> np.ndarray:
        """(nb_code,) how many steps use each code of ``layer`` (any layer, summarised or not)."""
        return np.bincount(self.index.codes[:, layer].astype(np.int64), minlength=self.nb_code)

    def by_use(self, layer: int) -> np.ndarray:
        """The codes of ``layer`` in use, most used first (ties by code)."""
        counts = self.counts(layer)
        used = np.flatnonzero(counts)
        return used[np.lexsort((used, -counts[used]))]

    def dead_codes(self, layer: int) -> np.ndarray:
        return np.flatnonzero(self.counts(layer) == 0)

    def occurrences(self, layer: int, code: int, limit: int | None = None) -> list[Occurrence]:
        """Every step where ``layer`` uses ``code``, in clip and step order; with ``limit``, that many
        of them evenly spread over the list (a page cannot show 100,000 rows)."""
        clips, steps = self.index.occurrences(layer, code)
        if limit is not None and len(clips) > limit:
            keep = np.linspace(0, len(clips) - 1, limit).round().astype(np.int64)
            clips, steps = clips[keep], steps[keep]
        return [self._occurrence(int(c), int(s)) for c, s in zip(clips, steps, strict=True)]

    def sample_windows(self, layer: int, code: int) -> tuple[list[Occurrence], np.ndarray]:
        """The sampled occurrences of ``code`` and their decoded windows ``(n, frames, J, 3)`` float32,
        in the body frame: :attr:`lead_frames` of context, the step's frames, then context again."""
        clips, steps, windows = self.stats[layer].sample(code)
        return [self._occurrence(int(c), int(s)) for c, s in zip(clips, steps, strict=True)], windows

    def nearest_codes(self, layer: int, code: int, k: int = 8) -> list[int]:
        """The ``k`` codes of ``layer``'s codebook closest to ``code`` (itself excluded)."""
        assert self.index.codebooks is not None
        return nearest_codes(self.index.codebooks[layer], code, k)

    def code_spreads_mm(self, layer: int) -> np.ndarray:
        """(nb_code,) the spread of every code of a summarised ``layer`` (NaN: never summarised)."""
        return self._code_spread[layer]

    def median_spread_mm(self, layer: int) -> float:
        """The median spread of ``layer``'s summarised codes: what one code's spread is read against
        (well below it, the code is one movement; well above, several)."""
        spreads = self.code_spreads_mm(layer)
        finite = spreads[np.isfinite(spreads)]
        return float(np.median(finite)) if len(finite) else float("nan")

    def code(self, layer: int, code: int, nearest: int = 8) -> CodeSummary:
        """Everything about ``code`` of a summarised ``layer``."""
        s = self.stats[layer]
        occurrences, _ = self.sample_windows(layer, code)
        return CodeSummary(
            layer=layer,
            code=code,
            count=int(s.counts[code]),
            clips=int(s.clips[code]),
            summarised=int(s.summarised[code]),
            mean_pose=s.mean[code].astype(np.float32),
            spread_joint_mm=self._spread[layer][code],
            spread_mm=float(self.code_spreads_mm(layer)[code]),
            sample=tuple(occurrences),
            nearest=tuple(self.nearest_codes(layer, code, nearest)),
        )

    def _occurrence(self, clip: int, step: int) -> Occurrence:
        c = self.index.clips[clip]
        frames = self.index.frames_of(clip, step)
        return Occurrence(clip, c.path, step, frames, frames[0] / c.fps)


def build_atlas(
    ckpt: Checkpoint,
    files: Sequence[str | Path],
    settings: AtlasSettings = AtlasSettings(),
    should_stop: Callable[[], bool] = lambda: False,
) -> Generator[AtlasProgress, None, Atlas]:
    """Tokenize and decode every file, yielding an :class:`AtlasProgress` per clip; returns the
    :class:`Atlas` (``complete=False`` when ``should_stop()`` ended it early). Clips that cannot be
    read or do not fit the checkpoint are skipped with the reason."""
    q = ckpt.config.num_quantizers
    bad = [layer for layer in settings.layers if not 0 <= layer < q]
    if bad or not settings.layers:
        raise ValueError(f"layers must be among 0..{q - 1} (0-based), got {list(settings.layers)}")
    if settings.per_code < 1 or settings.context_steps < 0 or settings.workers < 1:
        raise ValueError("per_code and workers must be at least 1, context_steps at least 0")
    books = ckpt.model.quantizer.codebooks.detach().float().cpu().numpy()
    builder = _Builder(ckpt, settings, TokenIndex(ckpt.model.downsample_factor, books))
    work = windows_of_files(ckpt, files, settings.layers, settings.context_steps, settings.workers)
    complete = True
    try:
        for done, (path, clip) in enumerate(work, start=1):
            if isinstance(clip, str):
                item: Path | SkippedClip = SkippedClip(str(path), clip)
                builder.skipped.append(item)
            else:
                builder.add(path, clip)
                item = path
            yield AtlasProgress(done, len(files), item)
            if should_stop() and done < len(files):
                complete = False
                break
    finally:
        work.close()
    return builder.atlas(complete)


class _Builder:
    """The atlas while clips come in: the index, one :class:`CodeStatistics` per summarised layer."""

    def __init__(self, ckpt: Checkpoint, settings: AtlasSettings, index: TokenIndex) -> None:
        self.ckpt, self.settings, self.index = ckpt, settings, index
        self.stats: dict[int, CodeStatistics] = {}
        self.skeleton: Skeleton | None = None
        self.skipped: list[SkippedClip] = []

    def add(self, path: Path, clip: ClipWindows) -> None:
        self.skeleton = self.skeleton or clip.skeleton
        number = self.index.add(str(path), clip.frames, clip.fps, clip.codes)
        for layer, windows in clip.windows.items():
            stats = self._statistics(layer, windows.shape[2])
            stats.add_clip(number, clip.codes[:, layer], windows, clip.whole)

    def _statistics(self, layer: int, joints: int) -> CodeStatistics:
        if layer not in self.stats:
            f, context = self.index.factor, self.settings.context_steps
            self.stats[layer] = CodeStatistics(
                layer,
                self.ckpt.config.nb_code,
                ((2 * context + 1) * f, joints),
                slice(context * f, (context + 1) * f),
                self.settings.per_code,
                self.settings.seed,
            )
        return self.stats[layer]

    def atlas(self, complete: bool) -> Atlas:
        skeleton = self.skeleton or self.ckpt.skeleton
        measured = self.ckpt.representation.measured_joints(self.ckpt.skeleton)
        stats = {layer: self._statistics(layer, skeleton.num_joints) for layer in self.settings.layers}
        atlas = Atlas(
            str(self.ckpt.path), self.settings, self.index, stats, skeleton, measured, self.skipped, complete
        )
        atlas.weights_sha256 = self.ckpt.weights_sha256
        return atlas
