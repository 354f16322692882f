"""Token files: the (steps, layers) code grid of a clip as ``.npy``, with a JSON sidecar.

The sidecar (same name, ``.json``) records which checkpoint the codes belong to (the SHA-256 of
its weights), the clip's frame count and rate, where its root started, and which cells were
edited by hand, so that decoding against another checkpoint is refused instead of silently
producing garbage.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from core.errors import MotionFileError
from core.files import atomic_write, write_text_atomic
from core.formats.numpy_files import read_npy

if TYPE_CHECKING:
    from core.model.checkpoint import Checkpoint
    from core.motion.clip import Motion

MAX_LAYERS = 64


class WrongCheckpointError(MotionFileError):
    """Tokens made by another checkpoint; ``checkpoint_path`` says where that one was (or None)."""

    def __init__(self, path: str | os.PathLike[str], reason: str, checkpoint_path: str | None) -> None:
        super().__init__(path, reason)
        self.checkpoint_path = checkpoint_path


@dataclass
class TokenFile:
    indices: np.ndarray
    checkpoint_sha256: str | None = None
    frames: int | None = None
    fps: float | None = None
    root_start: tuple[float, float] | None = None
    source: str | None = None
    edited: list[tuple[int, int]] = field(default_factory=list)
    checkpoint_path: str | None = None
    """Where the checkpoint was when the codes were saved, so a refusal can say where to find it."""
    checkpoint_step: int | None = None

    @classmethod
    def for_clip(
        cls,
        ckpt: Checkpoint,
        motion: Motion,
        indices: np.ndarray,
        source: str | None,
        edited: np.ndarray | None = None,
    ) -> TokenFile:
        """``motion``'s codes with what identifies them: the checkpoint's hash, the clip's length, rate
        and start position, its file, and the cells edited by hand (a (steps, layers) mask)."""
        cells = [] if edited is None else [(int(s), int(q)) for s, q in np.argwhere(edited)]
        return cls(
            indices=np.asarray(indices),
            checkpoint_sha256=ckpt.weights_sha256,
            checkpoint_path=str(ckpt.path),
            checkpoint_step=ckpt.step,
            frames=motion.num_frames,
            fps=motion.fps,
            root_start=tuple(float(v) for v in motion.root_translation[0, [0, 2]]),
            source=source,
            edited=cells,
        )

    def check_grid(self, shape: tuple[int, ...], path: str | os.PathLike[str]) -> None:
        """Raise a MotionFileError naming ``path`` unless the grid is ``shape`` (the open clip's steps and
        layers)."""
        if self.indices.shape != tuple(shape):
            raise MotionFileError(
                path,
                f"tokens are {self.indices.shape[0]} steps x {self.indices.shape[1]} layers; "
                f"this clip has {shape[0]} steps x {shape[1]} layers",
            )

    def check_checkpoint(self, ckpt: Checkpoint, path: str | os.PathLike[str]) -> None:
        """Refuse codes made by another checkpoint (when the file says which one made them), naming it."""
        if self.checkpoint_sha256 is None or self.checkpoint_sha256 == ckpt.weights_sha256:
            return
        theirs = self.checkpoint_sha256[:12]
        if self.checkpoint_path:
            step = f", step {self.checkpoint_step}" if self.checkpoint_step is not None else ""
            theirs += f" ({self.checkpoint_path}{step})"
        raise WrongCheckpointError(
            path,
            f"tokens belong to checkpoint {theirs}, not the loaded {ckpt.weights_sha256[:12]} ({ckpt.path})",
            self.checkpoint_path,
        )


def sidecar_path(path: str | os.PathLike[str]) -> Path:
    return Path(path).with_suffix(".json")


def save_tokens(path: str | os.PathLike[str], tokens: TokenFile) -> None:
    """Write ``path`` (.npy, int16 codes, -1 for none) and its sidecar, each replaced atomically."""
    p = Path(path)
    if p.suffix.lower() != ".npy":
        raise MotionFileError(p, "token files are saved as .npy")
    meta = {
        "format": "rvq-motion-tokens",
        "version": 1,
        "checkpoint_sha256": tokens.checkpoint_sha256,
        "checkpoint_path": tokens.checkpoint_path,
        "checkpoint_step": tokens.checkpoint_step,
        "frames": tokens.frames,
        "fps": tokens.fps,
        "root_start": list(tokens.root_start) if tokens.root_start is not None else None,
        "source": tokens.source,
        "edited": [list(map(int, cell)) for cell in tokens.edited],
    }
    write_text_atomic(sidecar_path(p), json.dumps(meta, indent=1))
    with atomic_write(p) as stream:
        np.save(stream, np.asarray(tokens.indices, dtype=np.int16))


def load_tokens(path: str | os.PathLike[str]) -> TokenFile:
    """Read a token grid (and its sidecar when present); anything malformed is a MotionFileError."""
    p = Path(path)
    indices = read_npy(p)
    if indices.ndim != 2 or not 1 <= indices.shape[1] <= MAX_LAYERS or indices.shape[0] < 1:
        raise MotionFileError(p, f"tokens must be (steps, layers), got shape {indices.shape}")
    if not np.issubdtype(indices.dtype, np.integer):
        raise MotionFileError(p, f"tokens must be integers, got {indices.dtype}")
    if indices.min() < -1:
        raise MotionFileError(p, f"tokens must be >= -1, found {int(indices.min())}")
    tokens = TokenFile(indices=indices.astype(np.int64))
    side = sidecar_path(p)
    try:
        has_sidecar = side.is_file()
    except OSError as exc:  # e.g. a name one character too long for the file system
        raise MotionFileError(side, f"unreadable token description ({exc})") from exc
    if has_sidecar:
        _read_sidecar(side, tokens)
    return tokens


def _read_sidecar(side: Path, tokens: TokenFile) -> None:
    try:
        meta = json.loads(side.read_text())
        if not isinstance(meta, dict) or meta.get("format") != "rvq-motion-tokens":
            raise ValueError("not an rvq-motion token description")
        sha = meta.get("checkpoint_sha256")
        tokens.checkpoint_sha256 = str(sha) if sha is not None else None
        where, step = meta.get("checkpoint_path"), meta.get("checkpoint_step")
        tokens.checkpoint_path = str(where) if where is not None else None
        tokens.checkpoint_step = int(step) if step is not None else None
        tokens.frames = int(meta["frames"]) if meta.get("frames") is not None else None
        tokens.fps = float(meta["fps"]) if meta.get("fps") is not None else None
        start = meta.get("root_start")
        tokens.root_start = (float(start[0]), float(start[1])) if start is not None else None
        tokens.source = meta.get("source")
        tokens.edited = [(int(s), int(q)) for s, q in meta.get("edited", [])]
    except (
        OSError,
        UnicodeDecodeError,
        ValueError,
        TypeError,
        KeyError,
        IndexError,
        OverflowError,
        RecursionError,
    ) as exc:
        # OverflowError: int() of 1e400 (JSON's Infinity); RecursionError: arrays nested too deep to parse.
        raise MotionFileError(side, f"unreadable token description ({exc})") from exc
    if tokens.frames is not None and tokens.frames < 1:
        raise MotionFileError(side, f"frames must be positive, got {tokens.frames}")
    if tokens.fps is not None and not (np.isfinite(tokens.fps) and tokens.fps > 0):
        raise MotionFileError(side, f"fps must be positive, got {tokens.fps}")
