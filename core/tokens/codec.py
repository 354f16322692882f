"""Clip <-> tokens through a loaded checkpoint: the one place that chains features,
normalisation, the model and forward kinematics, shared by the CLI, evaluation and the app."""

from __future__ import annotations

import numpy as np
import torch

from core.errors import MotionFileError
from core.features.representation import features_to_motion, motion_to_features
from core.model.checkpoint import Checkpoint
from core.motion.clip import Motion
from core.motion.skeleton import Skeleton, describe_difference


def fit_clip(ckpt: Checkpoint, motion: Motion) -> Motion:
    """``motion`` with its joints in the checkpoint's order (the same object when already so), keeping
    its own bone lengths: the features are per joint in skeleton order, so a clip of the same tree
    listed in another order (another CMU subject, AMASS, another BEAT2 speaker) must be reordered
    before encoding. Raises MotionFileError saying what differs when the tree is not the
    checkpoint's; a different frame rate is no reason to refuse."""
    reason = describe_difference(motion.skeleton, ckpt.skeleton, reference_label="the checkpoint")
    if reason is not None:
        raise MotionFileError(
            motion.source.get("path", "clip"),
            f"this clip's skeleton does not match the checkpoint's: {reason} (open a checkpoint trained "
            "on this skeleton, or train one on this clip's folder)",
        )
    return motion.reordered(motion.skeleton.joint_order_in(ckpt.skeleton))


def tokenize(ckpt: Checkpoint, motion: Motion) -> np.ndarray:
    """(steps, layers) int64 codes of a whole clip of any length."""
    motion = fit_clip(ckpt, motion)
    features = ckpt.normalizer.normalize(motion_to_features(motion, ckpt.representation))
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
    skeleton: Skeleton | None = None,
    root_start: np.ndarray | None = None,
    root_translation: np.ndarray | None = None,
) -> Motion:
    """A clip from codes, on ``skeleton`` (default: the checkpoint's).

    With root channels the path starts at ``root_start`` (x, z); without, ``root_translation``
    (e.g. the original clip's) is used as given, else the rest root position.
    """
    features = decode_features(ckpt, indices, layers_used, frames)
    return features_to_motion(
        features,
        ckpt.representation,
        skeleton or ckpt.skeleton,
        ckpt.fps,
        root_start=root_start,
        root_translation=None if root_translation is None else root_translation[: len(features)],
    )


def reconstruct(
    ckpt: Checkpoint, motion: Motion, indices: np.ndarray, layers_used: int | None = None
) -> Motion:
    """Decode ``motion``'s codes back onto its own skeleton (its bone lengths, in the checkpoint's
    joint order, as :func:`fit_clip` lists it), starting where it starts."""
    fitted = fit_clip(ckpt, motion)
    return decode_motion(
        ckpt,
        indices,
        layers_used,
        frames=fitted.num_frames,
        skeleton=fitted.skeleton,
        root_start=fitted.root_translation[0, [0, 2]],
        root_translation=fitted.root_translation,
    )
