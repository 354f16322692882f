"""Damaged .npy files: headers that lie, arrays of the wrong kind."""

from __future__ import annotations

import io
import struct
from typing import Any

import numpy as np
from hypothesis import strategies as st

from tests.helpers.mutations.raw_bytes import damaged, position

HUGE_SHAPES = [
    (10**9, 263), (2**62, 263), (2**64, 6), (10**30,), (int("9" * 400), 263), (10**200, 10**200, 0),
    (0, 10**200, 10**200), (760_000, 263), (1_000_000, 165), (199_999_999,), (-1, 263), (3, -6),
]  # fmt: skip
SHAPES = st.one_of(
    st.sampled_from(HUGE_SHAPES),
    st.lists(st.integers(-2, 300), max_size=4).map(tuple),
    st.lists(st.integers(0, 2**70), min_size=1, max_size=3).map(tuple),
)
DESCRS = st.one_of(
    st.sampled_from(
        ["<f4", "<f8", ">f8", "<f2", "<i2", ">i2", "<i8", "<u8", "|u1", "|b1", "<c16", "|O", "<U8", "|S4", "|V8",
         "|V2000000000", "<U500000000", "<M8[s]", "<m8[ns]", "garbage", "", "<f9"]
    ),
    st.sampled_from(
        [[("a", "<f4")], [("a", "|O")], [("", "|V4")], [("a", "<f4", (10**9,))], [1, 2], {"x": 1}, None, 3]
    ),
)  # fmt: skip
RAW_HEADERS = st.sampled_from(
    [
        "{[]: 1}", "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 263), []: 1}", "[1, 2]", "None",
        "'text'", "(" * 300 + ")" * 300, "{'descr': '<f4', 'fortran_order': False, 'shape': (",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (3L, 263L), }", "-" * 5000 + "1", "\"\"\"",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1" + "0" * 4000 + ",), }", "\x00\xff",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 263), }\n  x", "",
    ]
)  # fmt: skip


def npy_bytes(
    header: str, data: bytes, version: tuple[int, int] = (1, 0), length: int | None = None
) -> bytes:
    """A .npy file with this literal header text (padded as NumPy pads it) and these data bytes."""
    encoded = header.encode("utf-8" if version >= (3, 0) else "latin-1", errors="replace")
    size_format = "<H" if version == (1, 0) else "<I"
    preamble = 6 + 2 + struct.calcsize(size_format)
    encoded += b" " * (-(preamble + len(encoded) + 1) % 64) + b"\n"
    if length is None:
        length = len(encoded)
    length &= 0xFFFF if size_format == "<H" else 0xFFFFFFFF
    return b"\x93NUMPY" + bytes(version) + struct.pack(size_format, length) + encoded + data


def split_npy(data: bytes) -> tuple[dict[str, Any], bytes]:
    """The header dict and the data bytes of a well-formed .npy file."""
    stream = io.BytesIO(data)
    version = np.lib.format.read_magic(stream)
    read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
    shape, fortran, dtype = read(stream)
    header = {"descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": fortran, "shape": shape}
    return header, data[stream.tell() :]


def header_text(fields: dict[str, Any]) -> str:
    return "{" + "".join(f"{key!r}: {value!r}, " for key, value in fields.items()) + "}"


@st.composite
def npy_header_edits(draw: st.DrawFn, data: bytes) -> bytes:
    """The seed's header rewritten to lie (absurd shape, another dtype, bad keys, other versions) over its data."""
    fields, body = split_npy(data)
    fields = dict(fields)
    for _ in range(draw(st.integers(1, 2))):
        edit = draw(st.sampled_from(["shape", "shape", "descr", "fortran", "drop", "add"]))
        if edit == "shape":
            fields["shape"] = draw(SHAPES)
        elif edit == "descr":
            fields["descr"] = draw(DESCRS)
        elif edit == "fortran":
            fields["fortran_order"] = draw(st.sampled_from([True, None, 1, "yes"]))
        elif edit == "drop":
            fields.pop(draw(st.sampled_from(sorted(fields))), None)
        else:
            fields[draw(st.sampled_from(["extra", "shape ", ""]))] = 1
    text = draw(st.one_of(st.just(header_text(fields)), RAW_HEADERS))
    version = draw(st.sampled_from([(1, 0), (1, 0), (2, 0), (3, 0), (0, 0), (9, 9)]))
    length = draw(st.one_of(st.none(), st.integers(0, 2**32)))
    body = body[: draw(st.one_of(st.just(len(body)), position(len(body))))]
    return npy_bytes(text, body, version, length)


def save_npy(array: np.ndarray) -> bytes:
    stream = io.BytesIO()
    np.save(stream, array, allow_pickle=True)
    return stream.getvalue()


SPECIAL_VALUES = [np.nan, np.inf, -np.inf, 1e30, -1e30, 1e300, -1e300, 3.4e38, 1e-310, 0.0]


@st.composite
def array_edits(draw: st.DrawFn, array: np.ndarray) -> np.ndarray:
    """The (frames, width) seed array, neither zero, with the wrong width, rank, dtype, values or length (as an
    array, not yet saved)."""
    frames, width = array.shape
    edit = draw(st.sampled_from(["width", "rank", "dtype", "values", "values", "objects", "empty", "length"]))
    if edit == "width":
        new_width = draw(st.integers(0, 2 * width))
        return np.resize(array, (frames, new_width)) if new_width else array[:, :0]
    if edit == "rank":
        return draw(
            st.sampled_from(
                [array.ravel(), array[None], array[..., None], array.reshape(-1, 1), array[0, 0], array.T]
            )
        )
    if edit == "dtype":
        dtype = draw(
            st.sampled_from(
                [np.float16, np.float32, np.float64, np.longdouble, np.int8, np.int16, np.int64, np.uint64,
                 np.bool_, np.complex128, "U8", "S8", ">f8", ">i2", "<M8[s]"]
            )
        )  # fmt: skip
        return array.astype(dtype)
    if edit == "values":
        out = array.astype(draw(st.sampled_from([array.dtype, np.float64, np.float32])), copy=True)
        if out.dtype.kind == "f":
            values = st.sampled_from(SPECIAL_VALUES)
        else:
            values = st.sampled_from([-2, -(2**15), 2**15 - 1, int(np.iinfo(out.dtype).max)])
        with np.errstate(over="ignore"):  # 1e300 into float32 is meant to become inf
            for _ in range(draw(st.integers(1, 4))):
                out[draw(st.integers(0, frames - 1)), draw(st.integers(0, width - 1))] = draw(values)
        return out
    if edit == "objects":
        return draw(
            st.sampled_from(
                [array.astype(object), np.array([{"a": 1}], dtype=object), np.array([None] * 3, dtype=object)]
            )
        )
    if edit == "empty":
        return draw(
            st.sampled_from([array[:0], array[:, :0], np.zeros((0,), array.dtype), np.zeros((), array.dtype)])
        )
    keep = draw(st.integers(1, frames))
    return np.asfortranarray(array[:keep]) if draw(st.booleans()) else np.repeat(array[:keep], 2, axis=0)


def npy_files(data: bytes, array: np.ndarray) -> st.SearchStrategy[bytes]:
    """Every way an .npy goes bad: arrays of the wrong kind, lying headers, byte damage, foreign files."""
    return st.one_of(array_edits(array).map(save_npy), npy_header_edits(data), damaged(data))
