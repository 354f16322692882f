"""Damaged JSON documents: the wrong shape, numbers no parser should trust."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import strategies as st

from tests.helpers.mutations.raw_bytes import byte_edits, damaged

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
