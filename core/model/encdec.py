"""Convolutional encoder (frames -> latent steps) and its mirror decoder (latent steps -> frames).

Both take and return channels-last ``(B, T, C)`` tensors and permute to ``(B, C, T)`` inside; the layer
stacks live in ``.model`` (an ``nn.Sequential``) with the MoMask/T2M-GPT layout and names.
"""

from __future__ import annotations

from torch import Tensor, nn

from core.model.config import RVQVAEConfig
from core.model.resnet import ResConv1DBlock, Resnet1D

_POINTWISE = (nn.Identity, nn.ReLU, nn.SiLU, nn.GELU, nn.Dropout, nn.LayerNorm, nn.BatchNorm1d)


def _resnet(c: RVQVAEConfig) -> Resnet1D:
    """One level's residual stack, its dilations growing toward the level's input."""
    return Resnet1D(
        c.width, c.depth, c.dilation_growth_rate, True, c.activation, c.norm, c.dropout, c.pad_mode
    )


class Encoder(nn.Module):
    """Conv k3 + ReLU, ``down_t`` x [strided conv (k=2s, stride s, pad s/2) -> Resnet1D], conv k3 to ``code_dim``;
    every conv pads the sequence's ends as ``pad_mode`` says (:data:`core.model.config.PAD_MODES`).

    Each strided conv maps ``T`` frames to ``T // stride`` exactly, so inputs whose length is a multiple of
    ``stride**down_t`` give ``T / stride**down_t`` latent steps (the model pads other lengths first).
    """

    def __init__(self, c: RVQVAEConfig) -> None:
        super().__init__()
        width, stride_t, pad = c.width, c.stride_t, {"padding_mode": c.pad_mode}
        blocks: list[nn.Module] = [nn.Conv1d(c.input_dim, width, 3, 1, 1, **pad), nn.ReLU()]
        for _ in range(c.down_t):
            blocks.append(
                nn.Sequential(
                    nn.Conv1d(width, width, 2 * stride_t, stride_t, stride_t // 2, **pad),
                    _resnet(c),
                )
            )
        blocks.append(nn.Conv1d(width, c.code_dim, 3, 1, 1, **pad))
        self.model = nn.Sequential(*blocks)

    def forward(self, x: Tensor) -> Tensor:
        """``(B, T, input_dim) -> (B, T // stride**down_t, code_dim)``."""
        return self.model(x.transpose(1, 2)).transpose(1, 2)


class Decoder(nn.Module):
    """Mirror of :class:`Encoder`: conv k3 + ReLU, ``down_t`` x [Resnet1D -> nearest upsample -> conv k3],
    conv k3 + ReLU, conv k3 to ``input_dim``.

    Nearest upsampling plus stride-1 convolutions make the decoder local: see :meth:`receptive_field`.
    """

    def __init__(self, c: RVQVAEConfig) -> None:
        super().__init__()
        width, stride_t, pad = c.width, c.stride_t, {"padding_mode": c.pad_mode}
        self.upsample_factor = c.downsample_factor
        blocks: list[nn.Module] = [nn.Conv1d(c.code_dim, width, 3, 1, 1, **pad), nn.ReLU()]
        for _ in range(c.down_t):
            blocks.append(
                nn.Sequential(
                    _resnet(c),
                    nn.Upsample(scale_factor=stride_t, mode="nearest"),
                    nn.Conv1d(width, width, 3, 1, 1, **pad),
                )
            )
        blocks += [
            nn.Conv1d(width, width, 3, 1, 1, **pad),
            nn.ReLU(),
            nn.Conv1d(width, c.input_dim, 3, 1, 1, **pad),
        ]
        self.model = nn.Sequential(*blocks)

    def forward(self, z: Tensor) -> Tensor:
        """``(B, n, code_dim) -> (B, n * stride**down_t, input_dim)``."""
        return self.model(z.transpose(1, 2)).transpose(1, 2)

    def receptive_field(self) -> int:
        """Radius ``R`` in latent steps: frames of step ``s`` depend only on latent steps ``s-R .. s+R``.

        Computed by propagating the input interval of every output frame of one step backwards through
        the actual layer stack (convs widen it by their dilated half-kernel, upsampling divides it), so it
        follows any config. Raises ``ValueError`` for GroupNorm, which mixes statistics over the whole
        sequence and so makes every frame depend on every step.
        """
        f = self.upsample_factor
        step = 1 << 20  # far from the sequence start so floor division never meets negative indices
        radius = 0
        for frame in range(f * step, f * (step + 1)):
            lo, hi = _input_interval(self.model, frame, frame)
            radius = max(radius, step - lo, hi - step)
        return radius


def _input_interval(module: nn.Module, lo: int, hi: int) -> tuple[int, int]:
    """Input positions that output positions ``lo..hi`` of ``module`` can depend on (stride-1 layers only)."""
    if isinstance(module, nn.Sequential):
        for child in reversed(module):
            lo, hi = _input_interval(child, lo, hi)
        return lo, hi
    if isinstance(module, Resnet1D):
        return _input_interval(module.model, lo, hi)
    if isinstance(module, ResConv1DBlock):
        branch = (module.norm1, module.activation1, module.conv1, module.norm2, module.activation2)
        blo, bhi = _input_interval(nn.Sequential(*branch, module.conv2, module.dropout), lo, hi)
        return min(lo, blo), max(hi, bhi)
    if isinstance(module, nn.Conv1d):
        if module.stride[0] != 1 or not isinstance(module.padding, tuple):
            raise ValueError(f"receptive field only supports stride-1, explicitly padded convs, got {module}")
        reach = module.dilation[0] * (module.kernel_size[0] - 1)
        return lo - module.padding[0], hi - module.padding[0] + reach
    if isinstance(module, nn.Upsample):
        if module.mode != "nearest" or not float(module.scale_factor).is_integer():
            raise ValueError(f"receptive field only supports integer nearest upsampling, got {module}")
        scale = int(module.scale_factor)
        return lo // scale, hi // scale
    if isinstance(module, nn.GroupNorm):
        raise ValueError("GroupNorm normalises over time, so the decoder has no finite receptive field")
    if isinstance(module, _POINTWISE):
        return lo, hi
    raise ValueError(f"receptive field: unsupported layer {type(module).__name__}")
