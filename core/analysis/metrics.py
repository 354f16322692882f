"""Reconstruction errors of joint positions, defined once for the CLI's evaluation, the app and scripts.

Positions are ``(..., T, J, 3)`` in metres; joint 0 is the root. The *global* error compares joints
where they are; the *root-aligned* error first puts both skeletons' roots on one point, so it measures
the pose without the drift of an integrated root path (a 60 mm pose error can read as 1000 mm when a
decoded path drifts). Millimetres are what tables and the window show.
"""

from __future__ import annotations

import numpy as np


def joint_errors(pred: np.ndarray, true: np.ndarray, aligned: bool = False) -> np.ndarray:
    """``(..., T, J)`` distance in metres of every joint from its original, root-aligned if asked."""
    if aligned:
        pred = pred - pred[..., :1, :]
        true = true - true[..., :1, :]
    return np.linalg.norm(pred - true, axis=-1)


def on_original_root(pred: np.ndarray, true: np.ndarray) -> np.ndarray:
    """``pred`` moved, frame by frame, so its root joint sits on ``true``'s: the pose as the
    root-aligned error sees it."""
    return pred - pred[..., :1, :] + true[..., :1, :]


def mpjpe_mm(pred: np.ndarray, true: np.ndarray, aligned: bool = False) -> float:
    """Mean per-joint position error in millimetres over every frame and joint."""
    return float(1000.0 * joint_errors(pred, true, aligned).mean())


def velocity_error_mm(pred: np.ndarray, true: np.ndarray) -> float:
    """Mean joint error of the frame-to-frame differences, mm/frame (0 for a one-frame clip)."""
    if len(pred) < 2:
        return 0.0
    return mpjpe_mm(np.diff(pred, axis=0), np.diff(true, axis=0))


def accel_error_mm(pred: np.ndarray, true: np.ndarray) -> float:
    """Mean joint error of the second frame differences, mm/frame^2 (0 below three frames)."""
    if len(pred) < 3:
        return 0.0
    return mpjpe_mm(np.diff(pred, 2, axis=0), np.diff(true, 2, axis=0))


def difference_errors(pred: np.ndarray, true: np.ndarray, order: int) -> np.ndarray:
    """``(..., T - order, J)`` distance in metres of each joint's ``order``-th frame difference from
    the original's: per frame, what :func:`velocity_error_mm` (order 1) and :func:`accel_error_mm`
    (order 2) average."""
    return joint_errors(np.diff(pred, order, axis=-3), np.diff(true, order, axis=-3))


def code_counts(codes: np.ndarray, nb_code: int) -> np.ndarray:
    """``(Q, nb_code)`` how often each code of each layer occurs in an ``(n, Q)`` grid (``-1`` = no code)."""
    codes = np.asarray(codes).reshape(-1, np.shape(codes)[-1])
    return np.stack([np.bincount(col[col >= 0], minlength=nb_code)[:nb_code] for col in codes.T])


def perplexity(counts: np.ndarray) -> np.ndarray:
    """``exp`` of the entropy of code use along the last axis: the number of equally used codes that
    would give the same spread (1 when one code does everything; 0 counts give 1)."""
    counts = np.asarray(counts, dtype=np.float64)
    probs = counts / np.maximum(counts.sum(-1, keepdims=True), 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        entropy = -np.where(probs > 0, probs * np.log(probs), 0.0).sum(-1)
    return np.exp(entropy)


NICE_SCALES_MM = (10, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 2000, 5000)


def nice_scale_mm(errors_m: np.ndarray) -> float:
    """A round upper bound that 95% of ``errors_m`` (metres) fall below, so error colours separate:
    the one rule the window's colour scale and rendered videos share."""
    high = float(np.percentile(errors_m, 95)) * 1000.0 if errors_m.size else 0.0
    return float(next((s for s in NICE_SCALES_MM if s >= high), NICE_SCALES_MM[-1]))


def frame_weighted_mean(values: np.ndarray | list[float], frames: np.ndarray | list[int]) -> float:
    """The mean over every frame of some clips of a figure given per clip as its mean over the clip's
    frames (MPJPE, skating): each clip weighted by its frames, as an evaluation's summary pools them.
    Clips without the figure (NaN) are left out; NaN when none has it."""
    values, frames = np.asarray(values, dtype=np.float64), np.asarray(frames, dtype=np.float64)
    known = ~np.isnan(values)
    total = frames[known].sum()
    return float((values[known] * frames[known]).sum() / total) if total > 0 else float("nan")


def nearest_codes(book: np.ndarray, code: int, k: int = 8) -> list[int]:
    """The ``k`` codes of a ``(nb_code, dim)`` codebook closest to ``code`` (itself excluded), nearest first
    (ties in code order)."""
    distance = np.linalg.norm(book - book[code], axis=1)
    distance[code] = np.inf
    return [int(c) for c in np.argsort(distance, kind="stable")[: min(k, len(book) - 1)]]
