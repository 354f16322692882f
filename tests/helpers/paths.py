"""Where tests find the repository, its bundled demo, and the shared data beside the checkout."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
RESOURCES = REPO_ROOT / "resources"
DEMO_CHECKPOINT = RESOURCES / "demo_checkpoint"
DEMO_CLIP = RESOURCES / "demo_clip.bvh"
SHARED = REPO_ROOT.parent / "shared"
DATA_DIR = Path(os.environ.get("RVQ_MOTION_DATA", SHARED / "data")).resolve()
"""Real motion capture (../shared/data, or $RVQ_MOTION_DATA)."""
PEERS = Path(os.environ.get("RVQ_PEER_TOKENIZERS", SHARED / "peer_tokenizers"))
"""Checkpoints saved by the peers' own code, with the tokens and reconstructions it produced."""
BANDAI_THREE = (
    "dataset-1_bow_active_001.bvh",
    "dataset-1_bye_giant_001.bvh",
    "dataset-1_walk_normal_001.bvh",
)
"""Three Bandai takes of dataset-1 (different moves, different lengths), for evaluations in seconds."""
