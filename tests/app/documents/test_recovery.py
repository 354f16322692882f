"""Edits are never lost: they autosave to a recovery file, a later window (also after a real
SIGKILL) offers them back, saving or discarding removes the file, closing with edits asks, and
token files of another checkpoint are refused without touching the edits."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from app.documents.controller import DialogPrompts, RestoreAnswer
from app.shell.main_window import MainWindow
from core.model.checkpoint import load_checkpoint
from core.tokens.files import TokenFile, load_tokens, save_tokens
from core.tokens.recovery import recovery_path
from tests.helpers.paths import REPO_ROOT


@pytest.fixture
def open_window(qtbot, tmp_path, gui_checkpoint, clip_path):
    """Opens a window on the test clip and checkpoint; its restore question answers ``restore``
    and records what it was offered in ``window.offers``."""
    windows: list[MainWindow] = []

    def make(restore: RestoreAnswer = "restore") -> MainWindow:
        settings = QSettings(str(tmp_path / f"settings{len(windows)}.ini"), QSettings.Format.IniFormat)
        win = MainWindow(settings=settings)
        win.offers = []
        win.prompts.restore = lambda tokens: win.offers.append(tokens) or restore
        win.prompts.unsaved_edits = lambda: "discard"
        qtbot.addWidget(win)
        win.show()
        assert win.documents.open_checkpoint(gui_checkpoint) and win.documents.open_clip(clip_path)
        windows.append(win)
        return win

    yield make
    for win in windows:
        win.playback.pause()
        win.training_panel.job.shutdown()


def edit(win: MainWindow, cells=((5, 1), (30, 0), (31, 2))) -> np.ndarray:
    """Give ``cells`` new codes; the edited grid."""
    session = win.session
    for step, layer in cells:
        session.select(step, layer)
        session.set_code((session.selected_code() + 3) % 32)
    return np.array(session.editor.indices)


def autosaved(qtbot, win: MainWindow) -> Path:
    path = win.autosave.path()
    qtbot.waitUntil(path.is_file, timeout=1000)
    return path


def test_an_edit_is_written_to_the_recovery_file_within_a_second(
    open_window, qtbot, clip_path, private_data_dir
):
    win = open_window()
    edited = edit(win)
    path = win.autosave.path()
    assert not path.exists()  # debounced: the burst of three edits is written once, afterwards
    assert autosaved(qtbot, win).parent == private_data_dir / "recovery"
    tokens = load_tokens(path)
    np.testing.assert_array_equal(tokens.indices, edited)
    assert tokens.checkpoint_sha256 == win.session.checkpoint.weights_sha256
    assert tokens.source == str(clip_path) and tokens.frames == 224 and tokens.fps == win.session.motion.fps
    assert sorted(tokens.edited) == [(5, 1), (30, 0), (31, 2)]


def test_a_new_window_offers_the_edits_and_restore_brings_back_grid_and_motion(open_window, qtbot):
    first = open_window()
    edited = edit(first)
    autosaved(qtbot, first)
    qtbot.waitUntil(lambda: not first.session.reconstruction.stale_levels, timeout=3000)
    expected = first.session.reconstruction.positions(3).copy()

    second = open_window(restore="restore")
    assert len(second.offers) == 1
    session = second.session
    np.testing.assert_array_equal(session.editor.indices, edited)
    qtbot.waitUntil(lambda: not session.reconstruction.stale_levels, timeout=3000)
    np.testing.assert_allclose(session.reconstruction.positions(3), expected, rtol=0, atol=1e-6)
    assert session.has_unsaved_edits()
    session.undo()  # the restore is one undoable change
    np.testing.assert_array_equal(session.editor.indices, session.editor.original)


def test_discard_removes_the_recovery_file(open_window, qtbot):
    first = open_window()
    edit(first)
    path = autosaved(qtbot, first)
    second = open_window(restore="discard")
    assert len(second.offers) == 1 and not path.exists()
    assert not second.session.editor.is_edited()


def test_saving_the_tokens_removes_the_recovery_file(open_window, qtbot, tmp_path):
    win = open_window()
    edit(win)
    path = autosaved(qtbot, win)
    assert win.documents.save_tokens(tmp_path / "punch_tokens.npy")
    assert not path.exists() and not path.with_suffix(".json").exists()


def test_undoing_every_edit_removes_the_recovery_file(open_window, qtbot):
    win = open_window()
    edit(win, cells=((12, 1),))
    path = autosaved(qtbot, win)
    win.session.undo()
    qtbot.waitUntil(lambda: not path.exists(), timeout=1000)


def test_a_recovery_file_of_another_checkpoint_is_never_applied(
    open_window, qtbot, gui_checkpoint, clip_path, private_data_dir
):
    sha = load_checkpoint(gui_checkpoint).weights_sha256
    grid = np.zeros((56, 3), np.int64)
    directory = private_data_dir / "recovery"
    directory.mkdir(parents=True)
    foreign = TokenFile(indices=grid, checkpoint_sha256="0" * 64, frames=224, source=str(clip_path))
    # One under the other checkpoint's name, one under this pair's name but recording the other checkpoint.
    save_tokens(recovery_path(directory, str(clip_path.resolve()), "0" * 64), foreign)
    save_tokens(recovery_path(directory, str(clip_path.resolve()), sha), foreign)
    win = open_window(restore="restore")
    assert win.offers == []
    assert not win.session.editor.is_edited()


def test_closing_with_unsaved_edits_asks_and_cancel_keeps_the_window_and_the_edits(open_window, qtbot):
    win = open_window()
    edited = edit(win)
    asked = []
    win.prompts.unsaved_edits = lambda: asked.append(True) or "cancel"
    assert not win.close()
    assert asked and win.isVisible()
    np.testing.assert_array_equal(win.session.editor.indices, edited)
    assert autosaved(qtbot, win).is_file()  # still recoverable after the cancelled close
    win.prompts.unsaved_edits = lambda: "discard"


def test_closing_and_discarding_removes_the_recovery_file(open_window, qtbot):
    win = open_window()
    edit(win)
    path = autosaved(qtbot, win)
    assert win.close()
    assert not path.exists()


def test_closing_and_saving_writes_the_tokens_and_removes_the_recovery_file(open_window, qtbot, tmp_path):
    win = open_window()
    edited = edit(win)
    path = autosaved(qtbot, win)
    target = tmp_path / "saved_on_close.npy"
    win.prompts.tokens_save_path = lambda suggested: str(target)
    win.prompts.unsaved_edits = lambda: "save"
    assert win.close()
    np.testing.assert_array_equal(load_tokens(target).indices, edited)
    assert not path.exists()


def test_tokens_of_another_checkpoint_show_an_error_and_leave_the_edits_alone(open_window, qtbot, tmp_path):
    win = open_window()
    tokens = tmp_path / "t.npy"
    assert win.documents.save_tokens(tokens)
    meta = json.loads(tokens.with_suffix(".json").read_text())
    meta["checkpoint_sha256"] = "f" * 64
    tokens.with_suffix(".json").write_text(json.dumps(meta))
    edited = edit(win)
    with qtbot.waitSignal(win.reporter.reported) as report:
        assert not win.documents.load_tokens(tokens)
    kind, _title, text = report.args
    assert kind == "error" and "belong to checkpoint ffffffffffff" in text
    np.testing.assert_array_equal(win.session.editor.indices, edited)
    assert win.session.has_unsaved_edits()


CRASHING_APP = textwrap.dedent(
    """
    import sys
    import numpy as np
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication
    from app.shell.main_window import MainWindow

    settings, checkpoint, clip, expected = sys.argv[1:]
    app = QApplication([])
    win = MainWindow(settings=QSettings(settings, QSettings.Format.IniFormat))
    win.show()
    assert win.documents.open_checkpoint(checkpoint) and win.documents.open_clip(clip)
    win.session.select(7, 2)
    win.session.set_code((win.session.selected_code() + 3) % 32)
    np.save(expected, win.session.editor.indices)
    app.exec()
    """
)


def test_edits_survive_a_real_sigkill(
    open_window, qtbot, tmp_path, gui_checkpoint, clip_path, private_data_dir
):
    expected = tmp_path / "expected.npy"
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), OMP_NUM_THREADS="1")
    args = [str(tmp_path / "crash.ini"), str(gui_checkpoint), str(clip_path), str(expected)]
    child = subprocess.Popen(
        [sys.executable, "-c", CRASHING_APP, *args], cwd=REPO_ROOT, env=env, stderr=subprocess.PIPE
    )
    sha = load_checkpoint(gui_checkpoint).weights_sha256
    path = recovery_path(private_data_dir / "recovery", str(clip_path.resolve()), sha)
    try:
        deadline = time.monotonic() + 120
        while not path.is_file():
            assert child.poll() is None, child.stderr.read().decode()
            assert time.monotonic() < deadline, "the app did not autosave"
            time.sleep(0.1)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL

    win = open_window(restore="restore")
    assert len(win.offers) == 1
    np.testing.assert_array_equal(win.session.editor.indices, np.load(expected))
    assert win.session.editor.edited_mask().sum() == 1


def test_the_real_restore_question_answers_restore_when_its_button_is_clicked(open_window, qtbot):
    win = open_window()

    def click_restore() -> None:
        box = QApplication.activeModalWidget()
        next(b for b in box.buttons() if b.text() == "Restore").click()

    QTimer.singleShot(100, click_restore)
    assert DialogPrompts(win).restore(TokenFile(indices=np.zeros((56, 3), np.int64))) == "restore"


def test_tokens_of_another_checkpoint_that_still_exists_offer_to_open_it(
    open_window, tmp_path, gui_checkpoint, clip_path, data_dir
):
    from core.train.data import prepare_data
    from core.train.trainer import Trainer
    from tests.helpers.training import tiny_config

    other = tmp_path / "other_run"
    config = tiny_config(steps=2, checkpoint_every=2, log_every=1, root_channels=False)
    data = prepare_data([data_dir / "bandai" / "dataset-1" / "dataset-1_walk_normal_001.bvh"], config)
    other_checkpoint = list(Trainer(config, data, other, device="cpu").run())[-1].checkpoint
    win = open_window()
    tokens = tmp_path / "t.npy"
    assert win.documents.save_tokens(tokens)
    assert win.documents.open_checkpoint(other_checkpoint)
    asked = []
    win.prompts.open_their_checkpoint = lambda reason: asked.append(reason) or True
    assert win.documents.load_tokens(tokens)
    assert asked and str(gui_checkpoint) in asked[0]
    assert win.session.checkpoint.path == gui_checkpoint
