"""Body-part features of SMPL-X clips, as SynTalker and GestureLSM train them (seed 000's --body_part)."""

from __future__ import annotations

import numpy as np
import pytest

from core.features.body_part import PARTS, BodyPart
from core.features.kinds import representation_from_dict
from core.features.representation import DecodeTarget
from core.features.rot6d import Rot6D
from core.formats import load_motion


@pytest.fixture(scope="module")
def beat2(data_dir):
    return load_motion(data_dir / "beat2" / "2_scott_0_1_1.npz").slice(0, 300)


@pytest.mark.parametrize(
    ("name", "width"),
    [("upper", 78), ("hands", 180), ("lower", 54), ("lower_trans", 57), ("whole_trans", 315)],
)
def test_each_named_part_has_syntalkers_width(name, width):
    assert BodyPart.named(name).dim == width


def test_the_rotation_features_are_the_parts_columns_of_the_beat2_330(beat2):
    whole = Rot6D(num_joints=55).features(beat2)
    for name in PARTS:
        part = BodyPart.named(name)
        features = part.features(beat2)
        columns = part.feature_columns()
        rotation_columns = columns[columns < 330]
        np.testing.assert_array_equal(features[:, : len(rotation_columns)], whole[:, rotation_columns])


def test_root_channels_are_dx_y_dz_of_the_smplx_trans_with_the_first_step_repeated(beat2):
    channels = BodyPart.named("lower_trans").features(beat2)[:, -3:].astype(np.float64)
    trans = beat2.root_translation - beat2.skeleton.offsets[0]
    np.testing.assert_allclose(channels[1:, 0], np.diff(trans[:, 0]), atol=1e-6)
    np.testing.assert_allclose(channels[1:, 2], np.diff(trans[:, 2]), atol=1e-6)
    np.testing.assert_allclose(channels[0], [channels[1, 0], trans[0, 1], channels[1, 2]], atol=1e-6)


@pytest.mark.parametrize("name", ["upper", "lower_trans"])
def test_decoding_the_true_features_gives_the_clip_back(beat2, name):
    part = BodyPart.named(name)
    back = part.motion(part.features(beat2), DecodeTarget.like(beat2))
    np.testing.assert_allclose(back.joint_positions(), beat2.joint_positions(), atol=1e-4)


def test_decoding_replaces_only_the_parts_joints(beat2):
    part = BodyPart.named("upper")
    noisy = part.features(beat2) + np.random.default_rng(0).normal(0, 0.3, (beat2.num_frames, part.dim))
    decoded = part.motion(noisy, DecodeTarget.like(beat2))
    others = np.setdiff1d(np.arange(55), part.joints)
    np.testing.assert_array_equal(decoded.rotations[:, others], beat2.rotations[:, others])
    np.testing.assert_array_equal(decoded.root_translation, beat2.root_translation)
    assert np.abs(decoded.rotations[:, list(part.joints)] - beat2.rotations[:, list(part.joints)]).max() > 0.1


def test_errors_are_measured_on_the_parts_joints():
    part = BodyPart.named("hands")
    np.testing.assert_array_equal(part.measured_joints(None), np.arange(25, 55))


def test_beat2_statistics_sliced_to_a_part_are_used_verbatim(data_dir):
    stats = data_dir / "beat2" / "mean_std"
    mean, std = np.load(stats / "beatx_2_330_mean.npy"), np.load(stats / "beatx_2_330_std.npy")
    trans_mean, trans_std = (
        np.load(stats / "beatx_2_trans_mean.npy"),
        np.load(stats / "beatx_2_trans_std.npy"),
    )
    part = BodyPart.named("lower_trans")
    normalizer = part.normalizer_from(mean, std, trans_mean, trans_std)
    assert normalizer.mean.shape == (57,)
    np.testing.assert_allclose(normalizer.std[:6], std[:6])
    np.testing.assert_allclose(normalizer.std[-3:], trans_std, rtol=1e-6)
    assert normalizer.std.min() < 0.01, "no floor: SynTalker's statistics as they are"
    with pytest.raises(ValueError, match="trans statistics"):
        part.normalizer_from(mean, std, None, None)


def test_an_edit_window_refreshes_to_the_full_decode(beat2):
    part = BodyPart.named("lower_trans")
    features = part.features(beat2).astype(np.float64)
    positions = part.positions(features, beat2).astype(np.float32)
    features[100:140] += np.random.default_rng(1).normal(0, 0.05, (40, part.dim))
    last = part.refresh_positions(features, positions, 100, 140, beat2)
    assert last == beat2.num_frames, "a changed path moves every later frame"
    np.testing.assert_allclose(positions, part.positions(features, beat2), atol=1e-4)


def test_a_part_of_named_joints_round_trips_through_a_checkpoint_description(beat2):
    part = BodyPart.of_joints(["left_wrist", "right_wrist", "head"], beat2.skeleton)
    assert part.joints == (15, 20, 21) and part.dim == 18
    assert representation_from_dict(part.to_dict()) == part
    with pytest.raises(ValueError, match="nose"):
        BodyPart.of_joints(["nose"], beat2.skeleton)


def _train(data_dir, run, *extra: str) -> int:
    from core.cli.main import main

    clip = data_dir / "beat2" / "2_scott_0_1_1.npz"
    args = ["train", "--data", str(clip), "--out", str(run), "--no-tensorboard", "--steps", "2"]
    args += ["--batch-size", "2", "--window", "16", "--codes", "16", "--no-mirror", "--position-weight", "0"]
    return main([*args, "--no-root-channels", *extra])


def test_a_body_part_trains_with_beat2_statistics_and_evaluates_over_its_joints(data_dir, tmp_path, capsys):
    from core.cli.main import main
    from core.model.checkpoint import load_checkpoint

    stats = data_dir / "beat2" / "mean_std"
    files = [
        str(stats / f"beatx_2_{name}.npy") for name in ("330_mean", "330_std", "trans_mean", "trans_std")
    ]
    assert _train(data_dir, tmp_path / "run", "--body-part", "lower_trans", "--stats", *files) == 0
    ckpt = load_checkpoint(tmp_path / "run")
    assert ckpt.representation == BodyPart.named("lower_trans") and ckpt.config.input_dim == 57
    np.testing.assert_allclose(ckpt.normalizer.std[-3:], np.load(files[3]), rtol=1e-6)
    capsys.readouterr()
    clip = str(data_dir / "beat2" / "2_scott_0_1_1.npz")
    assert main(["eval", "--checkpoint", str(tmp_path / "run"), "--data", clip]) == 0
    out = capsys.readouterr().out
    assert "errors over the lower_trans body part: 9 joints + root path" in out and "feature err" in out


def test_a_body_part_of_a_clip_that_is_not_smplx_is_refused(data_dir, tmp_path, capsys):
    from core.cli.main import main

    clip = data_dir / "bandai" / "dataset-1" / "dataset-1_walk_normal_001.bvh"
    args = ["train", "--data", str(clip), "--out", str(tmp_path / "run"), "--body-part", "upper"]
    args += ["--no-mirror", "--position-weight", "0", "--no-root-channels", "--steps", "2"]
    assert main(args) == 2
    assert "part of SMPL-X clips" in capsys.readouterr().err


def test_a_whole_body_setting_typed_with_a_body_part_is_refused_by_name(data_dir, tmp_path, capsys):
    from core.cli.main import main

    args = [
        "train",
        "--data",
        str(data_dir / "beat2"),
        "--out",
        str(tmp_path / "run"),
        "--body-part",
        "upper",
        "--mirror",
    ]
    assert main(args) == 2
    assert "cannot use --mirror" in capsys.readouterr().err
