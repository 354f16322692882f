"""Hyperparameters of the RVQ-VAE, validated up front so a bad value fails at construction, not mid-run."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

ARCHS = ("resnet", "motion-s")
"""Encoder/decoder families: the seed's dilated residual stacks, or Motion-S's plain convs with BatchNorm."""
ACTIVATIONS = ("relu", "silu", "gelu")
NORMS = (None, "LN", "GN", "BN")
PAD_MODES = ("zeros", "replicate")
"""How the resnet model's convolutions pad a sequence's ends: with zeros (the seed's and the peers'
models, and every checkpoint written before the setting existed) or by repeating the edge value."""
GROUP_NORM_GROUPS = 32

_INT_FIELDS = (
    "input_dim",
    "width",
    "down_t",
    "stride_t",
    "depth",
    "dilation_growth_rate",
    "code_dim",
    "nb_code",
    "num_quantizers",
    "quantize_dropout_cutoff_index",
)
_FLOAT_FIELDS = ("mu", "quantize_dropout_prob", "sample_codebook_temp", "dropout")
TRAINING_ONLY_FIELDS = (
    "mu",
    "quantize_dropout_prob",
    "quantize_dropout_cutoff_index",
    "sample_codebook_temp",
    "dropout",
)
"""Settings only training reads: encoding and decoding give the same result whatever their values."""


@dataclass(frozen=True)
class RVQVAEConfig:
    """Architecture and quantizer settings; defaults are the seed recipe (BEAT2 upper body, 330-dim 6D rows).

    Frozen so a model's config cannot drift away from its weights; use :func:`dataclasses.replace`.
    ``arch="motion-s"`` swaps the encoder/decoder for :mod:`core.model.motion_s`, which reads ``width``,
    ``depth`` (stride-1 convs per side), ``activation`` and the downsampling, and ignores
    ``dilation_growth_rate``, ``norm`` (always BatchNorm), ``dropout`` and ``pad_mode`` (always zeros:
    its layers zero padded positions of whole-clip batches).
    """

    input_dim: int = 330
    width: int = 512
    down_t: int = 2
    stride_t: int = 2
    depth: int = 3
    dilation_growth_rate: int = 3
    activation: str = "relu"
    norm: str | None = None
    code_dim: int = 128
    nb_code: int = 1024
    num_quantizers: int = 6
    mu: float = 0.99
    shared_codebook: bool = False
    quantize_dropout_prob: float = 0.2
    quantize_dropout_cutoff_index: int = 0
    sample_codebook_temp: float = 0.5
    dropout: float = 0.2
    arch: str = "resnet"
    pad_mode: str = "zeros"
    """See :data:`PAD_MODES`."""

    def __post_init__(self) -> None:
        for name in _INT_FIELDS:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"RVQVAEConfig.{name} must be an int, got {value!r}")
        for name in _FLOAT_FIELDS:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"RVQVAEConfig.{name} must be a number, got {value!r}")
            object.__setattr__(self, name, float(value))
        if not isinstance(self.shared_codebook, bool):
            raise ValueError(f"RVQVAEConfig.shared_codebook must be a bool, got {self.shared_codebook!r}")
        for name in ("input_dim", "width", "depth", "dilation_growth_rate", "code_dim", "num_quantizers"):
            if getattr(self, name) < 1:
                raise ValueError(f"RVQVAEConfig.{name} must be >= 1, got {getattr(self, name)}")
        if self.nb_code < 2:
            raise ValueError(f"RVQVAEConfig.nb_code must be >= 2, got {self.nb_code}")
        if self.down_t < 0:
            raise ValueError(f"RVQVAEConfig.down_t must be >= 0, got {self.down_t}")
        if self.stride_t < 2 or self.stride_t % 2:
            raise ValueError(
                f"RVQVAEConfig.stride_t must be an even number >= 2 (the strided conv uses kernel "
                f"2*stride and padding stride/2, which only divides the length exactly for even strides), "
                f"got {self.stride_t}"
            )
        if self.arch not in ARCHS:
            raise ValueError(f"RVQVAEConfig.arch must be one of {ARCHS}, got {self.arch!r}")
        if self.arch == "motion-s" and (self.down_t < 1 or self.stride_t & (self.stride_t - 1)):
            raise ValueError(
                "RVQVAEConfig with arch='motion-s' downsamples by stride-2 convs only, so stride_t must be "
                f"a power of two and down_t >= 1, got stride_t={self.stride_t}, down_t={self.down_t}"
            )
        if self.pad_mode not in PAD_MODES:
            raise ValueError(f"RVQVAEConfig.pad_mode must be one of {PAD_MODES}, got {self.pad_mode!r}")
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"RVQVAEConfig.activation must be one of {ACTIVATIONS}, got {self.activation!r}")
        if self.norm not in NORMS:
            raise ValueError(f"RVQVAEConfig.norm must be one of {NORMS}, got {self.norm!r}")
        if self.norm == "GN" and self.width % GROUP_NORM_GROUPS:
            raise ValueError(
                f"RVQVAEConfig.width must be a multiple of {GROUP_NORM_GROUPS} with norm='GN', got {self.width}"
            )
        if not 0.0 < self.mu < 1.0:
            raise ValueError(f"RVQVAEConfig.mu (EMA decay) must be in (0, 1), got {self.mu}")
        if not 0.0 <= self.quantize_dropout_prob <= 1.0:
            raise ValueError(
                f"RVQVAEConfig.quantize_dropout_prob must be in [0, 1], got {self.quantize_dropout_prob}"
            )
        if not 0 <= self.quantize_dropout_cutoff_index < self.num_quantizers:
            raise ValueError(
                "RVQVAEConfig.quantize_dropout_cutoff_index must be in [0, num_quantizers - 1], "
                f"got {self.quantize_dropout_cutoff_index} with num_quantizers={self.num_quantizers}"
            )
        if self.sample_codebook_temp < 0.0:
            raise ValueError(
                f"RVQVAEConfig.sample_codebook_temp must be >= 0 (0 disables Gumbel sampling), "
                f"got {self.sample_codebook_temp}"
            )
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"RVQVAEConfig.dropout must be in [0, 1), got {self.dropout}")

    @property
    def downsample_factor(self) -> int:
        """Frames per token step: ``stride_t ** down_t`` (4 for the defaults, so 128 frames -> 32 steps)."""
        return self.stride_t**self.down_t

    def with_training_settings(self, other: RVQVAEConfig) -> RVQVAEConfig:
        """This model with ``other``'s training-only settings: a fine-tune may change its dropout or EMA
        decay and still start from these weights."""
        return dataclasses.replace(self, **{name: getattr(other, name) for name in TRAINING_ONLY_FIELDS})

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict (ints, floats, bools, strings, None) for checkpoints and run folders.
        ``pad_mode`` is left out at "zeros", so such a checkpoint still opens in versions made before it."""
        data = dataclasses.asdict(self)
        if self.pad_mode == "zeros":
            del data["pad_mode"]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RVQVAEConfig:
        """Inverse of :meth:`to_dict`; missing keys take defaults, unknown keys are an error (likely typos)."""
        if not isinstance(data, Mapping):
            raise ValueError(f"RVQVAEConfig.from_dict expects a mapping, got {type(data).__name__}")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown RVQVAEConfig keys: {', '.join(map(str, unknown))}")
        return cls(**dict(data))
