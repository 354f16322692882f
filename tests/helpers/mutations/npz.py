"""Damaged .npz archives: arrays missing or wrong, members that lie, archives that break."""

from __future__ import annotations

import io
import re
import struct
import warnings
import zipfile

import numpy as np
from hypothesis import strategies as st

from tests.helpers.mutations.npy import array_edits, npy_header_edits, save_npy
from tests.helpers.mutations.raw_bytes import byte_edits, damaged


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
