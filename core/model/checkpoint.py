"""Checkpoints: weights in safetensors plus a JSON that says how to use them.

A checkpoint is a folder::

    checkpoint.json          model config, skeleton, representation, normalisation, fps,
                             training config and step, SHA-256 of the weights
    model.safetensors        model weights (fp32, or fp16 for shipped demos)
    training_state.safetensors   optimizer moments and RNG states (only for resuming)

It is written into a temporary sibling folder and renamed into place, so a process killed
mid-save never leaves a half-written checkpoint under the final name. Nothing is unpickled.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file, save_file

from core.errors import MotionFileError
from core.features.kinds import representation_from_dict
from core.features.representation import Normalizer, Representation
from core.files import as_umask_allows, file_sha256
from core.model import RVQVAE, RVQVAEConfig
from core.model.peers.names import PEER_NAMES
from core.motion.skeleton import Skeleton

FORMAT = "rvq-motion-checkpoint"
VERSION = 1
META_NAME = "checkpoint.json"
WEIGHTS_NAME = "model.safetensors"
STATE_NAME = "training_state.safetensors"


@dataclass
class Checkpoint:
    """A loaded tokenizer with everything needed to turn clips into tokens and back."""

    model: RVQVAE
    skeleton: Skeleton
    representation: Representation
    normalizer: Normalizer
    fps: float
    step: int
    path: Path
    weights_sha256: str
    train_config: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    @property
    def config(self) -> RVQVAEConfig:
        return self.model.config

    @property
    def label(self) -> str:
        """How windows, videos and reports name it: the run and step of one trained here
        (``bandai-demo · step 15000``), the codebase and file of an imported one
        (``MoMask · net_best_fid.tar``)."""
        imported = self.extra.get("imported_from")
        if isinstance(imported, dict) and imported.get("file"):
            return f"{PEER_NAMES.get(imported.get('family'), 'imported')} · {Path(imported['file']).name}"
        path = self.path
        name = path.parent.parent.name if path.parent.name == "checkpoints" else path.name
        return f"{name} · step {self.step}"


def resolve_checkpoint_dir(path: str | os.PathLike[str]) -> Path:
    """Accept a checkpoint folder, a file inside it, or a run folder (its latest checkpoint)."""
    p = Path(path)
    if p.is_file() and p.name in (META_NAME, WEIGHTS_NAME, STATE_NAME):
        return p.parent
    latest = p / "latest"
    if latest.is_file():
        return p / latest.read_text().strip()
    return p


def save_checkpoint(
    directory: str | os.PathLike[str],
    model: RVQVAE,
    skeleton: Skeleton,
    representation: Representation,
    normalizer: Normalizer,
    fps: float,
    step: int = 0,
    train_config: dict | None = None,
    training_state: dict[str, torch.Tensor] | None = None,
    training_meta: dict | None = None,
    half: bool = False,
    extra: dict | None = None,
) -> Path:
    """Write a new checkpoint folder atomically and return its path (an existing folder is never replaced)."""
    final = Path(directory)
    if final.exists():
        raise FileExistsError(f"{final} already exists; checkpoints are written to new folders")
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=final.parent))
    try:
        weights = {k: v.detach().to("cpu").contiguous() for k, v in model.state_dict().items()}
        if half:
            weights = {k: v.half() if v.is_floating_point() else v for k, v in weights.items()}
        save_file(weights, tmp / WEIGHTS_NAME)
        if training_state is not None:
            save_file(
                {k: v.detach().to("cpu").contiguous() for k, v in training_state.items()}, tmp / STATE_NAME
            )
        meta = {
            "format": FORMAT,
            "version": VERSION,
            "model": model.config.to_dict(),
            "skeleton": skeleton.to_dict(),
            "representation": representation.to_dict(),
            "normalizer": normalizer.to_dict(),
            "fps": float(fps),
            "step": int(step),
            "train": train_config or {},
            "training_state": training_meta or {},
            "weights_sha256": file_sha256(tmp / WEIGHTS_NAME),
            "extra": extra or {},
        }
        (tmp / META_NAME).write_text(json.dumps(meta, indent=1))
        for f in tmp.iterdir():
            with f.open("rb") as fh:
                os.fsync(fh.fileno())
        as_umask_allows(tmp)
        os.replace(tmp, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final


def read_checkpoint_meta(path: str | os.PathLike[str]) -> tuple[Path, dict]:
    """The checkpoint folder and its parsed, validated JSON."""
    try:
        directory = resolve_checkpoint_dir(path)
        meta_path = directory / META_NAME
        found = meta_path.is_file()
    except (OSError, UnicodeDecodeError) as exc:  # an unreadable 'latest' pointer, a name too long
        raise MotionFileError(path, f"not a checkpoint: {exc}") from exc
    if not found:
        raise MotionFileError(path, f"not a checkpoint: {META_NAME} not found")
    try:
        meta = json.loads(meta_path.read_text())
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise MotionFileError(meta_path, f"unreadable checkpoint description ({exc})") from exc
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise MotionFileError(meta_path, "not an rvq-motion checkpoint description")
    if meta.get("version") != VERSION:
        raise MotionFileError(meta_path, f"checkpoint version {meta.get('version')} is not supported")
    return directory, meta


def load_checkpoint(path: str | os.PathLike[str], device: str | torch.device = "cpu") -> Checkpoint:
    """Load and verify a checkpoint; any problem is a MotionFileError naming the file."""
    directory, meta = read_checkpoint_meta(path)
    weights_path = directory / WEIGHTS_NAME
    if not weights_path.is_file():
        raise MotionFileError(weights_path, "checkpoint weights are missing")
    if file_sha256(weights_path) != meta.get("weights_sha256"):
        raise MotionFileError(
            weights_path, "checkpoint weights are corrupt (hash does not match checkpoint.json)"
        )
    try:
        config = RVQVAEConfig.from_dict(meta["model"])
        skeleton = Skeleton.from_dict(meta["skeleton"])
        representation = representation_from_dict(meta["representation"])
        normalizer = Normalizer.from_dict(meta["normalizer"])
        fps = float(meta["fps"])
        step = int(meta.get("step", 0))
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
        # AttributeError: a section that is not an object; OverflowError: 1e400 or a 30-digit joint index.
        raise MotionFileError(directory / META_NAME, f"invalid checkpoint description ({exc})") from exc
    if not (math.isfinite(fps) and fps > 0):
        raise MotionFileError(directory / META_NAME, f"fps must be a positive number, got {fps}")
    if representation.dim != config.input_dim or normalizer.mean.shape != (config.input_dim,):
        raise MotionFileError(
            directory / META_NAME,
            f"features of width {representation.dim} do not fit a model of input width {config.input_dim}",
        )
    if representation.num_joints != skeleton.num_joints:
        raise MotionFileError(
            directory / META_NAME, "representation and skeleton disagree on the joint count"
        )
    _check_weights_fit(weights_path, config)
    try:
        state = load_file(weights_path)
    except (SafetensorError, OSError) as exc:
        raise MotionFileError(weights_path, f"unreadable weights ({exc})") from exc
    model = RVQVAE(config)
    try:
        model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in state.items()})
    except RuntimeError as exc:
        raise MotionFileError(
            weights_path, f"weights do not match the model config ({str(exc)[:200]})"
        ) from exc
    model.to(device).eval()
    return Checkpoint(
        model=model,
        skeleton=skeleton,
        representation=representation,
        normalizer=normalizer,
        fps=fps,
        step=step,
        path=directory,
        weights_sha256=meta["weights_sha256"],
        train_config=meta.get("train", {}),
        extra=meta.get("extra", {}),
    )


def _check_weights_fit(weights_path: Path, config: RVQVAEConfig) -> None:
    """Refuse a config whose model the weights cannot fill, before allocating (or looping over) any of it.

    The model is built on the meta device (shapes, no memory) and compared with the shapes in the
    weights' header; a config with more layers than the file has tensors is refused before even that.
    """
    try:
        with safe_open(weights_path, framework="pt") as weights:
            stored = {name: tuple(weights.get_slice(name).get_shape()) for name in weights.keys()}  # noqa: SIM118
    except (SafetensorError, OSError) as exc:
        raise MotionFileError(weights_path, f"unreadable weights ({exc})") from exc
    layers = config.down_t * config.depth + (1 if config.shared_codebook else config.num_quantizers)
    if layers > len(stored):
        raise MotionFileError(
            weights_path,
            f"weights do not match the model config (it has more layers than the file's {len(stored)} tensors)",
        )
    try:
        with torch.device("meta"):
            expected = {name: tuple(tensor.shape) for name, tensor in RVQVAE(config).state_dict().items()}
    except RuntimeError as exc:  # even the shapes overflow (e.g. width 10**9)
        raise MotionFileError(
            weights_path, f"weights do not match the model config ({str(exc)[:200]})"
        ) from exc
    differing = sorted(
        name for name in expected.keys() | stored.keys() if expected.get(name) != stored.get(name)
    )
    if differing:
        name = differing[0]
        raise MotionFileError(
            weights_path,
            f"weights do not match the model config ({len(differing)} tensors differ, e.g. {name}:"
            f" {stored.get(name, 'missing')} in the file, {expected.get(name, 'absent')} in the model)",
        )


def load_training_state(directory: str | os.PathLike[str]) -> tuple[dict[str, torch.Tensor], dict]:
    """Optimizer and RNG tensors plus their JSON description, for resuming a run."""
    directory, meta = read_checkpoint_meta(directory)
    state_path = directory / STATE_NAME
    if not state_path.is_file():
        raise MotionFileError(state_path, "this checkpoint has no training state to resume from")
    try:
        return load_file(state_path), meta.get("training_state", {})
    except (SafetensorError, OSError) as exc:
        raise MotionFileError(state_path, f"unreadable training state ({exc})") from exc
