"""Shared fixtures: where the real motion data lives, and deterministic seeds."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import torch

from tests.helpers.paths import DATA_DIR


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """Real motion capture (../shared/data, or $RVQ_MOTION_DATA); tests that need it skip loudly without it."""
    if not DATA_DIR.is_dir():
        pytest.skip(f"real motion data not found at {DATA_DIR} (set RVQ_MOTION_DATA)")
    return DATA_DIR


@pytest.fixture(scope="session", autouse=True)
def _feature_cache(tmp_path_factory) -> None:
    """The tests' own feature cache (core.datasets.cache), never the user's; subprocesses inherit it."""
    os.environ["RVQ_MOTION_CACHE"] = str(tmp_path_factory.mktemp("feature-cache"))


@pytest.fixture(autouse=True)
def _seed() -> None:
    np.random.seed(0)
    torch.manual_seed(0)


@pytest.fixture(scope="session")
def tiny_checkpoint(data_dir, tmp_path_factory) -> Path:
    """A tiny tokenizer trained briefly on three Bandai clips: real weights, seconds to make."""
    from core.train.trainer import Trainer
    from tests.helpers.training import bandai_data, tiny_config

    run_dir = tmp_path_factory.mktemp("tiny-run")
    for _ in Trainer(
        tiny_config(steps=40, log_every=40, checkpoint_every=40), bandai_data(data_dir), run_dir, device="cpu"
    ).run():
        pass
    return run_dir


@pytest.fixture
def punch_session(tiny_checkpoint, data_dir):
    """An edit session with the tiny checkpoint and a 224-frame Bandai punch (56 token steps)."""
    from core.session.edit_session import EditSession

    session = EditSession()
    session.open_checkpoint(tiny_checkpoint)
    session.open_clip(data_dir / "bandai" / "dataset-1" / "dataset-1_punch_normal_001.bvh")
    return session
