"""The RVQ-VAE motion tokenizer, written out by hand (no vector-quantization library).

``RVQVAE(RVQVAEConfig())`` maps motion ``(B, T, D)`` to tokens ``(B, ceil(T/4), 6)`` and back;
``RVQVAEConfig(arch="motion-s")`` builds the Motion-S variant. See docs/model.md for shapes and the
quantizer algorithm.
"""

from core.model.config import ARCHS, RVQVAEConfig
from core.model.encdec import Decoder, Encoder
from core.model.motion_s import MaskedBatchNorm1d, MotionSDecoder, MotionSEncoder
from core.model.quantizer import QuantizeEMAReset, QuantizerOutput
from core.model.residual_vq import ResidualVQ, ResidualVQOutput
from core.model.resnet import ResConv1DBlock, Resnet1D
from core.model.rvqvae import RVQVAE, RVQVAEOutput

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
