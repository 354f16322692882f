"""Peer checkpoints of configurations the shared fixtures do not cover, written as SynTalker's training
script writes them (``{'net': state_dict}``, no sidecar) from one of the project's models."""

from __future__ import annotations

from pathlib import Path

import torch

from core.model import RVQVAE, RVQVAEConfig
from core.model.peers.names import EMA_BUFFERS


def syntalker_file(path: Path, input_dim: int, seed: int = 0) -> Path:
    """A small SynTalker-style RVQ-VAE reading ``input_dim`` features (57: BEAT2's lower_trans part)."""
    torch.manual_seed(seed)
    config = RVQVAEConfig(input_dim=input_dim, width=32, code_dim=16, nb_code=16, num_quantizers=2, depth=1)
    model = RVQVAE(config).eval()
    for layer in model.quantizer.layers:
        layer.codebook.normal_()
    state = {k: v for k, v in model.state_dict().items() if not k.endswith(EMA_BUFFERS)}
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"net": state}, path)
    return path
