"""Recovery files: unsaved token edits kept on disk so a crash does not lose them.

There is one file per (clip, checkpoint) pair, named by a hash of both, so edits made against one
checkpoint are never offered for another; the sidecar records the pair again and is checked
before anything is restored.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from core.errors import MotionFileError
from core.tokens.files import TokenFile, load_tokens, sidecar_path


def recovery_path(directory: str | os.PathLike[str], source: str, checkpoint_sha256: str) -> Path:
    """Where the edits of ``source`` against the checkpoint ``checkpoint_sha256`` are kept."""
    key = hashlib.sha256(f"{source}\0{checkpoint_sha256}".encode()).hexdigest()[:20]
    return Path(directory) / f"edits-{key}.npy"


def read_recovery(
    path: str | os.PathLike[str], checkpoint_sha256: str, frames: int, shape: tuple[int, int]
) -> TokenFile | None:
    """The recovered tokens when ``path`` holds a readable grid of this checkpoint for a clip of
    ``frames`` frames tokenized to ``shape``; None otherwise, so a stale file is never applied."""
    if not Path(path).is_file():
        return None
    try:
        tokens = load_tokens(path)
    except MotionFileError:
        return None
    if tokens.checkpoint_sha256 != checkpoint_sha256 or tokens.frames != frames:
        return None
    return tokens if tokens.indices.shape == tuple(shape) else None


def remove_recovery(path: str | os.PathLike[str]) -> None:
    """Delete a recovery file and its sidecar (missing ones are fine)."""
    for part in (Path(path), sidecar_path(path)):
        part.unlink(missing_ok=True)
