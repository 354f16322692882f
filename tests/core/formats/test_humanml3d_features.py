"""HumanML3D 263-dim features made from joints and from SMPL-X clips, checked against HumanML3D's own release."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.cli.main import main
from core.errors import MotionFileError
from core.formats import load_motion, save_motion
from core.formats.humanml3d import PARENTS, recover_from_ric
from core.formats.humanml3d_features import (
    TARGET_BONE_LENGTHS,
    humanml3d_features,
    motion_to_humanml3d,
    save_humanml3d,
)
from core.motion.clip import Motion

ROOT, RIC, ROT6D, VELOCITY, CONTACTS = (
    slice(0, 4),
    slice(4, 67),
    slice(67, 193),
    slice(193, 259),
    slice(259, 263),
)


@pytest.fixture(scope="module")
def joints(data_dir: Path) -> np.ndarray:
    """HumanML3D's processed joints of clip 012314 (on the floor, facing +Z, on its uniform skeleton)."""
    return np.load(data_dir / "humanml3d" / "new_joints" / "012314.npy").astype(np.float64)


@pytest.fixture(scope="module")
def released(data_dir: Path) -> np.ndarray:
    return np.load(data_dir / "humanml3d" / "new_joint_vecs" / "012314.npy").astype(np.float64)


@pytest.fixture(scope="module")
def features(joints: np.ndarray) -> np.ndarray:
    return humanml3d_features(joints)


@pytest.fixture(scope="module")
def scott(data_dir: Path) -> Motion:
    return load_motion(data_dir / "beat2" / "2_scott_0_1_1.npz")


def test_features_recover_the_joints_they_came_from(joints: np.ndarray, features: np.ndarray) -> None:
    assert features.shape == (len(joints) - 1, 263)
    # Measured 2.1e-6 m: float32 input, re-placed and re-retargeted onto the same lengths.
    assert np.abs(recover_from_ric(features) - joints[:-1]).max() < 1e-3


def test_features_match_humanml3d_release(features: np.ndarray, released: np.ndarray) -> None:
    """The release was made from 171 raw frames, we start from the 170 recovered ones. The heading is
    smoothed over +-80 frames, so rows from 89 on see the missing last frame (figures measured)."""
    ours, theirs = features, released[: len(features)]
    head = slice(0, 89)
    assert np.abs(ours[head, ROOT] - theirs[head, ROOT]).max() < 2e-5  # measured 2.6e-6
    assert np.abs(ours[head, RIC] - theirs[head, RIC]).max() < 2e-5  # measured 3.9e-6
    assert np.abs(ours[head, ROT6D] - theirs[head, ROT6D]).max() < 5e-5  # measured 7.8e-6
    assert np.abs(ours[head, VELOCITY] - theirs[head, VELOCITY]).max() < 2e-5  # measured 1.9e-6
    assert np.array_equal(ours[:, CONTACTS], theirs[:, CONTACTS])
    # The tail: at most a 0.015 rad heading difference on the last rows (measured 6.8e-3 on ric).
    assert np.abs(ours - theirs).max() < 0.03  # measured 1.3e-2 (6D of the first bone of a chain)


def test_bone_lengths_are_the_target_table(features: np.ndarray, joints: np.ndarray) -> None:
    recovered = recover_from_ric(features)
    lengths = np.linalg.norm(recovered[:, 1:] - recovered[:, PARENTS[1:]], axis=-1)
    np.testing.assert_allclose(lengths, np.broadcast_to(TARGET_BONE_LENGTHS[1:], lengths.shape), atol=1e-5)
    assert TARGET_BONE_LENGTHS[0] == 0.0


def test_a_clip_turning_past_180_degrees_recovers(joints: np.ndarray) -> None:
    """Spun one and a half turns about Y: HumanML3D's arcsine of the raw quaternion product gets the
    frames where the heading crosses 180 degrees wrong, the wrapped heading change does not."""
    spun = _turn(joints, np.linspace(0, 3 * np.pi, len(joints))[:, None])
    assert np.abs(recover_from_ric(humanml3d_features(spun)) - spun[:-1]).max() < 1e-3


