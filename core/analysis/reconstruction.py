"""A clip next to its reconstruction at every truncation level, kept current under token edits.

Built once per (clip, checkpoint, token grid): the grid is decoded with the first k layers for every
k = 1..Q in one batched decode, and joint positions and errors are stored per level, so switching the
number of layers used is an array lookup. The grid is the caller's (a token editor's read-only view):
the reconstruction never copies it, it only reads it when a :class:`TokenChange` says where it changed.
After an edit only the latent steps the changed tokens can reach (the decoder's receptive field, ``R``
steps either side) are decoded again, for the levels that include the changed layers; with
root-trajectory channels the frames after that window move rigidly by the change in the integrated
root path. An edit can decode just the level on screen at once and leave the others stale until they
are read (or refreshed when idle), which keeps the edit-to-preview time to one windowed decode.

Every reading takes ``aligned``: with it, the decoded poses are read on the original's root path and
errors are root-aligned (:mod:`core.analysis.metrics`), which shows pose error without path drift.
"""

from __future__ import annotations

import numpy as np
import torch

from core.analysis import metrics
from core.model.checkpoint import Checkpoint
from core.motion.clip import Motion
from core.tokens.edit import TokenChange


class Reconstruction:
    """Original clip, its token grid, and the decoded motion for 1..Q layers."""

    def __init__(self, ckpt: Checkpoint, motion: Motion, indices: np.ndarray) -> None:
        self.ckpt = ckpt
        self.motion = motion
        self.indices = indices
        self.num_quantizers = int(self.indices.shape[1])
        self.num_frames = motion.num_frames
        self.fps = motion.fps
        self.skeleton = motion.skeleton
        self.factor = ckpt.model.downsample_factor
        self.radius = ckpt.model.decoder_receptive_field()
        self.representation = ckpt.representation
        self.measured_joints = self.representation.measured_joints(self.skeleton)
        """The joints the features describe; a body part's other joints are the source clip's."""
        self.original_positions = motion.joint_positions().astype(np.float32)
        levels = np.arange(1, self.num_quantizers + 1)
        self._features = self._decode_levels(self.indices, levels, 0, self.indices.shape[0])
        self._positions = np.stack(
            [self.representation.positions(f, motion) for f in self._features]
        ).astype(np.float32)
        self._errors = metrics.joint_errors(self._positions, self.original_positions)
        self._aligned_errors = metrics.joint_errors(self._positions, self.original_positions, aligned=True)
        self._stale: dict[int, tuple[int, int]] = {}

    @property
    def num_steps(self) -> int:
        return int(self.indices.shape[0])

    def positions(self, k: int, aligned: bool = False) -> np.ndarray:
        """(T, J, 3) joint positions decoded with the first ``k`` layers (on the original root path
        when ``aligned``)."""
        decoded = self._positions[self._fresh(k)]
        return metrics.on_original_root(decoded, self.original_positions) if aligned else decoded

    def joint_errors(self, k: int, aligned: bool = False) -> np.ndarray:
        """(T, J) distance in metres of every reconstructed joint from the original, kept current
        under edits; root-aligned when ``aligned``."""
        q = self._fresh(k)
        return self._aligned_errors[q] if aligned else self._errors[q]

    def frame_mpjpe_mm(self, k: int, aligned: bool = False) -> np.ndarray:
        """Per-frame mean error of the measured joints, in millimetres."""
        return 1000.0 * self.joint_errors(k, aligned)[:, self.measured_joints].mean(axis=1)

    def mpjpe_mm(self, k: int, aligned: bool = False) -> float:
        return float(1000.0 * self.joint_errors(k, aligned)[:, self.measured_joints].mean())

    def motion_at(self, k: int) -> Motion:
        """The reconstruction with ``k`` layers as a clip, for export."""
        features = self._features[self._fresh(k)]
        decoded = self.representation.motion(features, self.skeleton, self.fps, like=self.motion)
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
        book = self.ckpt.model.quantizer.codebooks[layer].detach().float().cpu().numpy()
        distance = np.linalg.norm(book - book[code], axis=1)
        distance[code] = np.inf
        return [int(c) for c in np.argsort(distance)[:k]]

    def apply(self, change: TokenChange, level: int | None = None) -> tuple[int, int]:
        """Follow ``change``, already made in the grid this reconstruction reads.

        With ``level`` given, only that truncation level is decoded now (the preview on screen); the
        other affected levels are marked stale and decoded when next read or on :meth:`refresh`.
        Returns the frames of ``level`` (or of the finest affected level) that changed.
        """
        start, stop = change.steps
        for q in range(change.first_layer, self.num_quantizers):
            pending = self._stale.get(q)
            self._stale[q] = (
                (start, stop) if pending is None else (min(pending[0], start), max(pending[1], stop))
            )
        if level is not None:
            q = self._level(level)
            return self._refresh_level(q) if q in self._stale else (0, 0)
        return self.refresh()

    def refresh(self) -> tuple[int, int]:
        """Decode every stale level now; returns the union of the frames that changed."""
        lo, hi = self.num_frames, 0
        for q in sorted(self._stale):
            f0, f1 = self._refresh_level(q)
            lo, hi = min(lo, f0), max(hi, f1)
        return (lo, hi) if hi > lo else (0, 0)

    @property
    def stale_levels(self) -> list[int]:
        """Truncation levels (1-based) still waiting for an edit to be decoded."""
        return sorted(q + 1 for q in self._stale)

    def _refresh_level(self, q: int) -> tuple[int, int]:
        start, stop = self._stale.pop(q)
        f0, f1 = self._frame_window(start, stop)
        feats = self._decode_levels(self.indices, np.asarray([q + 1]), *self._step_window(start, stop))[0]
        self._features[q, f0:f1] = feats[: f1 - f0]
        last = self.representation.refresh_positions(self._features[q], self._positions[q], f0, f1, self.motion)
        for errors, aligned in ((self._errors, False), (self._aligned_errors, True)):
            errors[q, f0:last] = metrics.joint_errors(
                self._positions[q, f0:last], self.original_positions[f0:last], aligned=aligned
            )
        return f0, last

    def _level(self, k: int) -> int:
        if not 1 <= k <= self.num_quantizers:
            raise ValueError(f"number of layers must be in 1..{self.num_quantizers}, got {k}")
        return k - 1

    def _fresh(self, k: int) -> int:
        """The level index for reading, decoding a pending edit first."""
        q = self._level(k)
        if q in self._stale:
            self._refresh_level(q)
        return q

    def _step_window(self, start: int, stop: int) -> tuple[int, int]:
        return max(0, start - self.radius), min(self.num_steps, stop + self.radius)

    def _frame_window(self, start: int, stop: int) -> tuple[int, int]:
        lo, hi = self._step_window(start, stop)
        return min(lo * self.factor, self.num_frames), min(hi * self.factor, self.num_frames)

    def _decode_levels(self, indices: np.ndarray, levels: np.ndarray, start: int, stop: int) -> np.ndarray:
        """Denormalised features of steps ``[start, stop)`` for each truncation level in ``levels``."""
        model = self.ckpt.model
        device = next(model.parameters()).device
        with torch.no_grad():
            idx = torch.from_numpy(np.array(indices, dtype=np.int64)).to(device)[None]
            codes = model.quantizer.get_codes_from_indices(idx)[:, 0]
            latents = torch.cumsum(codes, dim=0)[torch.as_tensor(levels - 1, device=device)]
            frames = model.decode_latent_window(latents, start, stop).cpu().numpy()
        f0, f1 = start * self.factor, min(stop * self.factor, self.num_frames)
        return self.ckpt.normalizer.denormalize(frames[:, : f1 - f0])
