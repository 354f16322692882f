"""The codebook statistics an imported tokenizer needs to be fine-tuned without losing its codes.

The project's quantizer (:class:`core.model.quantizer.QuantizeEMAReset`) keeps, beside each codebook,
the EMA of the vectors assigned to every code (``code_sum``) and of its hit count (``code_count``), and
re-seeds from the batch any code whose count falls below 1; a layer not ``initialized`` is re-seeded
whole from the first training batch. The peers save only the codebook (MoMask's and T2M-GPT's EMA
state is not in their files, docs section 3), so an import must fill the rest:

* on import (:func:`imported_ema_buffers`): ``initialized`` true, every ``code_count`` at
  :func:`grace_count` and ``code_sum = codebook * code_count``, so every code is exactly its EMA mean
  and a code no batch hits survives :data:`GRACE_STEPS` steps before it may be re-seeded;
* before fine-tuning starts (:func:`calibrate_codebooks`): ``code_count`` set to the hits each code
  gets per training batch of the new data (at least the grace count), ``code_sum`` rescaled to match,
  so the EMA moves each code as fast as steady training would, not ten times faster.

Neither changes a codebook, so the tokens of the imported model are unchanged until training moves them.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import Tensor

from core.model.quantizer import QuantizeEMAReset
from core.model.rvqvae import RVQVAE

GRACE_STEPS = 100
"""Training steps a code that no batch hits keeps its imported vector before a dead-code reset."""


def grace_count(mu: float) -> float:
    """The EMA count that decays below the reset threshold (1) after :data:`GRACE_STEPS` unhit steps."""
    return float(mu**-GRACE_STEPS)


def _set_counts(layer: QuantizeEMAReset, counts: Tensor) -> None:
    layer.code_count.copy_(counts)
    layer.code_sum.copy_(layer.codebook * counts.unsqueeze(1))
    layer.initialized.fill_(True)
    layer._known_initialized = False  # re-read the flag at the next training call


@torch.no_grad()
def imported_ema_buffers(model: RVQVAE) -> None:
    """Fill every layer's EMA buffers around its imported codebook (see the module docstring)."""
    for layer in model.quantizer.layers:
        _set_counts(layer, torch.full_like(layer.code_count, grace_count(layer.mu)))


@torch.no_grad()
def calibrate_codebooks(model: RVQVAE, indices: Iterable[Tensor]) -> int:
    """Set the EMA counts from the codes ``model`` gives a few training batches: ``indices`` are
    ``(B, n, Q)`` grids (``-1`` for padded steps), one per batch. Returns the batches used."""
    quantizer = model.quantizer
    hits = [torch.zeros_like(layer.code_count) for layer in quantizer.layers]
    calls = [0] * len(hits)  # a shared codebook is updated once per residual depth, so per call counts
    batches = 0
    for grid in indices:
        batches += 1
        for depth in range(grid.shape[-1]):
            slot = 0 if quantizer.shared_codebook else depth
            codes = grid[..., depth].reshape(-1)
            codes = codes[codes >= 0].to(hits[slot].device)
            hits[slot].index_add_(0, codes, torch.ones_like(codes, dtype=hits[slot].dtype))
            calls[slot] += 1
    for layer, counts, n in zip(quantizer.layers, hits, calls, strict=True):
        if n:
            _set_counts(layer, (counts / n).clamp_min(grace_count(layer.mu)))
    return batches
