"""File > Open checkpoint takes folders as the command line does: a MoMask run folder (and its model/
folder), a checkpoint folder of this studio, a training run (its latest checkpoint), as well as files."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog

from app.documents.checkpoint_dialog import CheckpointFileDialog
from app.documents.checkpoint_paths import recognise

MOMASK_RUN = Path("momask/t2m/rvq_small_w128_dc64_nc128")


@pytest.fixture
def run(data_dir: Path) -> Path:
    folder = data_dir.parent / "peer_tokenizers" / MOMASK_RUN
    if not folder.is_dir():
        pytest.skip(f"peer tokenizer fixtures not found at {folder}")
    return folder


def test_each_kind_of_checkpoint_path_is_recognised(run, gui_checkpoint, tmp_path):
    assert recognise(run / "model").path == run  # the model/ folder imports its run
    assert recognise(run).path == run and recognise(run).imported
    assert recognise(run / "model" / "net_best_fid.tar").imported
    ours = recognise(gui_checkpoint)
    assert ours.path == gui_checkpoint and not ours.imported
    training_run = gui_checkpoint.parent.parent
    assert (training_run / "latest").is_file() and "training run" in recognise(training_run).what
    assert recognise(gui_checkpoint / "checkpoint.json").path == gui_checkpoint / "checkpoint.json"
    assert recognise(run / "meta") is None and recognise(tmp_path) is None
    assert recognise(tmp_path / "missing.pth") is None


def _dialog(qtbot, start: Path) -> CheckpointFileDialog:
    dialog = CheckpointFileDialog(None, str(start))
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_a_selected_run_folder_opens_with_open_instead_of_being_entered(qtbot, run):
    dialog = _dialog(qtbot, run.parent)
    dialog.selectFile(run.name)
    qtbot.waitUntil(lambda: "MoMask run folder" in dialog.hint.text(), timeout=5_000)
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.chosen == run


def test_inside_a_run_or_its_model_folder_the_folder_itself_can_be_opened(qtbot, run, tmp_path):
    dialog = _dialog(qtbot, run / "model")
    assert dialog.folder_button.isEnabled() and "model/ folder of a MoMask run" in dialog.hint.text()
    dialog.folder_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.chosen == run / "model"
    elsewhere = _dialog(qtbot, tmp_path)
    assert not elsewhere.folder_button.isEnabled() and "MoMask run folder" in elsewhere.hint.text()


def test_a_momask_model_folder_given_to_open_checkpoint_imports_its_run(window, run):
    planned: list = []
    window.prompts.import_plan = lambda plan, replan: planned.append(plan) or plan
    window.prompts.checkpoint_to_open = lambda start_dir, title="Open checkpoint": str(run / "model")
    assert window.documents.open_checkpoint()
    assert planned[0].source == run / "model" / "net_best_fid.tar"
    assert planned[0].get("dilation_growth_rate").source == "opt.txt"  # read from the run folder
    assert window.session.checkpoint.label == "MoMask · net_best_fid.tar"


def test_a_folder_that_is_no_checkpoint_says_what_can_be_opened(window, qtbot, tmp_path):
    with qtbot.waitSignal(window.reporter.reported, timeout=5_000) as reported:
        assert not window.documents.open_checkpoint(tmp_path)
    text = reported.args[2]
    assert str(tmp_path) in text and "MoMask run folder" in text and "training run folder" in text
    assert window.session.checkpoint is None


def test_checkpoint_b_is_asked_for_under_its_own_title_and_may_be_another_codebases(window, run):
    asked = []

    def answer(start_dir: str, title: str = "Open checkpoint") -> str:
        asked.append(title)
        return str(run)

    window.prompts.checkpoint_to_open = answer
    window.prompts.import_plan = lambda plan, replan: plan
    assert window.documents.open_checkpoint_b()
    assert asked == ["Compare with checkpoint B"] and window.session.checkpoint_b.label.startswith("MoMask")
