"""Files as the project writes and identifies them: whole or not at all, and by their hash.

Writing a file so that it is either the old one or the whole new one, never half of either.

Every writer of the project (clips, token grids, the run's ``latest`` pointer, reports) goes through
:func:`atomic_write`: it writes a temporary sibling and renames it over the target only once the
content is complete, so a crash, a full disk or a kill mid-write leaves the previous file intact, and
two processes writing the same file at once each leave a complete one. A failure is a
``MotionFileError`` naming the file, and the temporary file is removed. What is renamed into place gets
the permissions a plainly created file or folder would have (:func:`as_umask_allows`): a temporary one
is private whatever the umask, and colleagues on a shared cluster must be able to read checkpoints.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from core.errors import MotionFileError


@contextmanager
def atomic_write(path: str | os.PathLike[str], mode: str = "wb", encoding: str | None = None) -> Iterator[IO]:
    """A stream to write ``path``'s new content to; it replaces ``path`` when the block ends without
    an exception. ``mode`` is "wb" or "w" (text, UTF-8 with ``\\n`` line ends unless ``encoding``)."""
    target = Path(path)
    text = "b" not in mode
    try:
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, before the rename
            mode,
            dir=target.parent,
            prefix=f".{target.name}.",
            suffix=".part",
            delete=False,
            **({"encoding": encoding or "utf-8", "newline": "\n"} if text else {}),
        )
    except OSError as exc:
        raise MotionFileError(target, f"cannot write: {exc.strerror or exc}") from exc
    partial = Path(handle.name)
    try:
        with handle:
            yield handle
        as_umask_allows(partial)
        os.replace(partial, target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise MotionFileError(target, f"cannot write: {exc.strerror or exc}") from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _read_umask() -> int:
    """The process's umask: from /proc where there is one (reading it otherwise means setting it for a
    moment, which a thread creating a file then would see), read once, at import, before any thread."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _read_umask()


def as_umask_allows(path: Path) -> None:
    """Give ``path``, and all a folder holds, the permissions the umask gives a new file (0666) or folder
    (0777): ``tempfile`` makes them 0600 and 0700, and a rename keeps that."""
    for item in [path, *(path.rglob("*") if path.is_dir() else ())]:
        os.chmod(item, (0o777 if item.is_dir() else 0o666) & ~_UMASK)


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    with atomic_write(path, "w") as stream:
        stream.write(text)


def file_sha256(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of a file's bytes, read in blocks (checkpoints and evaluators are hundreds of MB)."""
    digest = hashlib.sha256()
    try:
        with Path(path).open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise MotionFileError(path, f"cannot read it: {exc.strerror or exc}") from None
    return digest.hexdigest()
