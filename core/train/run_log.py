"""Writes what a training run reports to ``metrics.jsonl`` and TensorBoard, and reads a run's curves back
from ``metrics.jsonl`` (the app redraws a chosen or resumed run from it); a listener, not part of the loop."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from core.train.events import CheckpointEvent, EvalEvent, Event, FinishedEvent, MessageEvent, StepEvent


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
        if self._tb is not None and isinstance(event, EvalEvent):
            self._tb.add_scalar("heldout/mpjpe_mm", event.mpjpe_mm, event.step)
            self._tb.add_scalar("heldout/mpjpe_root_aligned_mm", event.mpjpe_root_aligned_mm, event.step)
            if event.fid is not None:
                self._tb.add_scalar("heldout/fid", event.fid, event.step)
        if self._tb is not None and isinstance(
            event, MessageEvent | CheckpointEvent | FinishedEvent | EvalEvent
        ):
            self._tb.flush()

    def close(self) -> None:
        self._jsonl.close()
        if self._tb is not None:
            self._tb.close()


@dataclass
class RunHistory:
    """The step reports and held-out evaluations of a run, in step order, as the run now stands."""

    steps: list[StepEvent] = field(default_factory=list)
    evals: list[EvalEvent] = field(default_factory=list)


def _event(kind: type[StepEvent] | type[EvalEvent], record: dict) -> StepEvent | EvalEvent | None:
    """The event a record holds, or None for one that does not fit (another version's, a torn line)."""
    names = {f.name for f in fields(kind)}
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in record.items() if k in names}
    if kind is StepEvent:
        values.setdefault("position", 0.0)  # runs from before the position term
    try:
        return kind(**values)
    except TypeError:
        return None


def read_history(run_dir: str | Path) -> RunHistory:
    """The curves in ``run_dir/metrics.jsonl`` (empty when there is none). A resume from an earlier
    checkpoint repeats steps: the later reports replace the earlier ones from where it restarted."""
    history = RunHistory()
    path = Path(run_dir) / "metrics.jsonl"
    if not path.is_file():
        return history
    kinds = {"step": (StepEvent, history.steps), "eval": (EvalEvent, history.evals)}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        kind, events = kinds.get(record.get("event") if isinstance(record, dict) else None, (None, None))
        if kind is None or events is None:
            continue
        event = _event(kind, record)
        if event is None:
            continue
        while events and events[-1].step >= event.step:
            events.pop()
        events.append(event)
    return history
