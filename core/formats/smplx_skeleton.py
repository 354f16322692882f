"""The SMPL-X 55-joint skeleton: a shipped approximate template, or exact joints from a user's model.

:func:`smplx_skeleton` returns the preset ``core/formats/presets/smplx55.json`` (built by
``scripts/make_smplx_preset.py``): the neutral-shape rest joints shipped by mannequin-x 0.3.0
(Apache-2.0), which derived them from the SMPL-X neutral body model. It is an approximate template:
it has no body shape (betas = 0), and the jaw and eyes, absent from that source, are placed from the
head position and the neck-to-head length (see the preset's ``notes``). Use it to show and train on
SMPL-X clips when no body model is at hand.

:func:`smplx_skeleton_from_model` computes the exact rest joints for given betas with the ``smplx``
package from the user's own SMPL-X model file (``SMPLX_NEUTRAL.npz`` and friends, which we may not
ship), and returns the rest mesh too so the app can draw and skin it.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from os import PathLike
from pathlib import Path

import numpy as np

from core.errors import MotionFileError
from core.formats.numpy_files import read_npz
from core.motion.skeleton import Skeleton

NUM_JOINTS = 55
GENDERS = ("neutral", "male", "female")

# What smplx.SMPLX reads from a model file when built as below (no face contour): nothing else is copied.
MODEL_KEYS = (
    "v_template",
    "shapedirs",
    "posedirs",
    "J_regressor",
    "weights",
    "kintree_table",
    "f",
    "hands_componentsl",
    "hands_componentsr",
    "hands_meanl",
    "hands_meanr",
    "lmk_faces_idx",
    "lmk_bary_coords",
)


@dataclass(frozen=True, eq=False)
class RestMesh:
    """An SMPL-X body at rest for one shape: metres, Y up, in the same frame as the rest joints.

    ``weights`` (V, 55) are the linear-blend-skinning weights, so the mesh can follow a
    :class:`core.motion.clip.Motion` through its forward-kinematics transforms.
    """

    vertices: np.ndarray
    faces: np.ndarray
    weights: np.ndarray


@lru_cache(maxsize=1)
def smplx_skeleton() -> Skeleton:
    """The shipped approximate SMPL-X template (neutral shape), read once."""
    text = resources.files("core.formats").joinpath("presets", "smplx55.json").read_text(encoding="utf-8")
    return Skeleton.from_dict(json.loads(text))


def skeleton_from_rest_joints(rest_joints: np.ndarray) -> Skeleton:
    """The SMPL-X tree with offsets taken from world rest joint positions (55, 3)."""
    template = smplx_skeleton()
    rest = np.asarray(rest_joints, dtype=np.float64)
    offsets = rest.copy()
    offsets[1:] -= rest[template.parents[1:]]
    return Skeleton(template.joint_names, template.parents, offsets, name=template.name)


def smplx_skeleton_from_model(
    model_path: str | PathLike[str], betas: np.ndarray | None = None, gender: str = "neutral"
) -> tuple[Skeleton, RestMesh]:
    """Exact SMPL-X rest skeleton and rest mesh for ``betas`` from the user's own model file.

    ``model_path`` is an SMPL-X ``.npz`` model or a folder holding ``SMPLX_<GENDER>.npz``. Betas
    beyond the model's shape space are ignored, as smplx does (10 for v1.0 files, 300 for
    SMPL-X 2020). The rest joints are ``J_regressor @ (v_template + shapedirs @ betas)``, the
    first 55 rows, computed by smplx in float64 from the model's arrays, which smplx rounds to
    float32 (so exact to about 1e-7 m).
    """
    path = _model_file(model_path, gender)
    shape = np.zeros(10) if betas is None else np.asarray(betas, dtype=np.float64).reshape(-1)
    if not np.all(np.isfinite(shape)):
        raise ValueError("betas must be finite")
    import smplx  # loads torch: only when a user's model file is read
    import torch
    from smplx.lbs import blend_shapes, vertices2joints

    arrays = _read_model(path)
    with tempfile.TemporaryDirectory() as tmp:
        # smplx loads with allow_pickle=True: hand it a copy that holds only plain numeric arrays.
        clean = Path(tmp) / "SMPLX_NEUTRAL.npz"
        np.savez(clean, **arrays)
        try:
            model = smplx.SMPLX(
                str(clean), num_betas=len(shape), use_pca=False, flat_hand_mean=True, dtype=torch.float64
            )
        except (AssertionError, IndexError, RuntimeError, ValueError) as exc:
            raise MotionFileError(path, f"smplx cannot build an SMPL-X body from this file: {exc}") from exc
    with torch.no_grad():
        coefficients = torch.as_tensor(shape[: model.num_betas], dtype=torch.float64)[None]
        vertices = model.v_template[None] + blend_shapes(coefficients, model.shapedirs)
        joints = vertices2joints(model.J_regressor, vertices)[0, :NUM_JOINTS]
    mesh = RestMesh(
        vertices=vertices[0].numpy(),
        faces=np.asarray(model.faces, dtype=np.int64),
        weights=model.lbs_weights.numpy(),
    )
    return skeleton_from_rest_joints(joints.numpy()), mesh


def _model_file(model_path: str | PathLike[str], gender: str) -> Path:
    """The model file itself, or ``SMPLX_<GENDER>.npz`` inside a model folder (smplx's layout)."""
    path = Path(model_path)
    if gender not in GENDERS:
        raise MotionFileError(path, f"unknown gender {gender!r}; expected one of {', '.join(GENDERS)}")
    if path.is_dir():
        path = path / f"SMPLX_{gender.upper()}.npz"
    if not path.is_file():
        raise MotionFileError(path, "SMPL-X model file not found")
    if path.suffix.lower() != ".npz":
        raise MotionFileError(path, "only .npz SMPL-X model files are supported (.pkl would need unpickling)")
    return path


def _read_model(path: Path) -> dict[str, np.ndarray]:
    """The arrays of :data:`MODEL_KEYS`, read without unpickling, checked for the SMPL-X layout.

    Official model files also hold pickled dictionaries (``joint2num``, ``part2num``) that
    smplx's own loader would unpickle; they are never read here.
    """
    arrays = read_npz(path, MODEL_KEYS, check_all=False)
    missing = [key for key in MODEL_KEYS if key not in arrays]
    if missing:
        raise MotionFileError(path, f"not an SMPL-X model file: missing {', '.join(missing)}")
    for key, value in arrays.items():
        if not np.issubdtype(value.dtype, np.number) or not np.all(np.isfinite(value)):
            raise MotionFileError(path, f"{key} must hold finite numbers, got dtype {value.dtype}")
    v_template, shapedirs, regressor = arrays["v_template"], arrays["shapedirs"], arrays["J_regressor"]
    num_vertices = v_template.shape[0] if v_template.ndim else -1
    if (
        v_template.shape != (num_vertices, 3)
        or shapedirs.ndim != 3
        or shapedirs.shape[:2] != (num_vertices, 3)
    ):
        raise MotionFileError(
            path, f"v_template {v_template.shape} and shapedirs {shapedirs.shape} do not match"
        )
    if regressor.shape != (NUM_JOINTS, num_vertices):
        raise MotionFileError(
            path, f"J_regressor has shape {regressor.shape}; expected ({NUM_JOINTS}, {num_vertices})"
        )
    kintree = arrays["kintree_table"]
    if kintree.shape != (2, NUM_JOINTS) or not np.array_equal(kintree[0, 1:], smplx_skeleton().parents[1:]):
        raise MotionFileError(path, f"kintree_table {kintree.shape} is not the SMPL-X 55-joint tree")
    return arrays
