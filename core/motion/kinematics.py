"""Forward kinematics, vectorised over frames, for NumPy arrays and torch tensors alike.

Rotations are processed in a structure-of-arrays layout (joints, 3, 3, frames) one tree depth at a
time, so each depth is a few contiguous products over all frames rather than stacks of tiny 3x3
matrix products. torch is imported only when tensors come in: reading a clip and its joints
(``rvq-motion info``) never loads it.

NumPy keeps each joint's world transform as one (3, 4, frames) block, position in column 0 and
rotation in columns 1-3, so a depth is two ``einsum`` calls written straight into that block; the
position sums ``p*1 + g0*o0 + g1*o1 + g2*o2`` in the order of the element-wise form, so results are
bit for bit those of torch's path. Evenly spaced joints are views, not gathered copies, and
:func:`forward_kinematics` skips the world rotations of childless joints, which no position needs:
1,800 SMPL-X frames take 1.8 ms instead of the element-wise form's 3.8 ms on the 2-core CPU.
torch keeps the element-wise form, which autograd differentiates.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import torch

Array = "np.ndarray | torch.Tensor"
Index = "slice | np.ndarray"


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
def _torch_plan(
    parents: tuple[int, ...], device: torch.device
) -> tuple[torch.Tensor, tuple[int, ...], tuple[torch.Tensor, ...], torch.Tensor]:
    """The joints stacked depth after depth, each depth's size, where each depth's parents sit in the
    depth above, and where each joint sits in the stack: index tensors on ``device``, made once (on a
    GPU, copying pageable host memory waits for the queued work, and training runs FK twice a step)."""
    import torch

    above, stacked, parents_above = np.zeros(1, dtype=np.int64), [np.zeros(1, dtype=np.int64)], []
    for joints, pars in _levels(parents):
        parents_above.append(torch.as_tensor(np.searchsorted(above, pars), device=device))
        above = joints
        stacked.append(joints)
    order = np.concatenate(stacked)
    slot = np.empty(len(parents), dtype=np.int64)
    slot[order] = np.arange(len(parents))
    sizes = tuple(len(joints) for joints in stacked)
    return (
        torch.as_tensor(order, device=device),
        sizes,
        tuple(parents_above),
        torch.as_tensor(slot, device=device),
    )


def forward_kinematics(
    parents: np.ndarray, offsets: Array, rotations: Array, root_translation: Array
) -> Array:
    """World joint positions (..., J, 3) from local rotations (..., J, 3, 3).

    ``offsets`` (J, 3) are rest translations in the parent's frame; the root is placed at
    ``root_translation`` (..., 3). Returns the array type (and torch device) of ``rotations``.
    """
    if is_tensor(rotations):
        return _torch_fk(parents, offsets, rotations, root_translation)[1]
    return _numpy_fk(parents, offsets, rotations, root_translation, leaf_rotations=False)[1]


def forward_kinematics_transforms(
    parents: np.ndarray, offsets: Array, rotations: Array, root_translation: Array
) -> tuple[Array, Array]:
    """World rotations (..., J, 3, 3) and world positions (..., J, 3) of every joint."""
    if is_tensor(rotations):
        return _torch_fk(parents, offsets, rotations, root_translation)
    return _numpy_fk(parents, offsets, rotations, root_translation, leaf_rotations=True)


def _index(ids: np.ndarray) -> slice | np.ndarray:
    """A slice (a view, no copy) where the joints are evenly spaced, else the index array itself."""
    step = int(ids[1] - ids[0]) if len(ids) > 1 else 1
    if step > 0 and bool(np.all(np.diff(ids) == step)):
        return slice(int(ids[0]), int(ids[-1]) + 1, step)
    return ids


@lru_cache(maxsize=64)
def _numpy_plan(
    parents: tuple[int, ...], leaf_rotations: bool
) -> tuple[tuple[Index, Index, Index | None, Index | None], ...]:
    """Per depth: (joints, their parents, the joints that need a world rotation, where those sit among
    the depth's joints), as slices where possible. Made once per skeleton."""
    has_child = np.zeros(len(parents), dtype=bool)
    has_child[[p for p in parents if p >= 0]] = True
    plan = []
    for joints, pars in _levels(parents):
        within = np.flatnonzero(has_child[joints] | leaf_rotations)
        rotated = (_index(joints[within]), _index(within)) if len(within) else (None, None)
        plan.append((_index(joints), _index(pars), *rotated))
    return tuple(plan)


def _einsum_into(target: np.ndarray, where: tuple, spec: str, *operands: np.ndarray) -> None:
    """``target[where] = einsum(spec, *operands)``, written in place when ``where`` is a view."""
    if isinstance(where[0], slice):
        np.einsum(spec, *operands, out=target[where])
    else:
        target[where] = np.einsum(spec, *operands)


def _numpy_fk(
    parents: np.ndarray,
    offsets: np.ndarray,
    rotations: np.ndarray,
    root_translation: np.ndarray,
    leaf_rotations: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """World rotations (a view of one (J, 3, 4, frames) block) and positions; the world rotations of
    childless joints are left unset unless ``leaf_rotations``."""
    batch = tuple(rotations.shape[:-3])
    num_joints = rotations.shape[-3]
    frames = int(np.prod(batch)) if batch else 1
    dtype = rotations.dtype
    homogeneous_offsets = np.ones((num_joints, 4), dtype=dtype)
    homogeneous_offsets[:, 1:] = np.asarray(offsets, dtype=dtype)
    local = np.ascontiguousarray(np.transpose(rotations.reshape((frames, num_joints, 3, 3)), (1, 2, 3, 0)))
    world = np.empty((num_joints, 3, 4, frames), dtype=dtype)
    world[0, :, 1:] = local[0]
    world[0, :, 0] = np.asarray(root_translation, dtype=dtype).reshape((frames, 3)).T
    for joints, pars, rotated, rotated_within in _numpy_plan(tuple(int(p) for p in parents), leaf_rotations):
        parent = world[pars]
        if rotated is not None:
            rot_at = (rotated, slice(None), slice(1, None))
            _einsum_into(world, rot_at, "nrkt,nkct->nrct", parent[rotated_within, :, 1:], local[rotated])
        _einsum_into(world, (joints, slice(None), 0), "nrkt,nk->nrt", parent, homogeneous_offsets[joints])
    glob = np.transpose(world[:, :, 1:], (3, 0, 1, 2)).reshape(batch + (num_joints, 3, 3))
    # positions copied out (0.1 ms): the same layout as before, and they do not keep ``world`` alive
    pos = np.transpose(np.ascontiguousarray(world[:, :, 0]), (2, 0, 1)).reshape(batch + (num_joints, 3))
    return glob, pos


def _torch_fk(
    parents: np.ndarray, offsets: Array, rotations: torch.Tensor, root_translation: Array
) -> tuple[torch.Tensor, torch.Tensor]:
    """World rotations and positions, element-wise per depth in the (joints, 3, 3, frames) layout.

    Each depth is a new tensor made from the depth above, stacked and put in joint order once at the
    end: writing depths into one tensor in place would make autograd carry and sum a whole-skeleton
    gradient per depth (six times slower backward on 1,800 SMPL-X frames)."""
    import torch

    batch = tuple(rotations.shape[:-3])
    num_joints = rotations.shape[-3]
    frames = int(np.prod(batch)) if batch else 1
    offs = torch.as_tensor(offsets, dtype=rotations.dtype, device=rotations.device)
    root = torch.as_tensor(root_translation, dtype=rotations.dtype, device=rotations.device)
    order, sizes, parents_above, slot = _torch_plan(
        tuple(int(p) for p in np.asarray(parents)), rotations.device
    )
    # one gather into depth order, then views per depth: split's backward is a concatenation, where
    # indexing or slicing per depth would fill a whole-skeleton zero gradient each time
    local = rotations.reshape((frames, num_joints, 3, 3)).permute(1, 2, 3, 0)[order].split(sizes)
    local_offsets = offs[order][:, None, :, None].split(sizes)
    globs, positions = [local[0]], [root.reshape((1, frames, 3)).permute(0, 2, 1)]
    for lj, oj, pars_i in zip(local[1:], local_offsets[1:], parents_above, strict=True):
        # columns of the parents' rotations and rows of the children's, unbound rather than sliced
        g0, g1, g2 = globs[-1][pars_i].unbind(2)
        l0, l1, l2 = lj.unbind(1)
        globs.append(
            g0[:, :, None] * l0[:, None] + g1[:, :, None] * l1[:, None] + g2[:, :, None] * l2[:, None]
        )
        o0, o1, o2 = oj.unbind(2)
        positions.append(positions[-1][pars_i] + g0 * o0 + g1 * o1 + g2 * o2)
    glob, pos = torch.cat(globs)[slot], torch.cat(positions)[slot]
    glob_out = glob.permute(3, 0, 1, 2).reshape(batch + (num_joints, 3, 3))
    pos_out = pos.permute(2, 0, 1).reshape(batch + (num_joints, 3))
    return glob_out, pos_out
