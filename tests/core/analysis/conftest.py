"""What the analysis tests share: the demo checkpoint."""

from __future__ import annotations

import pytest

from core.model.checkpoint import Checkpoint, load_checkpoint
from tests.helpers.paths import DEMO_CHECKPOINT

BANDAI_THREE = (
    "dataset-1_bow_active_001.bvh",
    "dataset-1_bye_giant_001.bvh",
    "dataset-1_walk_normal_001.bvh",
)


@pytest.fixture(scope="module")
def demo() -> Checkpoint:
    return load_checkpoint(DEMO_CHECKPOINT)
