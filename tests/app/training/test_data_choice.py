"""Datasets as they ship in the Training setup: the split list offers the splits the chosen root ships (or a
split file), BEAT2 speakers are offered for a BEAT2 root only, and the survey says what the selection
holds, read on a background job with its progress in the panel."""

from __future__ import annotations

import json

import numpy as np
from PySide6.QtGui import QTextDocument

from app.training.training_panel import TrainingPanel
from core.datasets.progress import ReadProgress
from tests.app.conftest import OTHER_CLIP
from tests.helpers.dataset_roots import beat2_root, humanml3d_root

H3D_SPLITS = {"train": ["012314", "M012314"], "val": ["000612"], "test": ["000612"]}


def _shown(label) -> str:
    """A rich-text label's text as read, without the zero-width spaces that let long paths wrap."""
    document = QTextDocument()
    document.setHtml(label.text())
    return document.toPlainText().replace("\u200b", "")


def _items(box) -> list[str]:
    return [box.itemText(i) for i in range(box.count())]


def _choose(box, text: str) -> None:
    """As a user picks an item of the list."""
    index = box.findText(text)
    box.setCurrentIndex(index)
    box.activated.emit(index)


def _surveyed(qtbot, panel, change):
    with qtbot.waitSignal(panel.setup.surveyed, timeout=60_000) as surveyed:
        change()
    return surveyed.args[0]


def test_a_humanml3d_root_offers_the_splits_it_ships_and_the_survey_says_what_the_split_selects(
    window, qtbot, data_dir, tmp_path
):
    panel = window.training_panel
    root = humanml3d_root(data_dir, tmp_path / "HumanML3D", H3D_SPLITS)
    survey = _surveyed(qtbot, panel, lambda: panel.set_data_paths([root]))
    box = panel.setup.data.split_box
    assert _items(box) == ["every clip", "train", "val", "test", "Split file…"]
    assert survey.selection == f"HumanML3D root {root}: 3 clips"
    assert not panel.setup.rows.isRowVisible(panel.setup.data.speakers_edit), "no speakers in HumanML3D"

    survey = _surveyed(qtbot, panel, lambda: _choose(box, "train"))
    assert survey.selection == f"HumanML3D root {root}: split train selects 2 of 3 clips"
    assert survey.selection in _shown(panel.setup.survey_label)
    assert survey.headline() == "2 clips found: 2 usable, 0 skipped"


def test_the_run_trains_on_the_chosen_split_and_the_next_session_offers_it_again(
    window, qtbot, settings, data_dir, tmp_path
):
    panel = window.training_panel
    root = humanml3d_root(data_dir, tmp_path / "HumanML3D", H3D_SPLITS)
    _surveyed(qtbot, panel, lambda: panel.set_data_paths([root]))
    _choose(panel.setup.data.split_box, "val")
    panel.form["steps"].setValue(1)
    panel.form["batch_size"].setValue(2)
    panel.form["window"].setValue(16)
    panel.form["mirror"].setChecked(False)  # HumanML3D's skeleton is not mirror-symmetric
    panel.controls.run_edit.setText(str(tmp_path / "run"))
    with qtbot.waitSignal(panel.job.finished, timeout=120_000) as finished:
        panel.controls.start_button.click()
    assert finished.args[0].reason == "completed"
    assert (
        f"loading HumanML3D root {root}: split val selects 1 of 3 clips" in panel.controls.log.toPlainText()
    )
    again = TrainingPanel(window.reporter, settings)
    qtbot.addWidget(again)
    assert again.data_paths() == [root] and again.setup.data.split() == "val"
    assert again.setup.data.split_box.currentText() == "val"


def test_a_beat2_root_offers_its_speakers_and_the_survey_keeps_only_theirs(window, qtbot, data_dir, tmp_path):
    panel = window.training_panel
    types = {"2_scott_0_1_1": "train", "2_scott_0_2_2": "test", "4_lawrence_0_1_1": "train"}
    root = beat2_root(data_dir, tmp_path / "beat_english_v2.0.0", types)
    _surveyed(qtbot, panel, lambda: panel.set_data_paths([root]))
    speakers = panel.setup.data.speakers_edit
    assert panel.setup.rows.isRowVisible(speakers)
    assert "2 scott, 4 lawrence" in speakers.toolTip()
    assert _items(panel.setup.data.split_box) == ["every clip", "train", "test", "Split file…"]

    def four() -> None:
        speakers.setText("4")
        speakers.editingFinished.emit()

    survey = _surveyed(qtbot, panel, four)
    assert survey.selection == f"BEAT2 root {root}: speakers 4 selects 1 of 3 clips"
    assert panel.setup.data.speakers() == (4,)


