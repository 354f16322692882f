"""The training dock: a run starts in its own thread, reports progress while the GUI keeps
responding, stops on request with a checkpoint, resumes, loads into the viewer, and fails politely."""

from __future__ import annotations

import json
import threading
import time

import numpy as np
from PySide6.QtCore import QTimer

from app.training.plots import LOSSES, TrainingPlots
from core.cli.main import main
from core.train.config import preset
from core.train.events import FinishedEvent, StepEvent
from core.train.overrides import FIELDS, TrainOverrides
from core.train.run_config import fit_to_features
from tests.app.conftest import CLIP, OTHER_CLIP
from tests.app.training.panel_setup import configure_run


def test_training_runs_in_a_worker_thread_reports_progress_stops_and_resumes(
    window, qtbot, data_dir, tmp_path
):
    panel = window.training_panel
    run_dir = tmp_path / "run"
    configure_run(panel, [data_dir / "bandai" / OTHER_CLIP], run_dir, steps=100_000)
    threads: list[threading.Thread] = []
    run_training = panel.job.work

    def recorded(*args, **kwargs):
        threads.append(threading.current_thread())
        return (yield from run_training(*args, **kwargs))

    panel.job.work = recorded
    ticks: list[float] = []
    heartbeat = QTimer()
    heartbeat.timeout.connect(lambda: ticks.append(time.perf_counter()))
    heartbeat.start(20)

    with qtbot.waitSignal(panel.job.progress, timeout=60_000):
        panel.controls.start_button.click()
    assert panel.job.running and threads and threads[0] is not threading.main_thread()
    assert not panel.controls.start_button.isEnabled() and panel.controls.stop_button.isEnabled()
    qtbot.waitUntil(lambda: len(panel.controls.plots.steps) >= 3, timeout=60_000)
    assert panel.controls.progress_bar.maximum() == 100_000 and panel.controls.progress_bar.value() >= 30
    assert "steps/s" in panel.controls.rate_label.text() and "ETA" in panel.controls.rate_label.text()
    assert len(panel.controls.plots.values["ppl0"]) == len(panel.controls.plots.steps)
    assert len(panel.controls.plots.values["position"]) == len(panel.controls.plots.steps), (
        "the small preset's FK term"
    )
    heartbeat.stop()
    assert np.diff(ticks).max() < 1.0, "the GUI thread stalled while training"

    with qtbot.waitSignal(panel.job.finished, timeout=60_000) as finished:
        panel.controls.stop_button.click()
        assert panel.controls.stop_button.text() == "Stopping…" and not panel.controls.stop_button.isEnabled()
        assert panel.controls.rate_label.text().startswith("Stopping after step"), (
            "told at once, not after the step"
        )
    (stopped,) = finished.args
    assert isinstance(stopped, FinishedEvent)
    assert stopped.reason == "stopped" and stopped.step >= 30 and stopped.checkpoint
    assert panel.controls.progress_bar.value() == stopped.step, "the bar and the label say the same step"
    step = stopped.step
    qtbot.waitUntil(panel.controls.start_button.isEnabled, timeout=10_000)
    assert panel.controls.start_button.isEnabled() and panel.controls.load_button.isEnabled()

    panel.controls.load_button.click()
    assert window.session.checkpoint is not None and window.session.checkpoint.step == step

    panel.form["steps"].setValue(step + 10)
    with qtbot.waitSignal(panel.job.finished, timeout=60_000) as resumed:
        panel.controls.resume_button.click()
    assert (resumed.args[0].reason, resumed.args[0].step) == ("completed", step + 10)
    qtbot.waitUntil(panel.controls.start_button.isEnabled, timeout=10_000)
    assert (run_dir / "metrics.jsonl").is_file()
    assert panel.controls.plots.steps[0] == 10 and panel.controls.plots.steps[-1] == step + 10, (
        "the curves before the resume too"
    )


def _tiny_run(data_dir, run_dir) -> None:
    """A finished one-step run whose window (16) and batch (2) differ from the small preset's."""
    args = ["train", "--data", str(data_dir / "bandai" / OTHER_CLIP), "--out", str(run_dir), "--steps", "1"]
    assert main([*args, "--codes", "16", "--batch-size", "2", "--window", "16", "--no-tensorboard"]) == 0


