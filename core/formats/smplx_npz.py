"""SMPL-X parameter files (``.npz``): BEAT2 and AMASS layouts in, BEAT2 layout out.

Reading accepts
  * BEAT2 / SMPL-X: ``poses`` (T, 165) axis-angle of the 55 SMPL-X joints, ``trans`` (T, 3),
    ``mocap_frame_rate``, optionally ``betas``, ``expressions`` (T, <=100), ``model``, ``gender``;
  * AMASS: ``poses`` (T, 156) in the SMPL-H layout (22 body + 2x15 hand joints, no jaw or eyes:
    those get the identity) or (T, 165), ``trans``, ``mocap_framerate`` (or ``mocap_frame_rate``).

SMPL-X rotates the body about the rest pelvis, so the pelvis is at ``trans + rest_pelvis``: that is
the clip's root translation, and saving subtracts it back. The rest pelvis comes from the preset
template, or from the user's body model for the clip's betas when ``model_path`` is given.

Up axis: BEAT2 is Y up, AMASS is Z up (Z-up files are turned to Y up on load). Detection rule, used
unless ``up_axis`` is given: a file carrying an AMASS-only key (``mocap_framerate``,
``surface_model_type`` or ``dmpls``) is Z up; otherwise the body's own up axis, which
``global_orient`` carries into the world, decides: Z up when the clip's mean of
``global_orient @ (0, 1, 0)`` has a larger Z than Y component. That vote can only go wrong for a
clip of a body lying down for most of its length; pass ``up_axis`` for those.

The body shape and face (``betas``, ``expressions``, ``gender``, ``model``) are kept in
``motion.source["extras"]`` and written back on save. SMPL-H betas from 156-column files belong to
another body model, so they are kept as ``smplh_betas`` and not written as SMPL-X betas.
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from os import PathLike
from pathlib import Path

import numpy as np

from core.errors import MotionFileError, require_file
from core.files import atomic_write
from core.formats.numpy_files import read_npz
from core.formats.smplx_skeleton import smplx_skeleton, smplx_skeleton_from_model
from core.motion.clip import Motion
from core.motion.rotations import axis_angle_to_matrix, matrix_to_axis_angle

FORMAT = "smplx_npz"
MAX_FRAMES = 1_000_000
MAX_BETAS = 400
NUM_EXPRESSIONS = 100
AMASS_KEYS = ("mocap_framerate", "surface_model_type", "dmpls")
KEYS = ("poses", "trans", "betas", "expressions", "mocap_frame_rate", "model", "gender", *AMASS_KEYS)

# Z-up world to Y-up world: a -90 degree turn about X, so +Z becomes +Y and +Y becomes -Z.
Z_UP_TO_Y_UP = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, -1.0, 0.0]])

# SMPL-H body joints 0-21 and hand joints map onto SMPL-X joints 0-21 and 25-54.
SMPLH_TO_SMPLX = np.r_[0:22, 25:55]


def load_smplx_npz(
    path: str | PathLike[str], model_path: str | PathLike[str] | None = None, up_axis: str | None = None
) -> Motion:
    """Read a BEAT2 or AMASS SMPL-X/SMPL-H parameter file as a Y-up clip on the SMPL-X skeleton.

    ``model_path`` (an SMPL-X ``.npz`` model or a folder of them) gives the exact skeleton for the
    clip's betas and gender instead of the approximate template. ``up_axis`` ("y" or "z")
    overrides the detection described in the module docstring.
    """
    p = Path(path)
    if up_axis not in (None, "y", "z"):
        raise ValueError(f"up_axis must be 'y', 'z' or None, got {up_axis!r}")
    require_file(p)
    data = read_npz(p, KEYS)
    poses = _frames_array(p, data, "poses", widths=(165, 156))
    frames, width = poses.shape
    trans = _frames_array(p, data, "trans", widths=(3,), frames=frames)
    fps = frame_rate(p, data)
    extras = _extras(p, data, frames, smplh=width == 156)
    axis_angles = np.zeros((frames, 55, 3))
    axis_angles[:, SMPLH_TO_SMPLX if width == 156 else slice(None)] = poses.reshape(frames, -1, 3)
    rotations = axis_angle_to_matrix(axis_angles)
    if model_path is None:
        skeleton = smplx_skeleton()
    else:
        gender = str(extras.get("gender", "neutral")).strip().lower() or "neutral"
        skeleton, _ = smplx_skeleton_from_model(model_path, extras.get("betas"), gender)
    root = trans + skeleton.offsets[0]
    file_up = up_axis or detect_up_axis(data.keys(), rotations[:, 0])
    if file_up == "z":
        rotations[:, 0] = Z_UP_TO_Y_UP @ rotations[:, 0]
        root = root @ Z_UP_TO_Y_UP.T
    source = {"path": str(p), "format": FORMAT, "up_axis": file_up, "pose_columns": width, "extras": extras}
    return Motion(skeleton=skeleton, rotations=rotations, root_translation=root, fps=fps, source=source)


def detect_up_axis(keys: Container[str], root_rotations: np.ndarray) -> str:
    """Return "z" for AMASS-keyed files or bodies whose mean up direction is nearer world Z than Y, else "y"."""
    if any(key in keys for key in AMASS_KEYS):
        return "z"
    body_up = root_rotations[:, :, 1].mean(axis=0)
    return "z" if abs(body_up[2]) > abs(body_up[1]) else "y"


def save_smplx_npz(motion: Motion, path: str | PathLike[str]) -> None:
    """Write a clip on the SMPL-X skeleton in the BEAT2 layout (Y up), extras included.

    Missing extras are written neutral: zero betas and expressions, gender "neutral". Expressions
    whose frame count no longer matches the clip (after trimming) are written as zeros.
    """
    p = Path(path)
    skeleton = motion.skeleton
    if not skeleton.same_topology(smplx_skeleton()):
        raise MotionFileError(
            p,
            f"skeleton '{skeleton.name}' ({skeleton.num_joints} joints) is not the SMPL-X 55-joint tree; "
            "save it as .bvh instead",
        )
    if not (np.all(np.isfinite(motion.rotations)) and np.all(np.isfinite(motion.root_translation))):
        raise MotionFileError(p, "the motion holds NaN or infinite values")
    frames = motion.num_frames
    extras = motion.source.get("extras", {})
    expressions = np.zeros((frames, NUM_EXPRESSIONS))
    stored = np.asarray(extras.get("expressions", expressions), dtype=np.float64)
    if stored.ndim == 2 and stored.shape[0] == frames and stored.shape[1] <= NUM_EXPRESSIONS:
        expressions[:, : stored.shape[1]] = stored
    fps = float(motion.fps)
    arrays = {
        "poses": matrix_to_axis_angle(motion.rotations).reshape(frames, 165).astype(np.float32),
        "trans": motion.root_translation - skeleton.offsets[0],
        "betas": np.asarray(extras.get("betas", np.zeros(300)), dtype=np.float32).reshape(-1),
        "expressions": expressions,
        "mocap_frame_rate": np.asarray(int(fps) if fps.is_integer() else fps),
        "model": np.asarray(str(extras.get("model", "smplx"))),
        "gender": np.asarray(str(extras.get("gender", "neutral"))),
    }
    with atomic_write(p) as stream:
        np.savez(stream, **arrays)


def _frames_array(
    path: Path, data: dict[str, np.ndarray], key: str, widths: Sequence[int], frames: int | None = None
) -> np.ndarray:
    """A finite float (frames, width) array; ``frames`` must match when given."""
    if key not in data:
        raise MotionFileError(path, f"missing '{key}'")
    array = data[key]
    if isinstance(widths, range):
        expected = f"(frames, {widths.start}..{widths.stop - 1})"
    else:
        expected = " or ".join(f"(frames, {w})" for w in widths)
    if array.ndim != 2 or array.shape[1] not in widths:
        raise MotionFileError(path, f"{key} has shape {array.shape}; expected {expected}")
    if not np.issubdtype(array.dtype, np.floating):
        raise MotionFileError(path, f"{key} has dtype {array.dtype}; expected floating point")
    if array.shape[0] == 0:
        raise MotionFileError(path, f"{key} has no frames")
    if array.shape[0] > MAX_FRAMES:
        raise MotionFileError(path, f"{key} has {array.shape[0]} frames; at most {MAX_FRAMES} are supported")
    if frames is not None and array.shape[0] != frames:
        raise MotionFileError(path, f"{key} has {array.shape[0]} frames but poses has {frames}")
    if not np.all(np.isfinite(array)):
        raise MotionFileError(path, f"{key} contains NaN or infinite values")
    return array.astype(np.float64)


def frame_rate(path: Path, data: dict[str, np.ndarray]) -> float:
    """The clip's frame rate from ``mocap_frame_rate`` (BEAT2, SMPL-X AMASS) or ``mocap_framerate`` (SMPL-H AMASS)."""
    key = next((k for k in ("mocap_frame_rate", "mocap_framerate") if k in data), None)
    if key is None:
        raise MotionFileError(path, "missing the frame rate ('mocap_frame_rate' or 'mocap_framerate')")
    value = data[key]
    if value.size != 1 or not (
        np.issubdtype(value.dtype, np.integer) or np.issubdtype(value.dtype, np.floating)
    ):
        raise MotionFileError(path, f"{key} must be one number, got shape {value.shape} dtype {value.dtype}")
    fps = float(value.reshape(()))
    if not (np.isfinite(fps) and fps > 0):
        raise MotionFileError(path, f"{key} must be a positive frame rate, got {fps}")
    return fps


