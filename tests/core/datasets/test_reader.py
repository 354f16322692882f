"""Reading a dataset's files into features: what the cache, worker processes and the fast HumanML3D path
must never change, and what they must spare (opening the files again)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import core.datasets.reader as reader
from core.datasets.cache import FeatureCache
from core.datasets.reader import FileRecord, ReadProgress, ReadSettings, read_file, read_files
from core.features.humanml3d import HumanML3D
from core.features.rot6d import Rot6D
from core.formats import load_motion

SAMPLE = Path("humanml3d", "new_joint_vecs", "000612.npy")
BEAT2 = Path("beat2", "2_scott_0_1_1.npz")


def write_crops(data_dir: Path, folder: Path, clips: int, seed: int = 0) -> list[Path]:
    """``clips`` distinct HumanML3D files: crops of 20-60 rows of a real sample, jittered."""
    rows = np.load(data_dir / SAMPLE).astype(np.float32)
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(clips):
        n = int(rng.integers(20, 61))
        start = int(rng.integers(0, len(rows) - n))
        crop = rows[start : start + n].copy()
        crop[:, :-4] += rng.normal(0, 0.002, crop[:, :-4].shape).astype(np.float32)
        paths.append(folder / f"{i:04d}.npy")
        np.save(paths[-1], crop)
    return paths


def _records(items) -> list[FileRecord]:
    return [r for r in items if isinstance(r, FileRecord)]


@pytest.fixture(scope="module")
def crops(data_dir, tmp_path_factory) -> list[Path]:
    return write_crops(data_dir, tmp_path_factory.mktemp("crops"), 30)


@pytest.fixture
def humanml3d(crops) -> ReadSettings:
    return ReadSettings(True, HumanML3D(), load_motion(crops[0]).skeleton)


def test_a_humanml3d_file_read_fast_equals_the_file_loaded_whole(data_dir):
    path = data_dir / SAMPLE
    motion = load_motion(path)
    info, features, problem = read_file(path, ReadSettings(True, HumanML3D(), motion.skeleton))
    assert problem is None and info.frames == motion.num_frames and info.fps == motion.fps
    np.testing.assert_array_equal(features, HumanML3D().features(motion))
    assert info.skeleton.same_topology(motion.skeleton)
    np.testing.assert_allclose(info.skeleton.offsets, motion.skeleton.offsets, atol=1e-12)


def test_an_smplx_clip_becomes_humanml3d_rows_as_training_converts_it(data_dir):
    motion = load_motion(data_dir / SAMPLE)
    info, features, _ = read_file(data_dir / BEAT2, ReadSettings(True, HumanML3D(), motion.skeleton))
    expected = HumanML3D().fit(load_motion(data_dir / BEAT2), motion.skeleton)
    assert info.frames == expected.num_frames == len(features)
    np.testing.assert_array_equal(features, HumanML3D().features(expected))


def test_records_come_in_the_files_order_with_progress_ending_at_the_total(crops, humanml3d, tmp_path):
    items = list(read_files(crops, humanml3d, FeatureCache(tmp_path), workers=1))
    assert [r.path for r in _records(items)] == crops
    assert items[-1] == ReadProgress(len(crops), len(crops), 0, items[-1].elapsed_s)


def test_a_second_read_comes_from_the_cache_without_opening_a_file(crops, humanml3d, tmp_path, monkeypatch):
    first = _records(read_files(crops, humanml3d, FeatureCache(tmp_path), workers=1))

    def never(*args, **kwargs):
        raise AssertionError("a motion file was opened")

    monkeypatch.setattr(reader, "read_humanml3d_rows", never)
    monkeypatch.setattr(reader, "load_motion", never)
    second = _records(read_files(crops, humanml3d, FeatureCache(tmp_path), workers=1))
    assert all(r.cached for r in second) and not any(r.cached for r in first)
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a.features, b.features)
        assert a.info.frames == b.info.frames and a.info.skeleton.same_topology(b.info.skeleton)


def test_a_changed_file_is_read_again(crops, humanml3d, tmp_path, data_dir):
    folder = tmp_path / "data"
    paths = write_crops(data_dir, folder, 3)
    settings = ReadSettings(True, HumanML3D(), humanml3d.reference)
    _records(read_files(paths, settings, FeatureCache(tmp_path / "cache"), workers=1))
    np.save(paths[1], np.load(paths[1])[:-5])
    second = _records(read_files(paths, settings, FeatureCache(tmp_path / "cache"), workers=1))
    assert [r.cached for r in second] == [True, False, True]
    np.testing.assert_array_equal(second[1].features, np.load(paths[1]))


def test_other_settings_read_again_and_keep_their_own_entries(data_dir, tmp_path):
    path = data_dir / "bandai" / "dataset-1" / "dataset-1_walk_normal_001.bvh"
    skeleton = load_motion(path).skeleton
    plain = ReadSettings(False, Rot6D(skeleton.num_joints), skeleton)
    rooted = ReadSettings(False, Rot6D(skeleton.num_joints, root_channels=True), skeleton)
    cache = FeatureCache(tmp_path)
    a = _records(read_files([path], plain, cache))[0]
    b = _records(read_files([path], rooted, cache))[0]
    assert not b.cached and b.features.shape[1] == a.features.shape[1] + 3
    assert _records(read_files([path], plain, cache))[0].cached
    assert _records(read_files([path], rooted, cache))[0].cached


def test_a_corrupt_entry_is_read_again_from_the_file(crops, humanml3d, tmp_path):
    cache = FeatureCache(tmp_path)
    first = _records(read_files(crops[:3], humanml3d, cache, workers=1))
    for array in cache.folder.rglob("*.npy"):
        array.write_bytes(array.read_bytes()[:-8])
    again = _records(read_files(crops[:3], humanml3d, FeatureCache(tmp_path), workers=1))
    assert not any(r.cached for r in again)
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a.features, b.features)


def test_worker_processes_read_what_one_process_reads(crops, humanml3d, tmp_path):
    serial = _records(read_files(crops, humanml3d, None, workers=1))
    parallel = _records(read_files(crops, humanml3d, FeatureCache(tmp_path), workers=2))
    assert len(crops) >= reader.MIN_PARALLEL, "enough files for a pool"
    for a, b in zip(serial, parallel, strict=True):
        assert a.path == b.path and a.info.frames == b.info.frames
        np.testing.assert_array_equal(a.features, b.features)
    assert all(r.cached for r in _records(read_files(crops, humanml3d, FeatureCache(tmp_path), workers=1)))


def test_two_processes_filling_one_cache_at_once_leave_whole_identical_entries(crops, humanml3d, tmp_path):
    script = (
        "import sys; from pathlib import Path; from core.datasets.cache import FeatureCache; "
        "from core.datasets.reader import ReadSettings, read_files; from core.features.humanml3d import HumanML3D; "
        "from core.formats import load_motion; files = [Path(p) for p in sys.argv[1:]]; "
        "s = ReadSettings(True, HumanML3D(), load_motion(files[0]).skeleton); "
        "list(read_files(files, s, FeatureCache(), workers=1))"
    )
    env = {**os.environ, "RVQ_MOTION_CACHE": str(tmp_path)}
    root = Path(reader.__file__).parents[2]
    runs = [
        subprocess.Popen([sys.executable, "-c", script, *map(str, crops)], env=env, cwd=root)
        for _ in range(2)
    ]
    assert [run.wait(timeout=120) for run in runs] == [0, 0]
    cached = _records(read_files(crops, humanml3d, FeatureCache(tmp_path), workers=1))
    assert all(r.cached for r in cached)
    for record in cached:
        np.testing.assert_array_equal(record.features, np.load(record.path).astype(np.float32))
    assert not list(tmp_path.rglob("*.tmp")), "no temporary file is left behind"


def test_an_unreadable_file_is_recorded_with_its_reason_and_remembered(crops, humanml3d, tmp_path):
    broken = tmp_path / "broken.npy"
    broken.write_bytes(crops[0].read_bytes()[:-300])
    first = _records(read_files([broken, crops[1]], humanml3d, FeatureCache(tmp_path / "c")))
    assert "truncated" in first[0].info.reason and first[0].features is None
    assert first[1].features is not None
    second = _records(read_files([broken], humanml3d, FeatureCache(tmp_path / "c")))
    assert second[0].cached and second[0].info.reason == first[0].info.reason


def test_without_features_only_what_the_file_holds_is_read(crops, tmp_path):
    (record,) = _records(read_files(crops[:1], ReadSettings(True), FeatureCache(tmp_path)))
    assert record.features is None and record.info.frames == len(np.load(crops[0]))
    assert record.info.skeleton.joint_names[0] == "pelvis" and record.info.fps == 20.0
