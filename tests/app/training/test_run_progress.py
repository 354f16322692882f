"""While a run starts it reads its clips: the bar counts them and the line says how many came from the
cache and the time left; Stop during the reading ends the run before its first step and both say so
(never a step the run is not at); then the steps take over."""

from __future__ import annotations

from core.datasets.progress import ReadProgress
from core.train.events import FinishedEvent, StepEvent
from tests.app.conftest import OTHER_CLIP
from tests.app.training.panel_setup import configure_run


def test_the_clips_read_drive_the_bar_and_the_line_then_the_steps_take_over(
    window, qtbot, data_dir, tmp_path
):
    panel = window.training_panel
    configure_run(
        panel,
        [
            data_dir / "bandai" / OTHER_CLIP,
            data_dir / "bandai" / "dataset-1" / "dataset-1_kick_normal_001.bvh",
        ],
        tmp_path / "run",
    )
    shown: list[tuple[object, str, str]] = []
    bar, label = panel.controls.progress_bar, panel.controls.rate_label
    panel.job.progress.connect(lambda event: shown.append((event, bar.text(), label.text())))
    with qtbot.waitSignal(panel.job.finished, timeout=60_000):
        panel.controls.start_button.click()
    reading = [(event, text, line) for event, text, line in shown if isinstance(event, ReadProgress)]
    assert reading and all(line == event.status() for event, _, line in reading)
    assert reading[-1][1] == "read 2 clips" and reading[-1][2].startswith("read 2 clips")
    steps = [(text, line) for event, text, line in shown if isinstance(event, StepEvent)]
    assert steps[-1][0] == "step 2 of 2" and "steps/s" in steps[-1][1]
    first_step = next(i for i, (event, _, _) in enumerate(shown) if isinstance(event, StepEvent))
    assert all("clips" not in text for _, text, _ in shown[first_step:]), "no reading count once training"


def test_stop_while_the_clips_are_read_ends_the_run_before_its_first_step_and_says_so(
    window, qtbot, data_dir, tmp_path, monkeypatch
):
    monkeypatch.setenv("RVQ_MOTION_CACHE", str(tmp_path / "cache"))  # nothing read before: it takes seconds
    panel = window.training_panel
    configure_run(panel, [data_dir / "bandai" / "dataset-1"], tmp_path / "run", steps=1000)
    bar, label = panel.controls.progress_bar, panel.controls.rate_label
    panel.controls.start_button.click()
    qtbot.waitUntil(lambda: bar.text().startswith("reading clips"), timeout=60_000)
    assert label.text().startswith("reading clips ") and f" / {bar.maximum():,}" in label.text()
    with qtbot.waitSignal(panel.job.finished, timeout=60_000) as finished:
        panel.controls.stop_button.click()
        assert panel.controls.stop_button.text() == "Stopping…"
        assert bar.text() == "stopping…" and label.text().startswith("Stopping before the first step")
    assert finished.args[0] == FinishedEvent(0, "stopped", None)
    qtbot.waitUntil(panel.controls.start_button.isEnabled, timeout=10_000)
    assert bar.text() == "stopped before training"
    assert label.text().startswith("Stopped while reading clips: ") and "step" not in label.text()
    assert not panel.controls.load_button.isEnabled() and not (tmp_path / "run" / "latest").exists()


def test_a_survey_cut_short_by_start_is_done_once_the_run_ends(window, qtbot, data_dir, tmp_path):
    panel = window.training_panel
    shown = []
    panel.setup.surveyed.connect(shown.append)
    configure_run(panel, [data_dir / "bandai" / OTHER_CLIP], tmp_path / "run")  # its survey not yet made
    with qtbot.waitSignal(panel.job.finished, timeout=60_000):
        panel.controls.start_button.click()
    assert shown == [], "the run reads the clips; no survey beside it"
    qtbot.waitUntil(lambda: bool(shown), timeout=30_000)
    assert [survey.headline() for survey in shown] == ["1 clip found: 1 usable, 0 skipped"]
