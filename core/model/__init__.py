"""The RVQ-VAE motion tokenizer, written out by hand (no vector-quantization library).

``RVQVAE(RVQVAEConfig())`` maps motion ``(B, T, D)`` to tokens ``(B, ceil(T/4), 6)`` and back; see
docs/model.md for shapes and the quantizer algorithm.
"""

from core.model.config import RVQVAEConfig
from core.model.encdec import Decoder, Encoder
from core.model.quantizer import QuantizeEMAReset, QuantizerOutput
from core.model.residual_vq import ResidualVQ, ResidualVQOutput
from core.model.resnet import ResConv1DBlock, Resnet1D
from core.model.rvqvae import RVQVAE, RVQVAEOutput

__all__ = [
    "RVQVAE",
    "Decoder",
    "Encoder",
    "QuantizeEMAReset",
    "QuantizerOutput",
    "RVQVAEConfig",
    "RVQVAEOutput",
    "ResConv1DBlock",
    "ResidualVQ",
    "ResidualVQOutput",
    "Resnet1D",
]
