"""What a training run reports. The loop yields these; CLI, logs and app only listen."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.datasets.progress import ReadProgress


def format_duration(seconds: float) -> str:
    """``m:ss`` or ``h:mm:ss``; a dash when unknown (no rate yet)."""
    if seconds != seconds or seconds == float("inf"):
        return "—"
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


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

    def summary(self) -> str:
        """The rate, time left, loss and first layer's perplexity, as the app's progress line shows them."""
        return (
            f"{self.steps_per_s:.1f} steps/s · ETA {format_duration(self.eta_s)} · loss {self.loss:.4f} · "
            f"perplexity L1 {self.perplexity[0]:.0f}"
        )


@dataclass(frozen=True)
class EvalEvent:
    """Reconstruction error of the held-out clips (a split file's) at ``step``, with every quantizer
    layer, frame-weighted, in millimetres (see :mod:`core.analysis.metrics`)."""

    step: int
    mpjpe_mm: float
    mpjpe_root_aligned_mm: float
    clips: int
    frames: int
    fid: float | None = None
    """FID of the held-out crops by the T2M evaluator protocol (runs with ``--evaluator``), else None."""

    def summary(self) -> str:
        return (
            f"step {self.step}: held-out MPJPE {self.mpjpe_root_aligned_mm:.1f} mm root-aligned (global "
            f"{self.mpjpe_mm:.1f} mm) over {self.clips} clips"
            + ("" if self.fid is None else f", FID {self.fid:.4f}")
        )


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


Event = StepEvent | EvalEvent | CheckpointEvent | MessageEvent | FinishedEvent | ReadProgress
"""``ReadProgress`` (:mod:`core.datasets.reader`) reports the clips read before the first step: files done
of the total, how many came from the feature cache, and the time left (``eta_s``)."""
