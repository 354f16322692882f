"""Read ``.npy``/``.npz`` files that came from anywhere without unpickling or over-allocating.

Every array header is read (shape, dtype) before any data: object arrays are refused outright, so
nothing is ever unpickled, and a header claiming an absurd size is refused before NumPy allocates
it (a small compressed archive can otherwise expand to many gigabytes). Every failure is a
:class:`MotionFileError` naming the file.
"""

from __future__ import annotations

import math
import os
import re
import tokenize
import zipfile
import zlib
from collections.abc import Collection
from pathlib import Path
from typing import IO

import numpy as np

from core.errors import MotionFileError

MAX_VALUES = 200_000_000
"""Largest array accepted, in values (1.6 GB of float64): far beyond any real clip."""

# RuntimeError: a member flagged as encrypted; NotImplementedError: an unknown compression method.
_READ_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    RuntimeError,
    NotImplementedError,
)
# NumPy evaluates the header as a Python literal: a mangled one can fail in the parser or the tokenizer.
_HEADER_ERRORS = (*_READ_ERRORS, TypeError, SyntaxError, RecursionError, tokenize.TokenError)


_PLAIN_HEADER = re.compile(
    rb"\{'descr': '([<>|=][biufc]\d{1,2})', 'fortran_order': (?:True|False), "
    rb"'shape': \(((?:\d+, )*(?:\d+,?)?)\), \} *\n"
)
"""The header ``np.save`` writes for a plain numeric array; read with a pattern, it costs a few microseconds
where NumPy's own literal evaluation costs a few hundred (thousands of files in a dataset)."""
_PLAIN_HEADER_BYTES = 4096


def _read_header(stream: IO[bytes], size: int) -> tuple[tuple[int, ...], np.dtype, int]:
    """Shape, dtype and the number of data bytes that follow the header in a ``size``-byte file."""
    version = np.lib.format.read_magic(stream)
    field_bytes = 2 if version == (1, 0) else 4
    length_field = stream.read(field_bytes)
    length = int.from_bytes(length_field, "little")
    text = stream.read(length) if len(length_field) == field_bytes and length <= _PLAIN_HEADER_BYTES else b""
    plain = _PLAIN_HEADER.fullmatch(text) if len(text) == length else None
    if plain is not None:
        shape = tuple(int(n) for n in plain.group(2).split(b",") if n.strip())
        return shape, np.dtype(plain.group(1).decode("ascii")), size - stream.tell()
    # Anything else goes through NumPy's reader, which checks it (version 3.0 only differs from 2.0 in
    # allowing UTF-8 field names, which motion files never use).
    reader = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
    shape, _, dtype = reader(_Chained(length_field + text, stream))
    return tuple(int(n) for n in shape), dtype, size - stream.tell()


class _Chained:
    """Bytes already read, then the rest of a stream: what NumPy's header reader reads from."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self.head, self.rest = head, rest

    def read(self, count: int = -1) -> bytes:
        if count < 0:
            taken, self.head = self.head, b""
            return taken + self.rest.read()
        taken, self.head = self.head[:count], self.head[count:]
        return taken + self.rest.read(count - len(taken)) if len(taken) < count else taken


def _check_header(path: Path, label: str, shape: tuple[int, ...], dtype: np.dtype, available: int) -> None:
    if dtype.hasobject:
        raise MotionFileError(path, f"{label} holds Python objects (dtype object); refusing to unpickle it")
    shown = str(shape) if len(str(shape)) <= 80 else str(shape)[:77] + "..."
    # Header shapes are Python ints of any size: count exactly, and bound each dimension too, since
    # (10**30, 0) holds no values yet overflows NumPy's own int64 arithmetic.
    values = math.prod(shape)
    if any(n < 0 or n > MAX_VALUES for n in shape) or values > MAX_VALUES:
        raise MotionFileError(path, f"{label} claims shape {shown}, far larger than any motion clip")
    if values * dtype.itemsize > available:
        # NumPy allocates the whole claim before reading: refuse what the file cannot back.
        raise MotionFileError(
            path,
            f"{label} claims shape {shown} of {dtype} ({values * dtype.itemsize} bytes) but the file holds"
            f" {max(available, 0)} bytes of data (truncated or corrupt?)",
        )


_EXPANSION = {zipfile.ZIP_STORED: 1, zipfile.ZIP_DEFLATED: 1032}
"""Most bytes one stored byte can become: deflate's ceiling is 1032 to 1."""


def _member_size(info: zipfile.ZipInfo, archive_size: int) -> int:
    """Bytes an archive member can really hold: its stated size, but no more than its compressed bytes (which
    cannot exceed the archive) can expand to, since a zip directory can lie about sizes too."""
    expansion = _EXPANSION.get(info.compress_type)
    if expansion is None:
        return info.file_size
    return min(info.file_size, min(info.compress_size, archive_size) * expansion)


def npz_headers(
    path: Path, keys: Collection[str] | None = None
) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
    """Shape and dtype of the arrays in an ``.npz`` (only ``keys`` when given), from their headers, checked."""
    found: dict[str, tuple[tuple[int, ...], np.dtype, int]] = {}
    try:
        archive_size = path.stat().st_size
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                key = info.filename[: -len(".npy")]
                if info.filename.endswith(".npy") and (keys is None or key in keys):
                    with archive.open(info) as stream:
                        found[key] = _read_header(stream, _member_size(info, archive_size))
    except _HEADER_ERRORS as exc:
        raise MotionFileError(path, f"not a readable .npz archive (truncated or corrupt?): {exc}") from exc
    for key, (shape, dtype, available) in found.items():
        _check_header(path, f"array '{key}'", shape, dtype, available)
    return {key: (shape, dtype) for key, (shape, dtype, _) in found.items()}


def read_npz(path: Path, wanted: Collection[str], *, check_all: bool = True) -> dict[str, np.ndarray]:
    """The arrays of ``wanted`` that the ``.npz`` holds (missing ones are simply absent).

    With ``check_all`` every array in the file must pass the header checks (a motion file holding
    any object array is refused); without it only the wanted ones are checked, the rest never read.
    Each array is read from the very ``<key>.npy`` member whose header was checked (``np.load`` would
    prefer a member named plain ``<key>``, unchecked).
    """
    headers = npz_headers(path, None if check_all else wanted)
    keys = [key for key in wanted if key in headers]
    try:
        with zipfile.ZipFile(path) as archive:
            arrays = {}
            for key in keys:
                with archive.open(f"{key}.npy") as stream:
                    arrays[key] = np.lib.format.read_array(stream, allow_pickle=False)
            return arrays
    except _READ_ERRORS as exc:
        raise MotionFileError(path, f"cannot read the archive's data (truncated or corrupt?): {exc}") from exc


def npy_header(path: Path) -> tuple[tuple[int, ...], np.dtype]:
    """Shape and dtype of the array in a ``.npy`` file, from its header alone, checked (data never read)."""
    try:
        with open(path, "rb") as stream:
            shape, dtype, available = _read_header(stream, os.fstat(stream.fileno()).st_size)
    except _HEADER_ERRORS as exc:
        raise MotionFileError(path, f"not a NumPy .npy file: {exc}") from exc
    _check_header(path, "the array", shape, dtype, available)
    return shape, dtype


def read_npy(path: Path) -> np.ndarray:
    """The array in a ``.npy`` file, header checked first."""
    npy_header(path)
    try:
        return np.asarray(np.load(path, allow_pickle=False))
    except _READ_ERRORS as exc:
        raise MotionFileError(path, f"cannot read the array data (truncated or corrupt?): {exc}") from exc
