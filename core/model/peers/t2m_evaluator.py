"""The text-to-motion evaluator of Guo et al. (2022) that papers embed motions with for FID and diversity.

Users download it themselves (``checkpoints/t2m`` or ``checkpoints/kit``, about 80 MB); we read it from
the facts of its layout and weights, with networks written here:

* ``<DIR>/text_mot_match/model/finest.tar``: a ``torch.save`` dict with ``movement_encoder``,
  ``motion_encoder`` and ``text_encoder`` state dicts, optimizer states and counters; read by the safe
  loader (:mod:`core.model.peers.safe_load`), never unpickled freely;
* ``<DIR>/Comp_v6_KLD005/opt.txt`` (``unit_length``, ``dataset_name``) and ``meta/{mean,std}.npy``: the
  statistics the evaluator's inputs are normalised with.

The **movement encoder** reads a normalised motion without its last 4 channels (the foot contacts):
two 1D convolutions (kernel 4, stride 2, padding 1, each followed by LeakyReLU 0.2; dropout in training
only) and a linear layer, so ``T`` frames become ``T / 4`` movement vectors. The **motion encoder**
projects them linearly, runs a one-layer bidirectional GRU from a learnt initial state over the
clip's first ``length // unit_length`` steps, and maps the concatenated last states through Linear,
LayerNorm, LeakyReLU 0.2 and Linear to the co-embedding. Every size is read from the weights' shapes
(the released t2m evaluator: 512 movement hidden and latent, 1024 motion hidden, 512 co-embedding).
The text encoder is not needed to embed motions and is not built.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import Tensor, nn

from core.errors import MotionFileError
from core.files import file_sha256
from core.model.peers.safe_load import load_peer_pickle
from core.model.peers.sidecars import parse_opt_txt, read_vector

WEIGHTS = Path("text_mot_match/model/finest.tar")
OPTIONS = Path("Comp_v6_KLD005/opt.txt")
MEAN = Path("Comp_v6_KLD005/meta/mean.npy")
STD = Path("Comp_v6_KLD005/meta/std.npy")
CONTACT_CHANNELS = 4
"""The last channels (foot contacts) the movement encoder does not read."""
SLOPE = 0.2
"""Negative slope of every LeakyReLU in both encoders."""


class MovementEncoder(nn.Module):
    """(B, T, D - 4) normalised motion -> (B, T / 4, latent) movement vectors."""

    def __init__(self, channels: int, hidden: int, latent: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv1d(channels, hidden, kernel_size=4, stride=2, padding=1)
        self.conv2 = nn.Conv1d(hidden, latent, kernel_size=4, stride=2, padding=1)
        self.out = nn.Linear(latent, latent)

    def forward(self, x: Tensor) -> Tensor:
        h = nn.functional.leaky_relu(self.conv1(x.transpose(1, 2)), SLOPE)
        h = nn.functional.leaky_relu(self.conv2(h), SLOPE)
        return self.out(h.transpose(1, 2))


class MotionEncoder(nn.Module):
    """(B, n, latent) movement vectors and each clip's step count -> (B, co-embedding)."""

    def __init__(self, latent: int, hidden: int, embedding: int) -> None:
        super().__init__()
        self.project = nn.Linear(latent, hidden)
        self.gru = nn.GRU(hidden, hidden, batch_first=True, bidirectional=True)
        self.initial = nn.Parameter(torch.zeros(2, 1, hidden))
        self.head_in = nn.Linear(2 * hidden, hidden)
        self.norm = nn.LayerNorm(hidden)
        self.head_out = nn.Linear(hidden, embedding)

    def forward(self, movements: Tensor, steps: Tensor) -> Tensor:
        packed = nn.utils.rnn.pack_padded_sequence(
            self.project(movements), steps.cpu(), batch_first=True, enforce_sorted=False
        )
        _, last = self.gru(packed, self.initial.expand(-1, movements.shape[0], -1).contiguous())
        h = self.norm(self.head_in(torch.cat([last[0], last[1]], dim=-1)))
        return self.head_out(nn.functional.leaky_relu(h, SLOPE))


_MOVEMENT_KEYS = {"main.0.": "conv1.", "main.3.": "conv2.", "out_net.": "out."}
_MOTION_KEYS = {
    "input_emb.": "project.",
    "gru.": "gru.",
    "hidden": "initial",
    "output_net.0.": "head_in.",
    "output_net.1.": "norm.",
    "output_net.3.": "head_out.",
}


