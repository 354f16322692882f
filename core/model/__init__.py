"""The RVQ-VAE motion tokenizer, written out by hand (no vector-quantization library).

``RVQVAE(RVQVAEConfig())`` maps motion ``(B, T, D)`` to tokens ``(B, ceil(T/4), 6)`` and back;
``RVQVAEConfig(arch="motion-s")`` builds the Motion-S variant. See docs/model.md for shapes and the
quantizer algorithm.

The names below are imported on first use (PEP 562), so the torch-free parts of the package
(``config``, ``peers.names``, ``peers.momask_opt``) load without torch: ``rvq-motion --help`` and
``rvq-motion info`` stay fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_HOMES = {
    "ARCHS": "config",
    "RVQVAEConfig": "config",
    "Decoder": "encdec",
    "Encoder": "encdec",
    "MaskedBatchNorm1d": "motion_s",
    "MotionSDecoder": "motion_s",
    "MotionSEncoder": "motion_s",
    "QuantizeEMAReset": "quantizer",
    "QuantizerOutput": "quantizer",
    "ResidualVQ": "residual_vq",
    "ResidualVQOutput": "residual_vq",
    "ResConv1DBlock": "resnet",
    "Resnet1D": "resnet",
    "RVQVAE": "rvqvae",
    "RVQVAEOutput": "rvqvae",
}
__all__ = [
    "ARCHS",
    "RVQVAE",
    "Decoder",
    "Encoder",
    "MaskedBatchNorm1d",
    "MotionSDecoder",
    "MotionSEncoder",
    "QuantizeEMAReset",
    "QuantizerOutput",
    "RVQVAEConfig",
    "RVQVAEOutput",
    "ResConv1DBlock",
    "ResidualVQ",
    "ResidualVQOutput",
    "Resnet1D",
]

if TYPE_CHECKING:
    from core.model.config import ARCHS, RVQVAEConfig
    from core.model.encdec import Decoder, Encoder
    from core.model.motion_s import MaskedBatchNorm1d, MotionSDecoder, MotionSEncoder
    from core.model.quantizer import QuantizeEMAReset, QuantizerOutput
    from core.model.residual_vq import ResidualVQ, ResidualVQOutput
    from core.model.resnet import ResConv1DBlock, Resnet1D
    from core.model.rvqvae import RVQVAE, RVQVAEOutput


def __getattr__(name: str) -> object:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"core.model.{_HOMES[name]}"), name)