def test_typing_the_folder_of_an_existing_run_shows_its_settings(window, data_dir, tmp_path):
    panel = window.training_panel
    _tiny_run(data_dir, tmp_path / "run")
    panel.preset_box.setCurrentText("small")
    panel.controls.run_edit.setText(str(tmp_path / "run"))
    panel.controls.run_edit.editingFinished.emit()
    assert [panel.form[name].value() for name in ("window", "batch_size", "steps")] == [16, 2, 1]


def test_resume_continues_the_run_with_its_own_settings_not_the_forms(window, qtbot, data_dir, tmp_path):
    panel = window.training_panel
    _tiny_run(data_dir, tmp_path / "run")
    configure_run(panel, [data_dir / "bandai" / OTHER_CLIP], tmp_path / "run", steps=1)
    panel.form["window"].setValue(32)
    with qtbot.waitSignal(panel.job.finished, timeout=60_000) as finished:
        panel.controls.resume_button.click()
    assert (finished.args[0].reason, finished.args[0].step) == ("completed", 1)
    assert panel.form["window"].value() == 16 and panel.form["batch_size"].value() == 2


def test_a_failing_run_reports_in_the_panel_and_a_dialog(window, qtbot, tmp_path):
    panel = window.training_panel
    empty = tmp_path / "no_clips"
    empty.mkdir()
    panel.set_data_paths([empty])
    panel.controls.run_edit.setText(str(tmp_path / "run"))
    with qtbot.waitSignal(window.reporter.reported, timeout=60_000) as reported:
        panel.controls.start_button.click()
    kind, title, _text = reported.args
    assert title == "Training failed"
    assert "training failed" in panel.controls.log.toPlainText()
    qtbot.waitUntil(panel.controls.start_button.isEnabled, timeout=10_000)
    assert panel.controls.start_button.isEnabled()


def test_starting_without_data_or_over_an_existing_run_is_refused(window, qtbot, tmp_path):
    panel = window.training_panel
    panel.set_data_paths([])
    with qtbot.waitSignal(window.reporter.reported) as reported:
        panel.controls.start_button.click()
    assert reported.args[1] == "Cannot start training" and not panel.job.running

    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "latest").write_text("checkpoints/step-0000010")
    panel.set_data_paths([tmp_path])
    panel.controls.run_edit.setText(str(tmp_path / "run"))
    with qtbot.waitSignal(window.reporter.reported) as reported:
        panel.controls.start_button.click()
    assert reported.args[1] == "Run folder in use" and not panel.job.running


def test_a_run_without_the_position_term_draws_no_position_curve(qtbot):
    plots = TrainingPlots()
    qtbot.addWidget(plots)
    plots.add(StepEvent(10, 100, 0.5, 0.3, 0.2, 1.0, 0.0, (5.0,), (0.5,), 1e-4, 2.0, 100.0, 45.0))
    assert "reconstruction" in plots.values and "position" not in plots.values


def test_clips_named_in_a_holdout_split_are_left_out_of_the_run(window, qtbot, data_dir, tmp_path):
    panel = window.training_panel
    configure_run(panel, [data_dir / "bandai" / OTHER_CLIP], tmp_path / "run", steps=2)
    panel.set_data_paths([data_dir / "bandai" / OTHER_CLIP, data_dir / "bandai" / CLIP])
    split = tmp_path / "split.json"
    split.write_text(json.dumps({"holdout": [(data_dir / "bandai" / CLIP).name]}))
    panel.holdout_edit.setText(str(split))
    panel.form["eval_every"].setValue(1)
    with qtbot.waitSignal(panel.job.finished, timeout=60_000):
        panel.controls.start_button.click()
    assert ": 1 clip (mirrored too)," in panel.controls.log.toPlainText()
    assert panel.controls.plots.eval_steps == [2] and panel.controls.plots.values["mpjpe"][0] > 0, (
        "the held-out curve"
    )
    assert "held-out MPJPE" in panel.controls.log.toPlainText()


