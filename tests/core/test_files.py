"""Writing a file whole or not at all: the previous content survives a failed write, no temporary
file is left behind, a folder that cannot be written names the file, and what is written is as
readable as the umask allows (a temporary file is private)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.errors import MotionFileError
from core.files import atomic_write, write_text_atomic
from tests.helpers.paths import DEMO_CHECKPOINT


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


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_a_written_file_is_as_readable_as_the_umask_allows_not_private(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    os.umask(umask)
    target = tmp_path / "report.html"
    write_text_atomic(target, "<html></html>")
    assert _mode(target) == 0o666 & ~umask


def test_a_checkpoint_folder_and_its_files_are_as_readable_as_the_umask_allows(tmp_path: Path) -> None:
    from core.model.checkpoint import load_checkpoint, save_checkpoint

    umask = os.umask(0o022)
    os.umask(umask)
    demo = load_checkpoint(DEMO_CHECKPOINT)
    folder = save_checkpoint(
        tmp_path / "step-1", demo.model, demo.skeleton, demo.representation, demo.normalizer, demo.fps, step=1
    )
    assert _mode(folder) == 0o777 & ~umask
    assert {path.name: _mode(path) for path in folder.iterdir()} == {
        name: 0o666 & ~umask for name in ("model.safetensors", "checkpoint.json")
    }
