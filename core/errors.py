"""The errors the project raises on purpose, and the one wording of every failure a user sees.

The CLI prints :func:`one_line` after ``rvq-motion: error:``; the app shows :func:`describe` in a
dialog with :func:`details` behind "Show details". Both read the same parts, so a bad file, a bad
setting or an out-of-memory run is explained alike wherever it happens. This module imports no
torch: ``rvq-motion --help`` imports it and must stay fast.
"""

from __future__ import annotations

import sys
import traceback
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


class ConfigError(ValueError):
    """A training setting is out of range or does not fit the run being resumed; the message says which."""


class TrainingError(RuntimeError):
    """Training cannot go on (diverged, no GPU, out of memory); the message says why."""


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


def is_out_of_memory(exc: BaseException) -> bool:
    """A MemoryError, or torch's OutOfMemoryError; torch is only looked for if something loaded it."""
    if isinstance(exc, MemoryError):
        return True
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(exc, torch.OutOfMemoryError)


def _parts(exc: BaseException) -> tuple[str | None, str]:
    """The file a failure concerns (None when none) and what went wrong, in words a user can act on."""
    if isinstance(exc, MotionFileError):
        return exc.path, exc.reason
    if isinstance(exc, TrainingError | ConfigError):
        return None, str(exc)
    if is_out_of_memory(exc):
        return None, (
            "Out of memory. Close other programs, use a smaller batch size or window, "
            f"or a shorter clip.\n\n({type(exc).__name__}: {str(exc)[:300]})"
        )
    if isinstance(exc, OSError):
        return (None if exc.filename is None else str(exc.filename)), exc.strerror or str(exc)
    return None, f"{type(exc).__name__}: {exc}"


def describe(exc: BaseException) -> str:
    """The message of a dialog: what went wrong and, on a line of its own, the file, not a traceback."""
    path, text = _parts(exc)
    return text if path is None else f"{text}\n\nFile: {path}"


def one_line(exc: BaseException) -> str:
    """The same message as one line, ``<path>: <reason>``, for a terminal and for scripts to parse."""
    path, text = _parts(exc)
    where = "" if path is None else f"{path}: "
    return " ".join(f"{where}{text}".split())


def details(exc: BaseException) -> str:
    """The traceback, for bug reports; empty for the failures this module raises on purpose."""
    if isinstance(exc, MotionFileError | ConfigError | TrainingError):
        return ""
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
