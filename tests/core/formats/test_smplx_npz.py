"""SMPL-X .npz clips: the real BEAT2 clip, AMASS-style Z-up files, saving, and bad input."""

from __future__ import annotations

import io
import struct
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest

from core.errors import MotionFileError
from core.formats import load_motion
from core.formats.smplx_npz import Z_UP_TO_Y_UP, load_smplx_npz, save_smplx_npz
from core.formats.smplx_skeleton import smplx_skeleton
from core.motion.clip import Motion
from core.motion.rotations import axis_angle_to_matrix, matrix_to_axis_angle
from core.motion.skeleton import Skeleton
from tests.helpers.synthetic_smplx import regressed_rest_joints, write_synthetic_smplx_model

FEET = ("left_ankle", "right_ankle", "left_foot", "right_foot")
FACE = ("jaw", "left_eye_smplhf", "right_eye_smplhf")


@pytest.fixture(scope="module")
def beat2_path(data_dir: Path) -> Path:
    return data_dir / "beat2" / "2_scott_0_1_1.npz"


@pytest.fixture(scope="module")
def beat2(beat2_path: Path) -> dict[str, np.ndarray]:
    with np.load(beat2_path, allow_pickle=False) as npz:
        return {key: npz[key] for key in npz.files}


@pytest.fixture(scope="module")
def motion(beat2_path: Path) -> Motion:
    return load_smplx_npz(beat2_path)


def body_joints() -> list[int]:
    skeleton = smplx_skeleton()
    return [j for j, name in enumerate(skeleton.joint_names) if name not in FACE]


