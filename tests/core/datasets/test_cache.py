"""The feature cache keeps what a file became under some settings, and never serves anything else."""

from __future__ import annotations

import json
import mmap
import os

import numpy as np
import pytest

from core.datasets.cache import ENVIRONMENT_VARIABLE, FeatureCache, default_folder, file_stamp

SETTINGS = {"representation": {"kind": "humanml3d"}, "to_humanml3d": True}


@pytest.fixture
def clip_file(tmp_path):
    path = tmp_path / "clip.npy"
    np.save(path, np.arange(12, dtype=np.float32).reshape(4, 3))
    return path


@pytest.fixture
def features():
    return np.random.default_rng(0).normal(size=(40, 7)).astype(np.float32)


def _material(path) -> dict:
    return {**file_stamp(path), **SETTINGS}


def _array_file(cache: FeatureCache, material: dict):
    key = cache.key(material)
    return cache.folder / key[:2] / f"{key}.npy"


def test_an_entry_reads_back_as_stored_memory_mapped(tmp_path, clip_file, features):
    cache = FeatureCache(tmp_path / "cache")
    cache.put(_material(clip_file), {"frames": 40}, features)
    entry = cache.get(_material(clip_file))
    assert entry.info == {"frames": 40}
    np.testing.assert_array_equal(entry.array, features)
    assert entry.array.dtype == np.float32 and not entry.array.flags.writeable
    base = entry.array
    while isinstance(base, np.ndarray):
        base = base.base
    assert isinstance(base.obj, mmap.mmap)  # a view of the mapped file, not a copy
    assert cache.warning is None


@pytest.mark.parametrize("rows", [40, 0])
def test_an_array_read_unmapped_is_a_writable_copy_of_its_own(tmp_path, clip_file, features, rows):
    cache = FeatureCache(tmp_path / "cache")
    cache.put(_material(clip_file), {"frames": rows}, features[:rows])
    array = cache.read_array(cache.record(_material(clip_file)), mapped=False)
    np.testing.assert_array_equal(array, features[:rows])
    assert array.flags.writeable and array.flags.owndata


def test_a_record_without_an_array_reads_back_without_one(tmp_path, clip_file):
    cache = FeatureCache(tmp_path / "cache")
    cache.put(_material(clip_file), {"reason": "truncated"})
    assert cache.get(_material(clip_file)).info == {"reason": "truncated"}
    assert cache.get(_material(clip_file)).array is None


def test_a_file_rewritten_with_another_size_or_time_is_a_miss(tmp_path, clip_file, features):
    cache = FeatureCache(tmp_path / "cache")
    cache.put(_material(clip_file), {}, features)
    stat = clip_file.stat()
    os.utime(clip_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert cache.get(_material(clip_file)) is None
    cache.put(_material(clip_file), {}, features)
    np.save(clip_file, np.zeros((5, 3), np.float32))  # another size
    assert cache.get(_material(clip_file)) is None


def test_other_settings_are_a_miss(tmp_path, clip_file, features):
    cache = FeatureCache(tmp_path / "cache")
    cache.put(_material(clip_file), {}, features)
    assert cache.get({**_material(clip_file), "to_humanml3d": False}) is None
    assert cache.get({**_material(clip_file), "representation": {"kind": "rot6d"}}) is None


def test_an_array_whose_bytes_changed_is_not_trusted(tmp_path, clip_file, features):
    cache = FeatureCache(tmp_path / "cache")
    cache.put(_material(clip_file), {}, features)
    path = _array_file(cache, _material(clip_file))
    data = bytearray(path.read_bytes())
    data[-5] ^= 0xFF  # same length, one value flipped
    path.write_bytes(bytes(data))
    assert cache.get(_material(clip_file)) is None
    assert cache.get(_material(clip_file), with_array=False) is not None


def test_a_truncated_array_is_not_trusted(tmp_path, clip_file, features):
    cache = FeatureCache(tmp_path / "cache")
    cache.put(_material(clip_file), {}, features)
    path = _array_file(cache, _material(clip_file))
    path.write_bytes(path.read_bytes()[:-100])
    assert cache.get(_material(clip_file)) is None
    path.write_bytes(b"")
    assert cache.get(_material(clip_file)) is None


def test_an_array_of_another_shape_or_dtype_is_not_trusted(tmp_path, clip_file, features):
    cache = FeatureCache(tmp_path / "cache")
    cache.put(_material(clip_file), {}, features)
    path = _array_file(cache, _material(clip_file))
    np.save(path, features.astype(np.float64))
    assert cache.get(_material(clip_file)) is None
    np.save(path, features[:-1])
    assert cache.get(_material(clip_file)) is None


def test_a_half_written_entry_is_a_miss(tmp_path, clip_file, features):
    """A writer stopped after the array and before its record (the record is written last) leaves a miss;
    so does one stopped inside a temporary file, whose name is never read."""
    cache = FeatureCache(tmp_path / "cache")
    cache.put(_material(clip_file), {}, features)
    key = cache.key(_material(clip_file))
    record = cache.folder / key[:2] / f"{key}.json"
    text = record.read_text()
    record.unlink()
    assert cache.get(_material(clip_file)) is None
    record.write_text(text[: len(text) // 2])
    assert cache.get(_material(clip_file)) is None
    record.with_name(f".{record.name}.123-abc.tmp").write_text(text)
    assert cache.get(_material(clip_file)) is None


def test_a_record_naming_other_material_is_a_miss(tmp_path, clip_file, features):
    cache = FeatureCache(tmp_path / "cache")
    cache.put(_material(clip_file), {}, features)
    key = cache.key(_material(clip_file))
    record = cache.folder / key[:2] / f"{key}.json"
    stored = json.loads(record.read_text())
    stored["material"]["size"] += 1
    record.write_text(json.dumps(stored))
    assert cache.get(_material(clip_file)) is None


def test_a_folder_that_cannot_be_written_is_a_warning_not_a_failure(tmp_path, clip_file, features):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be")
    cache = FeatureCache(blocker)
    cache.put(_material(clip_file), {}, features)
    assert cache.warning is not None and str(blocker) in cache.warning
    assert cache.get(_material(clip_file)) is None


def test_usage_counts_entries_and_bytes_and_clear_empties_the_folder(tmp_path, clip_file, features):
    cache = FeatureCache(tmp_path / "cache")
    assert cache.usage().entries == 0
    cache.put(_material(clip_file), {}, features)
    cache.put({**_material(clip_file), "to_humanml3d": False}, {"reason": "x"})
    usage = cache.usage()
    assert usage.entries == 2 and usage.bytes > features.nbytes
    assert cache.clear() == usage
    assert cache.usage().entries == 0 and cache.get(_material(clip_file)) is None


def test_the_folder_is_the_environments_when_set(monkeypatch, tmp_path):
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, str(tmp_path / "elsewhere"))
    assert default_folder() == tmp_path / "elsewhere"
    monkeypatch.delenv(ENVIRONMENT_VARIABLE)
    assert default_folder().name == "rvq-motion"
