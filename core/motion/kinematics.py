"""Forward kinematics, vectorised over frames, for NumPy arrays and torch tensors alike.

Rotations are processed in a structure-of-arrays layout (joints, 3, 3, frames) one tree depth
at a time: each depth is a handful of contiguous element-wise products over all frames, which
is several times faster on a CPU than stacks of tiny 3x3 matrix products. torch is imported only
when tensors come in: reading a clip and its joints (``rvq-motion info``) never loads it.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import torch

Array = "np.ndarray | torch.Tensor"


def is_tensor(value: object) -> bool:
    """Whether ``value`` is a torch tensor, without importing torch (none exists before it is imported)."""
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(value, torch.Tensor)


@lru_cache(maxsize=64)
def _levels(parents: tuple[int, ...]) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """(joints, their parents) grouped by tree depth, root excluded."""
    depth = [0] * len(parents)
    for j, p in enumerate(parents):
        depth[j] = 0 if p < 0 else depth[p] + 1
    depth_arr, par = np.asarray(depth), np.asarray(parents)
    levels = []
    for d in range(1, int(depth_arr.max(initial=0)) + 1):
        joints = np.flatnonzero(depth_arr == d)
        levels.append((joints, par[joints]))
    return tuple(levels)


@lru_cache(maxsize=64)
def _torch_levels(
    parents: tuple[int, ...], device: torch.device
) -> tuple[tuple[torch.Tensor, torch.Tensor], ...]:
    """:func:`_levels` as index tensors on ``device``, made once: on a GPU, copying pageable host memory
    waits for the queued work, and training runs FK twice per step."""
    import torch

    return tuple(
        (torch.as_tensor(joints, device=device), torch.as_tensor(pars, device=device))
        for joints, pars in _levels(parents)
    )


def forward_kinematics(
    parents: np.ndarray, offsets: Array, rotations: Array, root_translation: Array
) -> Array:
    """World joint positions (..., J, 3) from local rotations (..., J, 3, 3).

    ``offsets`` (J, 3) are rest translations in the parent's frame; the root is placed at
    ``root_translation`` (..., 3). Returns the array type (and torch device) of ``rotations``.
    """
    return forward_kinematics_transforms(parents, offsets, rotations, root_translation)[1]


def forward_kinematics_transforms(
    parents: np.ndarray, offsets: Array, rotations: Array, root_translation: Array
) -> tuple[Array, Array]:
    """World rotations (..., J, 3, 3) and world positions (..., J, 3) of every joint."""
    is_torch = is_tensor(rotations)
    batch = tuple(rotations.shape[:-3])
    num_joints = rotations.shape[-3]
    frames = int(np.prod(batch)) if batch else 1
    rot = rotations.reshape((frames, num_joints, 3, 3))
    if is_torch:
        import torch

        offs = torch.as_tensor(offsets, dtype=rotations.dtype, device=rotations.device)
        root = torch.as_tensor(root_translation, dtype=rotations.dtype, device=rotations.device)
        local = rot.permute(1, 2, 3, 0)
        glob = torch.empty_like(local)
        pos = torch.empty((num_joints, 3, frames), dtype=rotations.dtype, device=rotations.device)
    else:
        offs = np.asarray(offsets, dtype=rotations.dtype)
        root = np.asarray(root_translation, dtype=rotations.dtype)
        local = np.ascontiguousarray(np.transpose(rot, (1, 2, 3, 0)))
        glob = np.empty_like(local)
        pos = np.empty((num_joints, 3, frames), dtype=rotations.dtype)
    glob[0] = local[0]
    pos[0] = root.reshape((frames, 3)).T
    key = tuple(int(p) for p in np.asarray(parents))
    for joints_i, pars_i in _torch_levels(key, rotations.device) if is_torch else _levels(key):
        gp, lj = glob[pars_i], local[joints_i]
        glob[joints_i] = (
            gp[:, :, 0:1] * lj[:, None, 0] + gp[:, :, 1:2] * lj[:, None, 1] + gp[:, :, 2:3] * lj[:, None, 2]
        )
        o = offs[joints_i][:, None, :, None]
        pos[joints_i] = (
            pos[pars_i] + gp[:, :, 0] * o[:, :, 0] + gp[:, :, 1] * o[:, :, 1] + gp[:, :, 2] * o[:, :, 2]
        )
    if is_torch:
        glob_out = glob.permute(3, 0, 1, 2).reshape(batch + (num_joints, 3, 3))
        pos_out = pos.permute(2, 0, 1).reshape(batch + (num_joints, 3))
    else:
        glob_out = np.transpose(glob, (3, 0, 1, 2)).reshape(batch + (num_joints, 3, 3))
        pos_out = np.transpose(pos, (2, 0, 1)).reshape(batch + (num_joints, 3))
    return glob_out, pos_out
