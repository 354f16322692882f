"""The feature matrix a clip becomes, and its normalisation statistics."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core.features.representation import DecodeTarget, Normalizer
from core.features.rot6d import Rot6D
from core.formats import load_motion
from core.motion.rotations import matrix_to_6d


@pytest.fixture(scope="module")
def beat2(data_dir):
    return load_motion(data_dir / "beat2" / "2_scott_0_1_1.npz")


@pytest.fixture(scope="module")
def bandai_walk(data_dir):
    return load_motion(data_dir / "bandai" / "dataset-1" / "dataset-1_walk_normal_001.bvh")


def test_smplx_clip_gives_exactly_330_features(beat2):
    features = Rot6D(num_joints=55).features(beat2)
    assert features.shape == (beat2.num_frames, 330)
    assert features.dtype == np.float32


def test_beat2_features_follow_the_published_beat2_statistics(beat2, data_dir):
    published = np.load(data_dir / "beat2" / "mean_std" / "beatx_2_330_mean.npy")
    ours = Rot6D(num_joints=55).features(beat2).mean(0)
    assert np.corrcoef(ours, published)[0, 1] > 0.99
    assert np.abs(ours - published).mean() < 0.05


def test_column_convention_would_not_match_the_beat2_statistics(beat2, data_dir):
    published = np.load(data_dir / "beat2" / "mean_std" / "beatx_2_330_mean.npy")
    columns = matrix_to_6d(np.swapaxes(beat2.rotations, -1, -2)).reshape(beat2.num_frames, 330).mean(0)
    assert np.abs(columns - published).mean() > 0.1


def test_root_channels_add_three_columns(bandai_walk):
    rep = Rot6D(num_joints=bandai_walk.skeleton.num_joints, root_channels=True)
    assert rep.dim == 22 * 6 + 3
    assert rep.features(bandai_walk).shape == (bandai_walk.num_frames, rep.dim)


def test_features_round_trip_rotations_and_global_root_path(bandai_walk):
    rep = Rot6D(num_joints=22, root_channels=True)
    start = bandai_walk.root_translation[0, [0, 2]]
    back = rep.motion(rep.features(bandai_walk), DecodeTarget(bandai_walk.skeleton, 30.0, root_start=start))
    np.testing.assert_allclose(back.rotations, bandai_walk.rotations, atol=1e-5)
    np.testing.assert_allclose(back.root_translation, bandai_walk.root_translation, atol=1e-4)


def test_rotation_only_features_keep_the_source_clips_root_path(beat2):
    rep = Rot6D(num_joints=55)
    back = rep.motion(rep.features(beat2), DecodeTarget(beat2.skeleton, 30.0, beat2))
    np.testing.assert_allclose(back.joint_positions(), beat2.joint_positions(), atol=1e-4)


def test_noisy_decoder_output_still_gives_proper_rotations(beat2):
    rep = Rot6D(num_joints=55)
    noisy = rep.features(beat2)[:50] + np.random.default_rng(0).normal(0, 0.2, (50, 330))
    rot = rep.motion(noisy, DecodeTarget(beat2.skeleton, 30.0)).rotations
    identity = np.broadcast_to(np.eye(3), rot.shape)
    np.testing.assert_allclose(rot @ np.swapaxes(rot, -1, -2), identity, atol=1e-5)
    np.testing.assert_allclose(np.linalg.det(rot), 1.0, atol=1e-5)


def test_wrong_width_features_are_refused(beat2):
    with pytest.raises(ValueError, match="330"):
        Rot6D(num_joints=55).motion(np.zeros((10, 329)), DecodeTarget(beat2.skeleton, 30.0))


def test_normalizer_streaming_fit_equals_whole_dataset_statistics():
    rng = np.random.default_rng(1)
    clips = [rng.normal(3.0, 2.0, (n, 8)) for n in (5, 40, 17)]
    norm = Normalizer.fit(clips)
    whole = np.concatenate(clips)
    np.testing.assert_allclose(norm.mean, whole.mean(0), rtol=1e-5)
    np.testing.assert_allclose(norm.std, whole.std(0), rtol=1e-5)


def test_normalizer_floors_the_std_so_near_constant_features_stay_small():
    rng = np.random.default_rng(4)
    clip = np.stack([np.ones(100), rng.normal(0, 1e-4, 100), rng.normal(0, 1.0, 100)], axis=1)
    norm = Normalizer.fit([clip])
    assert norm.std[0] == norm.std[1] == pytest.approx(Normalizer.MIN_STD)
    assert np.abs(norm.normalize(clip)[:, :2]).max() < 0.1


def test_normalize_then_denormalize_is_identity():
    rng = np.random.default_rng(2)
    clip = rng.normal(size=(20, 6)).astype(np.float32)
    norm = Normalizer.fit([clip])
    np.testing.assert_allclose(norm.denormalize(norm.normalize(clip)), clip, atol=1e-5)


def test_normalizer_survives_a_json_round_trip():
    norm = Normalizer.fit([np.random.default_rng(3).normal(size=(30, 4))])
    back = Normalizer.from_dict(norm.to_dict())
    np.testing.assert_array_equal(back.mean, norm.mean)
    np.testing.assert_array_equal(back.std, norm.std)


def test_torch_window_positions_equal_numpy_fk_with_the_path_starting_at_the_window(bandai_walk):
    rep = Rot6D(num_joints=22, root_channels=True)
    window = rep.features(bandai_walk)[40:104]
    positions = rep.window_positions(torch.from_numpy(window).double()[None], bandai_walk.skeleton)[0]
    truth = bandai_walk.joint_positions()[40:104]
    start = bandai_walk.root_translation[40] * np.array([1.0, 0.0, 1.0])
    np.testing.assert_allclose(positions.numpy(), truth - start, atol=1e-6)


def test_torch_window_positions_without_root_channels_keep_the_root_at_the_origin(beat2):
    rep = Rot6D(num_joints=55)
    features = torch.from_numpy(rep.features(beat2)[:8])[None]
    positions = rep.window_positions(features, beat2.skeleton)[0]
    assert torch.all(positions[:, 0] == 0)
    pose = beat2.joint_positions()[:8] - beat2.joint_positions()[:8, :1]
    np.testing.assert_allclose(positions.numpy(), pose, atol=1e-5)


def test_denormalize_tensor_equals_the_numpy_denormalize():
    rng = np.random.default_rng(0)
    norm = Normalizer(
        mean=rng.normal(size=5).astype(np.float32), std=rng.uniform(0.1, 2, 5).astype(np.float32)
    )
    x = rng.normal(size=(3, 5)).astype(np.float32)
    np.testing.assert_allclose(norm.denormalize_tensor(torch.from_numpy(x)).numpy(), norm.denormalize(x))


def test_normalize_tensor_equals_the_numpy_normalize():
    rng = np.random.default_rng(1)
    norm = Normalizer(
        mean=rng.normal(size=5).astype(np.float32), std=rng.uniform(0.1, 2, 5).astype(np.float32)
    )
    x = rng.normal(size=(3, 5)).astype(np.float32)
    np.testing.assert_allclose(
        norm.normalize_tensor(torch.from_numpy(x)).numpy(), norm.normalize(x), rtol=1e-6
    )
