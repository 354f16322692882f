"""A run that is asked to stop while its clips are still being read ends there, having written nothing."""

from __future__ import annotations

from core.datasets.reader import ReadProgress
from core.train.driver import TrainingRequest, run_training
from core.train.events import FinishedEvent, MessageEvent
from core.train.overrides import TrainOverrides


def test_a_stop_while_the_clips_are_read_ends_the_run_before_it_writes_anything(data_dir, tmp_path):
    request = TrainingRequest(
        data_paths=(data_dir / "bandai" / "dataset-1",),
        run_dir=tmp_path / "run",
        overrides=TrainOverrides(steps=2, window=16),
        device="cpu",
        tensorboard=False,
        use_cache=False,
    )
    events = list(run_training(request, should_stop=lambda: True))
    assert isinstance(events[0], MessageEvent) and isinstance(events[1], ReadProgress)
    assert events[1].done < events[1].total, "it stopped at the first progress report"
    assert events[2:] == [FinishedEvent(0, "stopped", None)]
    assert not (tmp_path / "run").exists()
