"""KIT-ML's 251-dim rows: read as a 21-joint clip, made from KIT joints, decoded to metres, stored in checkpoints.

No KIT-ML file is on the development machine: the clips are synthetic KIT walks (tests/synthetic_kit.py),
featurised by the project's own KIT feature maker.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.features.humanml3d import HumanML3D
from core.features.kinds import representation_from_dict
from core.formats import load_motion, save_motion
from core.formats.humanml3d import positions_from_rows, recover_from_ric
from core.formats.humanml3d_bodies import KIT, T2M, body_for_width
from core.formats.humanml3d_features import humanml3d_features, motion_to_humanml3d
from tests.helpers.synthetic_kit import kit_motion, kit_rows


def _yaw_aligned(moving: np.ndarray, fixed: np.ndarray) -> np.ndarray:
    """``moving`` (T, J, 3) turned about Y and shifted in XZ onto ``fixed`` (least squares)."""
    a, b = moving.reshape(-1, 3), fixed.reshape(-1, 3)
    ca, cb = a.mean(0), b.mean(0)
    u, _, vt = np.linalg.svd((a - ca)[:, [0, 2]].T @ (b - cb)[:, [0, 2]])
    turned = a - ca
    turned[:, [0, 2]] = turned[:, [0, 2]] @ (vt.T @ u.T).T
    return (turned + cb).reshape(moving.shape)


def test_the_two_bodies_are_told_apart_by_width():
    assert (T2M.feature_width, KIT.feature_width) == (263, 251)
    assert body_for_width(251) is KIT and body_for_width(263) is T2M and body_for_width(250) is None
    assert KIT.num_joints == 21 and KIT.fps == 12.5 and list(KIT.parents[[11, 5, 8, 14]]) == [0, 3, 3, 13]


def test_kit_joints_become_rows_that_recover_them():
    """joints -> 251 rows -> joints: the same walk, on the floor, turned and moved to start at the origin."""
    joints = kit_motion(60, turn=1.0).joint_positions()
    rows = humanml3d_features(joints, KIT)
    assert rows.shape == (59, 251)
    recovered = positions_from_rows(rows)
    assert recovered[:, :, 1].min() == pytest.approx(0.0, abs=1e-9)
    np.testing.assert_allclose(recovered[0, 0, [0, 2]], 0.0, atol=1e-9)
    on_floor = joints[:-1] - [0.0, joints[..., 1].min(), 0.0]
    np.testing.assert_allclose(_yaw_aligned(on_floor, recovered), recovered, atol=1e-9)


def test_kit_rows_become_joints_that_give_the_rows_back():
    """rows -> joints -> rows, on a walk whose facing never changes (the heading smoothing then has nothing to
    smooth, so the one frame fewer changes no row)."""
    rows = kit_rows(60, twist=0.0)
    again = humanml3d_features(positions_from_rows(rows), KIT)
    np.testing.assert_allclose(again, rows[:-1], atol=1e-3)  # millimetres, float32 rows


def test_kit_rows_are_millimetres_and_decode_to_metres():
    rows = kit_rows(40)
    assert 700 < rows[:, 3].mean() < 1000  # the root height column, in millimetres
    np.testing.assert_allclose(
        positions_from_rows(rows), recover_from_ric(rows.astype(np.float64)) / 1000.0, atol=1e-6
    )


def test_a_kit_npy_loads_as_a_21_joint_clip_at_12_5_fps(tmp_path: Path):
    path = tmp_path / "00017.npy"
    rows = kit_rows(50)
    np.save(path, rows)
    clip = load_motion(path)
    assert (clip.skeleton.name, clip.skeleton.num_joints, clip.fps, clip.num_frames) == (
        "kit_mmm21",
        21,
        12.5,
        49,
    )
    assert clip.source["format"] == "kit-ml" and clip.skeleton.joint_names == KIT.joint_names
    np.testing.assert_allclose(clip.joint_positions(), positions_from_rows(rows), atol=1e-6)


def test_a_kit_clip_saved_unchanged_writes_its_rows_back(tmp_path: Path):
    np.save(tmp_path / "a.npy", kit_rows(30))
    save_motion(load_motion(tmp_path / "a.npy"), tmp_path / "b.npy")
    np.testing.assert_array_equal(np.load(tmp_path / "b.npy"), np.load(tmp_path / "a.npy"))


def test_an_edited_kit_clip_is_featurised_as_kit_rows(tmp_path: Path):
    np.save(tmp_path / "a.npy", kit_rows(30))
    clip = load_motion(tmp_path / "a.npy")
    elbow = KIT.joint_names.index("left_elbow")
    clip.rotations[:, elbow] = clip.rotations[:, elbow] @ np.array([[1, 0, 0], [0, 0, -1], [0, 1, 0]])
    rows = motion_to_humanml3d(clip)
    assert rows.shape == (clip.num_frames - 1, 251)
    edited = clip.joint_positions()[:-1]
    edited[..., 1] -= clip.joint_positions()[..., 1].min()
    np.testing.assert_allclose(
        _yaw_aligned(edited, positions_from_rows(rows)), positions_from_rows(rows), atol=1e-5
    )


def test_the_kit_representation_reads_kit_clips_and_stores_its_joint_count(tmp_path: Path):
    np.save(tmp_path / "a.npy", kit_rows(30))
    clip = load_motion(tmp_path / "a.npy")
    rep = HumanML3D.for_motion(clip)
    assert rep == HumanML3D(num_joints=21) and rep.dim == 251 and "KIT-ML" in rep.describe()
    np.testing.assert_array_equal(rep.features(rep.fit(clip, clip.skeleton)), np.load(tmp_path / "a.npy"))
    assert representation_from_dict(rep.to_dict()) == rep
    np.testing.assert_allclose(rep.positions(rep.features(clip), clip), clip.joint_positions(), atol=1e-6)


def test_checkpoints_written_before_kit_read_back_as_humanml3d():
    assert representation_from_dict({"kind": "humanml3d"}).dim == 263
    assert representation_from_dict({"kind": "humanml3d", "num_joints": 22}) == HumanML3D()


def test_kit_features_are_never_made_from_another_skeleton(data_dir: Path):
    bandai = load_motion(data_dir / "beat2" / "2_scott_0_1_1.npz")
    with pytest.raises(ValueError, match="KIT-ML features are read from KIT-ML .npy files"):
        HumanML3D(num_joints=21).fit(bandai, bandai.skeleton)


def test_a_kit_clip_is_no_humanml3d_clip(tmp_path: Path):
    np.save(tmp_path / "a.npy", kit_rows(30))
    clip = load_motion(tmp_path / "a.npy")
    with pytest.raises(ValueError, match="251-column clip"):
        HumanML3D().fit(clip, clip.skeleton)
