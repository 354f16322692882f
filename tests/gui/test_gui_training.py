"""The training dock: a run starts in its own thread, reports progress while the GUI keeps
responding, stops on request with a checkpoint, resumes, loads into the viewer, and fails politely."""

from __future__ import annotations

import json
import time

import numpy as np
from conftest import CLIP, OTHER_CLIP
from PySide6.QtCore import QThread, QTimer

from core.cli.main import main


def _configure(panel, data_dir, run_dir, steps: int) -> None:
    panel.set_data_paths([data_dir / "bandai" / OTHER_CLIP])
    panel.preset_box.setCurrentText("small")
    panel.steps_spin.setValue(steps)
    panel.batch_spin.setValue(4)
    panel.window_spin.setValue(16)
    panel.device_box.setCurrentIndex(panel.device_box.findData("cpu"))
    panel.run_edit.setText(str(run_dir))


def test_training_runs_in_a_worker_thread_reports_progress_stops_and_resumes(
    window, qtbot, data_dir, tmp_path
):
    panel = window.training_panel
    run_dir = tmp_path / "run"
    _configure(panel, data_dir, run_dir, steps=100_000)
    ticks: list[float] = []
    heartbeat = QTimer()
    heartbeat.timeout.connect(lambda: ticks.append(time.perf_counter()))
    heartbeat.start(20)

    with qtbot.waitSignal(panel.job.progress, timeout=60_000):
        panel.start_button.click()
    assert panel.job.running and panel.job.thread.isRunning()
    assert panel.job.worker.thread() is panel.job.thread is not QThread.currentThread()
    assert not panel.start_button.isEnabled() and panel.stop_button.isEnabled()
    qtbot.waitUntil(lambda: len(panel.plots.steps) >= 3, timeout=60_000)
    assert panel.progress_bar.maximum() == 100_000 and panel.progress_bar.value() >= 30
    assert "steps/s" in panel.rate_label.text() and "ETA" in panel.rate_label.text()
    assert len(panel.plots.values["ppl0"]) == len(panel.plots.steps)
    assert len(panel.plots.values["position"]) == len(panel.plots.steps), "the small preset's FK term"
    heartbeat.stop()
    assert np.diff(ticks).max() < 1.0, "the GUI thread stalled while training"

    with qtbot.waitSignal(panel.job.finished, timeout=60_000) as finished:
        panel.stop_button.click()
    reason, step, checkpoint = finished.args
    assert reason == "stopped" and step >= 30 and checkpoint
    qtbot.waitUntil(panel.start_button.isEnabled, timeout=10_000)
    assert panel.start_button.isEnabled() and panel.load_button.isEnabled()

    panel.load_button.click()
    assert window.session.checkpoint is not None and window.session.checkpoint.step == step

    panel.steps_spin.setValue(step + 10)
    with qtbot.waitSignal(panel.job.finished, timeout=60_000) as resumed:
        panel.resume_button.click()
    assert resumed.args[0] == "completed" and resumed.args[1] == step + 10
    qtbot.waitUntil(panel.start_button.isEnabled, timeout=10_000)
    assert (run_dir / "metrics.jsonl").is_file()


def _tiny_run(data_dir, run_dir) -> None:
    """A finished one-step run whose window (16) and batch (2) differ from the small preset's."""
    args = ["train", "--data", str(data_dir / "bandai" / OTHER_CLIP), "--out", str(run_dir), "--steps", "1"]
    assert main([*args, "--codes", "16", "--batch-size", "2", "--window", "16", "--no-tensorboard"]) == 0


def test_typing_the_folder_of_an_existing_run_shows_its_settings(window, data_dir, tmp_path):
    panel = window.training_panel
    _tiny_run(data_dir, tmp_path / "run")
    panel.preset_box.setCurrentText("small")
    panel.run_edit.setText(str(tmp_path / "run"))
    panel.run_edit.editingFinished.emit()
    assert (panel.window_spin.value(), panel.batch_spin.value(), panel.steps_spin.value()) == (16, 2, 1)


def test_resume_continues_the_run_with_its_own_settings_not_the_forms(window, qtbot, data_dir, tmp_path):
    panel = window.training_panel
    _tiny_run(data_dir, tmp_path / "run")
    _configure(panel, data_dir, tmp_path / "run", steps=1)
    panel.window_spin.setValue(32)
    with qtbot.waitSignal(panel.job.finished, timeout=60_000) as finished:
        panel.resume_button.click()
    assert finished.args[:2] == ["completed", 1]
    assert panel.window_spin.value() == 16 and panel.batch_spin.value() == 2


