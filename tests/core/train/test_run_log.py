"""read_history: a run's curves read back from its metrics.jsonl (the app redraws a chosen or resumed run)."""

from __future__ import annotations

from dataclasses import replace

from core.train.events import EvalEvent, MessageEvent, StepEvent
from core.train.run_log import RunLog, read_history

STEP = StepEvent(10, 100, 0.5, 0.3, 0.1, 0.02, 0.08, (12.0, 9.0), (0.5, 0.25), 1e-4, 3.0, 96.0, 30.0)


def _log(run_dir, *events) -> None:
    with RunLog(run_dir, tensorboard=False) as log:
        for event in events:
            log.write(event)


def test_a_run_s_step_reports_and_evaluations_come_back_as_they_were_written(tmp_path):
    evaluation = EvalEvent(10, 80.5, 61.25, 2, 400)
    _log(tmp_path, MessageEvent("using 3 of 3 clips"), STEP, evaluation)
    history = read_history(tmp_path)
    assert history.steps == [STEP] and history.evals == [evaluation]


def test_a_folder_without_metrics_has_an_empty_history(tmp_path):
    history = read_history(tmp_path / "nothing")
    assert history.steps == [] and history.evals == []


def test_steps_repeated_after_a_resume_from_an_earlier_checkpoint_replace_the_old_ones(tmp_path):
    first = [replace(STEP, step=s, loss=1.0) for s in (10, 20, 30)]
    again = [replace(STEP, step=s, loss=0.5) for s in (20, 30, 40)]
    _log(tmp_path, *first, *again)
    history = read_history(tmp_path)
    assert [(e.step, e.loss) for e in history.steps] == [(10, 1.0), (20, 0.5), (30, 0.5), (40, 0.5)]


def test_a_torn_last_line_is_left_out(tmp_path):
    _log(tmp_path, STEP)
    with (tmp_path / "metrics.jsonl").open("a") as f:
        f.write('{"event": "step", "step": 2')
    assert read_history(tmp_path).steps == [STEP]


def test_reports_of_runs_from_before_the_position_term_read_with_none(tmp_path):
    (tmp_path / "metrics.jsonl").write_text(
        '{"event": "step", "step": 5, "total_steps": 9, "loss": 1.0, "reconstruction": 0.9, "velocity": 0.1, '
        '"commitment": 0.0, "perplexity": [3.0], "usage": [0.5], "lr": 0.001, "steps_per_s": 1.0, '
        '"frames_per_s": 2.0, "eta_s": 4.0}\n'
    )
    (step,) = read_history(tmp_path).steps
    assert step.position == 0.0 and step.perplexity == (3.0,)
