"""A run's training data: the features of every usable clip, normalised, in one contiguous float32 array.

The clips are read by :func:`core.datasets.reader.read_files` (worker processes, the feature cache) and
each clip's features are copied into one :class:`~core.datasets.rows.RowBuffer` as they arrive; no clip
is kept as a Motion and no second copy of the features is made. The normalisation statistics are
computed over that array in slices (float64 sums) and it is normalised in place. Mirrored clips are not
stored: the samplers draw them as the column permutation with signs a mirror is (see
:class:`core.train.augment.MirroredCopies`), from the same statistics the stored copies would have had.

Which clips are used follows one rule (:func:`skip_reason`), shared with the survey a run is announced
by: the first clip that reads and is long enough sets the skeleton; later clips of another joint tree,
or shorter than :func:`min_frames_for`, are skipped with the reason.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import torch.distributed as dist

from core.datasets.cache import FeatureCache
from core.datasets.reader import FileInfo, FileRecord, ReadProgress, ReadSettings, default_workers, read_files
from core.datasets.rows import RowBuffer
from core.errors import MotionFileError
from core.features.mirror import FeatureMirror, feature_mirror
from core.features.representation import Normalizer, Representation
from core.formats import LOADABLE
from core.formats.discovery import find_motion_files
from core.motion.skeleton import Skeleton, describe_renaming, match_joints
from core.progress import run_to_end
from core.train.augment import heading_free_normalizer
from core.train.config import TrainConfig
from core.train.events import MessageEvent
from core.train.features import normalizer_for, representation_for
from core.train.training_set import (
    ReadClips,
    file_versions,
    load_training_set,
    store_training_set,
    training_set_key,
)

_SLICE_VALUES = 4_000_000
"""Values per slice when statistics are computed over the array (32 MB in float64)."""


def min_frames_for(config: TrainConfig) -> int:
    """The shortest clip a run can use: one window, or with ``whole_clips`` one token step. The survey
    before a run and the run itself both ask here, so they cannot disagree about what is skipped."""
    return config.model.downsample_factor if config.whole_clips else config.window


def skip_reason(
    info: FileInfo, first: tuple[Path, Skeleton] | None, min_frames: int, by_position: bool = True
) -> str | None:
    """Why a run does not train on a file (None: it does). ``first`` is the first usable file and its
    skeleton, once there is one: files of another joint tree are skipped (listed in another order is
    fine; named otherwise in the same order, as two converters name one tree, is fine ``by_position``)."""
    if info.reason is not None or info.skeleton is None:
        return info.reason or "cannot be read"
    if first is not None:
        try:
            match_joints(info.skeleton, first[1], by_position, "this clip", first[0].name)
        except ValueError as exc:
            return f"skeleton differs from {first[0].name}: {exc}"
    if info.frames < min_frames:
        return f"{info.frames} frames, shorter than the {min_frames}-frame window"
    return None


def renamed_joints(info: FileInfo, first: tuple[Path, Skeleton], by_position: bool = True) -> tuple:
    """(own name, first clip's name) of the joints a usable file names otherwise than the first file."""
    return match_joints(info.skeleton, first[1], by_position).renamed if info.skeleton is not None else ()


def renaming_lines(renamed: Sequence[tuple[Path, tuple[tuple[str, str], ...]]], first: str) -> list[str]:
    """ "3 clips name the joints of 001_01.bvh's tree otherwise ...: matched by position: A = B, ..." once
    per distinct renaming (a dataset mixing two converters has one)."""
    groups: dict[tuple[tuple[str, str], ...], list[Path]] = {}
    for path, pairs in renamed:
        groups.setdefault(pairs, []).append(path)
    lines = []
    for pairs, paths in groups.items():
        clips = f"{len(paths)} clips name" if len(paths) > 1 else f"{paths[0].name} names"
        lines.append(
            f"{clips} the joints of {first}'s tree otherwise (same parents, same order): matched by "
            f"position: {describe_renaming(pairs)}"
        )
    return lines


def read_settings(config: TrainConfig) -> ReadSettings:
    """How a run reads its files before features are chosen: HumanML3D runs convert SMPL-X clips."""
    return ReadSettings(
        to_humanml3d=config.representation == "humanml3d" and not config.body_part,
        by_position=not config.strict_joint_names,
    )


@dataclass
class TrainingData:
    """Normalised features of the training clips and what is needed to interpret them."""

    skeleton: Skeleton
    fps: float
    representation: Representation
    normalizer: Normalizer
    features: np.ndarray
    """``(frames, D)`` float32, normalised, the clips one after another."""
    lengths: np.ndarray
    """``(clips,)`` frames of each clip, in ``features``' order."""
    files: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    mirror: FeatureMirror | None = None
    """With mirroring, the mirror of the raw features: the samplers also draw each clip mirrored."""
    renamed: list[tuple[Path, tuple[tuple[str, str], ...]]] = field(default_factory=list)
    """Clips whose joints were matched to the first clip's by position, with the name pairs."""

    @property
    def mirrored(self) -> bool:
        return self.mirror is not None

    @property
    def frames(self) -> int:
        """Frames trained on, the mirrored clips counted."""
        return int(self.lengths.sum()) * (2 if self.mirrored else 1)


def prepare_data(
    paths: Sequence[str | Path],
    config: TrainConfig,
    holdout: set[str] = frozenset(),
    normalizer: Normalizer | None = None,
    use_cache: bool = True,
) -> TrainingData:
    """:func:`read_training_data` run to its end, without its progress reports."""
    return run_to_end(read_training_data(paths, config, holdout, normalizer, use_cache))


def read_training_data(
    paths: Sequence[str | Path],
    config: TrainConfig,
    holdout: set[str] = frozenset(),
    normalizer: Normalizer | None = None,
    use_cache: bool = True,
) -> Generator[ReadProgress | MessageEvent, None, TrainingData]:
    """Read every clip under ``paths`` (minus ``holdout``) as ``config`` asks, featurise and normalise.

    Yields reading progress (and a message if the cache cannot be written). Clips that cannot be read,
    of another joint tree or too short are skipped (see :func:`skip_reason`); none usable is a
    MotionFileError. With ``mirror`` the normalisation is fitted to the clips and their mirror images,
    so both sides share one set of statistics; with ``random_heading`` to the clips at every heading
    (see :mod:`core.train.augment`). A given ``normalizer`` (a resumed run's) is kept. Under torchrun
    rank 0 reads first and fills the cache; the other ranks then read from it.
    """
    files = [f for f in find_motion_files(paths) if f.name not in holdout]
    if not files:
        raise MotionFileError(
            ", ".join(str(p) for p in paths), f"no motion clips ({', '.join(LOADABLE)}) found"
        )
    return (yield from read_training_files(files, config, normalizer, use_cache))


def read_training_files(
    files: Sequence[Path],
    config: TrainConfig,
    normalizer: Normalizer | None = None,
    use_cache: bool = True,
) -> Generator[ReadProgress | MessageEvent, None, TrainingData]:
    """:func:`read_training_data` of a list of files (a dataset layout's split, say), in that order."""
    files = list(files)
    if not files:
        raise MotionFileError(".", "no motion clips to train on")
    cache = FeatureCache() if use_cache else None
    ranked = dist.is_initialized() and dist.get_world_size() > 1 and cache is not None
    if ranked and dist.get_rank() > 0:
        dist.barrier()
    data = yield from _read(files, config, normalizer, cache)
    if ranked and dist.get_rank() == 0:
        dist.barrier()
    if cache is not None and cache.warning is not None:
        yield MessageEvent(cache.warning)
    return data


def _first_usable(
    files: list[Path], settings: ReadSettings, cache: FeatureCache | None, min_frames: int
) -> tuple[int, FileInfo]:
    """The index and info of the first file a run can use: it sets the skeleton the others must share."""
    skipped = []
    for index, path in enumerate(files):
        record = next(r for r in read_files([path], settings, cache, workers=1) if isinstance(r, FileRecord))
        reason = skip_reason(record.info, None, min_frames)
        if reason is None:
            return index, record.info
        skipped.append(f"{path.name}: {reason}")
    raise MotionFileError(files[0], f"no usable clips ({'; '.join(skipped[:3])})")


def _read(
    files: list[Path],
    config: TrainConfig,
    normalizer: Normalizer | None,
    cache: FeatureCache | None,
) -> Generator[ReadProgress, None, TrainingData]:
    min_frames = min_frames_for(config)
    first_index, first = _first_usable(files, read_settings(config), cache, min_frames)
    assert first.skeleton is not None
    rep = representation_for(config, first.skeleton)
    by_position = not config.strict_joint_names
    settings = ReadSettings(read_settings(config).to_humanml3d, rep, first.skeleton, by_position)
    workers = None  # one per core; under torchrun the ranks share the cores
    if dist.is_initialized() and dist.get_rank() > 0:
        workers = max(1, default_workers() // dist.get_world_size())
    key, versions = training_set_key(files, settings, min_frames), file_versions(files)
    clips = load_training_set(cache, key, versions) if cache is not None and versions else None
    if clips is None:
        clips = yield from _read_each(files, settings, cache, workers, (first_index, min_frames))
        if cache is not None and versions:
            store_training_set(cache, key, versions, clips)
    else:
        yield ReadProgress(len(files), len(files), len(files), 0.0)
    features = clips.features
    mirror = _mirror(features, first.skeleton, rep, files[first_index]) if config.mirror else None
    if normalizer is None:
        normalizer = _fitted_normalizer(features, config, rep, mirror)
    for rows in _slices(features):
        np.subtract(rows, normalizer.mean, out=rows)
        np.divide(rows, normalizer.std, out=rows)
    return TrainingData(
        first.skeleton,
        first.fps,
        rep,
        normalizer,
        features,
        np.asarray(clips.lengths),
        clips.used,
        clips.skipped,
        mirror,
        clips.renamed,
    )


def _read_each(
    files: list[Path],
    settings: ReadSettings,
    cache: FeatureCache | None,
    workers: int | None,
    first: tuple[int, int],
) -> Generator[ReadProgress, None, ReadClips]:
    """Every file read (from its cache entry or in a worker) and sorted by :func:`skip_reason`, the usable
    ones' rows copied end to end into one array as they arrive. ``first``: the first usable file's index
    (it sets the skeleton) and the shortest usable clip."""
    first_index, min_frames = first
    assert settings.reference is not None and settings.representation is not None
    owner = (files[first_index], settings.reference)
    buffer = RowBuffer(settings.representation.dim, _estimated_rows(files, settings.representation.dim))
    clips = ReadClips(np.empty((0, 0), np.float32), [], [], [], [])
    index = -1
    for item in read_files(files, settings, cache, workers):
        if isinstance(item, ReadProgress):
            yield item
            continue
        index += 1
        reason = skip_reason(
            item.info, owner if index > first_index else None, min_frames, settings.by_position
        )
        reason = reason or item.problem
        if reason is not None or item.features is None:
            clips.skipped.append((item.path, reason or "no features"))
            continue
        if pairs := renamed_joints(item.info, owner, settings.by_position):
            clips.renamed.append((item.path, pairs))
        buffer.append(item.features)
        clips.used.append(item.path)
        clips.lengths.append(len(item.features))
    return replace(clips, features=buffer.array())


def _estimated_rows(files: list[Path], dim: int) -> int:
    """An estimate of the rows the files give, from their sizes: most formats store a frame in more than
    ``4 * dim`` bytes, and a reservation too large costs nothing (its pages are never touched); one too
    small makes the buffer grow."""
    size = 0
    for path in files:
        try:
            size += path.stat().st_size
        except OSError:
            continue
    return int(size / (4 * dim) * 1.1) + 1024


def _slices(features: np.ndarray) -> Iterator[np.ndarray]:
    step = max(1, _SLICE_VALUES // max(features.shape[1], 1))
    for start in range(0, len(features), step):
        yield features[start : start + step]


def _mirror(features: np.ndarray, skeleton: Skeleton, rep: Representation, path: Path) -> FeatureMirror:
    try:
        return feature_mirror(skeleton, rep, Normalizer.fit(_slices(features)).mean)
    except ValueError as exc:
        raise MotionFileError(path, f"cannot mirror this skeleton: {exc}") from exc


def _fitted_normalizer(
    features: np.ndarray, config: TrainConfig, rep: Representation, mirror: FeatureMirror | None
) -> Normalizer:
    """Statistics over the raw features and, when mirroring, their mirror images (one slice at a time)."""

    def raw() -> Iterator[np.ndarray]:
        for rows in _slices(features):
            yield rows
            if mirror is not None:
                yield mirror(rows)

    return (
        heading_free_normalizer(raw(), rep) if config.random_heading else normalizer_for(config, rep, raw())
    )
