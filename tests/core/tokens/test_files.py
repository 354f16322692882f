"""Token files: a code grid round-trips with its sidecar, and malformed sidecars are MotionFileErrors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from core.errors import MotionFileError
from core.tokens.files import TokenFile, load_tokens, save_tokens, sidecar_path


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    path = tmp_path / "clip.npy"
    grid = np.arange(24, dtype=np.int16).reshape(4, 6)
    save_tokens(
        path, TokenFile(grid, "ab" * 32, frames=16, fps=30.0, root_start=(0.5, -1.0), edited=[(1, 2)])
    )
    return path


def test_tokens_round_trip_with_their_sidecar(saved: Path) -> None:
    tokens = load_tokens(saved)
    assert tokens.indices.shape == (4, 6) and tokens.frames == 16 and tokens.edited == [(1, 2)]


def _edit_sidecar(path: Path, key: str, raw: str) -> Path:
    """Replace one value of the sidecar with raw JSON text (which json.dumps could not write)."""
    meta = json.loads(sidecar_path(path).read_text())
    meta[key] = "\u0000"
    sidecar_path(path).write_text(json.dumps(meta).replace(json.dumps("\u0000"), raw))
    return sidecar_path(path)


SIDECAR_VALUES = {
    # Each once escaped as OverflowError or RecursionError (found by test_fuzz_loaders).
    "frames 1e400": ("frames", "1e400"),
    "edited 1e400": ("edited", "[[1e400, 0]]"),
    "nested too deep": ("source", "[" * 100_000 + "]" * 100_000),
}


@pytest.mark.parametrize(("key", "raw"), SIDECAR_VALUES.values(), ids=SIDECAR_VALUES.keys())
def test_sidecar_values_no_parser_can_use_are_refused_naming_the_sidecar(
    saved: Path, key: str, raw: str
) -> None:
    side = _edit_sidecar(saved, key, raw)
    with pytest.raises(MotionFileError, match="unreadable token description") as caught:
        load_tokens(saved)
    assert caught.value.path == str(side)
