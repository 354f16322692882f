"""The Held-out tab: what it needs, said until there are points; held-out FID on its own axis beside
MPJPE with a T2M evaluator (a folder field, checked and remembered); the best-FID checkpoint one click
from the viewer, live and when a run folder is chosen again."""

from __future__ import annotations

import pytest

from app.training.plots import TrainingPlots
from app.training.training_panel import TrainingPanel
from core.train.events import EvalEvent
from core.train.heldout_fid import BEST_FID
from tests.app.conftest import OTHER_CLIP
from tests.helpers.dataset_roots import held_out_clips
from tests.helpers.paths import SHARED

EVALUATOR = SHARED / "eval_reference" / "momask_t2m" / "evaluator" / "t2m"
"""Stretches of the two real HumanML3D samples written as clips of their own; two are held out."""


def test_the_held_out_tab_says_what_it_needs_until_there_are_points(qtbot):
    plots = TrainingPlots()
    qtbot.addWidget(plots)
    tab = plots.held_out_tab
    assert tab.currentWidget() is tab.hint
    assert all(needed in tab.hint.text() for needed in ("Hold out", "split file", "Held-out MPJPE every"))
    plots.add(EvalEvent(step=500, mpjpe_mm=80.0, mpjpe_root_aligned_mm=60.0, clips=2, frames=300))
    assert tab.currentWidget() is not tab.hint and tab.fid.isHidden(), "MPJPE alone: no FID plot"
    plots.clear()
    assert tab.currentWidget() is tab.hint


def test_held_out_fid_is_drawn_beside_mpjpe_on_its_own_labelled_axis(qtbot):
    plots = TrainingPlots()
    qtbot.addWidget(plots)
    for step, fid in ((500, 4.0), (1000, 1.5)):
        plots.add(EvalEvent(step, 80.0, 60.0, 2, 300, fid=fid))
    assert plots.fid_steps == [500, 1000] and plots.values["fid"] == [4.0, 1.5]
    assert not plots.held_out_tab.fid.isHidden() and not plots.held_out.isHidden()
    assert plots.fid.plot.getAxis("left").labelText == "FID (T2M evaluator)"
    assert "(mm)" in plots.held_out.plot.getAxis("left").labelString(), "MPJPE keeps its millimetres"


def test_a_run_without_held_out_clips_says_so_in_the_held_out_tab(window, qtbot, data_dir, tmp_path):
    panel = window.training_panel
    panel.set_data_paths([data_dir / "bandai" / OTHER_CLIP])
    panel.form["steps"].setValue(2)
    panel.form["batch_size"].setValue(2)
    panel.form["window"].setValue(16)
    panel.controls.run_edit.setText(str(tmp_path / "run"))
    with qtbot.waitSignal(panel.job.finished, timeout=60_000):
        panel.controls.start_button.click()
    hint = panel.controls.plots.held_out_tab.hint.text()
    assert "keeps no clips out of training" in hint and "Hold out" in hint


def test_the_evaluator_folder_is_checked_its_error_shown_and_it_is_remembered(
    window, qtbot, settings, data_dir, tmp_path
):
    if not EVALUATOR.is_dir():
        pytest.skip(f"the T2M evaluator reference is not at {EVALUATOR}")
    panel = window.training_panel
    field = panel.setup.evaluator
    with qtbot.waitSignal(field.checked, timeout=30_000):
        field.set_folder(tmp_path)
    assert (
        field.problem and "not a T2M evaluator folder" in field.status.text() and not field.status.isHidden()
    )
    panel.set_data_paths([data_dir / "bandai" / OTHER_CLIP])
    panel.controls.run_edit.setText(str(tmp_path / "run"))
    with qtbot.waitSignal(window.reporter.reported) as reported:
        panel.controls.start_button.click()
    assert reported.args[1] == "Not a T2M evaluator" and not panel.job.running

    with qtbot.waitSignal(field.checked, timeout=30_000):
        field.set_folder(EVALUATOR)
    assert field.problem is None and field.status.text().startswith("t2m evaluator: 263-dim HumanML3D rows")
    again = TrainingPanel(window.reporter, settings)
    qtbot.addWidget(again)
    assert again.setup.evaluator.folder() == EVALUATOR


@pytest.fixture
def humanml3d_clips(data_dir, tmp_path):
    if not EVALUATOR.is_dir():
        pytest.skip(f"the T2M evaluator reference is not at {EVALUATOR}")
    return held_out_clips(data_dir, tmp_path)


def _fid_run(panel, qtbot, clips, split, run_dir) -> None:
    """Four steps on HumanML3D features, the held-out clips measured (and their FID) at the end."""
    panel.set_data_paths([clips])
    form = panel.form
    form["representation"].setCurrentIndex(form["representation"].findData("humanml3d"))
    for switch in ("mirror", "random_heading", "root_channels"):
        form[switch].setChecked(False)
    form["position_weight"].setValue(0)
    form["random_speed"].setValue(0)
    for name, value in (("steps", 4), ("batch_size", 2), ("window", 16), ("eval_every", 2)):
        form[name].setValue(value)
    panel.holdout_edit.setText(str(split))
    with qtbot.waitSignal(panel.setup.evaluator.checked, timeout=30_000):
        panel.setup.evaluator.set_folder(EVALUATOR)
    panel.device_box.setCurrentIndex(panel.device_box.findData("cpu"))
    panel.controls.run_edit.setText(str(run_dir))
    with qtbot.waitSignal(panel.job.finished, timeout=120_000) as finished:
        panel.controls.start_button.click()
    assert finished.args[0].reason == "completed"
    qtbot.waitUntil(panel.controls.start_button.isEnabled, timeout=10_000)


def test_a_run_with_the_evaluator_draws_its_fid_and_offers_the_best_fid_checkpoint(
    window, qtbot, humanml3d_clips, tmp_path
):
    panel = window.training_panel
    run_dir = tmp_path / "run"
    _fid_run(panel, qtbot, *humanml3d_clips, run_dir)
    plots, best = panel.controls.plots, panel.controls.best_fid_button
    assert plots.fid_steps == [4] and plots.values["fid"][0] > 0
    assert "best held-out FID so far" in panel.controls.log.toPlainText()
    assert not best.isHidden() and str(run_dir / BEST_FID) in best.toolTip()
    with qtbot.waitSignal(panel.loadCheckpointRequested) as requested:
        best.click()
    assert requested.args == [str(run_dir / BEST_FID)]
    assert window.session.checkpoint is not None and window.session.checkpoint.step == 4

    panel.new_run()
    assert best.isHidden() and plots.fid_steps == []
    panel.controls.run_edit.setText(str(run_dir))
    panel.controls.run_edit.editingFinished.emit()
    assert plots.fid_steps == [4] and not best.isHidden(), "reloaded from metrics.jsonl"
