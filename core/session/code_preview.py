"""What the selected cell would look like with another code, decoded beside the grid, never in it.

Hovering a nearest-code chip shows that code before the user commits to it. The preview decodes the
edit's window of a copy of the grid with the one cell changed (at the number of layers on screen), so
the token editor,
its undo history and the reconstruction stay exactly as they were; leaving the chip drops it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.analysis import metrics
from core.analysis.reconstruction import Reconstruction


@dataclass(frozen=True)
class CodePreview:
    """The reconstruction at ``k`` layers with cell (``step``, ``layer``) set to ``code``."""

    reconstruction: Reconstruction
    step: int
    layer: int
    code: int
    k: int
    grid: np.ndarray
    """The grid it was decoded from: the preview holds only while the live grid differs from it in
    this one cell."""
    decoded: np.ndarray
    errors: np.ndarray
    aligned_errors: np.ndarray

    @classmethod
    def decode(cls, recon: Reconstruction, step: int, layer: int, code: int, k: int) -> CodePreview:
        level = recon.with_code(step, layer, code, k)
        return cls(
            recon, step, layer, code, k, level.indices, level.positions, level.errors, level.aligned_errors
        )

    def holds_for(self, recon: Reconstruction | None, k: int) -> bool:
        """Whether this preview still describes ``recon`` at ``k`` layers (no edit since, same level)."""
        if recon is not self.reconstruction or k != self.k:
            return False
        differs = self.grid != recon.indices
        differs[self.step, self.layer] = False
        return not differs.any()

    def positions(self, aligned: bool = False) -> np.ndarray:
        """(T, J, 3) joints with the previewed code, on the original's root path when ``aligned``."""
        if not aligned:
            return self.decoded
        return metrics.on_original_root(self.decoded, self.reconstruction.original_positions)

    def joint_errors(self, aligned: bool = False) -> np.ndarray:
        return self.aligned_errors if aligned else self.errors

    def mpjpe_mm(self, aligned: bool = False) -> float:
        return float(1000.0 * self.joint_errors(aligned)[:, self.reconstruction.measured_joints].mean())

    def frame_mpjpe_mm(self, aligned: bool = False) -> np.ndarray:
        """Per-frame mean error of the measured joints, in millimetres, as the reconstruction's."""
        return 1000.0 * self.joint_errors(aligned)[:, self.reconstruction.measured_joints].mean(axis=1)
