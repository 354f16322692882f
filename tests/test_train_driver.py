"""run_training: one request in, the run's events out; what `rvq-motion train` and the app both drive."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from core.errors import ConfigError, MotionFileError
from core.model.checkpoint import load_checkpoint
from core.train.driver import TrainingRequest, run_training
from core.train.events import CheckpointEvent, FinishedEvent, MessageEvent, StepEvent
from core.train.overrides import TrainOverrides

WALK = Path("bandai", "dataset-1", "dataset-1_walk_normal_001.bvh")
KICK = Path("bandai", "dataset-1", "dataset-1_kick_normal_001.bvh")
QUICK = TrainOverrides(steps=2, batch_size=2, window=16, nb_code=16, log_every=1, checkpoint_every=2)


def _request(paths, run_dir, **changes) -> TrainingRequest:
    base = {"overrides": QUICK, "device": "cpu", "tensorboard": False}
    return TrainingRequest(data_paths=tuple(paths), run_dir=run_dir, **{**base, **changes})


def _drain(generator) -> tuple[list, object]:
    """Every event a run yields, and what it returns."""
    events = []
    while True:
        try:
            events.append(next(generator))
        except StopIteration as stop:
            return events, stop.value


def test_a_run_says_where_it_loads_from_then_reports_the_trainers_events(data_dir, tmp_path):
    events, _ = _drain(run_training(_request([data_dir / WALK], tmp_path / "run")))
    assert isinstance(events[0], MessageEvent) and str(data_dir / WALK) in events[0].text
    assert [type(e) for e in events[2:]] == [StepEvent, StepEvent, CheckpointEvent, FinishedEvent]


def test_a_run_returns_the_event_it_finished_with(data_dir, tmp_path):
    events, finished = _drain(run_training(_request([data_dir / WALK], tmp_path / "run")))
    assert finished == events[-1] == FinishedEvent(2, "completed", tmp_path / "run/checkpoints/step-0000002")


def test_the_overrides_reach_the_trained_model(data_dir, tmp_path):
    _drain(run_training(_request([data_dir / WALK], tmp_path / "run")))
    checkpoint = load_checkpoint(tmp_path / "run")
    assert checkpoint.config.nb_code == 16 and checkpoint.step == 2


def test_every_event_is_logged_in_the_run_folder(data_dir, tmp_path):
    events, _ = _drain(run_training(_request([data_dir / WALK], tmp_path / "run")))
    logged = [
        json.loads(line)["event"] for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()
    ]
    assert logged == ["message", "step", "step", "checkpoint", "finished"]
    assert len(logged) == len(events) - 1, "all but the loading message, sent before the run folder exists"


def test_skipped_clips_are_reported_and_logged(data_dir, tmp_path):
    folder = tmp_path / "clips"
    folder.mkdir()
    shutil.copy(data_dir / WALK, folder)
    (folder / "broken.bvh").write_text("not a bvh")
    events, _ = _drain(run_training(_request([folder], tmp_path / "run")))
    skipped = [e.text for e in events if isinstance(e, MessageEvent) and e.text.startswith("skipped")]
    assert len(skipped) == 1 and "broken.bvh" in skipped[0]
    assert "broken.bvh" in (tmp_path / "run" / "metrics.jsonl").read_text()


def test_clips_named_in_the_split_file_are_left_out(data_dir, tmp_path):
    split = tmp_path / "split.json"
    split.write_text(json.dumps({"holdout": [KICK.name]}))
    request = _request([data_dir / WALK, data_dir / KICK], tmp_path / "run", holdout=split)
    events, _ = _drain(run_training(request))
    assert any(isinstance(e, MessageEvent) and ": 1 clip (mirrored too)," in e.text for e in events)


def test_a_broken_split_file_fails_before_the_run_folder_is_made(data_dir, tmp_path):
    split = tmp_path / "split.json"
    split.write_text("{not json")
    with pytest.raises(MotionFileError, match="holdout") as failed:
        _drain(run_training(_request([data_dir / WALK], tmp_path / "run", holdout=split)))
    assert failed.value.path == str(split) and not (tmp_path / "run").exists()


def test_a_bad_setting_fails_before_any_clip_is_loaded(tmp_path):
    request = _request([tmp_path / "missing"], tmp_path / "run", overrides=TrainOverrides(window=10))
    with pytest.raises(ConfigError, match="window 10"):
        next(run_training(request))


def test_a_stop_request_ends_the_run_with_a_checkpoint_that_a_resume_continues(data_dir, tmp_path):
    run_dir = tmp_path / "run"
    _, stopped = _drain(run_training(_request([data_dir / WALK], run_dir), should_stop=lambda: True))
    assert stopped.reason == "stopped" and stopped.step == 0 and stopped.checkpoint.is_dir()
    _, resumed = _drain(run_training(_request([data_dir / WALK], run_dir, resume=True)))
    assert (resumed.reason, resumed.step) == ("completed", 2)