def _extras(path: Path, data: dict[str, np.ndarray], frames: int, smplh: bool) -> dict[str, object]:
    """Body shape, face and model tags that a saved file should carry again."""
    extras: dict[str, object] = {}
    if "betas" in data:
        betas = data["betas"]
        if betas.ndim > 2 or betas.size > MAX_BETAS or (betas.ndim == 2 and betas.shape[0] != 1):
            raise MotionFileError(path, f"betas has shape {betas.shape}; expected (n,) with n <= {MAX_BETAS}")
        if not np.issubdtype(betas.dtype, np.floating) or not np.all(np.isfinite(betas)):
            raise MotionFileError(path, f"betas must be finite floats, got dtype {betas.dtype}")
        extras["smplh_betas" if smplh else "betas"] = betas.reshape(-1).astype(np.float64)
    if "expressions" in data:
        extras["expressions"] = _frames_array(
            path, data, "expressions", widths=range(1, NUM_EXPRESSIONS + 1), frames=frames
        )
    for key in ("gender", "model"):
        if key in data:
            extras[key] = _text(path, key, data[key])
    return extras


def _text(path: Path, key: str, value: np.ndarray) -> str:
    """A one-element string array (AMASS sometimes stores bytes) as str."""
    if value.size != 1 or value.dtype.kind not in "US":
        raise MotionFileError(path, f"{key} must be a string, got shape {value.shape} dtype {value.dtype}")
    item = value.reshape(()).item()
    return item.decode("utf-8", "replace") if isinstance(item, bytes) else str(item)
