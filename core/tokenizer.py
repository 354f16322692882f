"""Clip <-> tokens through a loaded checkpoint: the one place that chains features,
normalisation, the model and forward kinematics, shared by the CLI, evaluation and the app."""

from __future__ import annotations

import numpy as np
import torch

from core.checkpoint import Checkpoint
from core.errors import MotionFileError
from core.motion import Motion
from core.representation import features_to_motion, motion_to_features
from core.skeleton import Skeleton
from core.token_file import TokenFile


def check_compatible(ckpt: Checkpoint, motion: Motion) -> None:
    """A clip can be tokenized only on the skeleton the checkpoint was trained for."""
    if not motion.skeleton.same_topology(ckpt.skeleton):
        where = motion.source.get("path", "clip")
        raise MotionFileError(
            where,
            f"skeleton ({motion.skeleton.num_joints} joints, {motion.skeleton.name}) does not match the "
            f"checkpoint's ({ckpt.skeleton.num_joints} joints, {ckpt.skeleton.name})",
        )


def tokenize(ckpt: Checkpoint, motion: Motion) -> np.ndarray:
    """(steps, layers) int64 codes of a whole clip of any length."""
    check_compatible(ckpt, motion)
    features = ckpt.normalizer.normalize(motion_to_features(motion, ckpt.representation))
    device = next(ckpt.model.parameters()).device
    with torch.no_grad():
        return ckpt.model.encode(torch.from_numpy(features)[None].to(device))[0].cpu().numpy()


def token_file(
    ckpt: Checkpoint,
    motion: Motion,
    indices: np.ndarray,
    source: str | None,
    edited: np.ndarray | None = None,
) -> TokenFile:
    """``motion``'s codes with what identifies them: the checkpoint's hash, the clip's length, rate and
    start position, its file, and the cells edited by hand (a (steps, layers) mask)."""
    cells = [] if edited is None else [(int(s), int(q)) for s, q in np.argwhere(edited)]
    return TokenFile(
        indices=np.asarray(indices),
        checkpoint_sha256=ckpt.weights_sha256,
        frames=motion.num_frames,
        fps=motion.fps,
        root_start=tuple(float(v) for v in motion.root_translation[0, [0, 2]]),
        source=source,
        edited=cells,
    )


def decode_features(
    ckpt: Checkpoint, indices: np.ndarray, num_layers: int | None = None, frames: int | None = None
) -> np.ndarray:
    """Denormalised (frames, D) features decoded from a (steps, layers) code grid."""
    device = next(ckpt.model.parameters()).device
    with torch.no_grad():
        tokens = torch.as_tensor(np.asarray(indices), dtype=torch.long, device=device)[None]
        decoded = ckpt.model.decode(tokens, num_layers=num_layers, length=frames)[0].cpu().numpy()
    return ckpt.normalizer.denormalize(decoded)


def decode_motion(
    ckpt: Checkpoint,
    indices: np.ndarray,
    num_layers: int | None = None,
    frames: int | None = None,
    skeleton: Skeleton | None = None,
    root_start: np.ndarray | None = None,
    root_translation: np.ndarray | None = None,
) -> Motion:
    """A clip from codes, on ``skeleton`` (default: the checkpoint's).

    With root channels the path starts at ``root_start`` (x, z); without, ``root_translation``
    (e.g. the original clip's) is used as given, else the rest root position.
    """
    features = decode_features(ckpt, indices, num_layers, frames)
    return features_to_motion(
        features,
        ckpt.representation,
        skeleton or ckpt.skeleton,
        ckpt.fps,
        root_start=root_start,
        root_translation=None if root_translation is None else root_translation[: len(features)],
    )


def reconstruct(
    ckpt: Checkpoint, motion: Motion, indices: np.ndarray, num_layers: int | None = None
) -> Motion:
    """Decode ``motion``'s codes back onto its own skeleton, starting where it starts."""
    return decode_motion(
        ckpt,
        indices,
        num_layers,
        frames=motion.num_frames,
        skeleton=motion.skeleton,
        root_start=motion.root_translation[0, [0, 2]],
        root_translation=motion.root_translation,
    )
