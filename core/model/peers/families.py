"""What a peer checkpoint's tensors say: the family that wrote it, its hyperparameters, and its weights
under the project's :class:`core.model.RVQVAE` names.

Facts (../shared/docs/peer-tokenizers.md, section 3): MoMask, SynTalker and GestureLSM write the
encoder and decoder under exactly the project's names, one ``quantizer.layers.{q}.codebook`` per
residual layer (GestureLSM adds a ``Linear`` ``embedding_proj`` per layer whose output is the codebook
it quantizes with); T2M-GPT writes one ``quantizer.codebook`` (or ``quantizer.embedding.weight``)
under a ``vqvae.`` prefix. Everything the shapes fix is read from them (section 3.1); the
dilation growth rate, activation and LayerNorm-vs-GroupNorm are not in the tensors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import Tensor

from core.errors import MotionFileError

CONTAINER_KEYS = ("vq_model", "net", "model_state", "state_dict")
"""Where each trainer puts the weights: MoMask ``vq_model``; SynTalker, GestureLSM, T2M-GPT ``net``;
EMAGE's 2024 code ``model_state``; Lightning ``state_dict``."""
PREFIX_PARTS = ("module.", "vqvae.", "vae.", "motion_vae.")
"""Wrappers in front of the encoder's name: DataParallel, T2M-GPT's HumanVQVAE, MotionGPT."""
MAX_LAYERS = 64
"""Most strided blocks, residual blocks per stack or quantizer layers accepted (released models: 2, 3, 6)."""

_ENCODER_FIRST = "encoder.model.0.weight"
_ENC = re.compile(r"encoder\.model\.(\d+)\.")
_RES = re.compile(r"encoder\.model\.2\.1\.model\.(\d+)\.")
_LAYER = re.compile(r"quantizer\.layers\.(\d+)\.codebook$")


@dataclass(frozen=True)
class PeerWeights:
    """A peer's weights with the container and prefix taken off, and what the tensors alone say."""

    family: str
    container: str
    prefix: str
    tensors: dict[str, Tensor]
    shape_config: dict
    """The hyperparameters the shapes fix (section 3.1): input_dim, width, down_t, stride_t, depth,
    code_dim, nb_code, num_quantizers, shared_codebook, and norm when it is None or BN."""
    norm_kind: str | None
    """None, "BN", or "LN/GN" (norm weights whose kind the shapes cannot tell)."""
    projected: bool
    """GestureLSM's ``embedding_proj`` present: the codebooks are folded through it."""


def state_dict_of(path: Path, data: dict) -> tuple[str, dict[str, Tensor]]:
    """The weights inside a checkpoint dict and the container key they were under ("" for a bare one)."""
    for key in CONTAINER_KEYS:
        if isinstance(data.get(key), dict):
            return key, data[key]
    if any(isinstance(k, str) and k.endswith(_ENCODER_FIRST) for k in data):
        return "", data
    keys = ", ".join(sorted(str(k) for k in data)[:6])
    raise MotionFileError(
        path, f"no tokenizer weights found (expected one of {', '.join(CONTAINER_KEYS)}; the file has {keys})"
    )


def strip_prefix(path: Path, weights: dict) -> tuple[str, dict[str, Tensor]]:
    """The encoder/decoder/quantizer tensors without their wrapper prefix (other modules are dropped)."""
    firsts = [k for k in weights if isinstance(k, str) and k.endswith(_ENCODER_FIRST)]
    prefixes = sorted({k[: -len(_ENCODER_FIRST)] for k in firsts})
    if len(prefixes) != 1:
        what = "no" if not prefixes else f"{len(prefixes)} ({', '.join(repr(p) for p in prefixes[:4])})"
        raise MotionFileError(
            path, f"found {what} encoders in the weights; one RVQ-VAE/VQ-VAE tokenizer was expected"
        )
    prefix, rest = prefixes[0], prefixes[0]
    while rest:
        part = next((p for p in PREFIX_PARTS if rest.startswith(p)), None)
        if part is None:
            raise MotionFileError(
                path,
                f"weights are under an unknown prefix {prefix!r} (ParCo's part-wise VQs are not supported)",
            )
        rest = rest[len(part) :]
    tensors = {}
    for key, value in weights.items():
        if not (isinstance(key, str) and key.startswith(prefix)):
            continue
        name = key[len(prefix) :]
        if not name.startswith(("encoder.", "decoder.", "quantizer.")):
            continue
        if not isinstance(value, Tensor):
            raise MotionFileError(path, f"{key} is a {type(value).__name__}, not a tensor")
        tensors[name] = value
    return prefix, tensors


