"""Damaged safetensors files: headers that lie, rehashed so only the parser stands in the way."""

from __future__ import annotations

import copy
import hashlib
import json
import struct
from typing import Any

from hypothesis import strategies as st

from tests.helpers.mutations.raw_bytes import byte_edits

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
