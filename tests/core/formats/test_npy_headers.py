"""npy_header reads the shape and dtype of a .npy from its header alone, as NumPy's reader does, quickly for the
headers np.save writes and through NumPy's own checks for any other."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.errors import MotionFileError
from core.formats.numpy_files import npy_header, read_npy

ARRAYS = {
    "rows": np.zeros((199, 263), dtype=np.float32),
    "vector": np.zeros(251, dtype=np.float64),
    "scalar": np.zeros((), dtype=np.float32),
    "big-endian": np.zeros((2, 3), dtype=">i4"),
    "fortran order": np.asfortranarray(np.zeros((4, 5), dtype=np.float16)),
    "complex": np.zeros((3, 1, 2), dtype=np.complex128),
    "strings": np.array(["kit", "t2m"]),
}


@pytest.mark.parametrize("array", ARRAYS.values(), ids=ARRAYS.keys())
def test_the_header_gives_numpys_shape_and_dtype(tmp_path: Path, array: np.ndarray):
    np.save(tmp_path / "a.npy", array)
    with open(tmp_path / "a.npy", "rb") as stream:
        np.lib.format.read_magic(stream)
        shape, _, dtype = np.lib.format.read_array_header_1_0(stream)
    assert npy_header(tmp_path / "a.npy") == (shape, dtype)
    np.testing.assert_array_equal(read_npy(tmp_path / "a.npy"), array)


def test_a_version_2_header_is_read_too(tmp_path: Path):
    with open(tmp_path / "v2.npy", "wb") as stream:
        np.lib.format.write_array(stream, np.ones((3, 4), np.float32), version=(2, 0))
    assert npy_header(tmp_path / "v2.npy") == ((3, 4), np.dtype("<f4"))


def test_a_header_claiming_more_data_than_the_file_holds_is_refused(tmp_path: Path):
    np.save(tmp_path / "a.npy", np.zeros((100, 263), np.float32))
    (tmp_path / "cut.npy").write_bytes((tmp_path / "a.npy").read_bytes()[:1000])
    with pytest.raises(MotionFileError, match="truncated or corrupt"):
        npy_header(tmp_path / "cut.npy")
