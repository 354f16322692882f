"""Recovery files: one per clip and checkpoint, and never applied to anything else."""

from __future__ import annotations

import numpy as np

from core.tokens.files import TokenFile, save_tokens
from core.tokens.recovery import read_recovery, recovery_path, remove_recovery

SHA = "a" * 64


def _saved(tmp_path, sha: str = SHA, frames: int = 40):
    path = recovery_path(tmp_path, "/clips/walk.bvh", SHA)
    save_tokens(
        path, TokenFile(indices=np.ones((10, 3), dtype=np.int64), checkpoint_sha256=sha, frames=frames)
    )
    return path


def test_each_clip_and_checkpoint_pair_has_its_own_file(tmp_path):
    one = recovery_path(tmp_path, "/clips/walk.bvh", SHA)
    assert one == recovery_path(tmp_path, "/clips/walk.bvh", SHA)
    assert one != recovery_path(tmp_path, "/clips/run.bvh", SHA)
    assert one != recovery_path(tmp_path, "/clips/walk.bvh", "b" * 64)


def test_matching_edits_are_read_back(tmp_path):
    tokens = read_recovery(_saved(tmp_path), SHA, frames=40, shape=(10, 3))
    assert tokens is not None and np.array_equal(tokens.indices, np.ones((10, 3)))


def test_edits_of_another_checkpoint_clip_length_or_grid_are_ignored(tmp_path):
    path = _saved(tmp_path, sha="b" * 64)
    assert read_recovery(path, SHA, frames=40, shape=(10, 3)) is None
    path = _saved(tmp_path, frames=41)
    assert read_recovery(path, SHA, frames=40, shape=(10, 3)) is None
    assert read_recovery(_saved(tmp_path), SHA, frames=40, shape=(11, 3)) is None


def test_a_damaged_recovery_file_is_ignored_not_raised(tmp_path):
    path = _saved(tmp_path)
    path.write_bytes(b"\x93NUMPY garbage")
    assert read_recovery(path, SHA, frames=40, shape=(10, 3)) is None


def test_removing_takes_the_grid_and_its_sidecar(tmp_path):
    path = _saved(tmp_path)
    remove_recovery(path)
    assert not path.exists() and not path.with_suffix(".json").exists()
    remove_recovery(path)
