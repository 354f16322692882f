"""Hypothesis strategies that damage real files the way disks, editors, exporters and attackers do.

Every strategy takes a seed (bytes, text, arrays or a parsed JSON document) already in memory and
draws new file bytes, so a fuzz example costs one file write. Positions are biased towards the
start of a file, where the headers that loaders parse (and trust) live.
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import re
import struct
import warnings
import zipfile
from functools import lru_cache
from typing import Any

import numpy as np
from hypothesis import strategies as st

HEAD = 512
"""Bytes counted as "the header" when biasing positions."""


def position(size: int) -> st.SearchStrategy[int]:
    """An offset in ``0..size``, half the time within the first HEAD bytes."""
    return st.one_of(st.integers(0, min(size, HEAD)), st.integers(0, size))


# --- bytes: what a bad disk, a cut-off download or a stray editor does --------------------------------

NOISE = st.one_of(
    st.binary(min_size=1, max_size=16),
    st.sampled_from(
        [b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"\x80\x81", b"\r\n", b"{", b"}", b"-", b"nan", b"\n\n"]
    ),
)


@st.composite
def truncated(draw: st.DrawFn, data: bytes) -> bytes:
    """Cut at any byte (the empty file included)."""
    return data[: draw(position(len(data)))]


@st.composite
def flipped(draw: st.DrawFn, data: bytes) -> bytes:
    """One to eight bytes XORed with a non-zero mask, so the file always changes."""
    if not data:
        return b"\x00"
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 8))):
        out[draw(position(len(out) - 1))] ^= draw(st.integers(1, 255))
    return bytes(out)


@st.composite
def inserted(draw: st.DrawFn, data: bytes) -> bytes:
    at = draw(position(len(data)))
    return data[:at] + draw(NOISE) + data[at:]


@st.composite
def deleted(draw: st.DrawFn, data: bytes) -> bytes:
    at = draw(position(len(data)))
    return data[:at] + data[at + draw(st.integers(1, 64)) :]


@st.composite
def duplicated(draw: st.DrawFn, data: bytes) -> bytes:
    """A slice of the file copied elsewhere in it (a botched copy-paste or a replayed disk block)."""
    start, at = draw(position(len(data))), draw(position(len(data)))
    return data[:at] + data[start : start + draw(st.integers(1, 256))] + data[at:]


BYTE_EDITS = (truncated, flipped, inserted, deleted, duplicated)


@st.composite
def byte_edits(draw: st.DrawFn, data: bytes, max_edits: int = 3) -> bytes:
    """One to ``max_edits`` random byte-level edits in a row."""
    for _ in range(draw(st.integers(1, max_edits))):
        data = draw(draw(st.sampled_from(BYTE_EDITS))(data))
    return data


def foreign(data: bytes) -> st.SearchStrategy[bytes]:
    """Files that are not the format at all: empty, blank, other magics, binary noise, the seed re-encoded."""
    text = data.decode("latin-1")
    return st.one_of(
        st.sampled_from(
            [b"", b" \n\t\r\n", b"\x00" * 64, b"PK\x03\x04", b"PK\x05\x06" + bytes(18), b"\x93NUMPY", b"{}"]
        ),
        st.binary(max_size=512),
        st.sampled_from(["utf-16", "utf-16-be", "utf-32"]).map(lambda codec: text.encode(codec)),
    )


def damaged(data: bytes) -> st.SearchStrategy[bytes]:
    """Byte edits of ``data`` or something else entirely."""
    return st.one_of(byte_edits(data), foreign(data))


# --- BVH text: tokens, numbers and the lines the parser keys on ------------------------------------------

CHANNEL_WORDS = [
    "Xposition", "Yposition", "Zposition", "Xrotation", "Yrotation", "Zrotation", "Wrotation", "xROTATION", "Xrot",
]  # fmt: skip
BVH_WORDS = [
    "HIERARCHY", "ROOT", "JOINT", "End", "Site", "{", "}", "OFFSET", "CHANNELS", "MOTION", "Frames:", "Frame",
    "Time:", *CHANNEL_WORDS,
]  # fmt: skip
ODD_NUMBERS = [
    "nan", "NaN", "-nan", "inf", "-inf", "Infinity", "1e309", "-1e309", "1e308", "-1e308", "4.9e-324",
    "0", "-0", "0x10", "1,5", "1.2.3", "--1", "1e", ".", "e5", "garbage", "9" * 400, "1_000", "\u0663",
    "\u00bd", "\uff11", "",
]  # fmt: skip
BVH_TOKENS = st.one_of(
    st.sampled_from(BVH_WORDS + ODD_NUMBERS),
    st.integers(-(10**12), 10**12).map(str),
    st.floats().map(repr),
    st.text(max_size=12),
)
FRAME_COUNTS = st.one_of(
    st.sampled_from(["0", "-1", "-20", "1000000000", "2.5", "", "1e3", "abc", "9" * 30, "\u0663", "+5"]),
    st.integers(0, 10**12).map(str),
)
FRAME_TIMES = st.one_of(
    st.sampled_from(["0", "-0.0333", "nan", "inf", "-inf", "1e-320", "1e-300", "1e300", "abc", "", "0x1"]),
    st.floats().map(repr),
)
_NUMBER = re.compile(r"-?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?")


@lru_cache(maxsize=8)
def _tokens(text: str) -> tuple[tuple[str, ...], int]:
    """Words and the whitespace between them (even indices are words), and the index of MOTION."""
    parts = tuple(re.split(r"(\s+)", text))
    motion = parts.index("MOTION") if "MOTION" in parts else len(parts) - 1
    return parts, motion


@lru_cache(maxsize=8)
def _numbers(text: str) -> tuple[tuple[int, int], ...]:
    return tuple(m.span() for m in _NUMBER.finditer(text))


@st.composite
def token_edit(draw: st.DrawFn, text: str) -> str:
    """Delete, replace, insert or repeat one word, half the time in the hierarchy."""
    parts, motion = _tokens(text)
    index = 2 * (draw(st.one_of(st.integers(0, motion), st.integers(0, len(parts) - 1))) // 2)
    parts = list(parts)
    action = draw(st.sampled_from(["delete", "replace", "insert", "repeat"]))
    if action == "delete":
        parts[index] = ""
    elif action == "replace":
        parts[index] = draw(BVH_TOKENS)
    elif action == "insert":
        parts[index] = draw(BVH_TOKENS) + " " + parts[index]
    else:
        parts[index] = parts[index] + " " + parts[index]
    return "".join(parts)


@st.composite
def number_edit(draw: st.DrawFn, text: str) -> str:
    """One number (an OFFSET, a channel count, a frame value) replaced by nan, inf, overflow or junk."""
    spans = _numbers(text)
    if not spans:
        return text
    start, end = spans[draw(st.integers(0, len(spans) - 1))]
    replacement = draw(st.one_of(st.sampled_from(ODD_NUMBERS), st.floats().map(repr)))
    return text[:start] + replacement + text[end:]


@st.composite
def frames_edit(draw: st.DrawFn, text: str) -> str:
    value = draw(FRAME_COUNTS)
    return re.sub(r"(Frames:[ \t]*)\S*", lambda m: m.group(1) + value, text, count=1)


@st.composite
def frame_time_edit(draw: st.DrawFn, text: str) -> str:
    value = draw(FRAME_TIMES)
    return re.sub(r"(Frame Time:[ \t]*)\S*", lambda m: m.group(1) + value, text, count=1)


@st.composite
def channels_edit(draw: st.DrawFn, text: str) -> str:
    """One CHANNELS line with another count or other names."""
    lines = [m.span() for m in re.finditer(r"CHANNELS[^\n]*", text)]
    if not lines:
        return text
    start, end = lines[draw(st.integers(0, len(lines) - 1))]
    count = draw(st.one_of(st.integers(-2, 12).map(str), st.sampled_from(["x", "", "3.0", "99999999999"])))
    names = draw(st.lists(st.sampled_from(CHANNEL_WORDS), max_size=8))
    return f"{text[:start]}CHANNELS {count} {' '.join(names)}{text[end:]}"


@st.composite
def brace_edit(draw: st.DrawFn, text: str) -> str:
    """A brace removed or an extra one added, so the hierarchy no longer balances."""
    braces = [m.start() for m in re.finditer(r"[{}]", text[: text.find("MOTION")])]
    at = braces[draw(st.integers(0, len(braces) - 1))] if braces else 0
    if draw(st.booleans()):
        return text[:at] + text[at + 1 :]
    return text[:at] + draw(st.sampled_from(["{", "}", "{ }", "}}"])) + text[at:]


@st.composite
def hierarchy_repeat(draw: st.DrawFn, text: str) -> str:
    """The whole HIERARCHY block twice, or a second ROOT after the first."""
    header, motion, rest = text.partition("MOTION")
    if draw(st.booleans()):
        return header + header + motion + rest
    return (
        header
        + "ROOT Extra\n{\n OFFSET 0 0 0\n CHANNELS 3 Zrotation Xrotation Yrotation\n}\n"
        + motion
        + rest
    )


@st.composite
def long_line(draw: st.DrawFn, text: str) -> str:
    """Up to a megabyte of one character (a joint name, digits, spaces) pasted somewhere."""
    at = draw(st.integers(0, len(text)))
    run = draw(st.sampled_from("a9 .-{\t")) * draw(st.sampled_from([1_000, 100_000, 1_000_000]))
    return text[:at] + run + text[at:]


@st.composite
def line_endings(draw: st.DrawFn, text: str) -> str:
    return text.replace("\n", draw(st.sampled_from(["\r\n", "\r", "\n\n", "\x0b", "\u2028"])))


TEXT_EDITS = (
    token_edit, number_edit, frames_edit, frame_time_edit, channels_edit, brace_edit, hierarchy_repeat,
    long_line, line_endings,
)  # fmt: skip


@st.composite
def text_edits(draw: st.DrawFn, text: str, max_edits: int = 3) -> str:
    for _ in range(draw(st.integers(1, max_edits))):
        text = draw(draw(st.sampled_from(TEXT_EDITS))(text))
    return text


@st.composite
def deep_hierarchy(draw: st.DrawFn) -> bytes:
    """Up to 2000 joints nested in one chain, names up to 100 kB in all, braces closed or not, a few frames."""
    depth = draw(st.integers(1, 2000))
    name = "j" * draw(st.sampled_from([1, 16, 100_000 // depth]))
    frames = draw(st.integers(1, 3))
    root_channels = "CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation"
    lines = ["HIERARCHY", f"ROOT {name}0", "{", "OFFSET 0 0 0", root_channels]
    for index in range(1, depth):
        lines += [f"JOINT {name}{index}", "{", "OFFSET 0 1 0", "CHANNELS 3 Zrotation Xrotation Yrotation"]
    lines += ["End Site", "{", "OFFSET 0 1 0", "}"]
    lines += ["}"] * (depth - draw(st.integers(0, 1)))
    channels = 6 + 3 * (depth - 1)
    lines += ["MOTION", f"Frames: {frames}", "Frame Time: 0.0333"]
    lines += [" ".join(["0.5"] * channels)] * frames
    return "\n".join(lines).encode()


def bvh_files(text: str) -> st.SearchStrategy[bytes]:
    """Structural edits of a BVH text, then (sometimes) byte edits or another encoding on top."""
    edited = text_edits(text)
    return st.one_of(
        edited.map(str.encode),
        edited.map(str.encode).flatmap(byte_edits),
        damaged(text.encode()),
        st.tuples(edited, st.sampled_from(["utf-16", "utf-8-sig", "utf-32-be", "cp1252"])).map(
            lambda pair: pair[0].encode(pair[1], errors="replace")
        ),
        deep_hierarchy(),
    )


# --- .npy: headers that lie, arrays of the wrong kind -------------------------------------------------------

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


# --- .npz: arrays missing or wrong, members that lie, archives that break -----------------------------------


def save_npz(arrays: dict[str, np.ndarray], compressed: bool = False) -> bytes:
    stream = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(stream, **arrays)
    return stream.getvalue()


FRAME_RATES = st.sampled_from(
    [
        np.int32(0), np.float64(-30), np.float64(np.nan), np.float64(np.inf), np.array([30, 60]), np.array("30"),
        np.bool_(True), np.complex128(30j), np.float16(30), np.array([[30.0]]), np.uint64(2**64 - 1),
        np.array(30, dtype=object), np.zeros((0,)), np.float64(1e-320), np.int64(-(2**63)),
    ]
)  # fmt: skip


@st.composite
def npz_array_edits(draw: st.DrawFn, arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """BEAT2 arrays with keys dropped or added, wrong shapes, dtypes or values, frame counts that disagree."""
    arrays = dict(arrays)
    frames = len(arrays["poses"])
    for _ in range(draw(st.integers(1, 3))):
        edit = draw(st.sampled_from(["drop", "add", "array", "poses", "frames", "fps", "text"]))
        key = draw(st.sampled_from(sorted(arrays) or ["poses"]))
        if edit == "drop":
            arrays.pop(key, None)
        elif edit == "add":
            new_key = draw(
                st.sampled_from(["mocap_framerate", "dmpls", "surface_model_type", "junk", "x" * 200])
            )
            arrays[new_key] = draw(
                st.sampled_from([np.zeros(3), np.array([{"a": 1}], dtype=object), np.array("z")])
            )
        elif edit == "array" and key in arrays and np.ndim(arrays[key]) == 2 and np.size(arrays[key]):
            arrays[key] = draw(array_edits(arrays[key]))
        elif edit == "poses":
            columns = draw(st.sampled_from([160, 166, 0, 156, 3]))
            arrays["poses"] = draw(
                st.sampled_from(
                    [np.zeros((frames, columns)), np.zeros((frames, 55, 3)), np.zeros((frames, 165, 1))]
                )
            )
        elif edit == "frames":
            key = draw(st.sampled_from(["poses", "trans", "expressions"]))
            if key in arrays and np.ndim(arrays[key]) >= 1:
                arrays[key] = arrays[key][: draw(st.integers(0, max(frames - 1, 0)))]
        elif edit == "fps":
            arrays[draw(st.sampled_from(["mocap_frame_rate", "mocap_framerate"]))] = draw(FRAME_RATES)
        else:
            arrays[draw(st.sampled_from(["gender", "model"]))] = draw(
                st.sampled_from([np.array(1), np.array(["a", "b"]), np.array(b"\xff\xfe"), np.array("")])
            )
    return arrays


@st.composite
def npz_member_edits(draw: st.DrawFn, arrays: dict[str, np.ndarray]) -> bytes:
    """A hand-built archive whose members lie: a lying header, no .npy suffix, a name twice, raw junk."""
    members = {f"{key}.npy": save_npy(value) for key, value in arrays.items()}
    name = draw(st.sampled_from(sorted(members)))
    edit = draw(st.sampled_from(["header", "header", "suffix", "twice", "junk", "directory"]))
    entries = list(members.items())
    if edit == "header":
        members[name] = draw(npy_header_edits(members[name]))
        entries = list(members.items())
    elif edit == "suffix":
        entries.append((name[: -len(".npy")], draw(npy_header_edits(members[name]))))
    elif edit == "twice":
        entries.append((name, draw(npy_header_edits(members[name]))))
    elif edit == "junk":
        entries.append((name, draw(st.binary(max_size=64))))
    else:
        entries.append((name + "/", b""))
    return zip_bytes(entries, draw(st.booleans()))


def zip_bytes(entries: list[tuple[str, bytes]], compressed: bool = False) -> bytes:
    """An archive of these members, in this order, duplicate names included."""
    stream = io.BytesIO()
    compression = zipfile.ZIP_DEFLATED if compressed else zipfile.ZIP_STORED
    with warnings.catch_warnings(), zipfile.ZipFile(stream, "w", compression) as archive:
        warnings.simplefilter("ignore")  # "Duplicate name": that is the point
        for member, content in entries:
            archive.writestr(member, content)
    return stream.getvalue()


ZIP_FIELDS = {
    b"PK\x03\x04": [(6, "<H"), (8, "<H"), (14, "<I"), (18, "<I"), (22, "<I"), (26, "<H"), (28, "<H")],
    b"PK\x01\x02": [
        (8, "<H"),
        (10, "<H"),
        (16, "<I"),
        (20, "<I"),
        (24, "<I"),
        (28, "<H"),
        (30, "<H"),
        (42, "<I"),
    ],
    b"PK\x05\x06": [(4, "<H"), (8, "<H"), (10, "<H"), (12, "<I"), (16, "<I"), (20, "<H")],
}
"""Where the numbers live in a local header, a central directory entry and the end record: flags, method,
CRC, compressed and real sizes, name and extra lengths, offsets, entry counts (offset, struct format)."""


@st.composite
def zip_field_edits(draw: st.DrawFn, data: bytes) -> bytes:
    """One number in the zip structure set to another value: encrypted flags, unknown methods, sizes that lie."""
    records = [
        (match.start(), signature)
        for signature in ZIP_FIELDS
        for match in re.finditer(re.escape(signature), data)
    ]
    at, signature = draw(st.sampled_from(records))
    offset, field_format = draw(st.sampled_from(ZIP_FIELDS[signature]))
    top = 2 ** (8 * struct.calcsize(field_format)) - 1
    value = draw(st.one_of(st.sampled_from([0, 1, top, top // 2 + 1]), st.integers(0, top)))
    out = bytearray(data)
    if at + offset + struct.calcsize(field_format) <= len(out):
        struct.pack_into(field_format, out, at + offset, value)
    return bytes(out)


def npz_files(arrays: dict[str, np.ndarray]) -> st.SearchStrategy[bytes]:
    stored, deflated = save_npz(arrays), save_npz(arrays, compressed=True)
    return st.one_of(
        st.tuples(npz_array_edits(arrays), st.booleans()).map(lambda pair: save_npz(*pair)),
        npz_member_edits(arrays),
        damaged(stored),
        byte_edits(deflated),
        zip_field_edits(stored),
        zip_field_edits(deflated),
    )


# --- JSON: documents with the wrong shape, numbers no parser should trust ------------------------------------

RAW_JSON = [
    "1e400", "-1e400", "NaN", "Infinity", "-Infinity", "9" * 5000, "-" + "9" * 30, "[" * 100_000 + "]" * 100_000,
    '"\\ud800"', '"' + "x" * 100_000 + '"', "{" * 50_000 + "}" * 50_000, "1.5", "-0",
]  # fmt: skip
WRONG_JSON = st.sampled_from(
    [None, True, False, "", "x", "30", [], {}, [1, 2], [[1]], {"a": 1}, 0, -1, 10**30, -(10**30), 0.5,
     float("nan"), float("inf"), -float("inf"), 1e308]
).map(copy.deepcopy)  # fmt: skip
"""Values of the wrong type or range for any key (json.dumps writes NaN and Infinity, which json.loads reads).
Copied, so that an edit inside one never changes the next example's."""
JSON_VALUES = st.one_of(
    WRONG_JSON,
    st.integers(-(2**70), 2**70),
    st.floats(),
    st.text(max_size=8),
    st.lists(st.integers(-3, 3), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(-3, 3), max_size=2),
)
_RAW = "\u0000raw\u0000"


