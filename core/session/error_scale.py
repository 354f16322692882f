"""The joint-error colour scale: one number of millimetres that a full-red joint is at, kept fixed.

Rescaling whenever the number of layers or the alignment changes makes colours incomparable (the
same red once meant 500 mm, then 200 mm). So the scale is chosen once per reconstruction, from its
root-aligned errors at the number of layers shown when it opens (colours separate where the user
looks; coarser levels saturate towards red, which is what they are), and never moves on its own
after that. The user can set it, and lock it so that a new clip or checkpoint keeps it too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.analysis.metrics import nice_scale_mm
from core.analysis.reconstruction import Reconstruction


def default_scale_mm(recon: Reconstruction, k: int) -> float:
    """The scale a reconstruction starts with: from its root-aligned errors with ``k`` layers (the
    number shown when it opens) of the joints the tokenizer describes."""
    return nice_scale_mm(recon.joint_errors(k, aligned=True)[:, recon.measured_joints])


@dataclass
class ErrorScale:
    """The scale in millimetres and whether the user locked it."""

    scale_mm: float = 100.0
    locked: bool = False

    def choose_for(self, recon: Reconstruction | None, k: int) -> bool:
        """A new reconstruction shown with ``k`` layers: unless locked, take its default scale.
        Returns whether it changed."""
        if self.locked or recon is None:
            return False
        return self.set(scale_mm=default_scale_mm(recon, k))

    def set(self, scale_mm: float | None = None, locked: bool | None = None) -> bool:
        """The user's choice; a scale must be above zero. Returns whether anything changed."""
        before = (self.scale_mm, self.locked)
        if scale_mm is not None:
            if not scale_mm > 0:
                raise ValueError(f"the error scale must be above 0 mm, got {scale_mm}")
            self.scale_mm = float(scale_mm)
        if locked is not None:
            self.locked = bool(locked)
        return (self.scale_mm, self.locked) != before

    def fraction(self, errors_m: np.ndarray) -> np.ndarray:
        """Errors in metres as a fraction of the scale, clipped to [0, 1]: what the colour map reads."""
        return np.clip(np.asarray(errors_m) * (1000.0 / self.scale_mm), 0.0, 1.0)
