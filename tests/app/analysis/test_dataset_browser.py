"""The dataset browser: folders evaluated in the background with the open checkpoint (and a B), a
sortable per-clip table, the summary `rvq-motion eval` prints, a double-click that opens a clip at its
worst frame, and the HTML report. Real Bandai clips and the demo checkpoint."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.analysis.clip_names import shared_start
from app.analysis.dataset_browser import DatasetBrowser
from app.state.errors import ErrorReporter
from app.state.session import Session
from core.analysis.dataset import compare_checkpoints, evaluate_dataset
from core.analysis.metrics import frame_weighted_mean
from core.analysis.paper_eval import paper_evaluation
from core.model.checkpoint import load_checkpoint
from core.model.peers.importer import plan_import, write_import
from core.model.peers.t2m_evaluator import load_t2m_evaluator
from core.progress import run_to_end
from tests.helpers.dataset_roots import humanml3d_root
from tests.helpers.paths import DEMO_CHECKPOINT, SHARED

CLIPS = ("dataset-1_bow_active_001.bvh", "dataset-1_bye_giant_001.bvh", "dataset-1_bow_angry_001.bvh")

EVALUATOR = SHARED / "eval_reference" / "momask_t2m" / "evaluator" / "t2m"
MOMASK_RUN = SHARED / "peer_tokenizers" / "momask" / "t2m" / "rvq_small_w128_dc64_nc128"


class Answers:
    """The user's answers to the browser's questions."""

    def __init__(self, folder: str | None = None, report: str | None = None):
        self._folder, self._report = folder, report

    def folder(self) -> str | None:
        return self._folder

    def split_file(self) -> str | None:
        return None

    def report_path(self, suggested: str) -> str | None:
        return self._report


@pytest.fixture
def clips(data_dir, tmp_path) -> Path:
    """Three Bandai clips and one CMU clip (another skeleton) in one folder."""
    folder = tmp_path / "clips"
    folder.mkdir()
    for name in CLIPS:
        shutil.copy(data_dir / "bandai" / "dataset-1" / name, folder / name)
    shutil.copy(
        min((data_dir / "cmu_iclone").rglob("*.bvh"), key=lambda f: f.stat().st_size), folder / "zz_cmu.bvh"
    )
    return folder


@pytest.fixture
def browser(qtbot, clips, tmp_path, settings):
    session = Session()
    session.open_checkpoint(DEMO_CHECKPOINT)
    widget = DatasetBrowser(
        session, ErrorReporter(), settings, Answers(str(clips), str(tmp_path / "report.html"))
    )
    qtbot.addWidget(widget)
    widget.show()
    widget.sources.ask_folder()
    yield widget
    widget.shutdown()


def _evaluate(browser, qtbot) -> None:
    with qtbot.waitSignal(browser.job.runningChanged, timeout=60_000, check_params_cb=lambda r: not r):
        browser.evaluate_button.click()


def _headers(browser) -> list[str]:
    model = browser.model
    return [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]


def _names(browser) -> list[str]:
    """The clip names down the table (the vertical header), below the summary row."""
    model = browser.model
    return [model.headerData(r, Qt.Orientation.Vertical) for r in range(1, model.rowCount())]


def _column(browser, header: str) -> list[str]:
    """A column's clip cells, top to bottom, below the summary row."""
    model, col = browser.model, _headers(browser).index(header)
    return [model.index(r, col).data() for r in range(1, model.rowCount())]


def _summary(browser) -> list[str]:
    model = browser.model
    return [model.headerData(0, Qt.Orientation.Vertical)] + [
        model.index(0, c).data() for c in range(model.columnCount())
    ]


def test_evaluate_lists_every_clip_that_fits_and_names_the_skipped_one(browser, qtbot):
    _evaluate(browser, qtbot)
    assert sorted(_names(browser)) == sorted(CLIPS)
    assert "3 clips evaluated, 1 skipped" in browser.status_label.text()
    assert "zz_cmu.bvh: this clip's skeleton does not match" in browser.status_label.toolTip()
    assert browser.progress_bar.value() == browser.progress_bar.maximum() == 4


