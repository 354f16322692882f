"""run_training: one request in, the run's events out; what `rvq-motion train` and the app both drive."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from core.analysis.evaluate import evaluate
from core.errors import ConfigError, MotionFileError
from core.formats import load_motion
from core.model.checkpoint import load_checkpoint
from core.train.driver import TrainingRequest, run_training
from core.train.events import CheckpointEvent, EvalEvent, FinishedEvent, MessageEvent, ReadProgress, StepEvent
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
    assert events[1] == ReadProgress(1, 1, events[1].cached, events[1].elapsed_s)
    events = [e for e in events if not isinstance(e, ReadProgress)]
    assert isinstance(events[0], MessageEvent) and str(data_dir / WALK) in events[0].text
    assert events[1] == MessageEvent("using 1 of 1 clips")
    assert [type(e) for e in events[3:]] == [StepEvent, StepEvent, CheckpointEvent, FinishedEvent]


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
    assert logged == ["message", "message", "step", "step", "checkpoint", "finished"]
    reported = [e for e in events if not isinstance(e, ReadProgress)]
    assert len(logged) == len(reported) - 1, "all but the loading message, sent before the run folder exists"


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


def _held_out_run(data_dir, run_dir, split, eval_every: int = 2) -> list:
    overrides = TrainOverrides(**{**QUICK.changes(), "steps": 4, "eval_every": eval_every})
    request = _request([data_dir / WALK, data_dir / KICK], run_dir, holdout=split, overrides=overrides)
    return _drain(run_training(request))[0]


@pytest.fixture
def kick_held_out(tmp_path) -> Path:
    split = tmp_path / "split.json"
    split.write_text(json.dumps({"holdout": [KICK.name]}))
    return split


def test_with_a_split_file_the_held_out_mpjpe_follows_every_nth_step_report(
    data_dir, tmp_path, kick_held_out
):
    events = _held_out_run(data_dir, tmp_path / "run", kick_held_out)
    evals = [(i, e) for i, e in enumerate(events) if isinstance(e, EvalEvent)]
    assert [e.step for _, e in evals] == [2, 4]
    assert all(isinstance(events[i - 1], StepEvent) and events[i - 1].step == e.step for i, e in evals)
    assert all((e.clips, e.frames) == (1, 358) and e.mpjpe_mm > 0 for _, e in evals)


def test_the_held_out_mpjpe_is_what_evaluating_the_checkpoint_measures(data_dir, tmp_path, kick_held_out):
    events = _held_out_run(data_dir, tmp_path / "run", kick_held_out, eval_every=4)
    (final,) = [e for e in events if isinstance(e, EvalEvent)]
    checkpoint = load_checkpoint(tmp_path / "run")
    report = evaluate(checkpoint, [load_motion(data_dir / KICK)])
    all_layers = report.layers[checkpoint.config.num_quantizers]
    assert final.mpjpe_mm == pytest.approx(all_layers.mpjpe_mm, rel=1e-4)
    assert final.mpjpe_root_aligned_mm == pytest.approx(all_layers.mpjpe_root_aligned_mm, rel=1e-4)


def test_measuring_the_held_out_clips_does_not_change_what_the_run_trains(data_dir, tmp_path, kick_held_out):
    measured = _held_out_run(data_dir, tmp_path / "measured", kick_held_out, eval_every=1)
    unmeasured = _held_out_run(data_dir, tmp_path / "unmeasured", kick_held_out, eval_every=0)
    assert [e.loss for e in measured if isinstance(e, StepEvent)] == [
        e.loss for e in unmeasured if isinstance(e, StepEvent)
    ]
    assert not any(isinstance(e, EvalEvent) for e in unmeasured)


def test_the_held_out_mpjpe_is_logged_in_metrics_jsonl(data_dir, tmp_path, kick_held_out):
    _held_out_run(data_dir, tmp_path / "run", kick_held_out)
    records = [json.loads(line) for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in records if r["event"] == "eval"] == [2, 4]


def test_without_a_split_file_nothing_is_measured(data_dir, tmp_path):
    events, _ = _drain(run_training(_request([data_dir / WALK], tmp_path / "run")))
    assert not any(isinstance(e, EvalEvent) for e in events)
