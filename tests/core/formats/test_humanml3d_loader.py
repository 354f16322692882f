"""HumanML3D 263-dim features: exact position recovery, a rotation fit that reproduces it, bad input."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from core.errors import MotionFileError
from core.formats import load_motion
from core.formats.humanml3d import JOINT_NAMES, load_humanml3d, recover_from_ric
from core.motion.clip import Motion

T2M_CHAIN = [
    [0, 2, 5, 8, 11],
    [0, 1, 4, 7, 10],
    [0, 3, 6, 9, 12, 15],
    [9, 14, 17, 19, 21],
    [9, 13, 16, 18, 20],
]


@pytest.fixture(scope="module")
def features_path(data_dir: Path) -> Path:
    return data_dir / "humanml3d" / "new_joint_vecs" / "012314.npy"


@pytest.fixture(scope="module")
def reference(data_dir: Path) -> np.ndarray:
    return np.load(data_dir / "humanml3d" / "new_joints" / "012314.npy", allow_pickle=False)


@pytest.fixture(scope="module")
def motion(features_path: Path) -> Motion:
    return load_humanml3d(features_path)


def test_clip_is_20_fps_on_the_t2m_skeleton(motion: Motion) -> None:
    assert motion.num_frames == 170 and motion.fps == 20.0
    assert motion.skeleton.joint_names == JOINT_NAMES and len(JOINT_NAMES) == 22
    for chain in T2M_CHAIN:
        assert motion.skeleton.parents[chain[1:]].tolist() == chain[:-1]


def test_recovered_positions_match_humanml3d(features_path: Path, reference: np.ndarray) -> None:
    features = np.load(features_path, allow_pickle=False).astype(np.float64)
    np.testing.assert_allclose(recover_from_ric(features), reference, atol=1e-5)


def test_forward_kinematics_reproduces_the_reference_joints(motion: Motion, reference: np.ndarray) -> None:
    assert np.abs(motion.joint_positions() - reference).max() < 1e-3


def test_rest_pose_is_the_first_frame(motion: Motion, reference: np.ndarray) -> None:
    np.testing.assert_allclose(motion.rotations[0], np.broadcast_to(np.eye(3), (22, 3, 3)), atol=1e-9)
    np.testing.assert_allclose(motion.joint_positions()[0], reference[0], atol=1e-6)


def test_rotations_are_proper(motion: Motion) -> None:
    r = motion.rotations
    np.testing.assert_allclose(r @ np.swapaxes(r, -1, -2), np.broadcast_to(np.eye(3), r.shape), atol=1e-9)
    np.testing.assert_allclose(np.linalg.det(r), 1.0, atol=1e-9)


def test_load_motion_dispatches_npy_here(features_path: Path) -> None:
    assert load_motion(features_path).source["format"] == "humanml3d"


BAD_ARRAYS = {
    "another width": (np.zeros((30, 250), dtype=np.float32), "shape (30, 250); expected (frames, 263)"),
    "joint positions": (np.zeros((30, 22, 3), dtype=np.float32), "shape (30, 22, 3)"),
    "zero frames": (np.zeros((0, 263), dtype=np.float32), "0 frames"),
    "integers": (np.zeros((30, 263), dtype=np.int32), "dtype int32"),
    "NaN": (np.full((30, 263), np.nan, dtype=np.float32), "NaN or infinite"),
    "objects": (np.array([{"a": 1}], dtype=object), "refusing to unpickle"),
}


@pytest.mark.parametrize(("array", "phrase"), BAD_ARRAYS.values(), ids=BAD_ARRAYS.keys())
def test_bad_arrays_are_refused_naming_the_file(tmp_path: Path, array: np.ndarray, phrase: str) -> None:
    path = tmp_path / "bad.npy"
    np.save(path, array)
    with pytest.raises(MotionFileError) as caught:
        load_humanml3d(path)
    assert caught.value.path == str(path) and phrase in caught.value.reason


def test_truncated_and_foreign_files_are_refused(features_path: Path, tmp_path: Path) -> None:
    truncated, text = tmp_path / "truncated.npy", tmp_path / "text.npy"
    truncated.write_bytes(features_path.read_bytes()[:5000])
    text.write_text("not numpy\n")
    for path, phrase in ((truncated, "truncated or corrupt"), (text, "not a NumPy .npy file")):
        with pytest.raises(MotionFileError) as caught:
            load_humanml3d(path)
        assert caught.value.path == str(path) and phrase in caught.value.reason


def _npy_with_header(path: Path, header: str, data: bytes = b"\x00" * 64) -> Path:
    """A version 1.0 .npy file with this literal header text over ``data``."""
    encoded = header.encode("latin-1")
    encoded += b" " * (-(10 + len(encoded) + 1) % 64) + b"\n"
    path.write_bytes(b"\x93NUMPY\x01\x00" + len(encoded).to_bytes(2, "little") + encoded + data)
    return path


MANGLED_HEADERS = {
    # Each of these once escaped as something other than MotionFileError (found by test_fuzz_loaders).
    "dimension too long for a float": "{'descr': '<f4', 'fortran_order': False, 'shape': ("
    + "9" * 400
    + ", 263), }",
    "product inf times zero": "{'descr': '<f4', 'fortran_order': False, 'shape': (10"
    + "0" * 200
    + ", 10"
    + "0" * 200
    + ", 0), }",
    "dimension beyond int64 next to a zero": "{'descr': '<f4', 'fortran_order': False, 'shape': (10"
    + "0" * 30
    + ", 0), }",
    "unhashable key": "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 263), []: 1}",
    "unclosed literal": "{'descr': '<f4', 'fortran_order': False, 'shape': (",
    "nested too deep": "-" * 5000 + "1",
}


@pytest.mark.parametrize("header", MANGLED_HEADERS.values(), ids=MANGLED_HEADERS.keys())
def test_mangled_headers_are_refused_naming_the_file(tmp_path: Path, header: str) -> None:
    path = _npy_with_header(tmp_path / "mangled.npy", header)
    with pytest.raises(MotionFileError) as caught:
        load_humanml3d(path)
    assert caught.value.path == str(path)


@pytest.mark.parametrize("descr", ["<f8", "|V2000000000"])
def test_a_header_claiming_more_than_the_file_holds_is_refused_before_allocating(
    tmp_path: Path, descr: str
) -> None:
    """NumPy allocates the whole claim before reading: 1.5 GB (or 50 TB of 2 GB records) for 64 bytes."""
    shape = "(700000, 263)" if descr == "<f8" else "(100, 263)"
    path = _npy_with_header(
        tmp_path / "claims.npy", f"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}"
    )
    tracemalloc.start()
    try:
        with pytest.raises(
            MotionFileError, match=r"but the file holds 64 bytes of data \(truncated or corrupt\?\)"
        ):
            load_humanml3d(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50 * 2**20


def test_feature_values_near_the_float_range_are_refused(features_path: Path, tmp_path: Path) -> None:
    """1e300 once overflowed the position recovery into NaN, on which the rotation fit's SVD never returned."""
    features = np.load(features_path).astype(np.float64)
    features[0, 4] = 1e300
    path = tmp_path / "huge.npy"
    np.save(path, features)
    with pytest.raises(MotionFileError, match="magnitude 1e[+]300") as caught:
        load_humanml3d(path)
    assert caught.value.path == str(path)
