"""A clip next to its reconstruction at every truncation level, kept current under token edits.

Built once per (clip, checkpoint, token grid): the grid is decoded with the first k layers for the
levels asked for (all by default, in one batched decode), and joint positions and errors are stored
per level, so switching the number of layers used is an array lookup. A window that must show
something at once decodes only the level on screen and hands the others to a worker thread:
:func:`decode_levels` is a pure function of a snapshot of the grid, and :meth:`Reconstruction.install`
takes its result back, re-decoding where the grid was edited since the snapshot. A level read before
it arrives is decoded then.

The grid is the caller's (a token editor's read-only view): the reconstruction never copies it, it only
reads it when a :class:`TokenChange` says where it changed. After an edit only the latent steps the
changed tokens can reach (the decoder's receptive field, ``R`` steps either side) are decoded again,
for the levels that include the changed layers; with root-trajectory channels the frames after that
window move rigidly by the change in the integrated root path. An edit can decode just the level on
screen at once and leave the others stale until they are read (or refreshed when idle).

Every reading takes ``aligned``: with it, the decoded poses are read on the original's root path and
errors are root-aligned (:mod:`core.analysis.metrics`), which shows pose error without path drift.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from core.analysis import metrics
from core.analysis.level_decoder import LevelDecoder
from core.features.representation import DecodeTarget
from core.model.checkpoint import Checkpoint
from core.motion.clip import Motion
from core.tokens.edit import TokenChange


@dataclass
class Level:
    """One truncation level's decoding of a grid: what every reading of that level comes from."""

    k: int
    indices: np.ndarray
    """The grid it was decoded from (a snapshot: edits made since are decoded when it is installed)."""
    features: np.ndarray
    positions: np.ndarray
    errors: np.ndarray
    aligned_errors: np.ndarray