def test_a_broken_holdout_split_fails_with_a_dialog_naming_the_file(window, qtbot, data_dir, tmp_path):
    panel = window.training_panel
    configure_run(panel, [data_dir / "bandai" / OTHER_CLIP], tmp_path / "run", steps=2)
    split = tmp_path / "split.json"
    split.write_text("{not json")
    panel.holdout_edit.setText(str(split))
    with qtbot.waitSignal(window.reporter.reported, timeout=60_000) as reported:
        panel.controls.start_button.click()
    assert reported.args[1] == "Training failed" and "split.json" in reported.args[2]
    qtbot.waitUntil(panel.controls.start_button.isEnabled, timeout=10_000)


def test_the_preset_fills_in_its_position_weight_and_the_request_carries_it(window):
    panel = window.training_panel
    panel.preset_box.setCurrentText("seed")
    assert panel.overrides().position_weight == 0.0
    panel.preset_box.setCurrentText("small")
    assert panel.overrides().position_weight == 1.0


def test_the_preset_fills_in_its_augmentations_and_the_request_carries_them(window):
    panel = window.training_panel
    panel.preset_box.setCurrentText("seed")
    assert panel.overrides().mirror is False and panel.overrides().random_heading is False
    panel.preset_box.setCurrentText("small")
    panel.form["random_heading"].setChecked(True)
    assert panel.overrides().mirror is True and panel.overrides().random_heading is True


def test_unticking_mirror_clips_trains_on_the_clips_alone(window, qtbot, data_dir, tmp_path):
    panel = window.training_panel
    configure_run(panel, [data_dir / "bandai" / OTHER_CLIP], tmp_path / "run", steps=2)
    panel.form["mirror"].setChecked(False)
    with qtbot.waitSignal(panel.job.finished, timeout=60_000):
        panel.controls.start_button.click()
    assert ": 1 clip, " in panel.controls.log.toPlainText()


def test_the_speed_field_carries_the_random_speed_jitter(window):
    panel = window.training_panel
    panel.preset_box.setCurrentText("seed")
    assert panel.form["random_speed"].text() == "off" and panel.overrides().random_speed == 0.0
    panel.form["random_speed"].setValue(25)
    assert panel.overrides().random_speed == 0.25


def test_the_form_offers_every_setting_the_table_labels_and_the_request_carries_them_all(window):
    panel = window.training_panel
    offered = {f.name for f in FIELDS if f.label}
    assert all(panel.form[name].isEnabled() for name in offered)
    assert panel.overrides().changes().keys() == offered


def test_the_form_is_locked_while_a_run_is_in_progress(window, qtbot, data_dir, tmp_path):
    panel = window.training_panel
    configure_run(panel, [data_dir / "bandai" / OTHER_CLIP], tmp_path / "run", steps=2)
    with qtbot.waitSignal(panel.job.finished, timeout=60_000):
        panel.controls.start_button.click()
        assert not any(panel.form[f.name].isEnabled() for f in FIELDS if f.label)
    qtbot.waitUntil(panel.controls.start_button.isEnabled, timeout=10_000)
    assert all(panel.form[f.name].isEnabled() for f in FIELDS if f.label)


def test_the_panel_offers_the_body_parts_features_and_architectures(window):
    form = window.training_panel.form
    parts = form["body_part"]
    assert [parts.itemData(i) for i in range(parts.count())] == [
        "",
        "upper",
        "hands",
        "lower",
        "lower_trans",
        "whole_trans",
    ]
    assert parts.currentText() == "whole body"
    parts.setCurrentIndex(parts.findData("upper"))
    form["representation"].setCurrentIndex(form["representation"].findData("rot6d"))
    form["arch"].setCurrentIndex(form["arch"].findData("motion-s"))
    overrides = form.overrides()
    assert (overrides.body_part, overrides.representation, overrides.arch) == ("upper", "rot6d", "motion-s")


def test_a_run_gets_only_the_settings_edited_so_a_body_part_drops_the_presets_whole_body_ones(window):
    panel = window.training_panel
    panel.preset_box.setCurrentText("small")
    panel.form["body_part"].setCurrentIndex(panel.form["body_part"].findData("upper"))
    assert panel.form.edits() == TrainOverrides(body_part="upper")
    config, dropped = fit_to_features(panel.form.edits().applied_to(preset("small")), panel.form.edits())
    assert not config.mirror and config.position_weight == 0 and "mirror" in dropped


def test_before_any_run_the_progress_bar_says_so(window):
    assert window.training_panel.controls.progress_bar.text() == "no run yet"


