"""A tiny synthetic SMPL-X model file for tests: real model files may not ship with the project.

It holds exactly the arrays ``smplx.SMPLX`` reads (no face contour), with 40 vertices instead of
10,475 and random but valid contents (regressor and skinning rows sum to one).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from core.formats.smplx_skeleton import smplx_skeleton

NUM_VERTICES = 40
NUM_SHAPE = 300
NUM_EXPRESSION = 100


def synthetic_smplx_arrays(seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    regressor = rng.random((55, NUM_VERTICES))
    weights = rng.random((NUM_VERTICES, 55))
    # SMPL-X files store the root's parent as uint32 -1.
    kintree = np.stack([np.r_[2**32 - 1, smplx_skeleton().parents[1:]], np.arange(55)]).astype(np.uint32)
    return {
        "v_template": rng.normal(scale=0.5, size=(NUM_VERTICES, 3)),
        "shapedirs": rng.normal(scale=0.01, size=(NUM_VERTICES, 3, NUM_SHAPE + NUM_EXPRESSION)),
        "posedirs": rng.normal(scale=0.01, size=(NUM_VERTICES, 3, 54 * 9)),
        "J_regressor": regressor / regressor.sum(axis=1, keepdims=True),
        "weights": weights / weights.sum(axis=1, keepdims=True),
        "kintree_table": kintree,
        "f": rng.integers(0, NUM_VERTICES, size=(60, 3)).astype(np.uint32),
        "hands_componentsl": np.eye(45),
        "hands_componentsr": np.eye(45),
        "hands_meanl": rng.normal(scale=0.1, size=45),
        "hands_meanr": rng.normal(scale=0.1, size=45),
        "lmk_faces_idx": np.arange(51) % 60,
        "lmk_bary_coords": np.full((51, 3), 1.0 / 3.0),
    }


def write_synthetic_smplx_model(path: Path, seed: int = 0, **extra: np.ndarray) -> dict[str, np.ndarray]:
    """Write the model to ``path`` (plus any ``extra`` arrays) and return its arrays."""
    arrays = synthetic_smplx_arrays(seed)
    np.savez(path, **arrays, **extra)
    return arrays


def regressed_rest_joints(arrays: dict[str, np.ndarray], betas: np.ndarray) -> np.ndarray:
    """J_regressor @ (v_template + shapedirs @ betas): the SMPL-X rest joints, computed directly."""
    shaped = arrays["v_template"] + arrays["shapedirs"][:, :, : len(betas)] @ betas
    return arrays["J_regressor"] @ shaped
