"""Checkpoint B: a second tokenizer the window compares with the open one (A), in the 3D view and over a
dataset. One per window, held by the edit session, so every view compares with the same B.

Checkpoint B reads the same clip as the session's checkpoint (A) with its own encoder's codes; it is
not edited. It follows the clip: opening another clip reconstructs it with B again, and a clip that
B cannot read (another skeleton) leaves B without a reconstruction and says why.
"""

from __future__ import annotations

from os import PathLike

import numpy as np

from core.analysis.reconstruction import Reconstruction
from core.errors import MotionFileError
from core.model.checkpoint import Checkpoint, load_checkpoint
from core.motion.clip import Motion
from core.tokens.codec import fit_clip, tokenize


class CheckpointB:
    """Checkpoint B and its reconstruction of the clip (None without one, ``mismatch`` says why)."""

    def __init__(self) -> None:
        self.checkpoint: Checkpoint | None = None
        self.reconstruction: Reconstruction | None = None
        self.mismatch: str | None = None
        self._motion: Motion | None = None

    @property
    def label(self) -> str:
        return self.checkpoint.label if self.checkpoint is not None else ""

    def open(self, path: str | PathLike[str], motion: Motion | None) -> None:
        """Load checkpoint B (a load error leaves the previous B in place) and reconstruct ``motion``."""
        checkpoint = load_checkpoint(path)
        self.checkpoint = checkpoint
        self._motion = None
        self.follow(motion)

    def close(self) -> None:
        self.checkpoint = self.reconstruction = self.mismatch = self._motion = None

    def follow(self, motion: Motion | None) -> bool:
        """Reconstruct ``motion`` with B unless it already is; returns whether anything changed."""
        if motion is self._motion or self.checkpoint is None:
            return False
        self._motion, self.reconstruction, self.mismatch = motion, None, None
        if motion is None:
            return True
        try:
            fitted = fit_clip(self.checkpoint, motion)
        except MotionFileError as exc:
            self.mismatch = exc.reason
            return True
        self.reconstruction = Reconstruction(self.checkpoint, fitted, tokenize(self.checkpoint, fitted))
        return True

    def layers(self, k: int) -> int:
        """B's number of layers for A's ``k``: the same, or all of B's when it has fewer."""
        return min(k, self.reconstruction.num_quantizers) if self.reconstruction is not None else 0

    def positions(self, k: int, aligned: bool) -> np.ndarray:
        return self.reconstruction.positions(self.layers(k), aligned)

    def joint_errors(self, k: int, aligned: bool) -> np.ndarray:
        return self.reconstruction.joint_errors(self.layers(k), aligned)