def test_clip_names_drop_the_folder_they_share_which_is_said_once_above(browser, qtbot, clips):
    _evaluate(browser, qtbot)
    assert all("/" not in name for name in _names(browser))
    assert str(clips) in browser.result_label.text()
    tips = [browser.model.headerData(r, Qt.Orientation.Vertical, Qt.ItemDataRole.ToolTipRole) for r in (1, 2)]
    assert all(tip.startswith(str(clips)) for tip in tips)


def test_the_summary_row_shows_the_figures_rvq_motion_eval_prints(browser, qtbot, clips):
    _evaluate(browser, qtbot)
    for k in range(1, 7):
        browser.show_layers(k, True)
    summary = run_to_end(evaluate_dataset(load_checkpoint(DEMO_CHECKPOINT), sorted(clips.iterdir()))).summary
    layers = [f"{summary.layers[k].mpjpe_root_aligned_mm:.1f}" for k in range(1, 7)]
    assert _summary(browser)[:9] == [
        "all 3 clips",
        f"{summary.frames:.0f}",
        *layers,
        f"{summary.layers[6].mpjpe_mm:.1f}",
    ]
    tip = browser.model.headerData(0, Qt.Orientation.Vertical, Qt.ItemDataRole.ToolTipRole)
    assert tip == summary.table()


def test_the_summary_stays_the_first_row_and_under_its_headers_whatever_the_sort(browser, qtbot):
    _evaluate(browser, qtbot)
    before = _summary(browser)
    for column in range(browser.model.columnCount()):
        browser.table.sortByColumn(column, Qt.SortOrder.AscendingOrder)
        assert _summary(browser) == before


def test_the_layers_used_and_all_layers_are_shown_and_others_can_be_added(browser, qtbot, clips):
    browser.session.open_clip(clips / CLIPS[0])
    browser.session.set_layers_used(2)
    _evaluate(browser, qtbot)
    assert [h for h in _headers(browser) if "layer" in h] == ["2 layers", "6 layers"]
    browser.show_layers(1, True)
    browser.show_layers(6, False)
    assert [h for h in _headers(browser) if "layer" in h] == ["1 layer", "2 layers"]


def test_the_filter_keeps_only_the_clips_whose_name_holds_it(browser, qtbot):
    _evaluate(browser, qtbot)
    browser.filter_edit.setText("BOW")
    assert sorted(_names(browser)) == sorted(c for c in CLIPS if "bow" in c)


def test_while_filtered_the_summary_row_is_the_clips_shown(browser, qtbot):
    _evaluate(browser, qtbot)
    browser.filter_edit.setText("bow")
    shown = [row for row in browser.result.rows if "bow" in row.path.lower()]
    cells = dict(zip(_headers(browser), _summary(browser)[1:], strict=True))
    assert _summary(browser)[0] == f"{len(shown)} of 3 clips"
    assert cells["frames"] == str(sum(row.frames for row in shown))
    expected = frame_weighted_mean([row.mpjpe_mm[5] for row in shown], [row.frames for row in shown])
    assert cells["6 layers"] == f"{expected:.1f}"
    browser.filter_edit.setText("")
    assert _summary(browser)[0] == "all 3 clips"


def test_the_worst_clips_come_first_by_the_pose_error_with_every_layer(browser, qtbot):
    _evaluate(browser, qtbot)
    errors = [float(e) for e in _column(browser, "6 layers")]
    assert errors == sorted(errors, reverse=True)


def test_results_say_when_another_checkpoint_is_open(browser, qtbot, tiny_checkpoint):
    _evaluate(browser, qtbot)
    assert "Not the open checkpoint" not in browser.result_label.text()
    browser.session.open_checkpoint(tiny_checkpoint)
    assert "Not the open checkpoint" in browser.result_label.text()


def test_columns_sort_by_number_not_by_text(browser, qtbot):
    _evaluate(browser, qtbot)
    browser.table.sortByColumn(_headers(browser).index("frames"), Qt.SortOrder.AscendingOrder)
    frames = [int(f) for f in _column(browser, "frames")]
    assert frames == sorted(frames) and len(set(len(str(f)) for f in frames)) > 1  # 90 before 128: numeric
    browser.table.sortByColumn(_headers(browser).index("6 layers"), Qt.SortOrder.DescendingOrder)
    errors = [float(e) for e in _column(browser, "6 layers")]
    assert errors == sorted(errors, reverse=True)


