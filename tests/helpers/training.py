"""Tiny, fast training set-ups on a few real Bandai clips, shared by the training tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from core.model import RVQVAEConfig
from core.progress import run_to_end
from core.train.config import TrainConfig
from core.train.data import TrainingData, prepare_data
from core.train.survey import DataSurvey, scan_data

BANDAI_CLIPS = (
    "dataset-1/dataset-1_walk_normal_001.bvh",
    "dataset-1/dataset-1_punch_normal_002.bvh",
    "dataset-1/dataset-1_kick_normal_001.bvh",
)

TINY = TrainConfig(
    model=RVQVAEConfig(width=32, depth=1, code_dim=16, nb_code=32, num_quantizers=3),
    batch_size=8,
    window=16,
    steps=20,
    lr=2e-3,
    warmup_steps=2,
    lr_milestones=(),
    log_every=1,
    checkpoint_every=10,
    root_channels=True,
)


def tiny_config(**changes: object) -> TrainConfig:
    return replace(TINY, **changes)


def bandai_data(data_dir: Path, window: int = 16) -> TrainingData:
    return prepare_data([data_dir / "bandai" / c for c in BANDAI_CLIPS], tiny_config(window=window))


def surveyed(paths: Sequence[Path], config: TrainConfig, **options: object) -> DataSurvey:
    """The survey a run with ``config`` would make of ``paths``, to its end (its progress left out)."""
    return run_to_end(scan_data(paths, config, **options))