@st.composite
def json_path(draw: st.DrawFn, document: Any) -> list[Any]:
    """A path into the document, descending level by level so that every top-level key is equally likely."""
    path: list[Any] = []
    node = document
    while isinstance(node, (dict, list)) and node and (not path or draw(st.booleans())):
        key = draw(st.sampled_from(sorted(node) if isinstance(node, dict) else range(len(node))))
        path.append(key)
        node = node[key]
    return path


@st.composite
def json_edits(draw: st.DrawFn, document: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """The document with one to three values deleted or replaced; a raw literal (1e400, deep nesting) may be
    returned separately, to be put where the placeholder string ends up in the dumped text."""
    document = copy.deepcopy(document)
    raw = None
    for _ in range(draw(st.integers(1, 3))):
        path = draw(json_path(document))
        if not path:
            continue
        parent = document
        for key in path[:-1]:
            parent = parent[key]
        action = draw(st.sampled_from(["delete", "set", "set", "raw"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "set" or raw is not None:
            parent[path[-1]] = draw(JSON_VALUES)
        else:
            parent[path[-1]] = _RAW
            raw = draw(st.sampled_from(RAW_JSON))
    return document, raw


def dump_json(document: Any, raw: str | None = None) -> bytes:
    text = json.dumps(document, indent=1)
    if raw is not None:
        text = text.replace(json.dumps(_RAW), raw)
    return text.encode("utf-8", errors="surrogatepass")


def json_files(document: dict[str, Any]) -> st.SearchStrategy[bytes]:
    """Edited documents (wrong types, missing keys, huge numbers), then sometimes byte damage or UTF-16."""
    text = dump_json(document)
    edited = json_edits(document).map(lambda pair: dump_json(*pair))
    return st.one_of(edited, edited.flatmap(byte_edits), damaged(text))


# --- safetensors: headers that lie, rehashed so only the parser stands in the way ----------------------------

SAFETENSORS_DTYPES = ["F16", "BF16", "F64", "I64", "I32", "I8", "U8", "BOOL", "F8_E4M3", "C64", "XX", "", 7]
TENSOR_SHAPES = st.one_of(
    st.sampled_from([[10**12], [2**62, 2**62], [-1], [0], [], [1] * 40, [2**64], ["a"]]),
    st.lists(st.integers(0, 64), max_size=4),
)


def split_safetensors(data: bytes) -> tuple[dict[str, Any], bytes]:
    (size,) = struct.unpack("<Q", data[:8])
    return json.loads(data[8 : 8 + size]), data[8 + size :]


def join_safetensors(header: dict[str, Any], body: bytes, size: int | None = None) -> bytes:
    encoded = json.dumps(header).encode()
    encoded += b" " * (-len(encoded) % 8)
    return struct.pack("<Q", len(encoded) if size is None else size) + encoded + body


@st.composite
def safetensors_edits(draw: st.DrawFn, data: bytes) -> bytes:
    """A weights file whose header lies about a tensor's dtype, shape or place, or about its own length."""
    header, body = split_safetensors(data)
    header = copy.deepcopy(header)
    names = sorted(key for key in header if key != "__metadata__")
    name = draw(st.sampled_from(names))
    edit = draw(
        st.sampled_from(["dtype", "shape", "offsets", "drop", "add", "rename", "metadata", "length", "body"])
    )
    size = None
    if edit == "dtype":
        header[name]["dtype"] = draw(st.sampled_from(SAFETENSORS_DTYPES))
    elif edit == "shape":
        header[name]["shape"] = draw(TENSOR_SHAPES)
    elif edit == "offsets":
        header[name]["data_offsets"] = draw(
            st.one_of(
                st.lists(st.integers(0, len(body) + 8), min_size=2, max_size=2),
                st.sampled_from([[0, 2**64 - 1], [2**63, 2**63 + 4], [-4, 0], [5, 1], [0], "x"]),
            )
        )
    elif edit == "drop":
        del header[name]
    elif edit == "add":
        header[name + ".extra"] = dict(header[name])
    elif edit == "rename":
        header["x" + name] = header.pop(name)
    elif edit == "metadata":
        header["__metadata__"] = draw(st.sampled_from([{"a": 1}, [1], "x", {"a": "b" * 1000}]))
    elif edit == "length":
        size = draw(st.sampled_from([0, 7, 2**63, 2**64 - 1, 100_000_001]))
    else:
        body = draw(byte_edits(body))
    return join_safetensors(header, body, size)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
