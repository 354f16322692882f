"""The one error type that loaders, savers and checkpoint readers raise for bad input."""

from __future__ import annotations

from os import PathLike


class MotionFileError(ValueError):
    """A file could not be read or written as motion data.

    Carries the offending ``path`` and a human-readable ``reason`` so the CLI can print one line
    and the app can show a dialog without parsing tracebacks.
    """

    def __init__(self, path: str | PathLike[str], reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")
