"""Many clips through a tokenizer in a few forward passes instead of one per clip, with the results a
clip would get alone.

A clip alone is padded to a whole number of token steps by repeating its last frame, and the encoder
and decoder see exactly that; so clips are batched only with clips of the same number of steps, each
padded as it would be alone. The seed's resnet layers (which have no padding mask) then compute for
each clip what they compute for it alone, and a batch differs from single clips only by float rounding.
Clips of a dataset like HumanML3D's span some 40 step counts, so thousands of clips make a few hundred
batches.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from core.model import RVQVAE

GPU_BATCH_FRAMES = 16_384
"""Frames per batch on a GPU: enough to fill it, little memory for the activations."""
CPU_BATCH_FRAMES = 512
"""Frames per batch on a CPU, where a batch gains by sharing the per-call work and loses once its
activations outgrow the caches: on a 2-core EPYC a Motion-S model evaluated 150 HumanML3D clips in
13 s with 512-frame batches, 29-52 s with 1,024 and 55-83 s one clip at a time (a busy machine)."""


def batch_frames_for(model: RVQVAE) -> int:
    """How many frames a batch holds on the device ``model`` runs on."""
    return GPU_BATCH_FRAMES if next(model.parameters()).device.type == "cuda" else CPU_BATCH_FRAMES


def step_batches(lengths: Sequence[int], multiple: int, max_frames: int) -> list[list[int]]:
    """Indices into ``lengths`` grouped by token steps (``ceil(length / multiple)``), shortest first,
    each group cut into batches of at most ``max_frames`` padded frames (one clip at least)."""
    groups: dict[int, list[int]] = {}
    for index, length in enumerate(lengths):
        groups.setdefault(-(-int(length) // multiple), []).append(index)
    batches = []
    for steps in sorted(groups):
        size = max(1, max_frames // (steps * multiple))
        members = groups[steps]
        batches += [members[i : i + size] for i in range(0, len(members), size)]
    return batches


@torch.no_grad()
def reconstruct_batch(
    model: RVQVAE, features: Sequence[np.ndarray], layers: Sequence[int]
) -> tuple[list[np.ndarray], dict[int, list[np.ndarray]]]:
    """Codes and decoded features of clips of one step count (normalised ``(T_i, D)`` arrays).

    Returns each clip's ``(steps, Q)`` codes and, for each number of layers in ``layers``, its decoded
    ``(T_i, D)`` normalised features: ``model.encode`` and ``model.decode(.., k, T_i)`` of the clip alone,
    to float rounding. Call ``model.eval()`` first, as for a single clip.
    """
    lengths = [len(f) for f in features]
    steps = {model.num_steps(n) for n in lengths}
    if len(steps) != 1:
        raise ValueError(f"a batch holds clips of one number of token steps, got {sorted(steps)}")
    frames = steps.pop() * model.downsample_factor
    padded = np.stack([np.pad(f, ((0, frames - len(f)), (0, 0)), mode="edge") for f in features])
    device = next(model.parameters()).device
    codes = model.encode(torch.from_numpy(padded.astype(np.float32, copy=False)).to(device))
    decoded = {}
    for k in layers:
        out = model.decode(codes, layers_used=k).float().cpu().numpy()
        decoded[k] = [out[i, :n] for i, n in enumerate(lengths)]
    return list(codes.cpu().numpy()), decoded