def _step(step: int, loss: float = 0.5) -> StepEvent:
    return StepEvent(step, 100, loss, 0.3, 0.02, 0.01, 0.08, (5.0, 4.0), (0.5, 0.25), 1e-4, 2.0, 100.0, 45.0)


def _wheel(widget, modifiers) -> None:
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    centre = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(
        centre,
        QPointF(widget.mapToGlobal(centre.toPoint())),
        QPoint(0, 0),
        QPoint(0, 240),
        Qt.MouseButton.NoButton,
        modifiers,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget.viewport(), event)


def _shown_plots(qtbot) -> TrainingPlots:
    plots = TrainingPlots()
    qtbot.addWidget(plots)
    plots.resize(360, 300)
    plots.show()
    qtbot.waitExposed(plots)
    for step in range(10, 60, 10):
        plots.add(_step(step, loss=1.0 / step))
    return plots


def test_the_wheel_over_a_plot_scrolls_past_it_and_keeps_the_curves_fitted(qtbot):
    from PySide6.QtCore import Qt

    plots = _shown_plots(qtbot)
    view = plots.losses.plot.getViewBox()
    before = view.viewRange()
    _wheel(plots.losses.view, Qt.KeyboardModifier.NoModifier)
    assert view.viewRange() == before and all(view.autoRangeEnabled())


def test_ctrl_wheel_zooms_a_plot(qtbot):
    from PySide6.QtCore import Qt

    plots = _shown_plots(qtbot)
    view = plots.losses.plot.getViewBox()
    before = view.viewRange()
    _wheel(plots.losses.view, Qt.KeyboardModifier.ControlModifier)
    assert view.viewRange() != before


def test_every_loss_curve_has_its_own_colour(qtbot):
    plots = _shown_plots(qtbot)
    colours = [plots.curves[name].opts["pen"].color().getRgb()[:3] for name in LOSSES]
    distance = min(
        sum((a - b) ** 2 for a, b in zip(first, second, strict=True)) ** 0.5
        for i, first in enumerate(colours)
        for second in colours[i + 1 :]
    )
    assert distance > 60, colours


def test_the_axes_show_values_as_they_are_with_no_rescaling_factor(qtbot):
    plots = _shown_plots(qtbot)
    for plot in (plots.losses, plots.held_out, plots.usage):
        assert "(x" not in plot.plot.getAxis("left").labelString()
    assert "(mm)" in plots.held_out.plot.getAxis("left").labelString()


def test_the_legend_sits_beside_the_curves_not_over_them(qtbot):
    plots = _shown_plots(qtbot)
    legend, view = plots.losses.legend, plots.losses.view
    assert all(name in legend.text() for name in ("reconstruction", "velocity", "position (m)"))
    assert legend.isVisible() and not legend.geometry().intersects(view.geometry())


def test_the_panel_summarises_the_chosen_clips_before_start_naming_those_it_would_skip(
    window, qtbot, data_dir
):
    panel = window.training_panel
    short = data_dir / "bandai" / "dataset-1" / "dataset-1_dash_normal_001.bvh"  # 20 frames
    with qtbot.waitSignal(panel.setup.surveyed, timeout=30_000) as surveyed:
        panel.set_data_paths([data_dir / "bandai" / OTHER_CLIP, short])
    survey = surveyed.args[0]
    assert survey.headline() == "2 clips found: 1 usable, 1 skipped"
    assert panel.controls.survey_headline.text() == survey.headline()
    shown = panel.setup.survey_label.text()
    assert "dataset-1_dash_normal_001.bvh (20 frames, shorter than the 64-frame window)" in shown
    assert "22 joints" in shown and "30 fps" in shown and "195 frames" in shown


def test_changing_the_window_surveys_the_clips_again(window, qtbot, data_dir):
    panel = window.training_panel
    with qtbot.waitSignal(panel.setup.surveyed, timeout=30_000):
        panel.set_data_paths([data_dir / "bandai" / OTHER_CLIP])
    with qtbot.waitSignal(panel.setup.surveyed, timeout=30_000) as surveyed:
        panel.form["window"].setValue(256)
    assert surveyed.args[0].headline() == "1 clip found: 0 usable, 1 skipped"


