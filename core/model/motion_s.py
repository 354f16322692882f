"""Motion-S encoder and decoder: plain 1-D convolutions with BatchNorm, no residual stacks.

Encoder: ``log2(f)`` convs of kernel 3, stride 2 (``f = stride_t ** down_t``), then ``depth`` stride-1
convs of kernel 3, each followed by BatchNorm and the activation, then a kernel-3 conv to ``code_dim``.
Decoder, its mirror: a kernel-3 conv from ``code_dim``, ``depth`` stride-1 convs, then ``log2(f)``
transposed convs (kernel 4, stride 2, padding 1: each output frame mixes exactly two input steps, so the
upsampling has no checkerboard and doubles the length exactly without ``output_padding``), every layer
but the last with BatchNorm and the activation. The layers that write the latent and the motion are
plain, so neither is forced non-negative (a ReLU latent would leave the residual quantizers half a space).

Padded batches: both take an optional ``(B, T)`` bool mask of real positions at their input resolution.
BatchNorm then takes its batch statistics from real positions only, and every layer's output is zeroed
at padded positions, which is what a conv's zero padding gives a clip that ends there: so a clip
padded in a batch is encoded and decoded exactly as it would be alone, whatever the padding holds.
"""

from __future__ import annotations

from torch import Tensor, nn

from core.model.config import RVQVAEConfig
from core.model.resnet import make_activation


class MaskedBatchNorm1d(nn.BatchNorm1d):
    """BatchNorm over ``(B, C, T)`` whose training statistics count only the positions ``mask`` marks.

    Without a mask, or in eval mode (where BatchNorm is a fixed per-channel affine map and so needs no
    mask), it is :class:`torch.nn.BatchNorm1d`. With one, mean and variance come from the real positions
    and the running statistics move towards them as BatchNorm's do (unbiased variance, ``momentum``),
    so padding changes neither the normalised values nor what eval mode will use.
    """

    def forward(self, x: Tensor, mask: Tensor | None = None) -> Tensor:
        if mask is None or not self.training:
            return super().forward(x)
        weight = mask.unsqueeze(1).float()
        count = weight.sum()
        values = x.float()
        mean = (values * weight).sum(dim=(0, 2)) / count
        centred = (values - mean[:, None]) * weight
        var = centred.square().sum(dim=(0, 2)) / count
        if self.track_running_stats:
            momentum = float(self.momentum)  # always set: built with BatchNorm's default, 0.1
            self.num_batches_tracked.add_(1)
            self.running_mean.lerp_(mean.detach(), momentum)
            self.running_var.lerp_((var * count / (count - 1).clamp_min(1)).detach(), momentum)
        out = (values - mean[:, None]) * (var + self.eps).rsqrt()[:, None]
        return (out * self.weight[:, None] + self.bias[:, None]).to(x.dtype)


