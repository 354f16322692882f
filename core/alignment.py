"""A reconstruction read with its root on the original's root path: pose error without path drift.

With root-trajectory channels the decoded root path is integrated from per-frame steps, so a small
bias drifts the whole clip by a metre or more and swamps the pose error in a plain MPJPE (a 60 mm
root-aligned error can read as 1000 mm). This is the "root-aligned" error of ``core.evaluate``,
exposed with the same accessors as :class:`core.reconstruction.Reconstruction` so a viewer can show
either. Positions are computed on reading; the errors are the reconstruction's cached root-aligned
errors, which it keeps current under edits.
"""

from __future__ import annotations

import numpy as np

from core.reconstruction import Reconstruction


class RootAligned:
    """Decoded poses translated, frame by frame, so their root joint sits on the original's."""

    def __init__(self, recon: Reconstruction) -> None:
        self.recon = recon

    @property
    def num_layers(self) -> int:
        return self.recon.num_layers

    @property
    def num_frames(self) -> int:
        return self.recon.num_frames

    def positions(self, k: int) -> np.ndarray:
        """(T, J, 3) joints decoded with ``k`` layers, root moved onto the original root."""
        decoded = self.recon.positions(k)
        return decoded - decoded[:, :1] + self.recon.original_positions[:, :1]

    def joint_errors(self, k: int) -> np.ndarray:
        """(T, J) root-aligned distance in metres from the original joints (cached by the reconstruction)."""
        return self.recon.root_aligned_errors(k)

    def frame_mpjpe_mm(self, k: int) -> np.ndarray:
        return 1000.0 * self.joint_errors(k).mean(axis=1)

    def mpjpe_mm(self, k: int) -> float:
        return float(1000.0 * self.joint_errors(k).mean())