def test_a_failing_run_reports_in_the_panel_and_a_dialog(window, qtbot, tmp_path):
    panel = window.training_panel
    empty = tmp_path / "no_clips"
    empty.mkdir()
    panel.set_data_paths([empty])
    panel.run_edit.setText(str(tmp_path / "run"))
    with qtbot.waitSignal(window.reporter.reported, timeout=60_000) as reported:
        panel.start_button.click()
    kind, title, _text = reported.args
    assert title == "Training failed"
    assert "training failed" in panel.log.toPlainText()
    qtbot.waitUntil(panel.start_button.isEnabled, timeout=10_000)
    assert panel.start_button.isEnabled()


def test_starting_without_data_or_over_an_existing_run_is_refused(window, qtbot, tmp_path):
    panel = window.training_panel
    panel.set_data_paths([])
    with qtbot.waitSignal(window.reporter.reported) as reported:
        panel.start_button.click()
    assert reported.args[1] == "Cannot start training" and not panel.job.running

    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "latest").write_text("checkpoints/step-0000010")
    panel.set_data_paths([tmp_path])
    panel.run_edit.setText(str(tmp_path / "run"))
    with qtbot.waitSignal(window.reporter.reported) as reported:
        panel.start_button.click()
    assert reported.args[1] == "Run folder in use" and not panel.job.running


def test_a_run_without_the_position_term_draws_no_position_curve(qtbot):
    from app.plots import TrainingPlots
    from core.train.events import StepEvent

    plots = TrainingPlots()
    qtbot.addWidget(plots)
    plots.add(StepEvent(10, 100, 0.5, 0.3, 0.2, 1.0, 0.0, (5.0,), (0.5,), 1e-4, 2.0, 100.0, 45.0))
    assert "reconstruction" in plots.values and "position" not in plots.values


def test_clips_named_in_a_holdout_split_are_left_out_of_the_run(window, qtbot, data_dir, tmp_path):
    panel = window.training_panel
    _configure(panel, data_dir, tmp_path / "run", steps=2)
    panel.set_data_paths([data_dir / "bandai" / OTHER_CLIP, data_dir / "bandai" / CLIP])
    split = tmp_path / "split.json"
    split.write_text(json.dumps({"holdout": [(data_dir / "bandai" / CLIP).name]}))
    panel.holdout_edit.setText(str(split))
    with qtbot.waitSignal(panel.job.finished, timeout=60_000):
        panel.start_button.click()
    assert ": 1 clip (mirrored too)," in panel.log.toPlainText()


def test_a_broken_holdout_split_fails_with_a_dialog_naming_the_file(window, qtbot, data_dir, tmp_path):
    panel = window.training_panel
    _configure(panel, data_dir, tmp_path / "run", steps=2)
    split = tmp_path / "split.json"
    split.write_text("{not json")
    panel.holdout_edit.setText(str(split))
    with qtbot.waitSignal(window.reporter.reported, timeout=60_000) as reported:
        panel.start_button.click()
    assert reported.args[1] == "Training failed" and "split.json" in reported.args[2]
    qtbot.waitUntil(panel.start_button.isEnabled, timeout=10_000)


def test_the_preset_fills_in_its_position_weight_and_the_request_carries_it(window):
    panel = window.training_panel
    panel.preset_box.setCurrentText("seed")
    assert panel.overrides()["position_weight"] == 0.0
    panel.preset_box.setCurrentText("small")
    assert panel.overrides()["position_weight"] == 1.0


def test_the_preset_fills_in_its_augmentations_and_the_request_carries_them(window):
    panel = window.training_panel
    panel.preset_box.setCurrentText("seed")
    assert not panel.overrides()["mirror"] and not panel.overrides()["random_heading"]
    panel.preset_box.setCurrentText("small")
    panel.heading_box.setChecked(True)
    assert panel.overrides()["mirror"] and panel.overrides()["random_heading"]


def test_unticking_mirror_clips_trains_on_the_clips_alone(window, qtbot, data_dir, tmp_path):
    panel = window.training_panel
    _configure(panel, data_dir, tmp_path / "run", steps=2)
    panel.mirror_box.setChecked(False)
    with qtbot.waitSignal(panel.job.finished, timeout=60_000):
        panel.start_button.click()
    assert ": 1 clip, " in panel.log.toPlainText()


def test_the_speed_field_carries_the_random_speed_jitter(window):
    panel = window.training_panel
    panel.preset_box.setCurrentText("seed")
    assert panel.speed_spin.text() == "off" and panel.overrides()["random_speed"] == 0.0
    panel.speed_spin.setValue(25)
    assert panel.overrides()["random_speed"] == 0.25
