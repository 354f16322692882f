"""What opening a clip or a checkpoint computes before a window shows it, as a pure function.

Tokenizing a minute of motion and decoding it with a seed-size model takes most of a second; a window
runs :func:`prepare` on a worker thread and hands the :class:`Opening` to
:meth:`EditSession.install <core.session.edit_session.EditSession.install>` on its own. Only the levels
it shows first are decoded here (:func:`first_levels`); the others can follow in the background.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.analysis.reconstruction import Reconstruction
from core.errors import MotionFileError
from core.model.checkpoint import Checkpoint
from core.motion.clip import Motion
from core.tokens.codec import fit_clip, renaming_notice, tokenize
from core.tokens.edit import TokenEditor

CLIP, CHECKPOINT = "clip", "checkpoint"


@dataclass(frozen=True)
class Opening:
    """What opening a clip or a checkpoint computes before the window shows it: the clip (fitted to
    the checkpoint when it fits), the token editor and the reconstruction, or why there are none."""

    kind: str
    """What was opened: ``CLIP`` or ``CHECKPOINT``."""
    motion: Motion | None
    path: Path | None
    checkpoint: Checkpoint | None
    editor: TokenEditor | None = None
    reconstruction: Reconstruction | None = None
    mismatch: str | None = None
    notice: str = ""
    """What the fit did that the user should know (joints matched by position), "" for nothing."""


def prepare(
    motion: Motion | None,
    path: Path | None,
    checkpoint: Checkpoint | None,
    kind: str,
    levels: list[int] | None = None,
) -> Opening:
    """Tokenize ``motion`` with ``checkpoint`` and decode ``levels`` (all by default). Touches no
    session, so a worker thread can run it while the window keeps the clip it shows."""
    if motion is None or checkpoint is None:
        return Opening(kind, motion, path, checkpoint)
    try:
        motion = fit_clip(checkpoint, motion)
    except MotionFileError as exc:
        return Opening(kind, motion, path, checkpoint, mismatch=exc.reason)
    editor = TokenEditor(tokenize(checkpoint, motion), nb_code=checkpoint.config.nb_code)
    recon = Reconstruction(checkpoint, motion, editor.indices, levels=levels)
    return Opening(kind, motion, path, checkpoint, editor, recon, notice=renaming_notice(motion))


def layers_shown(checkpoint: Checkpoint, layers_used: int, shown: Checkpoint | None) -> int:
    """The number of layers a window uses with ``checkpoint``: the number it used, if the checkpoint it
    showed (``shown``) has as many layers, else all of them."""
    q = checkpoint.config.num_quantizers
    if shown is not None and shown.config.num_quantizers == q:
        return min(max(layers_used, 1), q)
    return q


def first_levels(checkpoint: Checkpoint | None, layers_used: int, shown: Checkpoint | None) -> list[int]:
    """The levels to decode before a reconstruction with ``checkpoint`` is shown: the one the window
    will use (:func:`layers_shown`). The others can follow in the background."""
    return [] if checkpoint is None else [layers_shown(checkpoint, layers_used, shown)]
