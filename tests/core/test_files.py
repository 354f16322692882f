"""Writing a file whole or not at all: the previous content survives a failed write, no temporary
file is left behind, and a folder that cannot be written names the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import MotionFileError
from core.files import atomic_write, write_text_atomic


def test_the_new_content_replaces_the_old_once_complete(tmp_path: Path) -> None:
    target = tmp_path / "clip.txt"
    target.write_text("old")
    write_text_atomic(target, "new")
    assert target.read_text() == "new" and [p.name for p in tmp_path.iterdir()] == ["clip.txt"]


def test_a_write_that_fails_midway_leaves_the_old_file_and_no_partial_one(tmp_path: Path) -> None:
    target = tmp_path / "tokens.npy"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_write(target) as stream:
        stream.write(b"half of the")
        raise RuntimeError("killed")
    assert target.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["tokens.npy"]


def test_a_folder_that_does_not_exist_is_an_error_naming_the_file(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "report.html"
    with pytest.raises(MotionFileError) as caught:
        write_text_atomic(target, "<html>")
    assert caught.value.path == str(target) and "cannot write" in str(caught.value)