def to_z_up(beat2: dict[str, np.ndarray], rest_pelvis: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """BEAT2 poses and trans re-expressed in a Z-up world (the inverse of the loader's turn)."""
    poses = beat2["poses"].astype(np.float64).copy()
    to_z = Z_UP_TO_Y_UP.T
    poses[:, :3] = matrix_to_axis_angle(to_z @ axis_angle_to_matrix(poses[:, :3]))
    trans = (beat2["trans"] + rest_pelvis) @ to_z.T - rest_pelvis
    return poses, trans


def test_beat2_clip_loads_as_55_joints_at_30_fps(motion: Motion) -> None:
    assert motion.num_frames == 1906
    assert motion.fps == 30.0
    assert motion.skeleton.num_joints == 55
    assert motion.skeleton.same_topology(smplx_skeleton())
    assert motion.source["format"] == "smplx_npz" and motion.source["up_axis"] == "y"


def test_beat2_body_stands_upright_with_feet_on_the_floor(motion: Motion) -> None:
    positions = motion.joint_positions()
    skeleton = motion.skeleton
    lowest_foot = positions[:, [skeleton.index(name) for name in FEET], 1].min(axis=1)
    height = positions[:, skeleton.index("head"), 1] - lowest_foot
    assert 1.4 < np.median(height) < 2.0
    assert -0.05 < np.median(lowest_foot) < 0.15


def test_root_translation_is_trans_plus_rest_pelvis(motion: Motion, beat2: dict[str, np.ndarray]) -> None:
    np.testing.assert_allclose(
        motion.root_translation, beat2["trans"] + smplx_skeleton().offsets[0], atol=1e-12
    )


def test_round_trip_keeps_rotations_positions_and_extras(motion: Motion, tmp_path: Path) -> None:
    path = tmp_path / "clip.npz"
    save_smplx_npz(motion, path)
    again = load_smplx_npz(path)
    np.testing.assert_allclose(again.rotations, motion.rotations, atol=1e-5)
    np.testing.assert_allclose(again.joint_positions(), motion.joint_positions(), atol=1e-4)
    assert again.fps == motion.fps
    for key in ("betas", "expressions"):
        np.testing.assert_allclose(again.source["extras"][key], motion.source["extras"][key], atol=1e-6)
    assert again.source["extras"]["gender"] == "neutral"
    assert again.source["extras"]["model"] == "smplx2020"


def test_saved_file_has_the_beat2_layout(motion: Motion, tmp_path: Path) -> None:
    path = tmp_path / "clip.npz"
    save_smplx_npz(motion, path)
    with np.load(path, allow_pickle=False) as npz:
        shapes = {key: npz[key].shape for key in npz.files}
        assert int(npz["mocap_frame_rate"]) == 30 and str(npz["gender"]) == "neutral"
    assert shapes == {
        "poses": (1906, 165),
        "trans": (1906, 3),
        "betas": (300,),
        "expressions": (1906, 100),
        "mocap_frame_rate": (),
        "model": (),
        "gender": (),
    }


def test_a_trimmed_clip_keeps_its_own_expressions(motion: Motion, tmp_path: Path) -> None:
    path = tmp_path / "trimmed.npz"
    save_smplx_npz(motion.slice(10, 20), path)
    with np.load(path, allow_pickle=False) as npz:
        assert npz["poses"].shape == (10, 165)
        np.testing.assert_allclose(
            npz["expressions"], motion.source["extras"]["expressions"][10:20], atol=1e-6
        )
        np.testing.assert_allclose(npz["betas"], motion.source["extras"]["betas"], atol=1e-6)


def test_amass_156_z_up_file_loads_to_the_same_y_up_body(
    motion: Motion, beat2: dict[str, np.ndarray], tmp_path: Path
) -> None:
    poses, trans = to_z_up(beat2, smplx_skeleton().offsets[0])
    path = tmp_path / "amass.npz"
    smplh_poses = np.concatenate([poses[:, :66], poses[:, 75:]], axis=1)
    np.savez(
        path,
        poses=smplh_poses,
        trans=trans,
        betas=np.zeros(16),
        mocap_framerate=np.float64(30),
        gender="male",
    )
    amass = load_smplx_npz(path)
    assert amass.source["up_axis"] == "z" and amass.source["pose_columns"] == 156
    body = body_joints()
    np.testing.assert_allclose(amass.joint_positions()[:, body], motion.joint_positions()[:, body], atol=1e-5)
    face = [smplx_skeleton().index(name) for name in FACE]
    assert np.array_equal(amass.rotations[:, face], np.broadcast_to(np.eye(3), (1906, 3, 3, 3)))
    assert "betas" not in amass.source["extras"] and amass.source["extras"]["smplh_betas"].shape == (16,)


def test_z_up_is_detected_from_the_body_without_amass_keys(
    motion: Motion, beat2: dict[str, np.ndarray], tmp_path: Path
) -> None:
    poses, trans = to_z_up(beat2, smplx_skeleton().offsets[0])
    path = tmp_path / "z_up.npz"
    np.savez(path, poses=poses, trans=trans, mocap_frame_rate=30)
    loaded = load_smplx_npz(path)
    assert loaded.source["up_axis"] == "z"
    np.testing.assert_allclose(loaded.joint_positions(), motion.joint_positions(), atol=1e-5)


def test_up_axis_override_skips_the_conversion(beat2: dict[str, np.ndarray], tmp_path: Path) -> None:
    path = tmp_path / "amass.npz"
    np.savez(path, poses=beat2["poses"], trans=beat2["trans"], mocap_framerate=30.0)
    assert load_smplx_npz(path).source["up_axis"] == "z"
    kept = load_smplx_npz(path, up_axis="y")
    assert kept.source["up_axis"] == "y"
    np.testing.assert_allclose(
        kept.root_translation, beat2["trans"] + smplx_skeleton().offsets[0], atol=1e-12
    )


def test_model_path_gives_the_exact_skeleton_for_the_clip_betas(
    beat2: dict[str, np.ndarray], beat2_path: Path, tmp_path: Path
) -> None:
    model = tmp_path / "SMPLX_NEUTRAL.npz"
    arrays = write_synthetic_smplx_model(model)
    loaded = load_smplx_npz(beat2_path, model_path=model)
    rest = regressed_rest_joints(arrays, beat2["betas"].astype(np.float64))
    np.testing.assert_allclose(
        loaded.skeleton.offsets[1:], rest[1:] - rest[smplx_skeleton().parents[1:]], atol=1e-6
    )
    np.testing.assert_allclose(loaded.root_translation, beat2["trans"] + rest[0], atol=1e-6)


def test_load_motion_dispatches_npz_here(beat2_path: Path) -> None:
    assert load_motion(beat2_path).source["format"] == "smplx_npz"


def test_saving_a_non_smplx_skeleton_suggests_bvh(tmp_path: Path) -> None:
    skeleton = Skeleton(("root", "tip"), np.array([-1, 0]), np.array([[0.0, 1.0, 0.0], [0.0, 0.5, 0.0]]))
    clip = Motion(skeleton, np.tile(np.eye(3), (4, 2, 1, 1)), np.zeros((4, 3)), fps=30.0)
    path = tmp_path / "out.npz"
    with pytest.raises(MotionFileError, match=r"not the SMPL-X 55-joint tree; save it as \.bvh") as caught:
        save_smplx_npz(clip, path)
    assert caught.value.path == str(path) and not path.exists()


def _valid(frames: int = 10) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    return {
        "poses": rng.normal(scale=0.2, size=(frames, 165)).astype(np.float32),
        "trans": rng.normal(size=(frames, 3)),
        "betas": np.zeros(300, dtype=np.float32),
        "expressions": np.zeros((frames, 100)),
        "mocap_frame_rate": np.int32(30),
        "model": np.array("smplx2020"),
        "gender": np.array("neutral"),
    }


def _without(key: str) -> dict[str, np.ndarray]:
    arrays = _valid()
    del arrays[key]
    return arrays


def _with_nan(key: str, value: float) -> dict[str, np.ndarray]:
    arrays = _valid()
    arrays[key] = arrays[key].copy()
    arrays[key][3, 1] = value
    return arrays


BAD_ARRAYS = {
    "missing poses": (_without("poses"), "missing 'poses'"),
    "missing trans": (_without("trans"), "missing 'trans'"),
    "missing frame rate": (_without("mocap_frame_rate"), "missing the frame rate"),
    "poses width": (
        {**_valid(), "poses": np.zeros((10, 160))},
        "poses has shape (10, 160); expected (frames, 165)",
    ),
    "poses 1-D": ({**_valid(), "poses": np.zeros(165)}, "poses has shape (165,)"),
    "poses ints": ({**_valid(), "poses": np.zeros((10, 165), dtype=np.int64)}, "poses has dtype int64"),
    "poses strings": ({**_valid(), "poses": np.full((10, 165), "x")}, "poses has dtype <U1"),
    "poses NaN": (_with_nan("poses", np.nan), "poses contains NaN"),
    "trans Inf": (_with_nan("trans", np.inf), "trans contains NaN or infinite"),
    "expressions NaN": (_with_nan("expressions", np.nan), "expressions contains NaN"),
    "zero frames": (_valid(0), "poses has no frames"),
    "trans frames": ({**_valid(), "trans": np.zeros((9, 3))}, "trans has 9 frames but poses has 10"),
    "expressions frames": ({**_valid(), "expressions": np.zeros((11, 100))}, "expressions has 11 frames"),
    "expressions width": ({**_valid(), "expressions": np.zeros((10, 101))}, "expected (frames, 1..100)"),
    "zero fps": ({**_valid(), "mocap_frame_rate": np.int32(0)}, "positive frame rate, got 0.0"),
    "negative fps": ({**_valid(), "mocap_frame_rate": np.float64(-30)}, "positive frame rate"),
    "NaN fps": ({**_valid(), "mocap_frame_rate": np.float64(np.nan)}, "positive frame rate, got nan"),
    "two fps": ({**_valid(), "mocap_frame_rate": np.array([30, 60])}, "must be one number"),
    "betas 2-D": ({**_valid(), "betas": np.zeros((2, 10))}, "betas has shape (2, 10)"),
    "numeric gender": ({**_valid(), "gender": np.array(1)}, "gender must be a string"),
    "object array": ({**_valid(), "meta": np.array([{"a": 1}], dtype=object)}, "refusing to unpickle"),
}


@pytest.mark.parametrize(("arrays", "phrase"), BAD_ARRAYS.values(), ids=BAD_ARRAYS.keys())
def test_bad_arrays_are_refused_naming_the_file(tmp_path: Path, arrays: dict, phrase: str) -> None:
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    with pytest.raises(MotionFileError) as caught:
        load_smplx_npz(path)
    assert caught.value.path == str(path)
    assert phrase in caught.value.reason


def _truncated(path: Path) -> None:
    np.savez_compressed(path, **_valid())
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _corrupted(path: Path) -> None:
    np.savez(path, **_valid())
    data = bytearray(path.read_bytes())
    data[200:260] = bytes(60)
    path.write_bytes(bytes(data))


def _absurd(path: Path) -> None:
    """A header claiming a billion frames with no data behind it."""
    with zipfile.ZipFile(path, "w") as archive, archive.open("poses.npy", "w") as stream:
        np.lib.format.write_array_header_1_0(
            stream, {"descr": "<f8", "fortran_order": False, "shape": (1_000_000_000, 165)}
        )


def _not_a_zip(path: Path) -> None:
    path.write_text("poses,trans\n1,2\n")


BAD_FILES = {
    "truncated": (_truncated, "truncated or corrupt"),
    "corrupted": (_corrupted, "truncated or corrupt"),
    "absurd size": (_absurd, "far larger than any motion clip"),
    "not a zip": (_not_a_zip, "not a readable .npz archive"),
}


@pytest.mark.parametrize(("make", "phrase"), BAD_FILES.values(), ids=BAD_FILES.keys())
def test_broken_files_are_refused_naming_the_file(tmp_path: Path, make, phrase: str) -> None:
    path = tmp_path / "broken.npz"
    make(path)
    with pytest.raises(MotionFileError) as caught:
        load_smplx_npz(path)
    assert caught.value.path == str(path)
    assert phrase in caught.value.reason


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(MotionFileError, match="file not found"):
        load_smplx_npz(tmp_path / "nope.npz")


def _archive(path: Path, members: list[tuple[str, bytes]]) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in members:
            archive.writestr(name, content)


def _npy(array: np.ndarray) -> bytes:
    stream = io.BytesIO()
    np.save(stream, array)
    return stream.getvalue()


def _claiming(frames: int, width: int = 165) -> bytes:
    """An .npy of 64 zero bytes whose header claims (frames, width) float64 values."""
    stream = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        stream, {"descr": "<f8", "fortran_order": False, "shape": (frames, width)}
    )
    return stream.getvalue() + bytes(64)