def _renamed(state: dict, names: dict[str, str]) -> dict[str, Tensor]:
    out = {}
    for key, value in state.items():
        prefix = next((p for p in names if key.startswith(p)), None)
        if prefix is None:
            raise KeyError(f"unexpected tensor {key}")
        out[names[prefix] + key[len(prefix) :]] = value
    return out


@dataclass(frozen=True)
class T2MEvaluator:
    """The evaluator's motion side, its statistics and where it came from."""

    movement: MovementEncoder
    motion: MotionEncoder
    mean: np.ndarray
    std: np.ndarray
    unit_length: int
    dataset: str
    folder: Path
    sha256: str
    """SHA-256 of ``finest.tar``: which evaluator produced a figure."""

    @property
    def dim(self) -> int:
        return len(self.mean)

    @property
    def sizes(self) -> dict[str, int]:
        return {
            "movement_hidden": self.movement.conv1.out_channels,
            "movement_latent": self.movement.conv2.out_channels,
            "motion_hidden": self.motion.project.out_features,
            "embedding": self.motion.head_out.out_features,
        }

    def to(self, device: str | torch.device) -> T2MEvaluator:
        self.movement.to(device)
        self.motion.to(device)
        return self

    @torch.inference_mode()
    def embed(self, motions: Tensor, lengths: Tensor) -> Tensor:
        """(B, emb) co-embeddings of ``motions`` (B, T, D) normalised with :attr:`mean`/:attr:`std`
        (zero-padded past each clip's ``lengths``, as the evaluator was trained)."""
        movements = self.movement(motions[..., : self.dim - CONTACT_CHANNELS])
        return self.motion(movements, torch.div(lengths, self.unit_length, rounding_mode="floor"))


def _networks(weights: Path, dim: int) -> tuple[MovementEncoder, MotionEncoder]:
    data = load_peer_pickle(weights)
    missing = [k for k in ("movement_encoder", "motion_encoder") if not isinstance(data.get(k), dict)]
    if missing:
        raise MotionFileError(weights, f"not a T2M evaluator: no {' or '.join(missing)} state dict")
    mov, mot = data["movement_encoder"], data["motion_encoder"]
    try:
        hidden, channels, _ = mov["main.0.weight"].shape
        latent = mov["main.3.weight"].shape[0]
        motion_hidden = mot["input_emb.weight"].shape[0]
        embedding = mot["output_net.3.weight"].shape[0]
        movement = MovementEncoder(channels, hidden, latent)
        motion = MotionEncoder(latent, motion_hidden, embedding)
        movement.load_state_dict(_renamed(mov, _MOVEMENT_KEYS))
        motion.load_state_dict(_renamed(mot, _MOTION_KEYS))
    except (KeyError, ValueError, RuntimeError, AttributeError) as exc:
        raise MotionFileError(weights, f"not a T2M evaluator's weights ({str(exc)[:200]})") from exc
    if channels != dim - CONTACT_CHANNELS:
        raise MotionFileError(
            weights, f"the movement encoder reads {channels} channels; the statistics have {dim} features"
        )
    return movement.eval(), motion.eval()


def load_t2m_evaluator(folder: str | Path, device: str | torch.device = "cpu") -> T2MEvaluator:
    """The evaluator in ``folder`` (``checkpoints/t2m`` or ``checkpoints/kit``); a MotionFileError naming
    the folder and every missing file, or the file at fault."""
    root = Path(folder)
    missing = [str(p) for p in (WEIGHTS, OPTIONS, MEAN, STD) if not (root / p).is_file()]
    if missing:
        raise MotionFileError(root, f"not a T2M evaluator folder: missing {', '.join(missing)}")
    options = parse_opt_txt(root / OPTIONS)
    unit = options.get("unit_length", 4)
    if not isinstance(unit, int) or unit < 1:
        raise MotionFileError(root / OPTIONS, f"unit_length must be a positive integer, got {unit!r}")
    mean = read_vector(root / MEAN).astype(np.float32)
    std = read_vector(root / STD).astype(np.float32)
    if mean.shape != std.shape or not np.all(std > 0):
        raise MotionFileError(root / STD, f"needs {len(mean)} positive values beside mean.npy")
    movement, motion = _networks(root / WEIGHTS, len(mean))
    evaluator = T2MEvaluator(
        movement=movement,
        motion=motion,
        mean=mean,
        std=std,
        unit_length=unit,
        dataset=str(options.get("dataset_name", "t2m")),
        folder=root,
        sha256=file_sha256(root / WEIGHTS),
    )
    return evaluator.to(device)
