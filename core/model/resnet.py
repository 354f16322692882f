"""Dilated 1-D residual stacks: the temporal feature extractor shared by the encoder and the decoder.

Layout is channels-first ``(B, C, T)`` like ``nn.Conv1d``; module names follow the MoMask/T2M-GPT code
so their state dicts map onto ours key for key.
"""

from __future__ import annotations

from torch import Tensor, nn

from core.model.config import ACTIVATIONS, GROUP_NORM_GROUPS, NORMS


def make_activation(name: str) -> nn.Module:
    """Activation module by config name."""
    if name == "relu":
        return nn.ReLU()
    if name == "silu":
        return nn.SiLU()
    if name == "gelu":
        return nn.GELU()
    raise ValueError(f"activation must be one of {ACTIVATIONS}, got {name!r}")


def make_norm(norm: str | None, channels: int) -> nn.Module:
    """Normalisation module by config name; ``None`` gives an identity so forward has no branches."""
    if norm is None:
        return nn.Identity()
    if norm == "LN":
        return nn.LayerNorm(channels)
    if norm == "GN":
        if channels % GROUP_NORM_GROUPS:
            raise ValueError(f"GroupNorm needs channels divisible by {GROUP_NORM_GROUPS}, got {channels}")
        return nn.GroupNorm(GROUP_NORM_GROUPS, channels, eps=1e-6, affine=True)
    if norm == "BN":
        return nn.BatchNorm1d(channels, eps=1e-6, affine=True)
    raise ValueError(f"norm must be one of {NORMS}, got {norm!r}")


class ResConv1DBlock(nn.Module):
    """Pre-activation residual block: norm -> act -> dilated conv k3 -> norm -> act -> conv k1 -> dropout -> +x.

    ``padding = dilation`` keeps the length, so blocks stack freely at any sequence length; ``pad_mode``
    says what the padding holds (:data:`core.model.config.PAD_MODES`).
    """

    def __init__(
        self,
        n_in: int,
        n_state: int,
        dilation: int = 1,
        activation: str = "relu",
        norm: str | None = None,
        dropout: float = 0.2,
        pad_mode: str = "zeros",
    ) -> None:
        super().__init__()
        self.norm = norm
        self.norm1 = make_norm(norm, n_in)
        self.norm2 = make_norm(norm, n_state)
        self.activation1 = make_activation(activation)
        self.activation2 = make_activation(activation)
        self.conv1 = nn.Conv1d(
            n_in, n_state, kernel_size=3, stride=1, padding=dilation, dilation=dilation, padding_mode=pad_mode
        )
        self.conv2 = nn.Conv1d(n_state, n_in, kernel_size=1, stride=1, padding=0)
        self.dropout = nn.Dropout(dropout)

    def _normalise(self, norm: nn.Module, x: Tensor) -> Tensor:
        # LayerNorm normalises the last axis, which must be channels here.
        if self.norm == "LN":
            return norm(x.transpose(-2, -1)).transpose(-2, -1)
        return norm(x)

    def forward(self, x: Tensor) -> Tensor:
        h = self.activation1(self._normalise(self.norm1, x))
        h = self.conv1(h)
        h = self.activation2(self._normalise(self.norm2, h))
        h = self.conv2(h)
        return x + self.dropout(h)


class Resnet1D(nn.Module):
    """``depth`` residual blocks with dilations ``growth**i``; reversed (largest first) by default as in MoMask."""

    def __init__(
        self,
        n_in: int,
        depth: int,
        dilation_growth_rate: int = 1,
        reverse_dilation: bool = True,
        activation: str = "relu",
        norm: str | None = None,
        dropout: float = 0.2,
        pad_mode: str = "zeros",
    ) -> None:
        super().__init__()
        dilations = [dilation_growth_rate**i for i in range(depth)]
        if reverse_dilation:
            dilations.reverse()
        self.dilations = tuple(dilations)
        self.model = nn.Sequential(
            *(ResConv1DBlock(n_in, n_in, d, activation, norm, dropout, pad_mode) for d in dilations)
        )

    def forward(self, x: Tensor) -> Tensor:
        return self.model(x)