def test_double_click_asks_to_open_the_clip_at_its_worst_frame(browser, qtbot, clips):
    _evaluate(browser, qtbot)
    rows = {Path(r.path).name: r for r in browser.result.rows}
    name = _names(browser)[1]
    with qtbot.waitSignal(browser.openRequested) as opened:
        browser.table.doubleClicked.emit(browser.model.index(2, 1))
    assert opened.args == [str(clips / name), rows[name].worst_frame]


def test_compare_with_b_adds_b_columns_and_the_difference(browser, qtbot, tiny_checkpoint, clips):
    browser.session.open_checkpoint_b(tiny_checkpoint)
    _evaluate(browser, qtbot)
    for k in range(1, 7):
        browser.show_layers(k, True)
    headers = _headers(browser)
    assert headers[:3] == ["frames", "B − A", "A 1 layer"]
    assert [h for h in headers if h.startswith("B ") and h != "B − A"] == ["B 1", "B 2", "B 3", "B global"]
    files = sorted(clips.iterdir())
    comparison = run_to_end(
        compare_checkpoints(load_checkpoint(DEMO_CHECKPOINT), load_checkpoint(tiny_checkpoint), files)
    )
    expected = {Path(c.path).name: f"{c.difference_mm:+.1f}" for c in comparison.clips}
    assert dict(zip(_names(browser), _column(browser, "B − A"), strict=True)) == expected
    assert _summary(browser)[2] == f"{comparison.difference_mm:+.1f}"


def test_stop_ends_the_run_early_and_keeps_the_clips_done(browser, qtbot):
    with qtbot.waitSignal(browser.job.runningChanged, timeout=60_000, check_params_cb=lambda r: not r):
        browser.evaluate_button.click()
        browser.stop_button.click()
    assert not browser.result.complete and browser.row_count() < 3
    assert "(stopped)" in browser.status_label.text()


def test_save_report_writes_the_html_report(browser, qtbot, tmp_path):
    assert not browser.report_button.isEnabled()
    _evaluate(browser, qtbot)
    browser.report_button.click()
    html = (tmp_path / "report.html").read_text()
    assert html.startswith("<!DOCTYPE html>") and all(name in html for name in CLIPS)


def test_the_codebook_tab_shows_the_evaluated_datasets_usage_until_another_checkpoint_opens(
    window, qtbot, clips, data_dir, tiny_checkpoint
):
    window.documents.open_checkpoint(DEMO_CHECKPOINT)
    window.documents.open_clip(data_dir / "bandai" / "dataset-1" / CLIPS[0])
    window.dataset_browser.sources.add_folder(clips)
    with qtbot.waitSignal(window.dataset_browser.evaluated, timeout=60_000):
        window.dataset_browser.evaluate()
    codebook = window.analysis_panel.codebook
    assert codebook.dataset_counts is not None and codebook.dataset_counts.sum() > 0
    window.documents.open_checkpoint(tiny_checkpoint)
    assert codebook.dataset_counts is None


def test_the_dataset_docks_b_is_the_b_the_3d_view_draws(window, qtbot, tiny_checkpoint, data_dir):
    window.documents.open_checkpoint(DEMO_CHECKPOINT)
    window.documents.open_clip(data_dir / "bandai" / "dataset-1" / CLIPS[0])
    window.prompts.checkpoint_to_open = lambda start_dir, title: str(tiny_checkpoint)
    window.dataset_browser.compare_button.click()
    assert (
        window.viewer.b.visible()
        and window.dataset_browser.checkpoint_b is window.session.checkpoint_b.checkpoint
    )
    assert "also drawn in the 3D view" in window.dataset_browser.b_label.text()
    window.commands["close_checkpoint_b"].trigger()
    assert window.dataset_browser.checkpoint_b is None and window.dataset_browser.b_label.text() == "B: none"


