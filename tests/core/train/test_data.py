"""A run's training data: one contiguous float32 array of normalised features, equal to what per-clip
featurising gives, with mirrored clips drawn at batch time; bad files skipped, the rest trained on."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from core.datasets.reader import ReadProgress
from core.features.mirror import feature_mirror
from core.features.representation import Normalizer
from core.features.rot6d import Rot6D
from core.formats import load_motion
from core.train.augment import MirroredCopies, heading_free_normalizer
from core.train.config import preset
from core.train.data import prepare_data, read_training_data
from core.train.dataset import ClipSampler, WindowSampler
from core.train.events import MessageEvent
from core.train.trainer import Trainer
from tests.helpers.training import BANDAI_CLIPS, tiny_config


def _per_clip(paths, mirror: bool = False, heading: bool = False):
    """The features as training made them before: every clip loaded, featurised, (mirrored,) normalised."""
    clips = [load_motion(p) for p in paths]
    skeleton = clips[0].skeleton
    rep = Rot6D(skeleton.num_joints, root_channels=True)
    raw = [rep.features(rep.fit(c, skeleton)) for c in clips]
    if mirror:
        flip = feature_mirror(skeleton, rep, Normalizer.fit(raw).mean)
        raw += [flip(f) for f in raw]
    normalizer = heading_free_normalizer(raw, rep) if heading else Normalizer.fit(raw)
    return [normalizer.normalize(f) for f in raw], normalizer


@pytest.fixture(scope="module")
def paths(data_dir):
    return sorted(data_dir / "bandai" / c for c in BANDAI_CLIPS)  # the order training reads them in


def test_the_features_are_one_contiguous_float32_array_equal_to_per_clip_featurising(paths):
    data = prepare_data(paths, tiny_config())
    assert data.features.dtype == np.float32 and data.features.flags.c_contiguous
    assert data.features.flags.owndata, "the array is the buffer itself, not a view of a bigger one"
    expected, normalizer = _per_clip(paths)
    assert data.lengths.tolist() == [len(f) for f in expected]
    np.testing.assert_allclose(data.features, np.concatenate(expected), atol=1e-6)
    np.testing.assert_allclose(data.normalizer.mean, normalizer.mean, atol=1e-6)
    np.testing.assert_allclose(data.normalizer.std, normalizer.std, atol=1e-6)


def test_the_cpu_sampler_trains_on_the_arrays_own_memory(paths, tmp_path):
    data = prepare_data(paths, tiny_config())
    trainer = Trainer(tiny_config(), data, tmp_path, device="cpu")
    assert np.shares_memory(trainer.sampler.data.numpy(), data.features)


@pytest.mark.parametrize("heading", [False, True])
def test_mirrored_clips_are_not_stored_and_share_the_statistics_stored_copies_had(paths, heading):
    data = prepare_data(paths, tiny_config(mirror=True, random_heading=heading))
    expected, normalizer = _per_clip(paths, mirror=True, heading=heading)
    assert len(data.features) == sum(len(f) for f in expected) // 2 and data.frames == 2 * len(data.features)
    np.testing.assert_allclose(data.normalizer.mean, normalizer.mean, atol=1e-6)
    np.testing.assert_allclose(data.normalizer.std, normalizer.std, atol=1e-6)


def test_a_mirrored_window_drawn_at_batch_time_equals_the_stored_mirrored_clips_window(paths):
    data = prepare_data(paths, tiny_config(mirror=True))
    expected, _ = _per_clip(paths, mirror=True)
    stored = np.concatenate(expected)
    mirror = MirroredCopies(data.mirror, data.normalizer, torch.device("cpu"))
    windows = torch.from_numpy(data.features[None, 100:164].copy()).expand(2, -1, -1)
    drawn = mirror(windows, torch.tensor([False, True]))
    np.testing.assert_allclose(drawn[0].numpy(), stored[100:164], atol=1e-5)
    np.testing.assert_allclose(
        drawn[1].numpy(), stored[len(data.features) + 100 : len(data.features) + 164], atol=1e-5
    )


def test_the_samplers_draw_each_clip_and_its_mirror_image_alike(paths):
    data = prepare_data(paths, tiny_config(mirror=True))
    mirror = MirroredCopies(data.mirror, data.normalizer, torch.device("cpu"))
    windows = WindowSampler(data.features, data.lengths, 16, torch.device("cpu"), seed=0, mirror=mirror)
    plain = WindowSampler(data.features, data.lengths, 16, torch.device("cpu"), seed=0)
    assert windows.num_windows == 2 * plain.num_windows
    clips = ClipSampler(data.features, data.lengths, 16, 4, torch.device("cpu"), seed=0, mirror=mirror)
    assert clips.num_clips == 2 * len(data.lengths)
    # About half of a large batch is mirrored: no row of it equals an unmirrored window's start.
    batch = windows.sample(400)
    own = {tuple(np.round(row, 4)) for row in data.features}
    mirrored = sum(tuple(np.round(w[0].numpy(), 4)) not in own for w in batch)
    assert 150 < mirrored < 250


def test_a_truncated_npy_or_npz_is_skipped_with_its_reason_while_the_rest_trains(data_dir, tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    rows = np.load(data_dir / "humanml3d" / "new_joint_vecs" / "000612.npy")
    for i in range(3):
        np.save(folder / f"{i}.npy", rows[i * 50 : i * 50 + 60])
    (folder / "cut.npy").write_bytes((folder / "0.npy").read_bytes()[:-500])
    beat2 = (data_dir / "beat2" / "2_scott_0_1_1.npz").read_bytes()
    (folder / "cut.npz").write_bytes(beat2[: len(beat2) // 2])
    config = dataclasses.replace(preset("motion-s"), window=48)
    data = prepare_data([folder], config)
    assert [p.name for p in data.files] == ["0.npy", "1.npy", "2.npy"]
    reasons = dict((p.name, r) for p, r in data.skipped)
    assert set(reasons) == {"cut.npy", "cut.npz"}
    assert "truncated" in reasons["cut.npy"] and "truncated" in reasons["cut.npz"]
    np.testing.assert_allclose(data.normalizer.denormalize(data.features)[:60], rows[:60], atol=1e-5)


def test_reading_reports_its_progress_and_an_unwritable_cache_is_a_message(paths, tmp_path, monkeypatch):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("RVQ_MOTION_CACHE", str(blocker))
    work = read_training_data(paths, tiny_config())
    events = []
    while True:
        try:
            events.append(next(work))
        except StopIteration as end:
            data = end.value
            break
    progress = [e for e in events if isinstance(e, ReadProgress)]
    assert progress[-1].done == progress[-1].total == len(paths) and progress[-1].cached == 0
    (message,) = [e for e in events if isinstance(e, MessageEvent)]
    assert "cannot be written" in message.text and str(blocker) in message.text
    assert data.files == paths