class ConvUnit(nn.Module):
    """One conv (strided, stride-1 or transposed), then BatchNorm and the activation unless ``plain``."""

    def __init__(self, conv: nn.Conv1d | nn.ConvTranspose1d, activation: str, plain: bool = False) -> None:
        super().__init__()
        self.conv = conv
        self.norm = None if plain else MaskedBatchNorm1d(conv.out_channels)
        self.activation = None if plain else make_activation(activation)

    def forward(self, x: Tensor, mask: Tensor | None) -> tuple[Tensor, Tensor | None]:
        """``(B, C_in, T)`` and its mask -> ``(B, C_out, T')`` zeroed at padding, and the mask at ``T'``."""
        x = self.conv(x)
        if mask is not None:
            stride = self.conv.stride[0]
            mask = mask.repeat_interleave(stride, dim=1) if self.is_upsampling else mask[:, ::stride]
        if self.norm is not None and self.activation is not None:
            x = self.activation(self.norm(x, mask))
        return (x, None) if mask is None else (x * mask.unsqueeze(1), mask)

    @property
    def is_upsampling(self) -> bool:
        return isinstance(self.conv, nn.ConvTranspose1d)

    def input_interval(self, lo: int, hi: int) -> tuple[int, int]:
        """Input positions that output positions ``lo..hi`` depend on (BatchNorm in eval is per position)."""
        stride, kernel = self.conv.stride[0], self.conv.kernel_size[0]
        padding, dilation = self.conv.padding[0], self.conv.dilation[0]
        reach = dilation * (kernel - 1)
        if self.is_upsampling:  # output t = stride*i - padding + dilation*k
            return -(-(lo + padding - reach) // stride), (hi + padding) // stride
        return lo * stride - padding, hi * stride - padding + reach


def _levels(config: RVQVAEConfig) -> int:
    """Stride-2 layers per side: ``log2`` of the downsample factor (a power of two, as the config checks)."""
    return config.downsample_factor.bit_length() - 1


class _Stack(nn.Module):
    """Channels-last wrapper around a list of :class:`ConvUnit` that threads the padding mask through."""

    units: nn.ModuleList

    def forward(self, x: Tensor, mask: Tensor | None = None) -> Tensor:
        """``(B, T, C_in)`` with an optional ``(B, T)`` bool mask of real positions -> ``(B, T', C_out)``."""
        h = x.transpose(1, 2)
        if mask is not None:
            h = h * mask.unsqueeze(1)
        for unit in self.units:
            h, mask = unit(h, mask)
        return h.transpose(1, 2)


class MotionSEncoder(_Stack):
    """``(B, T, input_dim) -> (B, T / f, code_dim)`` for ``T`` a multiple of ``f`` (the model pads first).

    A kernel-3, stride-2, padding-1 conv maps an even length ``L`` to ``L / 2`` exactly.
    """

    def __init__(self, config: RVQVAEConfig) -> None:
        super().__init__()
        c, width = config, config.width
        units = [
            ConvUnit(nn.Conv1d(c.input_dim if i == 0 else width, width, 3, 2, 1), c.activation)
            for i in range(_levels(c))
        ]
        units += [ConvUnit(nn.Conv1d(width, width, 3, 1, 1), c.activation) for _ in range(c.depth)]
        units.append(ConvUnit(nn.Conv1d(width, c.code_dim, 3, 1, 1), c.activation, plain=True))
        self.units = nn.ModuleList(units)


class MotionSDecoder(_Stack):
    """``(B, n, code_dim) -> (B, n * f, input_dim)``: the encoder's mirror (see the module docstring)."""

    def __init__(self, config: RVQVAEConfig) -> None:
        super().__init__()
        c, width, levels = config, config.width, _levels(config)
        units = [ConvUnit(nn.Conv1d(c.code_dim, width, 3, 1, 1), c.activation)]
        units += [ConvUnit(nn.Conv1d(width, width, 3, 1, 1), c.activation) for _ in range(c.depth)]
        for i in range(levels):
            last = i == levels - 1
            up = nn.ConvTranspose1d(width, c.input_dim if last else width, 4, 2, 1)
            units.append(ConvUnit(up, c.activation, plain=last))
        self.units = nn.ModuleList(units)
        self.upsample_factor = config.downsample_factor

    def receptive_field(self) -> int:
        """Radius ``R`` in latent steps: frames of step ``s`` depend only on latent steps ``s-R .. s+R``.

        Each output frame of one step is traced back through the layers (a conv widens its interval by
        its reach and divides it by its stride, a transposed conv maps it onto the steps that feed it),
        so it follows any width, depth and downsampling. In eval mode BatchNorm and the activation act
        position by position, so they do not widen it. ``R = 3`` for depth 1 and ``f = 4``.
        """
        f = self.upsample_factor
        step = 1 << 20  # far from the start, so floor division never meets negative positions
        radius = 0
        for frame in range(f * step, f * (step + 1)):
            lo, hi = frame, frame
            for unit in reversed(self.units):
                lo, hi = unit.input_interval(lo, hi)
            radius = max(radius, step - lo, hi - step)
        return radius
