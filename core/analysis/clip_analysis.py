"""Where in one clip a tokenizer fails: per-frame, per-joint, per-layer and per-code figures.

The app's analysis strip and panel show these, and a script gets the same numbers from a
:class:`Reconstruction`. Errors are over the measured joints (:attr:`Reconstruction.measured_joints`),
in millimetres; velocity and acceleration errors are per frame, as in :mod:`core.analysis.evaluate`:
mm/frame (first frame difference, at the later frame of the pair) and mm/frame^2 (centred second
difference). Frames where a difference is undefined (the first; the first and last) are NaN.

The strip can also show how plausible the reconstruction is (:mod:`core.analysis.plausibility`), frame
by frame, with the original's curve beside it (:func:`original_frame_values`): ``"jitter"``, the mean
jerk of the measured joints (m/s^3), and ``"foot_skate"``, the speed of the faster skating foot (m/s;
0 where no foot skates, NaN throughout for a skeleton without feet). Those are read from the motion
as decoded, its own root path (root alignment would lend it the original's).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.analysis import metrics, plausibility
from core.analysis.reconstruction import Reconstruction

PLAUSIBILITY_METRICS = ("jitter", "foot_skate")
"""Per-frame plausibility of the motion itself rather than its error."""
FRAME_METRICS = ("mpjpe", "velocity", "accel", *PLAUSIBILITY_METRICS)
"""What :func:`frame_errors` can give per frame."""

UNITS = {"mpjpe": "mm", "velocity": "mm/frame", "accel": "mm/frame²", "jitter": "m/s³", "foot_skate": "m/s"}


def _plausibility_values(recon: Reconstruction, positions: np.ndarray, metric: str) -> np.ndarray:
    if metric == "jitter":
        return plausibility.frame_jerk(positions, recon.fps, recon.measured_joints)
    feet = plausibility.find_feet(recon.skeleton)
    if feet is None or not set(feet.joints) <= set(recon.measured_joints.tolist()):
        return np.full(recon.num_frames, np.nan)
    floor = plausibility.floor_height(recon.original_positions, feet)
    return plausibility.frame_foot_skate(positions, recon.fps, feet, floor)


def original_frame_values(recon: Reconstruction, metric: str) -> np.ndarray:
    """``(T,)`` the original clip's ``"jitter"`` or ``"foot_skate"`` per frame: what the reconstruction's
    curve is read against."""
    if metric not in PLAUSIBILITY_METRICS:
        raise ValueError(f"the original has {' and '.join(PLAUSIBILITY_METRICS)} per frame, not {metric!r}")
    return _plausibility_values(recon, recon.original_positions, metric)


def frame_errors(recon: Reconstruction, k: int, metric: str = "mpjpe", aligned: bool = True) -> np.ndarray:
    """``(T,)`` error of every frame with ``k`` layers: ``"mpjpe"`` (mm), ``"velocity"`` (mm/frame) or
    ``"accel"`` (mm/frame^2), root-aligned when ``aligned``; or the reconstruction's own ``"jitter"``
    (m/s^3) or ``"foot_skate"`` (m/s), as decoded whatever ``aligned`` says."""
    if metric == "mpjpe":
        return recon.frame_mpjpe_mm(k, aligned)
    if metric not in FRAME_METRICS:
        raise ValueError(f"metric must be one of {', '.join(FRAME_METRICS)}, got {metric!r}")
    if metric in PLAUSIBILITY_METRICS:
        return _plausibility_values(recon, recon.positions(k), metric)
    order = 1 if metric == "velocity" else 2
    joints = recon.measured_joints
    pred, true = recon.positions(k, aligned)[:, joints], recon.original_positions[:, joints]
    values = np.full(recon.num_frames, np.nan, dtype=np.float64)
    if recon.num_frames > order:
        errors = 1000.0 * metrics.difference_errors(pred, true, order).mean(axis=-1)
        values[1 : 1 + len(errors)] = errors
    return values


def frame_errors_by_level(recon: Reconstruction, metric: str = "mpjpe", aligned: bool = True) -> np.ndarray:
    """``(Q, T)``: :func:`frame_errors` for 1..Q layers (row ``k - 1`` is ``k`` layers); NaN rows for
    levels still being decoded in the background."""
    values = np.full((recon.num_quantizers, recon.num_frames), np.nan)
    for k in ready_levels(recon):
        values[k - 1] = frame_errors(recon, k, metric, aligned)
    return values


def ready_levels(recon: Reconstruction) -> list[int]:
    """The truncation levels decoded so far: reading a missing one would decode it on the spot, on the
    caller's thread, which an overview of every level should not force."""
    missing = set(recon.missing_levels)
    return [k for k in range(1, recon.num_quantizers + 1) if k not in missing]


@dataclass(frozen=True)
class FrameSeries:
    """One per-frame error of a clip with what a plot of it marks: its mean and its worst frames."""

    metric: str
    values: np.ndarray
    """(T,) per frame, NaN where undefined."""
    mean: float
    worst: np.ndarray
    """Frames, worst first, at least half a second apart."""
    levels: np.ndarray | None = None
    """(Q, T) the same error for 1..Q layers, when asked for."""
    original: np.ndarray | None = None
    """(T,) the original clip's own value, for the plausibility metrics (what the curve is read against)."""

    @property
    def unit(self) -> str:
        return UNITS[self.metric]

    @property
    def measurable(self) -> bool:
        """False when no frame has a value: foot skating of a skeleton without named feet."""
        return bool(np.isfinite(self.values).any())


