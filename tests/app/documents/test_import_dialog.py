"""File > Open checkpoint on another codebase's tokenizer: the import dialog (fields in words, statistics
chosen in it), then the tokenizer opens on its reference clip and the window shows what the peer's own
code made of it, named by where it came from."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFontMetrics

from app.documents.import_dialog import ImportDialog
from app.style import theme
from core.formats import load_motion, save_motion
from core.formats.humanml3d import recover_from_ric
from core.model.peers.importer import plan_import
from tests.helpers.peer_files import syntalker_file

MOMASK_RUN = Path("momask/t2m/rvq_small_w128_dc64_nc128")
SYNTALKER = Path("syntalker/rvq_upper/net_300.pth")


@pytest.fixture
def peers(data_dir: Path) -> Path:
    folder = data_dir.parent / "peer_tokenizers"
    if not folder.is_dir():
        pytest.skip(f"peer tokenizer fixtures not found at {folder}")
    return folder


@pytest.fixture
def stats(data_dir: Path) -> Path:
    return data_dir / "beat2" / "mean_std"


def _confirming(window, planned: list) -> None:
    """The import dialog answered with the plan as shown (recorded in ``planned``)."""
    window.prompts.import_plan = lambda plan, replan: planned.append(plan) or plan


def _replanning(path: Path):
    return lambda given: plan_import(path, stats=given, allow_missing_statistics=True)


def test_a_momask_run_folder_opens_on_its_reference_clip_named_by_its_origin(window, peers, tmp_path):
    run = peers / MOMASK_RUN
    reference = run / "reference"
    clip = tmp_path / "000612_crop.npy"
    np.save(clip, np.load(reference / "input_features.npy"))
    planned: list = []
    _confirming(window, planned)
    assert window.documents.open_checkpoint(run)
    assert planned and planned[0].family == "momask"
    assert window.documents.open_clip(clip)
    session = window.session
    np.testing.assert_array_equal(session.editor.indices, np.load(reference / "codes.npy"))
    expected = recover_from_ric(np.load(reference / "recon_features.npy").astype(np.float64))
    assert np.abs(session.reconstruction.positions(6) - expected).max() < 1e-3
    label = window.labels.checkpoint_label.text()
    assert label.startswith("MoMask · net_best_fid.tar") and "step" not in label


def test_an_import_is_remembered_by_its_origin_not_the_apps_folder(window, peers):
    _confirming(window, [])
    assert window.documents.open_checkpoint(peers / MOMASK_RUN)
    assert window.statusBar().currentMessage().startswith("Imported MoMask · net_best_fid.tar")
    recent = window.recent_files
    label = recent.labels("checkpoints")[recent.entries("checkpoints")[0]]
    assert label.name == "MoMask · net_best_fid.tar" and label.folder == str(peers / MOMASK_RUN / "model")
    assert recent.start_dir("checkpoints") == label.folder  # the next Open starts beside the original
    window.recent_menu.aboutToShow.emit()
    texts = [a.text() for a in window.recent_menu.actions()]
    assert any(t.startswith("MoMask · net_best_fid.tar   ") for t in texts)
    assert window.documents.open_checkpoint(recent.entries("checkpoints")[0])  # reopened from the list
    assert window.statusBar().currentMessage() == "Opened MoMask · net_best_fid.tar"


def test_a_syntalker_part_gets_its_statistics_in_the_dialog_and_opens_on_the_beat2_clip(
    window, peers, data_dir, stats, tmp_path
):
    shown: list = []

    def choose_in_the_dialog(plan, replan):
        dialog = ImportDialog(plan, window, replan)
        shown.append((plan.missing, dialog.import_button.isEnabled()))
        dialog.pickers.set_path(0, stats / "beatx_2_330_mean.npy")  # Std is filled from beside it
        dialog._accept()
        return dialog.plan if dialog.result() else None

    window.prompts.import_plan = choose_in_the_dialog
    assert window.documents.open_checkpoint(peers / SYNTALKER)
    assert shown and "no normalisation statistics" in shown[0][0] and shown[0][1] is False
    reference = peers / SYNTALKER.parent / "reference"
    beat2 = load_motion(data_dir / "beat2" / "2_scott_0_1_1.npz")
    crop = tmp_path / "last_256.npz"
    save_motion(beat2.slice(beat2.num_frames - 256, beat2.num_frames), crop)
    assert window.documents.open_clip(crop)
    session = window.session
    np.testing.assert_array_equal(session.editor.indices, np.load(reference / "codes.npy"))
    rep, motion = session.checkpoint.representation, session.motion
    expected = rep.positions(np.load(reference / "recon_features.npy"), motion)
    assert np.abs(session.reconstruction.positions(6) - expected).max() < 1e-3
    assert "upper body part" in window.viewer.hud.mpjpe_label.text()


def test_the_statistics_pickers_start_next_to_the_checkpoint_and_say_what_is_missing(
    qtbot, peers, stats, tmp_path
):
    path = peers / SYNTALKER
    dialog = ImportDialog(plan_import(path, allow_missing_statistics=True), None, _replanning(path))
    qtbot.addWidget(dialog)
    pickers = dialog.pickers
    assert [f.label for f in pickers.files] == ["Mean", "Std"] and pickers.start_dir() == path.parent
    assert not dialog.import_button.isEnabled()
    assert "Mean (like beatx_2_330_mean.npy)" in dialog.message.text() and "Std" in dialog.message.text()
    alone = tmp_path / "elsewhere"
    alone.mkdir()
    shutil.copy(stats / "beatx_2_330_mean.npy", alone)  # no std beside it to fill in
    pickers.edits[0].setText(str(alone / "beatx_2_330_mean.npy"))  # typed, then Enter
    pickers.edits[0].editingFinished.emit()
    assert dialog.message.text() == "Still needed: Std (like beatx_2_330_std.npy)."
    assert pickers.start_dir() == alone  # the next file is looked for beside the first
    pickers.set_path(1, peers / MOMASK_RUN / "meta" / "std.npy")  # HumanML3D's: 263 values, not 330
    assert "std.npy" in dialog.message.text() and "do not fit" in dialog.message.text()
    assert not dialog.import_button.isEnabled() and dialog.plan.normalizer is None
    pickers.set_path(1, stats / "beatx_2_330_std.npy")
    assert dialog.message.text() == "" and dialog.import_button.isEnabled()
    assert dialog.plan.normalizer is not None and str(stats) in str(dialog.plan.value("normalisation"))
    assert _cell(dialog, "normalisation", 2).text() == "chosen by you"


def test_a_part_with_root_channels_asks_for_the_translation_statistics_too(qtbot, stats, tmp_path):
    path = syntalker_file(tmp_path / "lower_trans" / "net_300.pth", input_dim=57)
    dialog = ImportDialog(plan_import(path, allow_missing_statistics=True), None, _replanning(path))
    qtbot.addWidget(dialog)
    pickers = dialog.pickers
    assert [f.label for f in pickers.files] == ["Mean", "Std", "Translation mean", "Translation std"]
    pickers.set_path(0, stats / "beatx_2_330_mean.npy")  # BEAT2's mean_std folder holds all four
    assert pickers.paths()[3] == str(stats / "beatx_2_trans_std.npy") and dialog.import_button.isEnabled()
    for edit in pickers.edits[2:]:
        edit.clear()
    pickers.edits[3].editingFinished.emit()
    assert dialog.message.text().startswith("Still needed: Translation mean (like beatx_2_trans_mean.npy)")
    assert not dialog.import_button.isEnabled()


def test_enter_in_a_path_field_takes_the_path_and_leaves_the_import_to_its_button(qtbot, peers, stats):
    path = peers / SYNTALKER
    dialog = ImportDialog(plan_import(path, allow_missing_statistics=True), None, _replanning(path))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    edit = dialog.pickers.edits[0]
    edit.setFocus()
    qtbot.keyClicks(edit, str(stats / "beatx_2_330_mean.npy"))
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert dialog.plan.normalizer is not None and dialog.import_button.isEnabled()
    assert dialog.isVisible() and dialog.result() == 0  # reviewed before it is imported


def test_edited_values_survive_a_new_plan(qtbot, peers, stats):
    path = peers / SYNTALKER
    dialog = ImportDialog(plan_import(path, allow_missing_statistics=True), None, _replanning(path))
    qtbot.addWidget(dialog)
    dialog.table.item(dialog.table.row_of("dilation_growth_rate"), 1).setText("2")
    dialog.pickers.set_path(0, stats / "beatx_2_330_mean.npy")
    dialog._accept()
    assert dialog.result() and dialog.plan.value("dilation_growth_rate") == 2
    assert dialog.plan.get("dilation_growth_rate").source == "option"


def _cell(dialog: ImportDialog, name: str, column: int):
    return dialog.table.item(dialog.table.row_of(name), column)


def _cut_cells(table) -> list[str]:
    """The texts that do not fit their cell, wrapped at its width."""
    metrics = QFontMetrics(table.font())
    cut = []
    for row in range(table.rowCount()):
        if table.columnSpan(row, 0) > 1:
            continue
        for column in range(3):
            text = table.item(row, column).text()
            width = table.columnWidth(column) - 8  # the cell's margins
            needed = metrics.boundingRect(QRect(0, 0, width, 10_000), Qt.TextFlag.TextWordWrap, text)
            visible = (
                table.columnViewportPosition(column) + table.columnWidth(column) <= table.viewport().width()
            )
            if needed.height() > table.rowHeight(row) or needed.width() > width + 8 or not visible:
                cut.append(text)
    return cut


@pytest.mark.parametrize("size", [None, (560, 600)])
def test_fields_are_said_in_words_with_their_raw_names_and_sources_are_never_cut(qtbot, peers, size):
    dialog = ImportDialog(plan_import(peers / MOMASK_RUN))
    qtbot.addWidget(dialog)
    if size is not None:
        dialog.resize(*size)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert _cell(dialog, "nb_code", 0).text() == "Codes per layer (nb_code)"
    assert "each quantizer layer's codebook" in _cell(dialog, "nb_code", 0).toolTip()
    assert _cell(dialog, "width", 2).text() == "inferred from shapes"
    assert _cell(dialog, "dilation_growth_rate", 2).text() == "opt.txt"
    reason = _cell(dialog, "checkpoint", 2)
    assert reason.toolTip() == reason.text() == "assumed (MoMask's generators read net_best_fid.tar)"
    assert _cut_cells(dialog.table) == []


def test_what_only_training_reads_is_greyed_apart_and_cannot_be_changed(qtbot, peers):
    dialog = ImportDialog(plan_import(peers / MOMASK_RUN))
    qtbot.addWidget(dialog)
    table = dialog.table
    heading = next(r for r in range(table.rowCount()) if table.columnSpan(r, 0) == 3)
    assert table.item(heading, 0).text().startswith("Training only: only training reads this setting")
    for name in ("mu", "quantize_dropout_prob", "sample_codebook_temp", "dropout"):
        row = table.row_of(name)
        value = table.item(row, 1)
        assert row > heading and not value.flags() & Qt.ItemFlag.ItemIsEditable, name
        assert value.foreground().color() == theme.DIM_TEXT and "Training only" in value.toolTip()
    growth = table.item(table.row_of("dilation_growth_rate"), 1)
    assert growth.flags() & Qt.ItemFlag.ItemIsEditable and table.row_of("dilation_growth_rate") < heading


def test_a_bad_value_is_refused_naming_the_field(qtbot, peers):
    dialog = ImportDialog(plan_import(peers / MOMASK_RUN))
    qtbot.addWidget(dialog)
    _cell(dialog, "dilation_growth_rate", 1).setText("two")
    dialog._accept()
    assert "Dilation growth (dilation_growth_rate)" in dialog.message.text() and dialog.result() == 0
