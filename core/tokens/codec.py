"""Clip <-> tokens through a loaded checkpoint: the one place that chains features,
normalisation, the model and forward kinematics, shared by the CLI, evaluation and the app."""

from __future__ import annotations

import numpy as np
import torch

from core.errors import MotionFileError
from core.features.humanml3d import HumanML3D
from core.features.representation import DecodeTarget
from core.model.checkpoint import Checkpoint
from core.motion.clip import Motion, renamed_like
from core.motion.skeleton import describe_renaming


def fit_clip(ckpt: Checkpoint, motion: Motion, by_position: bool = True) -> Motion:
    """``motion`` ready for the checkpoint's representation (see :meth:`Representation.fit`: for joint
    rotations, its joints in the checkpoint's order with its own bone lengths, so another CMU subject
    or BEAT2 speaker fits). A clip naming the checkpoint's tree otherwise, joint for joint in the same
    order (another converter's names), is matched by position unless ``by_position`` is False; its
    ``renamed_joints`` then say what was matched. Raises MotionFileError saying what differs and what to
    do; a different frame rate is no reason to refuse."""
    motion = renamed_like(motion, ckpt.skeleton, by_position)
    try:
        return ckpt.representation.fit(motion, ckpt.skeleton)
    except ValueError as exc:
        raise MotionFileError(motion.source.get("path", "clip"), _why_not(ckpt, motion, str(exc))) from None


def _why_not(ckpt: Checkpoint, motion: Motion, difference: str) -> str:
    """Why a clip does not fit, said as what differs that matters: the kind of features when one side is
    HumanML3D-layout rows and the other not, else the skeletons."""
    rows = "humanml3d_features" in motion.source
    reads_rows = isinstance(ckpt.representation, HumanML3D)
    if rows and not reads_rows:
        return (
            f"this clip is {HumanML3D.for_motion(motion).describe()}; the checkpoint reads "
            f"{ckpt.representation.describe()}: open a tokenizer of those features (MoMask's or T2M-GPT's, "
            "imported, or one trained here with the motion-s preset)"
        )
    if reads_rows and not rows:
        return (
            f"the checkpoint reads {ckpt.representation.describe()}, and {difference} (clips become such "
            "rows when they are SMPL-X clips or HumanML3D files): open a checkpoint trained on this clip's "
            "skeleton"
        )
    return (
        f"this clip's skeleton does not match the checkpoint's: {difference} (open a checkpoint trained "
        "on this skeleton, or train one on this clip's folder)"
    )


def renaming_notice(motion: Motion) -> str:
    """One line saying which joints of a clip :func:`fit_clip` matched by position ("" for none)."""
    if not motion.renamed_joints:
        return ""
    return (
        "joints named otherwise than the checkpoint's, in the same tree and order, were matched by "
        f"position: {describe_renaming(motion.renamed_joints)}"
    )


def tokenize(ckpt: Checkpoint, motion: Motion) -> np.ndarray:
    """(steps, layers) int64 codes of a whole clip of any length."""
    motion = fit_clip(ckpt, motion)
    features = ckpt.normalizer.normalize(ckpt.representation.features(motion))
    device = next(ckpt.model.parameters()).device
    with torch.no_grad():
        return ckpt.model.encode(torch.from_numpy(features)[None].to(device))[0].cpu().numpy()


def decode_features(
    ckpt: Checkpoint, indices: np.ndarray, layers_used: int | None = None, frames: int | None = None
) -> np.ndarray:
    """Denormalised (frames, D) features decoded from a (steps, layers) code grid."""
    device = next(ckpt.model.parameters()).device
    with torch.no_grad():
        tokens = torch.as_tensor(np.asarray(indices), dtype=torch.long, device=device)[None]
        decoded = ckpt.model.decode(tokens, layers_used=layers_used, length=frames)[0].cpu().numpy()
    return ckpt.normalizer.denormalize(decoded)


def decode_motion(
    ckpt: Checkpoint,
    indices: np.ndarray,
    layers_used: int | None = None,
    frames: int | None = None,
    like: Motion | None = None,
    root_start: np.ndarray | None = None,
) -> Motion:
    """A clip from codes: on ``like``'s skeleton and from its start when given (the clip they were
    encoded from), else on the checkpoint's skeleton starting at ``root_start`` (x, z)."""
    features = decode_features(ckpt, indices, layers_used, frames)
    skeleton = like.skeleton if like is not None else ckpt.skeleton
    return ckpt.representation.motion(features, DecodeTarget(skeleton, ckpt.fps, like, root_start))


def reconstruct(
    ckpt: Checkpoint, motion: Motion, indices: np.ndarray, layers_used: int | None = None
) -> Motion:
    """Decode ``motion``'s codes back onto its own skeleton (its bone lengths, in the checkpoint's
    joint order, as :func:`fit_clip` lists it), starting where it starts."""
    fitted = fit_clip(ckpt, motion)
    return decode_motion(ckpt, indices, layers_used, frames=fitted.num_frames, like=fitted)