class Reconstruction:
    """Original clip, its token grid, and the decoded motion for 1..Q layers."""

    def __init__(
        self, ckpt: Checkpoint, motion: Motion, indices: np.ndarray, levels: Iterable[int] | None = None
    ) -> None:
        self.ckpt = ckpt
        self.motion = motion
        self.indices = indices
        self.unedited_indices = np.array(indices)
        """The grid as it was when the reconstruction was made (the encoder's codes, before edits)."""
        self.num_quantizers = int(self.indices.shape[1])
        self.num_frames = motion.num_frames
        self.fps = motion.fps
        self.skeleton = motion.skeleton
        self.decoder = LevelDecoder(ckpt)
        self.factor = self.decoder.factor
        self.radius = self.decoder.radius
        self.representation = ckpt.representation
        self.measured_joints = self.representation.measured_joints(self.skeleton)
        """The joints the features describe; a body part's other joints are the source clip's."""
        self.original_positions = motion.joint_positions().astype(np.float32)
        self._levels: dict[int, Level] = {}
        self._unedited: dict[int, np.ndarray] = {}
        self._stale: dict[int, tuple[int, int]] = {}
        wanted = range(1, self.num_quantizers + 1) if levels is None else levels
        self.install(decode_levels(self, self.unedited_indices, sorted(set(wanted))))

    @property
    def num_steps(self) -> int:
        return int(self.indices.shape[0])

    def follow_device(self) -> None:
        """The checkpoint's model moved to another device: decode there from now on (what was decoded
        is NumPy and stays)."""
        self.decoder = LevelDecoder(self.ckpt)

    @property
    def missing_levels(self) -> list[int]:
        """Truncation levels not decoded yet (a worker may be decoding them)."""
        return [k for k in range(1, self.num_quantizers + 1) if k - 1 not in self._levels]

    def install(self, levels: Iterable[Level]) -> list[int]:
        """Take decoded levels (from :func:`decode_levels`, possibly run on another thread); levels
        already present are kept. Steps edited since a level's snapshot are marked stale, so the
        next reading decodes them. Returns the levels taken."""
        taken = []
        for level in levels:
            q = self._level(level.k)
            if q in self._levels:
                continue
            self._levels[q] = level
            if np.array_equal(level.indices, self.unedited_indices):
                self._unedited.setdefault(q, level.positions.copy())
            edited = np.flatnonzero((level.indices[:, : level.k] != self.indices[:, : level.k]).any(axis=1))
            if edited.size:
                self._stale[q] = self._step_window(int(edited[0]), int(edited[-1]) + 1)
            taken.append(level.k)
        return taken

    def positions(self, k: int, aligned: bool = False) -> np.ndarray:
        """(T, J, 3) joint positions decoded with the first ``k`` layers (on the original root path
        when ``aligned``)."""
        decoded = self._fresh(k).positions
        return metrics.on_original_root(decoded, self.original_positions) if aligned else decoded

    def unedited_positions(self, k: int, aligned: bool = False) -> np.ndarray:
        """(T, J, 3) joint positions of the grid before any edit, with ``k`` layers: the ghost an edit
        is compared against."""
        q = self._level(k)
        if q not in self._unedited:
            self._unedited[q] = decode_levels(self, self.unedited_indices, [k])[0].positions
        decoded = self._unedited[q]
        return metrics.on_original_root(decoded, self.original_positions) if aligned else decoded

    def joint_errors(self, k: int, aligned: bool = False) -> np.ndarray:
        """(T, J) distance in metres of every reconstructed joint from the original, kept current
        under edits; root-aligned when ``aligned``."""
        level = self._fresh(k)
        return level.aligned_errors if aligned else level.errors

    def frame_mpjpe_mm(self, k: int, aligned: bool = False) -> np.ndarray:
        """Per-frame mean error of the measured joints, in millimetres."""
        return 1000.0 * self.joint_errors(k, aligned)[:, self.measured_joints].mean(axis=1)

    def mpjpe_mm(self, k: int, aligned: bool = False) -> float:
        return float(1000.0 * self.joint_errors(k, aligned)[:, self.measured_joints].mean())

    def motion_at(self, k: int) -> Motion:
        """The reconstruction with ``k`` layers as a clip, for export."""
        features = self._fresh(k).features
        decoded = self.representation.motion(features, DecodeTarget(self.skeleton, self.fps, self.motion))
        # The decoded clip's own source (a HumanML3D clip's rows) stays, so a save writes what was decoded.
        decoded.source = {**decoded.source, "reconstruction_of": self.motion.source.get("path"), "layers": k}
        return decoded

    def frames_of_step(self, step: int) -> tuple[int, int]:
        """Frames ``[start, stop)`` that token step ``step`` covers."""
        return min(step * self.factor, self.num_frames), min((step + 1) * self.factor, self.num_frames)

    def reach_of_step(self, step: int) -> tuple[int, int]:
        """Frames whose decoded pose an edit at ``step`` can change (the decoder's receptive field)."""
        return self._frame_window(step, step + 1)

    def code_count(self, layer: int, code: int) -> int:
        """How many steps of this clip use ``code`` in ``layer``."""
        return int(np.count_nonzero(self.indices[:, layer] == code))

    def nearest_codes(self, layer: int, code: int, k: int = 8) -> list[int]:
        """The ``k`` codes of ``layer``'s codebook closest to ``code`` (itself excluded)."""
        return metrics.nearest_codes(self.decoder.codebooks[layer].cpu().numpy(), code, k)

    def with_code(self, step: int, layer: int, code: int, k: int) -> Level:
        """Level ``k`` as it would be with cell (``step``, ``layer``) set to ``code``, decoded beside
        the grid (nothing here changes): only the edit's window is decoded, the rest is copied."""
        current = self._fresh(k)
        grid = np.array(self.indices)
        grid[step, layer] = code
        lo, hi = self._step_window(step, step + 1)
        f0, f1 = min(lo * self.factor, self.num_frames), min(hi * self.factor, self.num_frames)
        features, positions = current.features.copy(), current.positions.copy()
        features[f0:f1] = self.decoder.features(grid, [k], lo, hi, self.num_frames)[0, : f1 - f0]
        last = self.representation.refresh_positions(features, positions, f0, f1, self.motion)
        errors, aligned = current.errors.copy(), current.aligned_errors.copy()
        true = self.original_positions[f0:last]
        errors[f0:last] = metrics.joint_errors(positions[f0:last], true)
        aligned[f0:last] = metrics.joint_errors(positions[f0:last], true, aligned=True)
        return Level(k, grid, features, positions, errors, aligned)

    def apply(
        self,
        change: TokenChange,
        level: int | None = None,
        focus: int | None = None,
    ) -> tuple[int, int]:
        """Follow ``change``, already made in the grid this reconstruction reads.

        With ``level`` given, only that truncation level is decoded now (the preview on screen); the
        other affected levels are marked stale and decoded when next read or on :meth:`refresh`.
        With ``focus`` (the frame on screen) too, only what that frame needs is decoded now: the part
        of the window from its step to the nearer end (with root-path channels the part before it,
        whose velocities place it). The rest stays stale for :meth:`refresh_level` to finish a moment
        later.
        Levels not decoded yet need nothing: they are decoded from the grid as it is when they come.
        Returns the frames of ``level`` (or of the finest affected level) that changed.
        """
        window = self._step_window(*change.steps)
        for q in range(change.first_layer, self.num_quantizers):
            if q in self._levels:
                self._stale[q] = _union(self._stale.get(q), window)
        if level is None:
            return self.refresh()
        q = self._level(level)
        if q not in self._stale:
            return (0, 0)
        lo, hi = self._stale[q]
        step = None if focus is None else min(max(int(focus), 0), self.num_frames - 1) // self.factor
        if step is None or not lo <= step < hi:
            return self._refresh_level(q)
        if self.representation.moves_later_frames() or step - lo < hi - step:
            return self._refresh_level(q, (lo, step + 1))
        return self._refresh_level(q, (step, hi))

    def refresh(self, levels: int | None = None) -> tuple[int, int]:
        """Decode stale levels now (at most ``levels`` of them, finest first: the one on screen is
        usually the finest, and an idle timer can spread the rest); returns the frames that changed."""
        lo, hi = self.num_frames, 0
        for q in sorted(self._stale, reverse=True)[:levels]:
            f0, f1 = self._refresh_level(q)
            lo, hi = min(lo, f0), max(hi, f1)
        return (lo, hi) if hi > lo else (0, 0)

    def refresh_level(self, k: int) -> tuple[int, int]:
        """Finish decoding level ``k`` if an edit left it stale; returns the frames that changed."""
        q = self._level(k)
        return self._refresh_level(q) if q in self._stale else (0, 0)

    @property
    def stale_levels(self) -> list[int]:
        """Truncation levels (1-based) still waiting for an edit to be decoded."""
        return sorted(q + 1 for q in self._stale)

    def _refresh_level(self, q: int, part: tuple[int, int] | None = None) -> tuple[int, int]:
        """Decode the stale steps of level ``q``, or the ``part`` of them given (sharing an end with
        the stale range, so what is left stays one range)."""
        lo, hi = self._stale.pop(q)
        start, stop = part or (lo, hi)
        if (start, stop) != (lo, hi):
            self._stale[q] = (lo, start) if start > lo else (stop, hi)
        return self._decode_part(q, start, stop)

    def _decode_part(self, q: int, start: int, stop: int) -> tuple[int, int]:
        """Decode steps ``[start, stop)`` of level ``q`` from the grid; returns the frames that moved."""
        level = self._levels[q]
        f0, f1 = min(start * self.factor, self.num_frames), min(stop * self.factor, self.num_frames)
        feats = self.decoder.features(self.indices, [q + 1], start, stop, self.num_frames)
        level.features[f0:f1] = feats[0, : f1 - f0]
        last = self.representation.refresh_positions(level.features, level.positions, f0, f1, self.motion)
        for errors, aligned in ((level.errors, False), (level.aligned_errors, True)):
            errors[f0:last] = metrics.joint_errors(
                level.positions[f0:last], self.original_positions[f0:last], aligned=aligned
            )
        return f0, last

    def _level(self, k: int) -> int:
        if not 1 <= k <= self.num_quantizers:
            raise ValueError(f"number of layers must be in 1..{self.num_quantizers}, got {k}")
        return k - 1

    def _fresh(self, k: int) -> Level:
        """The level for reading: decoded now if it has not arrived, a pending edit decoded first."""
        q = self._level(k)
        if q not in self._levels:
            self.install(decode_levels(self, np.array(self.indices), [k]))
        if q in self._stale:
            self._refresh_level(q)
        return self._levels[q]

    def _step_window(self, start: int, stop: int) -> tuple[int, int]:
        return max(0, start - self.radius), min(self.num_steps, stop + self.radius)

    def _frame_window(self, start: int, stop: int) -> tuple[int, int]:
        lo, hi = self._step_window(start, stop)
        return min(lo * self.factor, self.num_frames), min(hi * self.factor, self.num_frames)


def _union(a: tuple[int, int] | None, b: tuple[int, int]) -> tuple[int, int]:
    """The step range covering both (a stale range grows to cover every pending edit)."""
    return b if a is None else (min(a[0], b[0]), max(a[1], b[1]))


def decode_levels(recon: Reconstruction, indices: np.ndarray, levels: Iterable[int]) -> list[Level]:
    """Decode ``indices`` (a snapshot the caller owns) at each of ``levels`` for ``recon``'s clip.

    Reads nothing of ``recon`` that changes after it is made, so a worker thread may run it while the
    window edits the live grid; :meth:`Reconstruction.install` brings the result in.
    """
    levels = list(levels)
    if not levels:
        return []
    features = recon.decoder.features(indices, np.asarray(levels), 0, indices.shape[0], recon.num_frames)
    out = []
    for k, feats in zip(levels, features, strict=True):
        positions = recon.representation.positions(feats, recon.motion).astype(np.float32)
        out.append(
            Level(
                k,
                indices,
                feats,
                positions,
                metrics.joint_errors(positions, recon.original_positions),
                metrics.joint_errors(positions, recon.original_positions, aligned=True),
            )
        )
    return out
