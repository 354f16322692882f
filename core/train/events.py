"""What a training run reports. The loop yields these; CLI, logs and app only listen."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class StepEvent:
    """Averages over the steps since the previous StepEvent."""

    step: int
    total_steps: int
    loss: float
    reconstruction: float
    velocity: float
    commitment: float
    position: float
    """Mean joint distance in metres (0 when the run has no position term)."""
    perplexity: tuple[float, ...]
    usage: tuple[float, ...]
    lr: float
    steps_per_s: float
    frames_per_s: float
    eta_s: float


@dataclass(frozen=True)
class CheckpointEvent:
    step: int
    path: Path


@dataclass(frozen=True)
class MessageEvent:
    text: str


@dataclass(frozen=True)
class FinishedEvent:
    """``reason`` is "completed" or "stopped"; ``checkpoint`` is the last one written."""

    step: int
    reason: str
    checkpoint: Path | None


Event = StepEvent | CheckpointEvent | MessageEvent | FinishedEvent
