"""The RVQ-VAE motion tokenizer: encoder -> residual VQ -> decoder, with ``(B, T, D)`` tensors at its boundary.

Lengths: the encoder divides time by ``f = stride_t ** down_t`` (4 by default). A clip of ``T`` frames is
padded at the end by repeating its last frame up to ``ceil(T / f) * f`` frames, giving ``ceil(T / f)`` token
steps; :meth:`RVQVAE.forward` crops the reconstruction back to ``T`` frames, and :meth:`RVQVAE.decode`
returns ``f`` frames per step unless given ``length``. Edge replication (rather than zeros) keeps the
padded tail a plausible continuation, so the last real frames are not reconstructed next to a jump.

Batches of clips of different lengths: ``forward(x, lengths)`` treats frames past each clip's length
as padding. They are overwritten by the clip's last real frame (the padding a lone clip gets), only
the real steps are quantized (commitment, code statistics and EMA updates ignore padding; padded steps
get token ``-1`` and a zero latent), and the Motion-S layers also zero padded positions after every
layer and keep them out of BatchNorm's statistics, so a padded clip is reconstructed exactly as it
would be alone. The seed's resnet layers see the replicated frames and the zero latent.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from core.model.config import RVQVAEConfig
from core.model.encdec import Decoder, Encoder
from core.model.motion_s import MotionSDecoder, MotionSEncoder
from core.model.residual_vq import ResidualVQ


@dataclass
class RVQVAEOutput:
    """Result of :meth:`RVQVAE.forward` for ``x`` of shape ``(B, T, D)`` with ``Q`` quantizer layers."""

    reconstruction: Tensor
    """``(B, T, D)`` decoded motion, same length as the input."""
    commit_loss: Tensor
    """``()`` commitment loss averaged over the active quantizer layers."""
    perplexity: Tensor
    """``(Q,)`` per-layer code perplexity of this batch (0 for layers removed by quantize dropout)."""
    usage: Tensor
    """``(Q,)`` per-layer fraction of codes hit in this batch (0 for dropped layers)."""
    indices: Tensor
    """``(B, ceil(T / f), Q)`` int64 tokens; ``-1`` marks dropped layers and padded steps."""
    active_layers: Tensor
    """``(Q,)`` bool, the layers that took part (average per-layer statistics over these)."""


class RVQVAE(nn.Module):
    """Residual-vector-quantized VAE over motion feature sequences (MoMask/T2M-GPT architecture, or
    Motion-S's plain conv stacks with ``config.arch="motion-s"``: :mod:`core.model.motion_s`).

    ``forward`` is the training step (Gumbel code sampling, EMA codebook updates and quantize dropout when
    ``self.training``); ``encode``/``decode`` are the tokenizer API and always quantize by argmin with every
    layer, never touching the codebooks. Call ``eval()`` for deterministic results: the residual blocks
    have dropout, and Motion-S's BatchNorm uses batch statistics in training.
    """

    def __init__(self, config: RVQVAEConfig | None = None) -> None:
        super().__init__()
        self.config = config if config is not None else RVQVAEConfig()
        c = self.config
        self.encoder: Encoder | MotionSEncoder
        self.decoder: Decoder | MotionSDecoder
        self.encoder = MotionSEncoder(c) if c.arch == "motion-s" else Encoder(c)
        self.quantizer = ResidualVQ(
            num_quantizers=c.num_quantizers,
            nb_code=c.nb_code,
            code_dim=c.code_dim,
            mu=c.mu,
            shared_codebook=c.shared_codebook,
            quantize_dropout_prob=c.quantize_dropout_prob,
            quantize_dropout_cutoff_index=c.quantize_dropout_cutoff_index,
            sample_codebook_temp=c.sample_codebook_temp,
        )
        self.decoder = MotionSDecoder(c) if c.arch == "motion-s" else Decoder(c)

    @property
    def downsample_factor(self) -> int:
        """Frames per token step (``stride_t ** down_t``)."""
        return self.config.downsample_factor

    def num_steps(self, num_frames: int) -> int:
        """Token steps for a clip of ``num_frames`` frames: ``ceil(num_frames / downsample_factor)``."""
        return -(-num_frames // self.downsample_factor)

    def _check_motion(self, x: Tensor) -> None:
        if x.dim() != 3 or x.shape[-1] != self.config.input_dim:
            raise ValueError(
                f"motion must be (batch, frames, {self.config.input_dim}), got shape {tuple(x.shape)}"
            )
        if x.shape[0] < 1 or x.shape[1] < 1:
            raise ValueError(f"motion needs at least one clip and one frame, got shape {tuple(x.shape)}")

    def _pad(self, x: Tensor) -> Tensor:
        """Repeat the last frame up to a multiple of the downsample factor (see the module docstring)."""
        pad = self.num_steps(x.shape[1]) * self.downsample_factor - x.shape[1]
        if pad == 0:
            return x
        return F.pad(x.transpose(1, 2), (0, pad), mode="replicate").transpose(1, 2)

    def encode_latent(self, x: Tensor) -> Tensor:
        """Continuous encoder output ``(B, ceil(T / f), code_dim)`` before quantization."""
        self._check_motion(x)
        return self.encoder(self._pad(x))

    def forward(self, x: Tensor, lengths: Tensor | None = None) -> RVQVAEOutput:
        """Reconstruct ``x`` ``(B, T, D)`` through the quantized bottleneck (the training step).

        ``lengths`` ``(B,)`` gives each clip's real frames in a padded batch (see the module docstring);
        pass it on the CPU, where the real steps are indexed without waiting for the device.
        """
        if lengths is None:
            latent = self.encode_latent(x)
            vq = self.quantizer(latent)
            reconstruction = self.decoder(vq.quantized)[:, : x.shape[1]]
            return RVQVAEOutput(
                reconstruction=reconstruction,
                commit_loss=vq.commit_loss,
                perplexity=vq.perplexity,
                usage=vq.usage,
                indices=vq.indices,
                active_layers=vq.active_layers,
            )
        self._check_motion(x)
        lengths = self._check_lengths(lengths, x)
        n, f = self.num_steps(x.shape[1]), self.downsample_factor
        real_steps = torch.arange(n) < (-(-lengths // f))[:, None]  # (B, n) on the CPU
        flat = real_steps.reshape(-1).nonzero().squeeze(1).to(x.device)
        step_mask = real_steps.to(x.device)
        last_real = torch.minimum(torch.arange(n * f), lengths[:, None] - 1).to(x.device)
        filled = self._pad(x).gather(1, last_real.unsqueeze(-1).expand(-1, -1, x.shape[-1]))
        if isinstance(self.encoder, MotionSEncoder):
            latent = self.encoder(filled, step_mask.repeat_interleave(f, dim=1))
        else:
            latent = self.encoder(filled)
        batch, _, dim = latent.shape
        vq = self.quantizer(latent.reshape(batch * n, dim)[flat].unsqueeze(0))
        quantized = torch.zeros(batch * n, dim, device=x.device).index_copy(0, flat, vq.quantized[0])
        indices = torch.full((batch * n, self.config.num_quantizers), -1, device=x.device)
        indices = indices.index_copy(0, flat, vq.indices[0]).view(batch, n, -1)
        if isinstance(self.decoder, MotionSDecoder):
            frames = self.decoder(quantized.view(batch, n, dim), step_mask)
        else:
            frames = self.decoder(quantized.view(batch, n, dim))
        return RVQVAEOutput(
            reconstruction=frames[:, : x.shape[1]],
            commit_loss=vq.commit_loss,
            perplexity=vq.perplexity,
            usage=vq.usage,
            indices=indices,
            active_layers=vq.active_layers,
        )

    @staticmethod
    def _check_lengths(lengths: Tensor, x: Tensor) -> Tensor:
        """``lengths`` as a CPU int64 tensor, checked to give every clip 1 .. T real frames."""
        if lengths.dtype.is_floating_point or lengths.dtype == torch.bool:
            raise ValueError(f"lengths must be an integer tensor, got {lengths.dtype}")
        lengths = lengths.to("cpu", torch.long)
        if lengths.shape != x.shape[:1] or bool((lengths < 1).any() | (lengths > x.shape[1]).any()):
            raise ValueError(
                f"lengths must be ({x.shape[0]},) with values in [1, {x.shape[1]}], got {lengths.tolist()}"
            )
        return lengths

    def encode(self, x: Tensor, layers_used: int | None = None) -> Tensor:
        """Tokens ``(B, ceil(T / f), layers_used or Q)`` int64 by argmin; the codebooks are never updated."""
        _, indices = self.quantizer.quantize(self.encode_latent(x), layers_used)
        return indices

    def quantized_latent_from_indices(self, indices: Tensor, layers_used: int | None = None) -> Tensor:
        """Latent ``(B, n, code_dim)`` summed over the first ``layers_used`` layers; ``-1`` tokens add nothing.

        Indices must be ``(B, n, L)`` with ``1 <= L <= Q`` and values in ``[-1, nb_code)`` (checked here, at
        the cost of one host sync, because an out-of-range code would otherwise crash on the device).
        """
        if indices.dtype.is_floating_point or indices.dtype == torch.bool:
            raise ValueError(f"indices must be an integer tensor, got {indices.dtype}")
        if indices.dim() != 3 or indices.shape[1] < 1:
            raise ValueError(
                f"indices must be (batch, steps, layers) with steps >= 1, got {tuple(indices.shape)}"
            )
        if indices.numel() and bool((indices.min() < -1) | (indices.max() >= self.config.nb_code)):
            raise ValueError(f"indices must lie in [-1, {self.config.nb_code - 1}]")
        return self.quantizer.decode_indices(indices, layers_used)

    def decode_latent(self, z: Tensor) -> Tensor:
        """Decode a latent ``(B, n, code_dim)`` to ``(B, n * f, D)`` frames."""
        if z.dim() != 3 or z.shape[-1] != self.config.code_dim or z.shape[1] < 1:
            raise ValueError(
                f"latent must be (batch, steps >= 1, {self.config.code_dim}), got {tuple(z.shape)}"
            )
        return self.decoder(z)

    def decode(self, indices: Tensor, layers_used: int | None = None, length: int | None = None) -> Tensor:
        """Motion ``(B, n * f, D)`` from tokens ``(B, n, L)``, cropped to ``length`` frames when given.

        ``layers_used`` truncates to the first layers (coarser motion); ``decode(encode(x), length=T)``
        equals ``forward(x).reconstruction`` in eval mode.
        """
        frames = self.decode_latent(self.quantized_latent_from_indices(indices, layers_used))
        if length is None:
            return frames
        if not 1 <= length <= frames.shape[1]:
            raise ValueError(f"length must be in [1, {frames.shape[1]}], got {length}")
        return frames[:, :length]

    def decoder_receptive_field(self) -> int:
        """Radius ``R`` in token steps of the decoder's dependence on the latent.

        The frames of step ``s`` (``s*f .. s*f + f - 1``) depend only on latent steps ``s-R .. s+R``; so a
        token changed at step ``j`` can only alter frames ``(j-R)*f .. (j+R+1)*f - 1``, and decoding steps
        ``a .. b-1`` needs only latent steps ``a-R .. b-1+R`` (see :meth:`decode_latent_window`).
        ``R = 22`` for the default config (each of the two Resnet1D stacks reaches 9+3+1 steps at its
        resolution, plus the k3 convs, composed through the x2 upsamplings); 3 for the ``motion-s`` preset.
        Holds in eval mode (dropout and BatchNorm statistics are per-frame then); raises ``ValueError``
        for ``norm='GN'``.
        """
        return self.decoder.receptive_field()

    def decode_latent_window(self, z: Tensor, start: int, stop: int) -> Tensor:
        """Frames of steps ``start .. stop-1`` (``(B, (stop-start) * f, D)``), decoding only the latent they need.

        Equal (up to float rounding) to ``decode_latent(z)[:, start*f : stop*f]`` in eval mode, at a cost
        proportional to ``stop - start + 2R`` instead of ``n``: what an edit preview needs after changing
        a few tokens.
        """
        n = z.shape[1]
        if not 0 <= start < stop <= n:
            raise ValueError(f"window must satisfy 0 <= start < stop <= {n}, got start={start}, stop={stop}")
        radius = self.decoder_receptive_field()
        lo, hi = max(0, start - radius), min(n, stop + radius)
        f = self.downsample_factor
        frames = self.decode_latent(z[:, lo:hi])
        return frames[:, (start - lo) * f : (stop - lo) * f]
