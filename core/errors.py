"""The one error type that loaders, savers and checkpoint readers raise for bad input."""

from __future__ import annotations

from os import PathLike
from pathlib import Path


class MotionFileError(ValueError):
    """A file could not be read or written as motion data.

    Carries the offending ``path`` and a human-readable ``reason`` so the CLI can print one line
    and the app can show a dialog without parsing tracebacks.
    """

    def __init__(self, path: str | PathLike[str], reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


def require_file(path: str | PathLike[str]) -> Path:
    """``path`` as a Path when it names an existing file, else the MotionFileError a loader raises."""
    p = Path(path)
    try:
        found = p.is_file()
    except OSError as exc:  # e.g. a name too long for the file system
        raise MotionFileError(p, f"cannot read file: {exc.strerror or exc}") from None
    if not found:
        raise MotionFileError(p, "file not found")
    return p
