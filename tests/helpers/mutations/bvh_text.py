"""Damaged BVH text: tokens, numbers and the lines the parser keys on."""

from __future__ import annotations

import re
from functools import lru_cache

from hypothesis import strategies as st

from tests.helpers.mutations.raw_bytes import byte_edits, damaged

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