def test_a_folder_of_clips_offers_no_named_split_and_no_speakers(window, qtbot, data_dir):
    panel = window.training_panel
    _surveyed(qtbot, panel, lambda: panel.set_data_paths([data_dir / "bandai" / OTHER_CLIP]))
    assert _items(panel.setup.data.split_box) == ["every clip", "Split file…"]
    assert not panel.setup.rows.isRowVisible(panel.setup.data.speakers_edit)


def test_split_file_takes_a_file_of_ids_and_hands_a_json_holdout_split_to_hold_out(
    window, qtbot, data_dir, tmp_path
):
    panel = window.training_panel
    root = humanml3d_root(data_dir, tmp_path / "HumanML3D", H3D_SPLITS)
    ids = tmp_path / "mine.txt"
    ids.write_text("000612\n")
    data = panel.setup.data
    _surveyed(qtbot, panel, lambda: panel.set_data_paths([root]))
    data.choose_file = lambda parent: str(ids)  # what the file dialog would answer
    survey = _surveyed(qtbot, panel, lambda: _choose(data.split_box, "Split file…"))
    assert data.split() == str(ids) and data.split_box.currentText() == "mine.txt"
    assert survey.selection == f"HumanML3D root {root}: split {ids} selects 1 of 3 clips"

    holdout = tmp_path / "split.json"
    holdout.write_text(json.dumps({"holdout": ["000612.npy"]}))
    data.choose_file = lambda parent: str(holdout)
    _choose(data.split_box, "Split file…")
    assert panel.holdout_edit.text() == str(holdout) and data.split() == str(ids)


def test_the_survey_reads_in_the_background_saying_how_far_it_has_come(window, qtbot, data_dir, tmp_path):
    panel = window.training_panel
    rows = np.load(data_dir / "humanml3d" / "new_joint_vecs" / "000612.npy")
    folder = tmp_path / "crops"
    folder.mkdir()
    for i in range(30):  # enough files for worker processes
        np.save(folder / f"crop_{i:02d}.npy", rows[i : i + 100])
    lines: list[tuple[str, str]] = []
    panel.setup.progressed.connect(lambda line: lines.append((line, _shown(panel.setup.survey_label))))
    survey = _surveyed(qtbot, panel, lambda: panel.set_data_paths([folder]))
    assert survey.headline() == "30 clips found: 30 usable, 0 skipped"
    assert lines and lines[-1][0] == "read 30 clips" and all(line == label for line, label in lines)
    assert all(line.startswith("reading clips ") and " / 30" in line for line, _ in lines[:-1])


def test_a_reading_report_says_clips_done_of_all_from_the_cache_and_the_time_left(window):
    panel = window.training_panel
    panel.setup.survey_job.progressed.emit(ReadProgress(done=1234, total=4000, cached=900, elapsed_s=20.0))
    expected = "reading clips 1,234 / 4,000 (900 from the cache), about 45 s left"
    assert _shown(panel.setup.survey_label) == expected


def test_a_change_while_a_survey_reads_stops_it_and_only_the_new_survey_is_shown(
    window, qtbot, data_dir, tmp_path, monkeypatch
):
    monkeypatch.setenv("RVQ_MOTION_CACHE", str(tmp_path / "cache"))  # nothing read before: it takes seconds
    panel = window.training_panel
    lines: list[str] = []
    shown = []
    panel.setup.progressed.connect(lines.append)
    panel.setup.surveyed.connect(shown.append)
    panel.set_data_paths([data_dir / "bandai" / "dataset-1"])
    qtbot.waitUntil(lambda: any(line.startswith("reading clips") for line in lines), timeout=60_000)
    panel.set_data_paths([data_dir / "bandai" / OTHER_CLIP])
    qtbot.waitUntil(lambda: bool(shown) and not panel.setup.survey_job.running, timeout=60_000)
    assert [s.headline() for s in shown] == ["1 clip found: 1 usable, 0 skipped"]


def test_quitting_the_application_stops_a_survey_in_progress(window, qtbot, data_dir, tmp_path, monkeypatch):
    from PySide6.QtCore import QCoreApplication

    monkeypatch.setenv("RVQ_MOTION_CACHE", str(tmp_path / "cache"))
    panel = window.training_panel
    with qtbot.waitSignal(panel.setup.progressed, timeout=60_000):
        panel.set_data_paths([data_dir / "bandai" / "dataset-1"])
    shown = []
    panel.setup.surveyed.connect(shown.append)
    QCoreApplication.instance().aboutToQuit.emit()  # returns once the survey has ended
    qtbot.waitUntil(lambda: not panel.setup.survey_job.running, timeout=1_000)
    assert shown == [], "a stopped survey is never shown"
