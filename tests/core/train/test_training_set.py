"""A run's training set is kept whole in the feature cache: the next run over the same files and settings
reads that one entry and gets exactly what reading clip by clip gives; a changed file, other settings or a
damaged entry are read clip by clip again, never served stale."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from core.datasets.reader import ReadProgress
from core.train.data import read_training_files
from core.train.training_set import file_versions
from tests.helpers.training import BANDAI_CLIPS, tiny_config


@pytest.fixture
def clips(data_dir: Path, tmp_path: Path) -> list[Path]:
    """Copies of three Bandai clips and a truncated file, in a folder of the test's own."""
    folder = tmp_path / "clips"
    folder.mkdir()
    copies = [Path(shutil.copy(data_dir / "bandai" / clip, folder)) for clip in BANDAI_CLIPS]
    broken = folder / "broken.bvh"
    broken.write_bytes(copies[0].read_bytes()[:2000])
    return sorted([*copies, broken])


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("RVQ_MOTION_CACHE", str(folder))
    return folder


def _read(files: list[Path], **changes) -> tuple[object, list[ReadProgress]]:
    reading = read_training_files(files, tiny_config(**changes))
    reports = []
    while True:
        try:
            item = next(reading)
        except StopIteration as end:
            return end.value, reports
        if isinstance(item, ReadProgress):
            reports.append(item)


def _sets(cache: Path) -> list[dict]:
    """The training-set records in the cache folder (material and info)."""
    records = [json.loads(path.read_text()) for path in (cache / "features").rglob("*.json")]
    return [record for record in records if "training_set" in record["material"]]


def test_a_second_run_reads_the_whole_set_in_one_step_and_gets_what_the_first_read(clips):
    first, _ = _read(clips)
    again, reports = _read(clips)
    assert [(r.done, r.total, r.cached) for r in reports] == [(len(clips), len(clips), len(clips))]
    np.testing.assert_array_equal(again.features, first.features)
    np.testing.assert_array_equal(again.lengths, first.lengths)
    assert again.files == first.files and again.skipped == first.skipped
    assert [path.name for path, _ in again.skipped] == ["broken.bvh"]
    assert again.features.flags.writeable and again.features.flags.owndata


def test_a_changed_file_is_read_again_not_served_from_the_stored_set(clips, own_cache):
    first, _ = _read(clips)
    walk = next(path for path in clips if "walk" in path.name)
    text = walk.read_text()
    walk.write_text(text.replace("Frames:", "Frames: ", 1))  # same motion, another size and time
    again, reports = _read(clips)
    assert reports[-1].cached == len(clips) - 1, "the changed file was read again, the others found"
    np.testing.assert_allclose(again.features, first.features, atol=1e-5)
    [stored] = _sets(own_cache)  # the entry of this selection, replaced
    assert stored["info"]["versions"] == file_versions(clips)


def test_other_settings_or_other_files_are_another_set(clips, own_cache):
    _read(clips)
    _read(clips, window=32)
    _read(clips[1:])
    stored = _sets(own_cache)
    assert len(stored) == 3
    assert sorted(record["material"]["min_frames"] for record in stored) == [16, 16, 32]


def test_a_damaged_set_is_not_trusted_and_the_clips_are_read_one_by_one(clips, own_cache):
    first, _ = _read(clips)
    biggest = max((own_cache / "features").rglob("*.npy"), key=lambda path: path.stat().st_size)
    assert biggest.stat().st_size > first.features.nbytes, "the whole set's array"
    data = bytearray(biggest.read_bytes())
    data[-8:] = b"\x00" * 8
    biggest.write_bytes(bytes(data))
    again, _ = _read(clips)
    assert biggest.read_bytes() != bytes(data), "the set was read clip by clip and stored again"
    np.testing.assert_array_equal(again.features, first.features)