def frame_series(
    recon: Reconstruction,
    k: int,
    metric: str = "mpjpe",
    aligned: bool = True,
    every_level: bool = False,
    n_worst: int = 5,
) -> FrameSeries:
    """:func:`frame_errors` with ``k`` layers, their mean, the ``n_worst`` worst frames and (with
    ``every_level``) the curves for every number of layers."""
    values = frame_errors(recon, k, metric, aligned)
    spacing = max(int(round(recon.fps / 2)), recon.factor)
    return FrameSeries(
        metric,
        values,
        float(np.nanmean(values)) if np.isfinite(values).any() else 0.0,
        worst_frames(values, n_worst, spacing),
        frame_errors_by_level(recon, metric, aligned) if every_level else None,
        original_frame_values(recon, metric) if metric in PLAUSIBILITY_METRICS else None,
    )


def worst_frames(values: np.ndarray, n: int = 5, min_spacing: int = 1) -> np.ndarray:
    """The ``n`` frames of highest value, worst first, each at least ``min_spacing`` frames from a worse
    one, so one bad moment is not listed five times over. NaN frames are never picked."""
    order = np.argsort(-np.nan_to_num(values, nan=-np.inf), kind="stable")
    picked: list[int] = []
    for frame in order[np.isfinite(values[order])]:
        if all(abs(int(frame) - p) >= min_spacing for p in picked):
            picked.append(int(frame))
            if len(picked) == n:
                break
    return np.asarray(picked, dtype=np.int64)


@dataclass(frozen=True)
class JointError:
    joint: int
    name: str
    frame_mm: float
    """The error at the frame asked for."""
    clip_mm: float
    """The mean over the clip."""


def joint_errors(
    recon: Reconstruction, k: int, frame: int, aligned: bool = True, by: str = "frame"
) -> list[JointError]:
    """Each measured joint's error at ``frame`` and over the clip, worst first at ``frame`` (``by="frame"``)
    or over the clip (``by="clip"``)."""
    errors = 1000.0 * recon.joint_errors(k, aligned)
    frame = min(max(int(frame), 0), recon.num_frames - 1)
    clip = errors.mean(axis=0)
    names = recon.skeleton.joint_names
    rows = [
        JointError(int(j), names[j], float(errors[frame, j]), float(clip[j])) for j in recon.measured_joints
    ]
    if by not in ("frame", "clip"):
        raise ValueError(f"joints are sorted by 'frame' or 'clip', not {by!r}")
    return sorted(rows, key=lambda r: (-(r.frame_mm if by == "frame" else r.clip_mm), r.joint))


@dataclass(frozen=True)
class LayerRow:
    layers: int
    aligned_mm: float
    global_mm: float


def layer_table(recon: Reconstruction) -> list[LayerRow]:
    """The clip's MPJPE, root-aligned and global, for 1..Q layers: what each layer adds (NaN for a
    level still being decoded)."""
    ready = set(ready_levels(recon))
    return [
        LayerRow(k, recon.mpjpe_mm(k, aligned=True), recon.mpjpe_mm(k, aligned=False))
        if k in ready
        else LayerRow(k, float("nan"), float("nan"))
        for k in range(1, recon.num_quantizers + 1)
    ]


@dataclass(frozen=True)
class CodebookUsage:
    counts: np.ndarray
    """(nb_code,) steps using each code."""
    perplexity: float

    @property
    def dead(self) -> np.ndarray:
        """Codes never used."""
        return np.flatnonzero(self.counts == 0)

    @property
    def used(self) -> int:
        return int(np.count_nonzero(self.counts))


def codebook_usage(grids: list[np.ndarray] | np.ndarray, nb_code: int) -> list[CodebookUsage]:
    """Per layer, code counts and perplexity over one ``(steps, Q)`` grid or a list of them (a dataset)."""
    grids = [grids] if isinstance(grids, np.ndarray) else grids
    return usage_from_counts(sum(metrics.code_counts(g, nb_code) for g in grids))


def usage_from_counts(counts: np.ndarray) -> list[CodebookUsage]:
    """Per layer, the usage of ``(Q, nb_code)`` code counts (a dataset evaluation's ``code_counts``)."""
    counts = np.asarray(counts)
    return [CodebookUsage(c, float(p)) for c, p in zip(counts, metrics.perplexity(counts), strict=True)]


def codebook_map(recon: Reconstruction, layer: int) -> tuple[np.ndarray, np.ndarray]:
    """A 2D map of ``layer``'s codebook: ``(nb_code, 2)`` coordinates on its first two principal axes,
    and the fraction of the codes' variance each axis explains."""
    return pca_2d(recon.ckpt.model.quantizer.codebooks[layer].detach().float().cpu().numpy())


def pca_2d(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Points projected on their first two principal axes (by SVD), and each axis' explained variance
    ratio. The sign of each axis is fixed (largest loading positive) so the map does not flip between runs."""
    centred = np.asarray(points, dtype=np.float64) - np.mean(points, axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    axes = np.zeros((2, centred.shape[1]))
    axes[: min(2, len(vt))] = vt[:2]
    axes *= np.where(np.take_along_axis(axes, np.abs(axes).argmax(1)[:, None], 1) < 0, -1.0, 1.0)
    variance = s**2
    ratio = np.zeros(2)
    ratio[: min(2, len(s))] = (variance / max(variance.sum(), 1e-12))[:2]
    return centred @ axes.T, ratio


def code_steps(indices: np.ndarray, layer: int, code: int) -> np.ndarray:
    """Token steps where ``layer`` uses ``code``."""
    return np.flatnonzero(np.asarray(indices)[:, layer] == code)