def test_choosing_a_finished_run_draws_its_curves_from_its_metrics(window, data_dir, tmp_path):
    panel = window.training_panel
    _tiny_run(data_dir, tmp_path / "run")
    panel.controls.run_edit.setText(str(tmp_path / "run"))
    panel.controls.run_edit.editingFinished.emit()
    assert panel.controls.plots.steps == [1] and len(panel.controls.plots.values["loss"]) == 1
    assert (
        panel.controls.load_button.isEnabled() and panel.controls.progress_bar.text() == "run at step 1 of 1"
    )


def test_new_run_offers_a_fresh_folder_beside_the_last_and_clears_the_curves(window, data_dir, tmp_path):
    panel = window.training_panel
    _tiny_run(data_dir, tmp_path / "run")
    panel.controls.run_edit.setText(str(tmp_path / "run"))
    panel.controls.run_edit.editingFinished.emit()
    panel.controls.new_button.click()
    fresh = panel.run_dir()
    assert fresh.parent == tmp_path and fresh.name.startswith("run-") and not fresh.exists()
    assert panel.controls.plots.steps == [] and not panel.controls.load_button.isEnabled()
    assert panel.controls.load_button.text() == "View", "not the old run's step"
    assert panel.controls.progress_bar.text() == "no run yet"


def test_open_folder_shows_the_run_folder_or_where_it_will_be(window, tmp_path):
    from PySide6.QtCore import QObject, QUrl, Slot
    from PySide6.QtGui import QDesktopServices

    class Opened(QObject):
        urls: list[QUrl] = []

        @Slot(QUrl)
        def open(self, url: QUrl) -> None:
            self.urls.append(url)

    opened = Opened()
    QDesktopServices.setUrlHandler("file", opened, "open")
    try:
        window.training_panel.controls.run_edit.setText(str(tmp_path / "runs" / "run-1"))
        window.training_panel.controls.open_button.click()
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert [url.toLocalFile() for url in opened.urls] == [str(tmp_path)], "its nearest folder that exists"


def test_the_start_button_and_the_curves_fit_a_1024_by_700_window(window, qtbot, data_dir, tmp_path):
    panel = window.training_panel
    window.resize(1024, 700)
    window.training_dock.raise_()
    qtbot.waitUntil(lambda: panel.isVisible() and panel.height() < 700)
    assert not panel.controls.start_button.visibleRegion().isEmpty()
    assert panel.setup_scroll.isVisible() and not panel.controls.plots.isVisible(), "the setup takes the dock"
    configure_run(panel, [data_dir / "bandai" / OTHER_CLIP], tmp_path / "run", steps=2)
    with qtbot.waitSignal(panel.job.finished, timeout=60_000):
        panel.controls.start_button.click()
    assert not panel.setup_scroll.isVisible(), "the setup gives way to the curves"
    assert panel.controls.plots.height() > 300 and not panel.controls.plots.visibleRegion().isEmpty()
    panel.setup_toggle.click()
    assert panel.setup_scroll.isVisible() and not panel.controls.plots.isVisible()
    panel.curves_toggle.click()
    assert panel.controls.plots.isVisible() and not panel.setup_scroll.isVisible()


def test_the_log_axis_labels_one_two_and_five_times_a_power_of_ten_only(qtbot):
    import math

    from app.training.curve_plot import LogAxis

    axis = LogAxis("left")
    values = [math.log10(v) for v in (0.01, 0.02, 0.03, 0.05, 0.09)]
    assert axis.logTickStrings(values, 1.0, 1.0) == ["0.01", "0.02", "", "0.05", ""]


def test_new_runs_go_to_a_visible_folder_by_default(window):
    assert not any(part.startswith(".") for part in window.training_panel.run_dir().parts)


def test_the_next_run_is_offered_beside_the_last_one_started(window, qtbot, settings, data_dir, tmp_path):
    from app.training.training_panel import TrainingPanel

    configure_run(
        window.training_panel, [data_dir / "bandai" / OTHER_CLIP], tmp_path / "my runs" / "first", steps=1
    )
    with qtbot.waitSignal(window.training_panel.job.finished, timeout=60_000):
        window.training_panel.controls.start_button.click()
    panel = TrainingPanel(window.reporter, settings)
    qtbot.addWidget(panel)
    assert panel.run_dir().parent == tmp_path / "my runs"
