"""Read ``.npy``/``.npz`` files that came from anywhere without unpickling or over-allocating.

Every array header is read (shape, dtype) before any data: object arrays are refused outright, so
nothing is ever unpickled, and a header claiming an absurd size is refused before NumPy allocates
it (a small compressed archive can otherwise expand to many gigabytes). Every failure is a
:class:`MotionFileError` naming the file.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Collection
from pathlib import Path
from typing import IO

import numpy as np

from core.errors import MotionFileError

MAX_VALUES = 200_000_000
"""Largest array accepted, in values (1.6 GB of float64): far beyond any real clip."""

_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError)


def _read_header(stream: IO[bytes]) -> tuple[tuple[int, ...], np.dtype]:
    version = np.lib.format.read_magic(stream)
    # Version 3.0 only differs from 2.0 in allowing UTF-8 field names, which motion files never use.
    reader = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
    shape, _, dtype = reader(stream)
    return tuple(int(n) for n in shape), dtype


def _check_header(path: Path, label: str, shape: tuple[int, ...], dtype: np.dtype) -> None:
    if dtype.hasobject:
        raise MotionFileError(path, f"{label} holds Python objects (dtype object); refusing to unpickle it")
    if any(n < 0 for n in shape) or int(np.prod(shape, dtype=np.float64)) > MAX_VALUES:
        raise MotionFileError(path, f"{label} claims shape {shape}, far larger than any motion clip")


def npz_headers(
    path: Path, keys: Collection[str] | None = None
) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
    """Shape and dtype of the arrays in an ``.npz`` (only ``keys`` when given), from their headers, checked."""
    headers: dict[str, tuple[tuple[int, ...], np.dtype]] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            for member in archive.namelist():
                key = member[: -len(".npy")]
                if member.endswith(".npy") and (keys is None or key in keys):
                    with archive.open(member) as stream:
                        headers[key] = _read_header(stream)
    except _READ_ERRORS as exc:
        raise MotionFileError(path, f"not a readable .npz archive (truncated or corrupt?): {exc}") from exc
    for key, (shape, dtype) in headers.items():
        _check_header(path, f"array '{key}'", shape, dtype)
    return headers


def read_npz(path: Path, wanted: Collection[str], *, check_all: bool = True) -> dict[str, np.ndarray]:
    """The arrays of ``wanted`` that the ``.npz`` holds (missing ones are simply absent).

    With ``check_all`` every array in the file must pass the header checks (a motion file holding
    any object array is refused); without it only the wanted ones are checked, the rest never read.
    """
    headers = npz_headers(path, None if check_all else wanted)
    keys = [key for key in wanted if key in headers]
    try:
        with np.load(path, allow_pickle=False) as npz:
            return {key: np.asarray(npz[key]) for key in keys}
    except _READ_ERRORS as exc:
        raise MotionFileError(path, f"cannot read the archive's data (truncated or corrupt?): {exc}") from exc


def read_npy(path: Path) -> np.ndarray:
    """The array in a ``.npy`` file, header checked first."""
    try:
        with open(path, "rb") as stream:
            shape, dtype = _read_header(stream)
    except _READ_ERRORS as exc:
        raise MotionFileError(path, f"not a NumPy .npy file: {exc}") from exc
    _check_header(path, "the array", shape, dtype)
    try:
        return np.asarray(np.load(path, allow_pickle=False))
    except _READ_ERRORS as exc:
        raise MotionFileError(path, f"cannot read the array data (truncated or corrupt?): {exc}") from exc