def _shape(path: Path, tensors: dict[str, Tensor], key: str, ndim: int) -> tuple[int, ...]:
    if key not in tensors:
        raise MotionFileError(path, f"weights lack {key}")
    shape = tuple(tensors[key].shape)
    if len(shape) != ndim or min(shape, default=1) < 1:
        raise MotionFileError(path, f"{key} has shape {shape}; expected {ndim} non-empty dimensions")
    return shape


def _consecutive(path: Path, found: set[int], start: int, what: str) -> int:
    """How many consecutive indices from ``start`` there are; any gap or excess is refused."""
    count = len(found)
    if found != set(range(start, start + count)) or count > MAX_LAYERS:
        raise MotionFileError(
            path, f"weights have {what} numbered {sorted(found)[:8]}, not 0..n-1 as a peer writes"
        )
    return count


def codebook_keys(path: Path, tensors: dict[str, Tensor]) -> list[str]:
    """The per-layer codebook keys in layer order (one key for T2M-GPT's single codebook)."""
    layers = {int(m.group(1)) for k in tensors if (m := _LAYER.match(k))}
    if layers:
        count = _consecutive(path, layers, 0, "quantizer layers")
        return [f"quantizer.layers.{q}.codebook" for q in range(count)]
    for key in ("quantizer.codebook", "quantizer.embedding.weight"):
        if key in tensors:
            return [key]
    raise MotionFileError(
        path, "weights hold no codebook (quantizer.layers.N.codebook or quantizer.codebook)"
    )


def detect_family(path: Path, container: str, prefix: str, tensors: dict[str, Tensor], input_dim: int) -> str:
    """The family whose code wrote these keys (section 8.1): a projection is GestureLSM's, a single
    codebook T2M-GPT's, per-layer codebooks MoMask's (``vq_model``, or HumanML3D/KIT widths) or SynTalker's."""
    if any(".embedding_proj." in k for k in tensors):
        return "gesturelsm"
    if "quantizer.codebook" in tensors or "quantizer.embedding.weight" in tensors or "vqvae." in prefix:
        return "t2mgpt"
    if container == "vq_model" or input_dim in (263, 251):
        return "momask"
    return "syntalker"


