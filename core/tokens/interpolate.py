"""In-betweening in the latent: steps between two kept steps re-coded from a straight latent path.

Codes have no order (neighbouring code numbers are unrelated vectors), so interpolating code numbers
means nothing; the quantized latents they stand for do lie in one space. The two boundary steps'
latents (the sum of the codes of every layer) are joined by a straight line, and each step in between
takes the codes the residual quantizer gives its point on that line, layer by layer as encoding does,
so the result is an ordinary code grid any decoder call, edit or token file takes unchanged.
"""

from __future__ import annotations

import numpy as np
import torch

from core.model.checkpoint import Checkpoint
from core.model.rvqvae import RVQVAE

MIN_STEPS = 3
"""Two boundary steps and at least one step between them to re-code."""


def interpolated_codes(
    ckpt_or_model: Checkpoint | RVQVAE, indices: np.ndarray, start: int, stop: int
) -> np.ndarray:
    """(stop - start, layers) int64 codes of steps ``[start, stop)`` of the (steps, layers) grid ``indices``.

    Steps ``start`` and ``stop - 1`` keep their codes; step ``s`` between them gets the residual
    quantization (as many layers as the grid has) of ``lerp(z[start], z[stop - 1], t)``, ``t = (s -
    start) / (stop - 1 - start)``, where ``z`` is a step's quantized latent. ``torch.lerp`` returns
    ``z[start]`` exactly when both ends are equal, so equal boundaries give a constant latent. The block
    pastes at ``start``. Raises ``ValueError`` for a range of fewer than 3 steps or outside the grid.
    """
    grid = np.asarray(indices, dtype=np.int64)
    if grid.ndim != 2:
        raise ValueError(f"tokens must be (steps, layers), got shape {grid.shape}")
    if not 0 <= start < stop <= len(grid):
        raise ValueError(f"step range [{start}, {stop}) is outside 0..{len(grid)}")
    if stop - start < MIN_STEPS:
        raise ValueError(
            f"interpolating needs at least {MIN_STEPS} steps (two ends and one between); "
            f"{stop - start} selected: select a longer range of steps"
        )
    model = ckpt_or_model.model if isinstance(ckpt_or_model, Checkpoint) else ckpt_or_model
    device = next(model.parameters()).device
    ends = torch.from_numpy(grid[[start, stop - 1]]).to(device)[None]
    with torch.no_grad():
        first, last = model.quantized_latent_from_indices(ends)[0]
        t = torch.linspace(0.0, 1.0, stop - start, device=device)[1:-1, None]
        _, inner = model.quantizer.quantize(torch.lerp(first, last, t)[None], grid.shape[1])
    block = grid[start:stop].copy()
    block[1:-1] = inner[0].cpu().numpy()
    return block
