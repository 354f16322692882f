"""Residual vector quantization: a stack of EMA quantizers, each coding what the previous ones missed.

Vectors are channels-last ``(B, n, code_dim)``; indices are ``(B, n, layers)`` with ``-1`` marking a layer
that was dropped (it contributes a zero vector when decoding).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

from core.model.quantizer import QuantizeEMAReset


@dataclass
class ResidualVQOutput:
    """Result of :meth:`ResidualVQ.forward` on ``(B, n, code_dim)`` latents with ``Q`` layers."""

    quantized: Tensor
    """``(B, n, code_dim)`` float32 sum of the active layers' codes (straight-through gradients)."""
    indices: Tensor
    """``(B, n, Q)`` int64 codes; ``-1`` for layers removed by quantize dropout."""
    commit_loss: Tensor
    """``()`` mean commitment loss over the active layers."""
    perplexity: Tensor
    """``(Q,)`` per-layer code perplexity of this call; 0 for dropped layers."""
    usage: Tensor
    """``(Q,)`` per-layer fraction of codes hit in this call; 0 for dropped layers."""
    active_layers: Tensor
    """``(Q,)`` bool, which layers took part (a prefix; all true outside training or without dropout)."""


class ResidualVQ(nn.Module):
    """``num_quantizers`` :class:`QuantizeEMAReset` layers applied to successive residuals (MoMask semantics).

    Quantize dropout (training only): with probability ``quantize_dropout_prob`` per batch, draw ``k``
    uniformly from ``cutoff+1 .. Q`` and keep only the first ``k`` layers, so the coarse layers learn to
    reconstruct on their own and inference can truncate. ``k`` is drawn on the device and applied with
    masks: every layer still runs, but dropped ones neither contribute nor update their codebook.
    """

    def __init__(
        self,
        num_quantizers: int,
        nb_code: int,
        code_dim: int,
        mu: float = 0.99,
        shared_codebook: bool = False,
        quantize_dropout_prob: float = 0.2,
        quantize_dropout_cutoff_index: int = 0,
        sample_codebook_temp: float = 0.5,
    ) -> None:
        super().__init__()
        if num_quantizers < 1:
            raise ValueError(f"num_quantizers must be >= 1, got {num_quantizers}")
        if not 0.0 <= quantize_dropout_prob <= 1.0:
            raise ValueError(f"quantize_dropout_prob must be in [0, 1], got {quantize_dropout_prob}")
        if not 0 <= quantize_dropout_cutoff_index < num_quantizers:
            raise ValueError(
                f"quantize_dropout_cutoff_index must be in [0, {num_quantizers - 1}], "
                f"got {quantize_dropout_cutoff_index}"
            )
        self.num_quantizers = num_quantizers
        self.nb_code = nb_code
        self.code_dim = code_dim
        self.shared_codebook = shared_codebook
        self.quantize_dropout_prob = quantize_dropout_prob
        self.quantize_dropout_cutoff_index = quantize_dropout_cutoff_index
        self.sample_codebook_temp = sample_codebook_temp
        # A shared codebook is stored once (not Q aliases of it) so state dicts have no shared tensors.
        n_books = 1 if shared_codebook else num_quantizers
        self.layers = nn.ModuleList(QuantizeEMAReset(nb_code, code_dim, mu) for _ in range(n_books))

    def layer(self, index: int) -> QuantizeEMAReset:
        """Quantizer used at residual depth ``index``."""
        return self.layers[0 if self.shared_codebook else index]

    @property
    def codebooks(self) -> Tensor:
        """``(Q, nb_code, code_dim)`` codebook of every layer (repeated when shared)."""
        return torch.stack([self.layer(i).codebook for i in range(self.num_quantizers)])

    def _sample_num_active(self, device: torch.device) -> Tensor | None:
        """Number of kept layers as a 0-dim device tensor, or ``None`` when every layer is active."""
        if not self.training or self.quantize_dropout_prob <= 0.0:
            return None
        q = self.num_quantizers
        drop = torch.rand((), device=device) < self.quantize_dropout_prob
        k = torch.randint(self.quantize_dropout_cutoff_index + 1, q + 1, (), device=device)
        return torch.where(drop, k, torch.full_like(k, q))

    def forward(self, x: Tensor, sample_codebook_temp: float | None = None) -> ResidualVQOutput:
        """Quantize ``x`` ``(B, n, code_dim)`` with all layers (quantize dropout and Gumbel sampling in training).

        As in MoMask, each layer's output is straight-through with respect to its own residual and
        residuals are formed with detached codes, so the encoder receives the decoder gradient once per
        active layer.
        """
        temperature = self.sample_codebook_temp if sample_codebook_temp is None else sample_codebook_temp
        q = self.num_quantizers
        num_active = self._sample_num_active(x.device)
        quantized_out = torch.zeros(x.shape, device=x.device, dtype=torch.float32)
        residual = x
        indices, losses, perplexities, usages = [], [], [], []
        for i in range(q):
            active = None if num_active is None else num_active > i
            out = self.layer(i)(residual, temperature=temperature, update_mask=active)
            residual = residual - out.quantized.detach()
            if active is None:
                quantized_out = quantized_out + out.quantized
                indices.append(out.indices)
                losses.append(out.commit_loss)
                perplexities.append(out.perplexity)
                usages.append(out.usage)
            else:
                quantized_out = quantized_out + out.quantized * active.to(out.quantized.dtype)
                indices.append(torch.where(active, out.indices, torch.full_like(out.indices, -1)))
                losses.append(torch.where(active, out.commit_loss, torch.zeros_like(out.commit_loss)))
                perplexities.append(torch.where(active, out.perplexity, torch.zeros_like(out.perplexity)))
                usages.append(torch.where(active, out.usage, torch.zeros_like(out.usage)))
        if num_active is None:
            active_layers = torch.ones(q, device=x.device, dtype=torch.bool)
            commit_loss = torch.stack(losses).sum() / q
        else:
            active_layers = torch.arange(q, device=x.device) < num_active
            commit_loss = torch.stack(losses).sum() / num_active.to(torch.float32)
        return ResidualVQOutput(
            quantized=quantized_out,
            indices=torch.stack(indices, dim=-1),
            commit_loss=commit_loss,
            perplexity=torch.stack(perplexities),
            usage=torch.stack(usages),
            active_layers=active_layers,
        )

    @torch.no_grad()
    def quantize(self, x: Tensor, layers_used: int | None = None) -> tuple[Tensor, Tensor]:
        """Inference: argmin codes of the first ``layers_used`` layers (all by default), buffers untouched.

        Returns ``(latent, indices)``: ``(B, n, code_dim)`` sum of the chosen codes and ``(B, n, k)`` int64.
        The first ``k`` layers pick the same codes whatever ``k`` is, so truncation is a prefix of the full code.
        """
        k = self._check_layers_used(layers_used)
        residual = x.float()
        latent = torch.zeros_like(residual)
        indices = []
        for i in range(k):
            layer = self.layer(i)
            idx = layer.quantize(residual)
            codes = layer.dequantize(idx)
            residual = residual - codes
            latent = latent + codes
            indices.append(idx)
        return latent, torch.stack(indices, dim=-1)

    def get_codes_from_indices(self, indices: Tensor) -> Tensor:
        """Per-layer code vectors ``(L, B, n, code_dim)`` for indices ``(B, n, L)``, ``L <= Q``; ``-1`` gives zeros."""
        self._check_indices_shape(indices)
        n_layers = indices.shape[-1]
        idx = indices.permute(2, 0, 1).long()
        books = self.codebooks[:n_layers].float()
        layer_ids = torch.arange(n_layers, device=idx.device).view(n_layers, 1, 1)
        codes = books[layer_ids, idx.clamp_min(0)]
        return codes * (idx >= 0).unsqueeze(-1).to(codes.dtype)

    def decode_indices(self, indices: Tensor, layers_used: int | None = None) -> Tensor:
        """Latent ``(B, n, code_dim)``: sum of the codes of the first ``layers_used`` layers, ignoring ``-1``."""
        k = self._check_layers_used(layers_used)
        self._check_indices_shape(indices)
        return self.get_codes_from_indices(indices[..., :k]).sum(dim=0)

    def _check_indices_shape(self, indices: Tensor) -> None:
        if indices.dim() != 3 or not 1 <= indices.shape[-1] <= self.num_quantizers:
            raise ValueError(
                f"indices must be (batch, steps, layers) with 1..{self.num_quantizers} layers, "
                f"got shape {tuple(indices.shape)}"
            )

    def _check_layers_used(self, layers_used: int | None) -> int:
        if layers_used is None:
            return self.num_quantizers
        if isinstance(layers_used, bool) or not isinstance(layers_used, int):
            raise ValueError(f"layers_used must be an int or None, got {layers_used!r}")
        if not 1 <= layers_used <= self.num_quantizers:
            raise ValueError(f"layers_used must be in [1, {self.num_quantizers}], got {layers_used}")
        return layers_used
