"""What one clip gives the atlas, and many clips worked through in worker processes
(core.analysis.atlas_clips)."""

from __future__ import annotations

import multiprocessing

import numpy as np
import pytest

from core.analysis import atlas_clips
from core.analysis.atlas import AtlasSettings, build_atlas
from core.analysis.atlas_clips import step_windows, windows_of_files
from core.progress import run_to_end
from tests.helpers.paths import BANDAI_THREE

CLIPS = BANDAI_THREE


@pytest.fixture(scope="module")
def files(data_dir):
    return [data_dir / "bandai" / "dataset-1" / name for name in CLIPS]


def test_a_steps_window_is_its_frames_with_context_and_the_ends_held():
    positions = np.arange(10, dtype=np.float64)[:, None, None] * np.ones((1, 2, 3))  # frame t at t
    windows = step_windows(positions, steps=3, factor=4, context=1)  # frames 0-9 give 3 steps, the last short
    assert windows.shape == (3, 12, 2, 3)
    assert windows[0, :, 0, 0].tolist() == [0] * 4 + list(range(8))
    assert windows[1, :, 0, 0].tolist() == list(range(10)) + [9, 9]
    assert windows[2, :, 0, 0].tolist() == [4, 5, 6, 7, 8, 9] + [9] * 6


def test_a_clip_that_does_not_fit_comes_back_as_the_reason(demo, data_dir):
    other = min((data_dir / "cmu_iclone").rglob("*.bvh"), key=lambda f: f.stat().st_size)
    [(path, result)] = list(windows_of_files(demo, [other], (0,), 2))
    assert path == other and isinstance(result, str) and "skeleton" in result


def test_worker_processes_build_the_same_atlas_as_this_process(demo, files, monkeypatch):
    settings = AtlasSettings(layers=(0, 1), per_code=3)
    here = run_to_end(build_atlas(demo, files, settings))
    monkeypatch.setattr(atlas_clips, "MIN_PARALLEL", 0)
    there = run_to_end(build_atlas(demo, files, AtlasSettings(layers=(0, 1), per_code=3, workers=2)))
    assert [c.path for c in there.clips] == [c.path for c in here.clips]
    assert np.array_equal(there.index.codes, here.index.codes)
    for layer in (0, 1):
        a, b = here.stats[layer], there.stats[layer]
        assert np.array_equal(a.sample_clip, b.sample_clip) and np.array_equal(a.sample_step, b.sample_step)
        np.testing.assert_allclose(a.mean, b.mean, atol=1e-5)
        np.testing.assert_allclose(a.spread_per_joint_mm(), b.spread_per_joint_mm(), atol=1e-2)
    assert not multiprocessing.active_children()


def test_stopping_ends_the_worker_processes(demo, files, monkeypatch):
    monkeypatch.setattr(atlas_clips, "MIN_PARALLEL", 0)
    seen = []
    work = build_atlas(demo, files * 4, AtlasSettings(workers=2), should_stop=lambda: bool(seen))
    atlas = run_to_end(work, seen.append)
    assert len(atlas.clips) == 1 and not atlas.complete
    assert not multiprocessing.active_children()
