"""The fields of an import said in words, for people who have not read the peers' code.

``rvq-motion import`` prints them and the app's import dialog shows them, each with its raw name beside
it ("Codes per layer (nb_code)"), so what a field is and what the peers' option files call it stay
side by side. Facts: ../shared/docs/peer-tokenizers.md, section 3.1.
"""

from __future__ import annotations

FIELD_WORDS: dict[str, tuple[str, str]] = {
    "family": ("Codebase", "the project whose code wrote the checkpoint, read from the names of its weights"),
    "checkpoint": ("Checkpoint file", "the file of the run folder that is imported"),
    "container": (
        "Weights stored under",
        "where the file keeps the weights: the dictionary key, and the prefix in front of every name",
    ),
    "quantizer": ("Codebooks", "how each quantizer layer's codebook is read from the file"),
    "input_dim": ("Features per frame", "how many numbers one frame of features has (the encoder's input)"),
    "width": ("Channels", "the channels of the encoder's and decoder's convolutions"),
    "down_t": (
        "Time downsamplings",
        "how many strided convolutions shorten time: stride_t ** down_t frames make one token step",
    ),
    "stride_t": ("Stride of each downsampling", "by how much each downsampling shortens time"),
    "depth": ("Residual blocks per stage", "the dilated residual blocks after each downsampling"),
    "code_dim": ("Code size", "the length of each codebook vector (the latent's channels)"),
    "nb_code": ("Codes per layer", "how many codes each quantizer layer's codebook holds"),
    "num_quantizers": (
        "Quantizer layers",
        "the residual quantizer's layers: each codes what the layers before it left over",
    ),
    "shared_codebook": (
        "One codebook for all layers",
        "whether every layer quantizes with the same codebook",
    ),
    "dilation_growth_rate": (
        "Dilation growth",
        "how much each residual block's dilation grows over the previous one's: not in the weights, and a "
        "wrong value gives other tokens",
    ),
    "activation": ("Activation", "the nonlinearity of the residual blocks: not in the weights"),
    "norm": (
        "Normalisation layers",
        "the residual blocks' normalisation: LayerNorm (LN), GroupNorm (GN), BatchNorm (BN) or none",
    ),
    "mu": ("Codebook EMA decay", "how slowly training's moving averages move the codes"),
    "quantize_dropout_prob": (
        "Layer dropout probability",
        "how often training leaves out the last layers, so that fewer layers still decode",
    ),
    "sample_codebook_temp": (
        "Code sampling temperature",
        "training draws codes at random at this temperature; 0 takes the nearest code",
    ),
    "dropout": ("Dropout", "the share of activations the residual blocks drop while training"),
    "representation": ("Features", "what one frame of features is, and so which clips the tokenizer reads"),
    "body_part": ("Body part", "the SMPL-X joints the features cover"),
    "skeleton": ("Skeleton", "the joints a decoded motion is drawn on"),
    "fps": ("Frame rate", "frames per second of the motion the model was trained on"),
    "normalisation": (
        "Normalisation statistics",
        "the mean and std the features are normalised with: they must be the ones training used",
    ),
}
"""Each field's words and a sentence saying what it is, by the field's raw name."""

TRAINING_ONLY_NOTE = (
    "only training reads this setting: encoding and decoding give the same result whatever its value, and a "
    "fine-tune (--init) takes it from its preset"
)
"""Said of the fields in core.model.config.TRAINING_ONLY_FIELDS."""


def field_title(name: str) -> str:
    """The field in words with its raw name beside it: "Codes per layer (nb_code)"."""
    words = FIELD_WORDS.get(name)
    return f"{words[0]} ({name})" if words else name


def field_explanation(name: str) -> str:
    """What the field is, in one sentence ("" for a field without words)."""
    words = FIELD_WORDS.get(name)
    return words[1] if words else ""