def _heading(positions: np.ndarray) -> np.ndarray:
    """Facing angle about Y (from +Z towards +X) from hips and shoulders, per frame."""
    across = positions[:, 2] - positions[:, 1] + positions[:, 17] - positions[:, 16]
    return np.arctan2(across[:, 2], -across[:, 0])


def _turn(vectors: np.ndarray, angle: float | np.ndarray) -> np.ndarray:
    """Vectors turned about +Y (+Z towards +X) by ``angle``, which broadcasts against vectors[..., 0]."""
    c, s = np.cos(angle), np.sin(angle)
    turned = vectors.copy()
    turned[..., 0] = c * vectors[..., 0] + s * vectors[..., 2]
    turned[..., 2] = -s * vectors[..., 0] + c * vectors[..., 2]
    return turned


def test_smplx_clip_becomes_its_own_joints_retargeted_and_placed(scott: Motion) -> None:
    """What conversion promises, derived independently: bones keep their directions and take the target
    lengths, the root path is scaled by the leg-length ratio, lifted onto the floor, moved so frame 0
    stands at the origin and turned so frame 0 faces +Z. Measured: directions 1.6e-6 rad, root height
    spread 1.2e-7 m, root XZ 5.6e-9 m (leg ratio 1.050)."""
    assert scott.fps == 30.0
    fk = scott.joint_positions()[:, :22]
    at = np.arange(int((len(fk) - 1) * 20 / 30) + 1) * 1.5
    source = np.stack(
        [np.interp(at, np.arange(len(fk)), fk[:, j, k]) for j in range(22) for k in range(3)], axis=-1
    ).reshape(len(at), 22, 3)
    features = motion_to_humanml3d(scott)
    assert features.shape == (len(source) - 1, 263) and features.dtype == np.float32
    recovered, source = recover_from_ric(features.astype(np.float64)), source[:-1]
    assert abs(_heading(recovered[:1])[0]) < 1e-5  # frame 0 faces +Z

    def directions(p: np.ndarray) -> np.ndarray:
        bones = p[:, 1:] - p[:, PARENTS[1:]]
        return bones / np.linalg.norm(bones, axis=-1, keepdims=True)

    # One turn about Y for every bone of every frame (facing is measured after the rescale, so it is
    # fitted here rather than taken from the source's hips and shoulders).
    ours, theirs = directions(recovered), directions(source)
    turn = np.arctan2(
        (ours[..., 0] * theirs[..., 2] - ours[..., 2] * theirs[..., 0]).sum(),
        (ours[..., 0] * theirs[..., 0] + ours[..., 2] * theirs[..., 2]).sum(),
    )
    cosines = (ours * _turn(theirs, turn)).sum(-1)
    assert np.arccos(np.clip(cosines, -1, 1)).max() < 1e-4  # float32 features; measured 1.6e-6
    legs = np.linalg.norm(source[0, [5, 8]] - source[0, [2, 5]], axis=-1).sum()
    scale = (TARGET_BONE_LENGTHS[5] + TARGET_BONE_LENGTHS[8]) / legs
    expected_root = _turn(scale * (source[:, 0] - source[0, 0] * [1, 0, 1]), turn)
    height_offset = recovered[:, 0, 1] - expected_root[:, 1]
    assert np.ptp(height_offset) < 1e-5  # the same lift on every frame ...
    assert np.isclose(recovered[..., 1].min(), 0.0, atol=1e-5)  # ... that puts the lowest joint on the floor
    assert np.abs(recovered[:, 0, [0, 2]] - expected_root[:, [0, 2]]).max() < 1e-5
    lengths = np.linalg.norm(recovered[:, 1:] - recovered[:, PARENTS[1:]], axis=-1)
    assert np.abs(lengths - TARGET_BONE_LENGTHS[1:]).max() < 1e-5


