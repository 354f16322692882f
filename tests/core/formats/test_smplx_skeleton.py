"""The SMPL-X skeleton preset and exact skeletons from a (synthetic) SMPL-X model file."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from core.errors import MotionFileError
from core.formats.smplx_skeleton import smplx_skeleton, smplx_skeleton_from_model
from core.motion.kinematics import forward_kinematics
from tests.helpers.synthetic_smplx import regressed_rest_joints, write_synthetic_smplx_model

FACE_JOINTS = ("jaw", "left_eye_smplhf", "right_eye_smplhf")
UNPICKLED: list[str] = []


def _record_unpickling() -> str:
    UNPICKLED.append("unpickled")
    return "tripwire"


class Tripwire:
    """Records it if anything ever unpickles it."""

    def __reduce__(self) -> tuple:
        return (_record_unpickling, ())


def rest_positions(skeleton) -> np.ndarray:
    identity = np.tile(np.eye(3), (1, skeleton.num_joints, 1, 1))
    return forward_kinematics(skeleton.parents, skeleton.offsets, identity, skeleton.offsets[None, 0])[0]


def test_preset_matches_shared_tree_and_rest_joints(data_dir: Path) -> None:
    skeletons = data_dir / "skeletons"
    tree = json.loads((skeletons / "smplx55_kinematic_tree.json").read_text())
    with np.load(skeletons / "smplx55_rest_joints_from_mannequin_x.npz", allow_pickle=False) as npz:
        shared = npz["rest_joints"].astype(np.float64)
    skeleton = smplx_skeleton()
    assert skeleton.joint_names == tuple(tree["joint_names"])
    assert skeleton.parents.tolist() == tree["parents"]
    available = ~np.isnan(shared).any(axis=1)
    assert available.sum() == 52
    np.testing.assert_allclose(rest_positions(skeleton)[available], shared[available], atol=1e-6)


def test_preset_places_jaw_and_eyes_in_the_head() -> None:
    skeleton = smplx_skeleton()
    rest = rest_positions(skeleton)
    head = rest[skeleton.index("head")]
    jaw, left_eye, right_eye = (rest[skeleton.index(name)] for name in FACE_JOINTS)
    assert all(np.linalg.norm(p - head) < 0.12 for p in (jaw, left_eye, right_eye))
    assert jaw[2] > head[2] and left_eye[2] > head[2] and left_eye[1] > jaw[1]
    assert left_eye[0] - head[0] == pytest.approx(head[0] - right_eye[0])
    assert 0.05 < left_eye[0] - right_eye[0] < 0.08


def test_preset_documents_its_approximation_and_source() -> None:
    preset = json.loads(resources.files("core.formats").joinpath("presets", "smplx55.json").read_text())
    text = " ".join(preset["notes"]) + preset["attribution"]
    assert preset["approximated_joints"] == list(FACE_JOINTS)
    for phrase in ("mannequin-x 0.3.0", "Apache-2.0", "SMPL-X neutral", "Approximate"):
        assert phrase in text


def test_model_rest_joints_are_the_regressed_shaped_template(tmp_path: Path) -> None:
    model = tmp_path / "SMPLX_NEUTRAL.npz"
    arrays = write_synthetic_smplx_model(model)
    betas = np.random.default_rng(1).normal(size=300)
    skeleton, mesh = smplx_skeleton_from_model(model, betas)
    assert skeleton.same_topology(smplx_skeleton())
    # smplx stores model arrays as float32, hence the 1e-6 m tolerance.
    np.testing.assert_allclose(rest_positions(skeleton), regressed_rest_joints(arrays, betas), atol=1e-6)
    shaped = arrays["v_template"] + arrays["shapedirs"][:, :, :300] @ betas
    np.testing.assert_allclose(mesh.vertices, shaped, atol=1e-6)
    np.testing.assert_array_equal(mesh.faces, arrays["f"])
    np.testing.assert_allclose(mesh.weights, arrays["weights"], atol=1e-6)


def test_model_folder_is_searched_for_the_gender_file(tmp_path: Path) -> None:
    arrays = write_synthetic_smplx_model(tmp_path / "SMPLX_FEMALE.npz", seed=3)
    skeleton, _ = smplx_skeleton_from_model(tmp_path, gender="female")
    np.testing.assert_allclose(
        rest_positions(skeleton), regressed_rest_joints(arrays, np.zeros(10)), atol=1e-6
    )


def test_model_pickled_extras_are_never_unpickled(tmp_path: Path) -> None:
    model = tmp_path / "SMPLX_NEUTRAL.npz"
    write_synthetic_smplx_model(model, joint2num=np.array([Tripwire()], dtype=object))
    smplx_skeleton_from_model(model)
    assert UNPICKLED == []


@pytest.mark.parametrize(
    ("change", "phrase"),
    [
        ({"drop": "J_regressor"}, "missing J_regressor"),
        ({"J_regressor": np.ones((52, 40)) / 40}, "J_regressor has shape (52, 40)"),
        ({"kintree_table": np.zeros((2, 55), dtype=np.int64)}, "not the SMPL-X 55-joint tree"),
        ({"v_template": np.full((40, 3), np.nan)}, "v_template must hold finite numbers"),
        ({"shapedirs": np.array([Tripwire()] * 3, dtype=object)}, "refusing to unpickle"),
    ],
)
def test_bad_model_file_is_refused_naming_it(tmp_path: Path, change: dict, phrase: str) -> None:
    model = tmp_path / "SMPLX_NEUTRAL.npz"
    arrays = write_synthetic_smplx_model(tmp_path / "good.npz")
    arrays.pop(change.pop("drop", ""), None)
    np.savez(model, **{**arrays, **change})
    with pytest.raises(MotionFileError) as caught:
        smplx_skeleton_from_model(model)
    assert caught.value.path == str(model) and phrase in caught.value.reason
    assert UNPICKLED == []


def test_missing_or_pickle_model_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(MotionFileError, match="not found"):
        smplx_skeleton_from_model(tmp_path / "SMPLX_NEUTRAL.npz")
    (tmp_path / "SMPLX_NEUTRAL.pkl").write_bytes(b"\x80\x04.")
    with pytest.raises(MotionFileError, match="unpickling"):
        smplx_skeleton_from_model(tmp_path / "SMPLX_NEUTRAL.pkl")
