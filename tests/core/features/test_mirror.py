"""Left-right mirroring of clips in feature space (training-data augmentation)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from core.errors import MotionFileError
from core.features.mirror import feature_mirror, mirror_partners
from core.features.representation import DecodeTarget
from core.features.rot6d import Rot6D
from core.formats import load_motion, save_motion
from core.train.data import prepare_data
from tests.helpers.training import tiny_config

BANDAI_CLIPS = (
    "dataset-1/dataset-1_punch_normal_002.bvh",
    "dataset-1/dataset-1_walk-left_happy_001.bvh",
    "dataset-1/dataset-1_walk_normal_001.bvh",
    "dataset-1/dataset-1_bow_active_001.bvh",
)


@pytest.fixture(scope="module")
def bandai(data_dir):
    return [load_motion(data_dir / "bandai" / c) for c in BANDAI_CLIPS]


@pytest.fixture(scope="module")
def beat2(data_dir):
    return load_motion(data_dir / "beat2" / "2_scott_0_1_1.npz")


def _mirror_of(clips):
    rep = Rot6D(clips[0].skeleton.num_joints, root_channels=True)
    features = [rep.features(c) for c in clips]
    return rep, features, feature_mirror(clips[0].skeleton, rep, np.concatenate(features).mean(0))


def _mirrored_positions(motion, rep, flip):
    """Joint positions of ``motion`` mirrored in feature space and rebuilt from the same start."""
    mirrored = flip(rep.features(motion))
    world = flip.signs[rep.num_joints * 6 : rep.num_joints * 6 + 2]
    start = motion.root_translation[0, [0, 2]] * world
    positions = rep.motion(
        mirrored, DecodeTarget(motion.skeleton, motion.fps, root_start=start)
    ).joint_positions()
    return positions, np.array([world[0], 1.0, world[1]])


def test_bandai_and_smplx_joint_names_pair_left_with_right(bandai, beat2):
    names = bandai[0].skeleton.joint_names
    partners = mirror_partners(names)
    assert names[partners[names.index("Hand_L")]] == "Hand_R"
    assert partners[names.index("Head")] == names.index("Head")
    smplx = beat2.skeleton.joint_names
    assert smplx[mirror_partners(smplx)[smplx.index("left_wrist")]] == "right_wrist"


def test_a_mirrored_bandai_clip_is_the_reflected_clip_with_sides_swapped(bandai):
    rep, _, flip = _mirror_of(bandai)
    partners = mirror_partners(bandai[0].skeleton.joint_names)
    for clip in bandai:
        positions, world = _mirrored_positions(clip, rep, flip)
        expected = (clip.joint_positions() * world)[:, partners]
        assert np.abs(positions - expected).max() < 1e-3  # Bandai's sides differ by < 1 mm at rest


def test_an_smplx_clip_on_a_symmetric_body_mirrors_exactly(beat2):
    skeleton = beat2.skeleton
    partners = mirror_partners(skeleton.joint_names)
    reflect_x = np.array([-1.0, 1.0, 1.0])
    symmetric = replace(skeleton, offsets=(skeleton.offsets + skeleton.offsets[partners] * reflect_x) / 2)
    clip = replace(beat2, skeleton=symmetric)
    rep, _, flip = _mirror_of([clip])
    positions, world = _mirrored_positions(clip, rep, flip)
    np.testing.assert_allclose(positions, (clip.joint_positions() * world)[:, partners], atol=1e-6)


def test_mirroring_twice_gives_the_features_back(bandai):
    rep, features, flip = _mirror_of(bandai)
    assert np.array_equal(flip(flip(features[0])), features[0])


def test_open_reflections_are_settled_so_mirrored_poses_look_like_the_data(bandai):
    rep, features, flip = _mirror_of(bandai)
    rotations = np.concatenate(features).mean(0)[: rep.num_joints * 6]
    mirrored = flip(np.concatenate(features)).mean(0)[: rep.num_joints * 6]
    assert np.abs(mirrored - rotations).mean() < 0.05  # with half-turned arm frames it was 0.25


def test_a_skeleton_whose_sides_differ_cannot_be_mirrored(bandai):
    skeleton = bandai[0].skeleton
    offsets = skeleton.offsets.copy()
    offsets[skeleton.index("LowerArm_L")] *= 1.6
    lopsided = replace(skeleton, offsets=offsets)
    rep = Rot6D(skeleton.num_joints)
    with pytest.raises(ValueError, match="UpperArm_L"):
        feature_mirror(lopsided, rep, np.zeros(rep.dim))


def test_mirrored_training_data_doubles_the_frames_and_shares_one_normalisation(data_dir):
    paths = [data_dir / "bandai" / c for c in BANDAI_CLIPS]
    plain = prepare_data(paths, tiny_config())
    mirrored = prepare_data(paths, tiny_config(mirror=True))
    assert mirrored.frames == 2 * plain.frames
    flip = feature_mirror(mirrored.skeleton, mirrored.representation, mirrored.normalizer.mean)
    np.testing.assert_allclose(flip(mirrored.normalizer.mean), mirrored.normalizer.mean, atol=1e-5)


def test_asking_to_mirror_a_lopsided_skeleton_names_the_file(tmp_path, bandai):
    skeleton = bandai[0].skeleton
    offsets = skeleton.offsets.copy()
    offsets[skeleton.index("LowerArm_L")] *= 1.6
    path = tmp_path / "lopsided.bvh"
    save_motion(replace(bandai[0], skeleton=replace(skeleton, offsets=offsets)), path)
    with pytest.raises(MotionFileError, match="lopsided.bvh.*cannot mirror"):
        prepare_data([path], tiny_config(mirror=True))
