"""One quantizer layer's codes over a dataset, gathered clip by clip in memory that grows with the codes.

Per code: how often it is used and in how many clips; the mean and spread of the motion it stands for
(the decoded frames of its steps, in one body frame: :mod:`core.analysis.pose_frame`), kept as running
means and sums of squared deviations merged batch by batch (Chan et al.'s parallel form of Welford's
update: exact for any batching, and windows that are all alike give a spread of 0 up to rounding, which
``E[x^2] - E[x]^2`` would not); and a bounded sample of its occurrences with their windows, for
previews and galleries.

The sample is a bottom-k sample: every occurrence gets a key hashed from (seed, layer, clip, step) and
a code keeps the ``per_code`` occurrences with the smallest keys. That is a uniform sample without
replacement, and since keys depend on nothing else, the same clips give the same sample whatever the
order or batching they come in. Memory: ``nb_code x per_code`` windows of float16 joints, allocated
once, plus ``nb_code x f x J x 3`` float64 twice for the running statistics.
"""

from __future__ import annotations

import numpy as np

EMPTY = np.iinfo(np.uint64).max
"""The key of an empty sample slot (after every real key)."""


def occurrence_keys(seed: int, layer: int, clip: int, steps: np.ndarray) -> np.ndarray:
    """(n,) uint64 keys of the occurrences at ``steps`` of ``clip``: splitmix64 rounds over their
    identity, so a key depends on nothing but (seed, layer, clip, step)."""
    prefix = np.uint64(0)
    for part in (seed, layer, clip):
        prefix = _mix(np.asarray([prefix ^ np.uint64(part % 2**64)]))[0]
    keys = _mix(np.asarray(steps, dtype=np.uint64) ^ prefix)
    return np.minimum(keys, EMPTY - np.uint64(1))


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: every input bit reaches every output bit."""
    with np.errstate(over="ignore"):
        x = x + np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


class CodeStatistics:
    """Counts, motion summary and occurrence sample of every code of one layer (see the module)."""

    def __init__(
        self,
        layer: int,
        nb_code: int,
        window: tuple[int, int],
        step: slice,
        per_code: int = 8,
        seed: int = 0,
    ) -> None:
        """``window`` is (frames, joints) of the windows handed to :meth:`add_clip`; ``step`` the
        frames of a window that are the code's own step (the rest is context shown in previews)."""
        frames, joints = window
        self.layer, self.nb_code, self.per_code, self.seed = layer, nb_code, per_code, seed
        self.step = step
        step_frames = len(range(*step.indices(frames)))
        self.counts = np.zeros(nb_code, dtype=np.int64)
        self.clips = np.zeros(nb_code, dtype=np.int64)
        self.summarised = np.zeros(nb_code, dtype=np.int64)
        """Occurrences in the mean and spread: every one except a clip's last step cut short."""
        self.mean = np.zeros((nb_code, step_frames, joints, 3))
        self.m2 = np.zeros((nb_code, step_frames, joints, 3))
        self.sample_key = np.full((nb_code, per_code), EMPTY, dtype=np.uint64)
        self.sample_clip = np.full((nb_code, per_code), -1, dtype=np.int64)
        self.sample_step = np.full((nb_code, per_code), -1, dtype=np.int64)
        self.sample_windows = np.zeros((nb_code, per_code, frames, joints, 3), dtype=np.float16)

    def add_clip(self, clip: int, codes: np.ndarray, windows: np.ndarray, whole: np.ndarray) -> None:
        """One clip: ``codes`` (steps,) of this layer, ``windows`` (steps, frames, joints, 3) their
        aligned positions in metres, ``whole`` (steps,) which steps have all their frames."""
        codes = np.asarray(codes, dtype=np.int64)
        if not len(codes):
            return
        used = np.bincount(codes, minlength=self.nb_code)
        self.counts += used
        self.clips += used > 0
        self._merge_moments(codes[whole], np.asarray(windows[whole][:, self.step], dtype=np.float64))
        self._merge_sample(clip, codes, windows)

    def _merge_moments(self, codes: np.ndarray, x: np.ndarray) -> None:
        if not len(codes):
            return
        order = np.argsort(codes, kind="stable")
        codes, x = codes[order], x[order]
        touched, starts, n_b = np.unique(codes, return_index=True, return_counts=True)
        mean_b = np.add.reduceat(x, starts, axis=0) / n_b[:, None, None, None]
        m2_b = np.add.reduceat((x - np.repeat(mean_b, n_b, axis=0)) ** 2, starts, axis=0)
        n_a = self.summarised[touched][:, None, None, None].astype(np.float64)
        n = n_a + n_b[:, None, None, None]
        delta = mean_b - self.mean[touched]
        self.mean[touched] += delta * (n_b[:, None, None, None] / n)
        self.m2[touched] += m2_b + delta**2 * (n_a * n_b[:, None, None, None] / n)
        self.summarised[touched] += n_b

    def _merge_sample(self, clip: int, codes: np.ndarray, windows: np.ndarray) -> None:
        """Keep, per code, the ``per_code`` smallest keys among its slots and this clip's steps."""
        k = self.per_code
        keys = occurrence_keys(self.seed, self.layer, clip, np.arange(len(codes)))
        order = np.lexsort((keys, codes))
        grouped = codes[order]
        touched, starts = np.unique(grouped, return_index=True)
        rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.append(starts, len(order))))
        best = rank < k
        row = np.searchsorted(touched, grouped[best])
        new_key = np.full((len(touched), k), EMPTY, dtype=np.uint64)
        new_step = np.zeros((len(touched), k), dtype=np.int64)
        new_key[row, rank[best]] = keys[order][best]
        new_step[row, rank[best]] = order[best]
        both = np.concatenate([self.sample_key[touched], new_key], axis=1)
        kept = np.zeros(both.shape, dtype=bool)
        np.put_along_axis(kept, np.argsort(both, axis=1, kind="stable")[:, :k], True, axis=1)
        freed_row, freed_slot = np.nonzero(~kept[:, :k])
        taken_row, taken_col = np.nonzero(kept[:, k:])
        code = touched[freed_row]
        steps = new_step[taken_row, taken_col]
        self.sample_key[code, freed_slot] = new_key[taken_row, taken_col]
        self.sample_clip[code, freed_slot] = clip
        self.sample_step[code, freed_slot] = steps
        self.sample_windows[code, freed_slot] = windows[steps]

    # ----- reading ---------------------------------------------------------------------------

    def sample(self, code: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(clips, steps, windows) of ``code``'s sampled occurrences, in clip and step order; windows
        are (n, frames, joints, 3) float32 metres."""
        filled = np.flatnonzero(self.sample_key[code] != EMPTY)
        order = filled[np.lexsort((self.sample_step[code, filled], self.sample_clip[code, filled]))]
        windows = self.sample_windows[code, order].astype(np.float32)
        return self.sample_clip[code, order], self.sample_step[code, order], windows

    def spread_per_joint_mm(self) -> np.ndarray:
        """(nb_code, joints) how far each joint strays from its mean position across a code's
        occurrences: the root mean square distance over the step's frames, in mm (NaN: no occurrence)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            variance = self.m2 / self.summarised[:, None, None, None]
        return 1000.0 * np.sqrt(variance.sum(axis=-1).mean(axis=1))