def test_a_dataset_roots_splits_are_offered_and_select_their_clips(qtbot, data_dir, tmp_path, settings):
    root = humanml3d_root(data_dir, tmp_path / "HumanML3D", {"train": ["012314"], "test": ["000612"]})
    widget = DatasetBrowser(Session(), ErrorReporter(), settings, Answers(str(root)))
    qtbot.addWidget(widget)
    widget.sources.ask_folder()
    box = widget.sources.split_box
    assert {"train", "test"} <= {box.itemText(i) for i in range(box.count())}
    box.setCurrentIndex(box.findText("test"))
    box.activated.emit(box.currentIndex())
    assert [f.stem for f in widget.sources.files()] == ["000612"]
    assert not widget.sources.speakers_edit.isVisibleTo(widget)


def test_measure_waits_for_an_evaluator_folder_and_says_what_it_measures(browser):
    browser.paper.set_folder("")
    assert not browser.paper.measure_button.isEnabled()
    assert "MoMask's protocol" in browser.paper.label.text()
    browser.paper.set_folder("/somewhere/checkpoints/t2m")
    assert browser.paper.measure_button.isEnabled()


def test_the_papers_figures_are_momasks_protocol_with_the_users_evaluator(
    qtbot, data_dir, tmp_path, settings
):
    if not EVALUATOR.is_dir() or not MOMASK_RUN.is_dir():
        pytest.skip(f"MoMask's evaluation reference not found at {EVALUATOR}")
    momask = write_import(plan_import(MOMASK_RUN), tmp_path / "momask")
    folder = data_dir / "humanml3d" / "new_joint_vecs"
    session = Session()
    session.open_checkpoint(momask)
    widget = DatasetBrowser(session, ErrorReporter(), settings, Answers(str(folder)))
    qtbot.addWidget(widget)
    widget.sources.ask_folder()
    widget.paper.set_folder(str(EVALUATOR))
    widget.paper.set_unfolded(True)
    widget.paper.repeats.setValue(1)
    with qtbot.waitSignal(widget.paper.measured, timeout=120_000):
        widget.paper.measure_button.click()
    expected = run_to_end(
        paper_evaluation(
            load_checkpoint(momask), load_t2m_evaluator(EVALUATOR), sorted(folder.glob("*.npy")), repeats=1
        )
    )
    table = widget.paper.table
    assert table.item(5, 0).text() == f"{expected.layers[6]['fid']:.3f}"
    assert table.item(5, 2).text() == f"{expected.layers[6]['mpjpe_mm']:.1f}"
    assert (
        "MoMask's random crops" in widget.paper.label.text()
        and expected.evaluator_sha256[:12] in widget.paper.label.text()
    )
    assert settings.value("dataset/t2m_evaluator") == str(EVALUATOR)
    session.open_checkpoint(DEMO_CHECKPOINT)  # not its figures: the report must not carry them
    assert widget.paper.result is None and not widget.paper.table.isVisibleTo(widget)
    widget.shutdown()


def test_plausibility_columns_show_the_reconstructions_figures_beside_the_originals(browser, qtbot, clips):
    _evaluate(browser, qtbot)
    summary = browser.result.summary
    cells = dict(zip(_headers(browser), _summary(browser)[1:], strict=True))
    assert cells["skate %"] == f"{100 * summary.plausibility[6].foot_skating:.1f}"
    assert cells["orig skate %"] == f"{100 * summary.plausibility_original.foot_skating:.1f}"
    assert cells["jitter"] == f"{summary.plausibility[6].jitter_m_s3:.0f}"
    browser.show_plausibility(False)
    assert "jitter" not in _headers(browser)


def test_names_lose_the_folder_and_the_start_they_all_share_but_never_a_whole_name():
    start = shared_start(["/d/bandai/dataset-2_run_a.bvh", "/d/bandai/dataset-2_walk_b.bvh"])
    assert start.folder == Path("/d/bandai") and start.name_start == "dataset-2_"
    assert start.short("/d/bandai/dataset-2_run_a.bvh") == "run_a.bvh"
    assert "names starting dataset-2_" in start.describe()
    assert shared_start(["/d/a_1.bvh", "/d/a_1.bvh"]).name_start == "a_"
