"""HumanML3D rows as a tokenizer's features: what MoMask and T2M-GPT train on, decoded with recover_from_ric."""

from __future__ import annotations

import numpy as np
import pytest

from core.features.humanml3d import HumanML3D
from core.features.kinds import representation_from_dict
from core.features.representation import DecodeTarget
from core.formats import load_motion
from core.formats.humanml3d import recover_from_ric

SAMPLE = "humanml3d/new_joint_vecs/012314.npy"


def test_the_features_of_a_humanml3d_clip_are_its_file_rows(data_dir):
    clip = load_motion(data_dir / SAMPLE)
    rows = np.load(data_dir / SAMPLE)
    rep = HumanML3D()
    fitted = rep.fit(clip, clip.skeleton)
    assert fitted is clip and rep.dim == 263
    np.testing.assert_array_equal(rep.features(fitted), rows.astype(np.float32))


def test_decoded_rows_give_the_joints_recover_from_ric_gives(data_dir):
    clip = load_motion(data_dir / SAMPLE)
    rep = HumanML3D()
    rows = rep.features(clip)
    np.testing.assert_allclose(rep.positions(rows, clip), recover_from_ric(rows.astype(np.float64)))
    np.testing.assert_allclose(rep.positions(rows, clip), clip.joint_positions(), atol=1e-5)


def test_a_slice_keeps_its_rows(data_dir):
    clip = load_motion(data_dir / SAMPLE).slice(10, 50)
    np.testing.assert_array_equal(HumanML3D().features(clip), np.load(data_dir / SAMPLE)[10:50])


def test_an_smplx_clip_is_converted_to_20_fps_rows(data_dir):
    beat2 = load_motion(data_dir / "beat2" / "2_scott_0_1_1.npz").slice(0, 121)
    rep = HumanML3D()
    fitted = rep.fit(beat2, None)
    assert fitted.fps == 20.0 and fitted.num_frames == 80  # 121 frames at 30 fps -> 81 at 20 -> 80 rows
    assert rep.features(fitted).shape == (80, 263)


def test_a_clip_that_cannot_be_converted_says_why(data_dir):
    bandai = load_motion(data_dir / "bandai" / "dataset-1" / "dataset-1_walk_normal_001.bvh")
    with pytest.raises(ValueError, match="cannot become HumanML3D features"):
        HumanML3D().fit(bandai, None)


def test_the_decoded_clip_exports_with_fitted_rotations(data_dir):
    clip = load_motion(data_dir / SAMPLE)
    rep = HumanML3D()
    decoded = rep.motion(rep.features(clip), DecodeTarget(clip.skeleton, 20.0))
    np.testing.assert_allclose(decoded.joint_positions(), clip.joint_positions(), atol=1e-4)
    assert representation_from_dict(rep.to_dict()) == rep


def test_a_crop_from_mid_clip_is_shown_as_its_rows_describe_it(data_dir):
    crop = load_motion(data_dir / SAMPLE).slice(30, 90)
    rep = HumanML3D()
    fitted = rep.fit(crop, crop.skeleton)
    rows = rep.features(fitted)
    np.testing.assert_allclose(fitted.joint_positions(), rep.positions(rows, fitted), atol=1e-4)