def test_a_member_claiming_more_than_it_holds_is_refused_before_allocating(tmp_path: Path) -> None:
    """poses.npy claims 500,000 frames (660 MB), within the size limit, over 64 bytes: NumPy would allocate it all."""
    path = tmp_path / "claims.npz"
    _archive(
        path,
        [(f"{k}.npy", _npy(v)) for k, v in _valid().items() if k != "poses"]
        + [("poses.npy", _claiming(500_000))],
    )
    tracemalloc.start()
    try:
        with pytest.raises(MotionFileError, match=r"array 'poses' claims shape \(500000, 165\)") as caught:
            load_smplx_npz(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert caught.value.path == str(path) and "truncated or corrupt" in caught.value.reason
    assert peak < 50 * 2**20


def test_a_plain_member_named_like_an_array_is_never_read(tmp_path: Path) -> None:
    """np.load would prefer a member 'poses' over the checked 'poses.npy': its header was never checked."""
    path = tmp_path / "shadowed.npz"
    members = [(f"{k}.npy", _npy(v)) for k, v in _valid().items()]
    _archive(path, [*members, ("poses", _claiming(1_000_000_000))])
    tracemalloc.start()
    try:
        motion = load_smplx_npz(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert motion.num_frames == 10
    assert peak < 50 * 2**20


def _patch_headers(path: Path, local: tuple[int, str, int], central: tuple[int, str, int]) -> None:
    """Set one field (offset, struct format, value) in every local header and central directory entry."""
    data = bytearray(path.read_bytes())
    for signature, (offset, fmt, value) in ((b"PK\x03\x04", local), (b"PK\x01\x02", central)):
        at = data.find(signature)
        while at >= 0:
            struct.pack_into(fmt, data, at + offset, value)
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))