def read_weights(path: Path, data: dict, family: str | None = None) -> PeerWeights:
    """Everything the tensors say, checked: shapes consistent with one network, all values finite."""
    container, weights = state_dict_of(path, data)
    prefix, tensors = strip_prefix(path, weights)
    width, input_dim, _ = _shape(path, tensors, _ENCODER_FIRST, 3)
    blocks = {int(m.group(1)) for k in tensors if (m := _ENC.match(k))} - {0}
    if not blocks:
        raise MotionFileError(path, "weights lack the encoder's last convolution")
    down_t = _consecutive(path, blocks, 2, "encoder blocks") - 1
    stride_t, depth = 2, 1  # without a strided block there is no residual stack to count
    if down_t:
        kernel = _shape(path, tensors, "encoder.model.2.0.weight", 3)[2]
        if kernel % 2:
            raise MotionFileError(
                path, f"encoder.model.2.0.weight has kernel {kernel}; a strided block's is 2 x stride"
            )
        stride_t = kernel // 2
        depth = _consecutive(
            path, {int(m.group(1)) for k in tensors if (m := _RES.match(k))}, 0, "residual blocks"
        )
    code_dim = _shape(path, tensors, f"encoder.model.{2 + down_t}.weight", 3)[0]
    books = codebook_keys(path, tensors)
    nb_code = _shape(path, tensors, books[0], 2)[0]
    detected = detect_family(path, container, prefix, tensors, input_dim)
    if family is not None and family != detected and {family, detected} != {"momask", "syntalker"}:
        raise MotionFileError(
            path,
            f"these weights are {detected}'s layout, not {family}'s (leave out --family to use the keys)",
        )
    projected = detected == "gesturelsm"
    weights_only = {k: v for k, v in tensors.items() if not k.endswith("num_batches_tracked")}
    for key, value in weights_only.items():
        if not value.is_floating_point():
            raise MotionFileError(path, f"{key} holds {value.dtype} values, not floating point weights")
    # One check over every weight (a per-tensor check costs a thread-pool dispatch each), then find the culprit.
    if weights_only and not bool(
        torch.isfinite(torch.cat([v.reshape(-1).float() for v in weights_only.values()])).all()
    ):
        bad = next(k for k, v in weights_only.items() if not bool(torch.isfinite(v).all()))
        raise MotionFileError(path, f"{bad} holds NaN or infinite weights")
    codebooks = folded_codebooks(path, tensors, books, projected)
    shared = len(codebooks) > 1 and all(torch.equal(codebooks[0], c) for c in codebooks[1:])
    norm_keys = [k for k in tensors if ".norm1." in k]
    norm_kind = (
        None if not norm_keys else "BN" if any(k.endswith("running_mean") for k in norm_keys) else "LN/GN"
    )
    shape_config = dict(
        input_dim=input_dim,
        width=width,
        down_t=down_t,
        stride_t=stride_t,
        depth=depth,
        code_dim=code_dim,
        nb_code=nb_code,
        num_quantizers=len(books),
        shared_codebook=shared,
    )
    return PeerWeights(family or detected, container, prefix, tensors, shape_config, norm_kind, projected)


def folded_codebooks(
    path: Path, tensors: dict[str, Tensor], books: list[str], projected: bool
) -> list[Tensor]:
    """Each layer's codebook as the peer quantizes with it: GestureLSM's through its projection
    (``codebook @ W.T + b``, the codebook its distances and codes use, section 2.3)."""
    out = []
    for key in books:
        book = tensors[key].float()
        if projected:
            layer = key[: -len("codebook")]
            weight, bias = (
                tensors.get(layer + "embedding_proj.weight"),
                tensors.get(layer + "embedding_proj.bias"),
            )
            if weight is None or bias is None:
                raise MotionFileError(path, f"{layer}embedding_proj is incomplete")
            dim = book.shape[1]
            if tuple(weight.shape) != (dim, dim) or tuple(bias.shape) != (dim,):
                raise MotionFileError(
                    path,
                    f"{layer}embedding_proj has shapes {tuple(weight.shape)}, {tuple(bias.shape)}; expected ({dim}, {dim}), ({dim},)",
                )
            book = book @ weight.float().T + bias.float()
        out.append(book)
    return out


def project_state_dict(path: Path, weights: PeerWeights, shared: bool) -> dict[str, Tensor]:
    """The peer's tensors under the project's names: encoder and decoder one to one, the (folded)
    codebooks as ``quantizer.layers.{q}.codebook`` (only layer 0 when shared). The EMA buffers the
    project adds are filled by :func:`core.model.peers.ema.imported_ema_buffers`."""
    out = {
        k: v.float() if v.is_floating_point() else v
        for k, v in weights.tensors.items()
        if k.startswith(("encoder.", "decoder."))
    }
    books = codebook_keys(path, weights.tensors)
    codebooks = folded_codebooks(path, weights.tensors, books, weights.projected)
    for q, book in enumerate(codebooks[:1] if shared else codebooks):
        out[f"quantizer.layers.{q}.codebook"] = book.contiguous()
    return out
