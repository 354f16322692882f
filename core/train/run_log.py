"""Writes what a training run reports to ``metrics.jsonl`` and TensorBoard; a listener, not part of the loop."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from core.train.events import CheckpointEvent, Event, FinishedEvent, MessageEvent, StepEvent


class RunLog:
    """Append-only JSON-lines metrics (one object per event) plus TensorBoard scalars."""

    def __init__(self, run_dir: str | Path, tensorboard: bool = True) -> None:
        self.run_dir = Path(run_dir)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self._jsonl = (self.run_dir / "metrics.jsonl").open("a", encoding="utf-8")
        self._tb = None
        if tensorboard:
            from torch.utils.tensorboard import SummaryWriter

            self._tb = SummaryWriter(str(self.run_dir / "tensorboard"))

    def __enter__(self) -> RunLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def write(self, event: Event) -> None:
        record = {"event": type(event).__name__.removesuffix("Event").lower(), **asdict(event)}
        self._jsonl.write(json.dumps(record, default=str) + "\n")
        self._jsonl.flush()
        if self._tb is not None and isinstance(event, StepEvent):
            for name in ("loss", "reconstruction", "velocity", "commitment", "position", "lr", "steps_per_s"):
                self._tb.add_scalar(f"train/{name}", getattr(event, name), event.step)
            for layer, (ppl, use) in enumerate(zip(event.perplexity, event.usage, strict=True)):
                self._tb.add_scalar(f"perplexity/layer{layer + 1}", ppl, event.step)
                self._tb.add_scalar(f"usage/layer{layer + 1}", use, event.step)
        if self._tb is not None and isinstance(event, MessageEvent | CheckpointEvent | FinishedEvent):
            self._tb.flush()

    def close(self) -> None:
        self._jsonl.close()
        if self._tb is not None:
            self._tb.close()
