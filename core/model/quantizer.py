"""One vector-quantizer layer with an EMA-updated codebook and dead-code reset (T2M-GPT/MoMask ``QuantizeEMAReset``).

The codebook is not trained by gradients: it tracks exponential moving averages of the encoder vectors
assigned to each code, and codes that stop being used are re-seeded from the current batch. Everything
in the training step is vectorised over codes and stays on the device (no ``.item()``/``bool(tensor)``
except one read of the ``initialized`` flag, cached afterwards).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import Tensor, nn


@dataclass
class QuantizerOutput:
    """Result of one quantizer call on vectors ``x`` of shape ``(..., code_dim)``."""

    quantized: Tensor
    """``(..., code_dim)`` float32 codes, with straight-through gradients to ``x``."""
    indices: Tensor
    """``(...)`` int64 chosen code per vector."""
    commit_loss: Tensor
    """``()`` MSE between ``x`` and the detached codes (pulls the encoder towards the codebook)."""
    perplexity: Tensor
    """``()`` exp(entropy) of this call's code histogram: 1 = collapse, ``nb_code`` = uniform."""
    usage: Tensor
    """``()`` fraction of the codebook hit at least once in this call."""


def code_statistics(counts: Tensor) -> tuple[Tensor, Tensor]:
    """Perplexity and usage fraction from a per-code hit histogram (``counts.sum()`` must be > 0)."""
    prob = counts / counts.sum()
    perplexity = torch.exp(-torch.sum(prob * torch.log(prob + 1e-7)))
    usage = (counts > 0).float().mean()
    return perplexity, usage


def gumbel_argmax(logits: Tensor, temperature: float) -> Tensor:
    """Sample ``argmax(logits / temperature + Gumbel noise)``: a draw from ``softmax(logits / temperature)``."""
    tiny = torch.finfo(logits.dtype).tiny
    uniform = torch.rand_like(logits).clamp_(min=tiny, max=1.0 - torch.finfo(logits.dtype).eps)
    gumbel = -torch.log(-torch.log(uniform))
    return torch.argmax(logits / temperature + gumbel, dim=-1)