def test_cli_convert_writes_features_that_load_back(data_dir: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "scott.npy"
    assert main(["convert", str(data_dir / "beat2" / "2_scott_0_1_1.npz"), str(out)]) == 0
    assert str(out) in capsys.readouterr().out
    rows = np.load(out)
    assert rows.shape == (1270, 263) and rows.dtype == np.float32  # 1906 frames at 30 fps -> 1271 at 20
    assert not out.with_name("scott.npy.part").exists()
    loaded = load_motion(out)
    assert loaded.num_frames == 1270 and loaded.fps == 20.0
    assert np.abs(loaded.joint_positions() - recover_from_ric(rows.astype(np.float64))).max() < 1e-4


def test_smplx_bvh_converts_like_its_npz(scott: Motion, tmp_path: Path) -> None:
    """A BVH keeps the SMPL-X joint names (in depth-first order), so it is matched by name."""
    bvh = tmp_path / "scott.bvh"
    save_motion(scott.slice(0, 90), bvh)
    from_bvh, from_npz = motion_to_humanml3d(load_motion(bvh)), motion_to_humanml3d(scott.slice(0, 90))
    assert from_bvh.shape == from_npz.shape == (59, 263)
    difference = recover_from_ric(from_bvh.astype(float)) - recover_from_ric(from_npz.astype(float))
    assert np.abs(difference).max() < 1e-5  # measured 1.2e-7


def test_other_skeletons_are_refused_naming_the_file(data_dir: Path, tmp_path: Path, capsys) -> None:
    bvh = data_dir / "bandai" / "dataset-1" / "dataset-1_walk_normal_001.bvh"
    out = tmp_path / "walk.npy"
    with pytest.raises(MotionFileError) as caught:
        save_motion(load_motion(bvh), out)
    assert caught.value.path == str(out)
    assert "SMPL-X" in caught.value.reason and "HumanML3D" in caught.value.reason
    assert main(["convert", str(bvh), str(out)]) == 2
    assert capsys.readouterr().err.startswith(f"rvq-motion: error: {out}: ")
    assert not out.exists() and not out.with_name("walk.npy.part").exists()


@pytest.mark.parametrize("name", ["012314", "000612"])
def test_a_loaded_humanml3d_clip_saves_back_its_own_rows(data_dir: Path, tmp_path: Path, name: str) -> None:
    original = np.load(data_dir / "humanml3d" / "new_joint_vecs" / f"{name}.npy")
    out = tmp_path / f"{name}.npy"
    save_humanml3d(load_motion(data_dir / "humanml3d" / "new_joint_vecs" / f"{name}.npy"), out)
    copy = np.load(out)
    assert copy.dtype == original.dtype and np.array_equal(copy, original)


def test_a_trimmed_humanml3d_clip_keeps_its_rows(data_dir: Path) -> None:
    rows = np.load(data_dir / "humanml3d" / "new_joint_vecs" / "012314.npy")
    motion = load_motion(data_dir / "humanml3d" / "new_joint_vecs" / "012314.npy")
    np.testing.assert_array_equal(motion_to_humanml3d(motion.slice(0, 100)), rows[:100])


def test_an_edited_humanml3d_clip_is_recomputed(data_dir: Path, joints: np.ndarray) -> None:
    motion = load_motion(data_dir / "humanml3d" / "new_joint_vecs" / "012314.npy").slice(0, 100)
    motion.root_translation = motion.root_translation + [0.0, 0.5, 0.0]  # lifted: the rows no longer fit
    edited = motion_to_humanml3d(motion)
    assert edited.shape == (99, 263)
    expected = joints[:99].copy()
    expected[..., 1] -= joints[:100, :, 1].min()  # the edited clip gets its own floor
    assert np.abs(recover_from_ric(edited.astype(float)) - expected).max() < 1e-4


def test_a_clip_shorter_than_two_frames_at_20_fps_is_refused(scott: Motion, tmp_path: Path) -> None:
    out = tmp_path / "blink.npy"
    with pytest.raises(MotionFileError, match="at least two frames"):
        save_humanml3d(scott.slice(0, 1), out)
    assert not out.exists()
