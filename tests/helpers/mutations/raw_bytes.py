"""Damaged bytes: what a bad disk, a cut-off download or a stray editor does to any file (positions biased
towards the header, where loaders parse and trust)."""

from __future__ import annotations

from hypothesis import strategies as st

HEAD = 512
"""Bytes counted as "the header" when biasing positions."""


def position(size: int) -> st.SearchStrategy[int]:
    """An offset in ``0..size``, half the time within the first HEAD bytes."""
    return st.one_of(st.integers(0, min(size, HEAD)), st.integers(0, size))


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
