"""Load and save motion files by extension; every loader returns a :class:`core.motion.clip.Motion`."""

from __future__ import annotations

from os import PathLike
from pathlib import Path

from core.errors import MotionFileError, require_file
from core.motion.clip import Motion

LOADABLE = (".bvh", ".npz", ".npy")
SAVABLE = (".bvh", ".npz", ".npy")


def load_motion(path: str | PathLike[str]) -> Motion:
    """Read a ``.bvh``, SMPL-X ``.npz`` or HumanML3D 263-dim / KIT-ML 251-dim ``.npy`` clip.

    Raises :class:`MotionFileError` naming the file and the problem for anything unreadable.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in LOADABLE:
        raise MotionFileError(
            p, f"unsupported file type {suffix or '(none)'}; expected one of {', '.join(LOADABLE)}"
        )
    require_file(p)
    if suffix == ".bvh":
        from core.formats.bvh import load_bvh

        return load_bvh(p)
    if suffix == ".npz":
        from core.formats.smplx_npz import load_smplx_npz

        return load_smplx_npz(p)
    from core.formats.humanml3d import load_humanml3d

    return load_humanml3d(p)


def save_motion(motion: Motion, path: str | PathLike[str]) -> None:
    """Write a clip as ``.bvh`` (any skeleton), SMPL-X ``.npz`` in BEAT2 layout (SMPL-X skeletons) or
    HumanML3D 263-dim ``.npy`` features (SMPL-X and HumanML3D skeletons)."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".bvh":
        from core.formats.bvh import save_bvh

        save_bvh(motion, p)
    elif suffix == ".npz":
        from core.formats.smplx_npz import save_smplx_npz

        save_smplx_npz(motion, p)
    elif suffix == ".npy":
        from core.formats.humanml3d_features import save_humanml3d

        save_humanml3d(motion, p)
    else:
        raise MotionFileError(
            p, f"cannot save {suffix or '(none)'} files; expected one of {', '.join(SAVABLE)}"
        )


def savable_formats(motion: Motion) -> tuple[str, ...]:
    """The extensions ``motion`` can be saved as: BVH always, SMPL-X ``.npz`` for the SMPL-X skeleton,
    HumanML3D-layout ``.npy`` for SMPL-X, HumanML3D and KIT-ML skeletons (what the savers accept, asked
    before saving)."""
    from core.formats.humanml3d_bodies import BODIES
    from core.formats.smplx_skeleton import smplx_skeleton
    from core.motion.skeleton import describe_difference

    smplx = describe_difference(motion.skeleton, smplx_skeleton()) is None
    humanml3d = smplx or any(describe_difference(motion.skeleton, b.topology()) is None for b in BODIES)
    return (".bvh",) + ((".npz",) if smplx else ()) + ((".npy",) if humanml3d else ())