class QuantizeEMAReset(nn.Module):
    """Nearest-code quantizer whose ``(nb_code, code_dim)`` codebook follows an EMA of assigned vectors.

    Buffers (all saved in the state dict, so training can resume): ``codebook``, ``code_sum`` (EMA of the
    per-code vector sums), ``code_count`` (EMA of per-code hit counts) and ``initialized``.

    Training calls (``module.training``): initialise from the first batch if needed, pick codes (Gumbel
    sampling at ``temperature > 0``, else argmin), then update the EMA and reset codes whose EMA count is
    below 1. Eval calls: argmin, and the buffers are never touched.
    """

    def __init__(self, nb_code: int, code_dim: int, mu: float = 0.99) -> None:
        super().__init__()
        if nb_code < 1 or code_dim < 1:
            raise ValueError(f"nb_code and code_dim must be >= 1, got {nb_code} and {code_dim}")
        if not 0.0 <= mu <= 1.0:
            raise ValueError(f"mu must be in [0, 1], got {mu}")
        self.nb_code = nb_code
        self.code_dim = code_dim
        self.mu = mu
        self.register_buffer("codebook", torch.zeros(nb_code, code_dim))
        self.register_buffer("code_sum", torch.zeros(nb_code, code_dim))
        self.register_buffer("code_count", torch.zeros(nb_code))
        self.register_buffer("initialized", torch.zeros((), dtype=torch.bool))
        self._known_initialized = False

    def _load_from_state_dict(self, *args: Any, **kwargs: Any) -> None:
        self._known_initialized = False  # the loaded flag may differ; re-read it once
        super()._load_from_state_dict(*args, **kwargs)

    def _random_codes(self, x: Tensor) -> Tensor:
        """``nb_code`` rows drawn from ``x`` without replacement; tiled with small noise if ``x`` is too short.

        The noise (std 0.01/sqrt(code_dim), as in T2M-GPT) keeps duplicated rows distinct so they can drift
        apart; shuffling keeps resets from always favouring the first clips of a batch.
        """
        n = x.shape[0]
        if n >= self.nb_code:
            return x[torch.randperm(n, device=x.device)[: self.nb_code]]
        tiled = x.repeat(math.ceil(self.nb_code / n), 1)[: self.nb_code]
        tiled = tiled + torch.randn_like(tiled) * (0.01 / math.sqrt(self.code_dim))
        return tiled[torch.randperm(self.nb_code, device=x.device)]

    @torch.no_grad()
    def init_codebook(self, x: Tensor) -> None:
        """Seed the codebook with vectors ``x`` (``(N, code_dim)``) so no code starts far from the data."""
        codes = self._random_codes(x.detach().float())
        self.codebook.copy_(codes)
        self.code_sum.copy_(codes)
        self.code_count.fill_(1.0)
        self.initialized.fill_(True)
        self._known_initialized = True

    def distances(self, x: Tensor) -> Tensor:
        """Squared L2 distances ``(N, nb_code)`` as ||x||^2 - 2 x.c + ||c||^2, in float32 even under autocast."""
        with torch.autocast(device_type=x.device.type, enabled=False):
            x = x.float()
            codebook = self.codebook.float()
            return (
                x.pow(2).sum(dim=-1, keepdim=True)
                - 2.0 * x @ codebook.t()
                + codebook.pow(2).sum(dim=-1).unsqueeze(0)
            )

    @torch.no_grad()
    def quantize(self, x: Tensor) -> Tensor:
        """Nearest-code indices for ``x`` of shape ``(..., code_dim)``; deterministic, never updates buffers."""
        return self.distances(x.reshape(-1, self.code_dim)).argmin(dim=-1).reshape(x.shape[:-1])

    def dequantize(self, indices: Tensor) -> Tensor:
        """Code vectors (float32) for ``indices`` of any shape; indices must lie in ``[0, nb_code)``."""
        return F.embedding(indices, self.codebook).float()

    def code_counts(self, indices: Tensor) -> Tensor:
        """Per-code hit histogram ``(nb_code,)`` without ``bincount`` (which syncs with the host on CUDA)."""
        flat = indices.reshape(-1)
        ones = torch.ones(flat.shape[0], device=flat.device, dtype=torch.float32)
        return torch.zeros(self.nb_code, device=flat.device, dtype=torch.float32).index_add_(0, flat, ones)

    @torch.no_grad()
    def update_codebook(
        self, x: Tensor, indices: Tensor, counts: Tensor | None = None, mask: Tensor | None = None
    ) -> None:
        """One EMA step with vectors ``x`` ``(N, code_dim)`` assigned to ``indices`` ``(N,)``.

        ``code_sum <- mu*code_sum + (1-mu)*batch_sum``, ``code_count <- mu*code_count + (1-mu)*batch_count``;
        codes with ``code_count >= 1`` become ``code_sum / code_count``, the rest are replaced by shuffled
        vectors of this batch (their EMA statistics are kept, as in MoMask, so a reset code must win
        several hits before it counts as alive again). ``mask`` (0-dim bool tensor) skips the whole update
        on the device when false, which lets quantize dropout avoid a host sync.
        """
        x = x.detach().float()
        if counts is None:
            counts = self.code_counts(indices)
        batch_sum = torch.zeros_like(self.code_sum, dtype=torch.float32).index_add_(0, indices.reshape(-1), x)
        if dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1:
            batch_sum, counts = _all_reduce_statistics(batch_sum, counts, mask)
        code_sum = self.mu * self.code_sum + (1.0 - self.mu) * batch_sum
        code_count = self.mu * self.code_count + (1.0 - self.mu) * counts
        alive = (code_count >= 1.0).unsqueeze(1)
        means = code_sum / code_count.clamp_min(1e-12).unsqueeze(1)
        codebook = torch.where(alive, means, self._random_codes(x))
        if mask is not None:
            code_sum = torch.where(mask, code_sum, self.code_sum)
            code_count = torch.where(mask, code_count, self.code_count)
            codebook = torch.where(mask, codebook, self.codebook)
        self.code_sum.copy_(code_sum)
        self.code_count.copy_(code_count)
        self.codebook.copy_(codebook)

    def forward(
        self, x: Tensor, temperature: float = 0.0, update_mask: Tensor | None = None
    ) -> QuantizerOutput:
        """Quantize ``x`` of shape ``(..., code_dim)``; see the class docstring for train/eval behaviour.

        ``update_mask`` (0-dim bool tensor) gates the EMA update of this call without leaving the device.
        """
        if x.shape[-1] != self.code_dim:
            raise ValueError(f"expected vectors of size {self.code_dim}, got shape {tuple(x.shape)}")
        lead = x.shape[:-1]
        flat = x.reshape(-1, self.code_dim).float()
        if flat.shape[0] == 0:
            raise ValueError("cannot quantize an empty batch")
        with torch.no_grad():
            if self.training and not self._known_initialized:
                if not bool(self.initialized):
                    self.init_codebook(flat)
                self._known_initialized = True
            distances = self.distances(flat)
            if self.training and temperature > 0.0:
                indices = gumbel_argmax(-distances, temperature)
            else:
                indices = distances.argmin(dim=-1)
            codes = self.dequantize(indices)
            counts = self.code_counts(indices)
            if self.training:
                self.update_codebook(flat, indices, counts=counts, mask=update_mask)
            perplexity, usage = code_statistics(counts)
        commit_loss = F.mse_loss(flat, codes)
        quantized = flat + (codes - flat).detach()
        return QuantizerOutput(
            quantized=quantized.reshape(*lead, self.code_dim),
            indices=indices.reshape(lead),
            commit_loss=commit_loss,
            perplexity=perplexity,
            usage=usage,
        )


def _all_reduce_statistics(batch_sum: Tensor, counts: Tensor, mask: Tensor | None) -> tuple[Tensor, Tensor]:
    """Sum code statistics over DistributedDataParallel processes, so every process takes the EMA step
    the whole global batch implies. Codebooks that still differ (first-batch init, dead-code resets
    drawn per process) are overwritten by rank 0's at the next forward (DDP's buffer broadcast)."""
    stats = torch.cat([batch_sum, counts.unsqueeze(1)], dim=1)
    if mask is not None:
        stats = stats * mask
    dist.all_reduce(stats)
    return stats[:, :-1], stats[:, -1]