ZIP_FIELDS = {
    # Each once escaped from zipfile as RuntimeError or NotImplementedError (found by test_fuzz_loaders).
    "encrypted": ((6, "<H", 1), (8, "<H", 1), "is encrypted"),
    "unknown compression": ((8, "<H", 99), (10, "<H", 99), "compression method is not supported"),
}


@pytest.mark.parametrize(("local", "central", "phrase"), ZIP_FIELDS.values(), ids=ZIP_FIELDS.keys())
def test_archives_zipfile_cannot_open_are_refused_naming_the_file(
    tmp_path: Path, local: tuple, central: tuple, phrase: str
) -> None:
    path = tmp_path / "odd.npz"
    np.savez(path, **_valid())
    _patch_headers(path, local, central)
    with pytest.raises(MotionFileError, match=phrase) as caught:
        load_smplx_npz(path)
    assert caught.value.path == str(path)


def test_a_member_whose_stated_size_lies_too_is_refused_before_allocating(tmp_path: Path) -> None:
    """The zip directory says 1.4 GB, poses.npy's header claims 1.3 GB: only a few hundred bytes are stored."""
    path = tmp_path / "sizes.npz"
    members = [(f"{k}.npy", _npy(v)) for k, v in _valid().items() if k != "poses"]
    _archive(path, [("poses.npy", _claiming(1_000_000)), *members])
    _patch_headers(path, (22, "<I", 1_400_000_000), (24, "<I", 1_400_000_000))
    tracemalloc.start()
    try:
        with pytest.raises(MotionFileError, match=r"array 'poses' claims shape \(1000000, 165\)"):
            load_smplx_npz(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50 * 2**20


def test_each_skeleton_is_offered_the_formats_it_can_be_saved_as(data_dir):
    from core.formats import savable_formats

    assert savable_formats(load_motion(data_dir / "beat2" / "2_scott_0_1_1.npz")) == (".bvh", ".npz", ".npy")
    assert savable_formats(load_motion(data_dir / "humanml3d" / "new_joint_vecs" / "012314.npy")) == (
        ".bvh",
        ".npy",
    )
    bandai = data_dir / "bandai" / "dataset-1" / "dataset-1_walk_normal_001.bvh"
    assert savable_formats(load_motion(bandai)) == (".bvh",)
