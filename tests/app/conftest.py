"""GUI test fixtures: a tiny checkpoint trained once per session on real Bandai clips, private
settings per test, and a main window. Run under Xvfb (pytest-xvfb), never the offscreen platform:
the GL view does not render there."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QSettings, Qt, QThreadPool
from PySide6.QtWidgets import QApplication

from core.train.data import prepare_data
from core.train.trainer import Trainer
from tests.helpers.training import tiny_config

# As in app.shell.main: every GL view shares one context family, so pyqtgraph's cached shader programs
# stay valid for the views of later windows (must be set before pytest-qt creates the QApplication).
QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)

TRAIN_CLIPS = ("dataset-1/dataset-1_walk_normal_001.bvh", "dataset-1/dataset-1_kick_normal_001.bvh")
CLIP = "dataset-1/dataset-1_punch_normal_001.bvh"
OTHER_CLIP = "dataset-1/dataset-1_walk_normal_001.bvh"
MISMATCHED_CLIP = "cmu_iclone"


@pytest.fixture(scope="session")
def gui_checkpoint(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 3-layer, 32-code model trained for 10 steps. Without root channels, so an edit can change
    only the frames inside the decoder's receptive field (nothing after it moves rigidly)."""
    run = tmp_path_factory.mktemp("tiny_run")
    config = tiny_config(steps=10, checkpoint_every=10, log_every=5, root_channels=False)
    data = prepare_data([data_dir / "bandai" / c for c in TRAIN_CLIPS], config)
    events = list(Trainer(config, data, run, device="cpu").run())
    return Path(events[-1].checkpoint)


@pytest.fixture(scope="session")
def clip_path(data_dir: Path) -> Path:
    return data_dir / "bandai" / CLIP


@pytest.fixture(scope="session")
def other_clip_path(data_dir: Path) -> Path:
    return data_dir / "bandai" / OTHER_CLIP


@pytest.fixture(scope="session")
def mismatched_clip_path(data_dir: Path) -> Path:
    """A CMU clip on a 100-joint rig: it cannot be tokenized by a 22-joint Bandai checkpoint."""
    return sorted((data_dir / MISMATCHED_CLIP).rglob("*.bvh"))[0]


@pytest.fixture(scope="session", autouse=True)
def startup_objects_frozen() -> Iterator[None]:
    """As rvq-studio does at startup: what is alive once the app's modules are imported is never
    garbage, so the collections between tests need not scan it (a third of a second each with torch
    loaded, twice per test). Objects the tests make later are collected as usual."""
    import app.shell.main_window  # noqa: F401 - everything the app imports, frozen with it

    gc.collect()
    gc.freeze()
    yield
    gc.unfreeze()


@pytest.fixture(autouse=True)
def garbage_collected_between_tests(startup_objects_frozen: None) -> Iterator[None]:
    """Python's cycle collector runs in whichever thread happens to allocate. In a background job's
    thread it can finalise the Qt wrapper of an earlier test's window, which Shiboken then deletes in
    the main thread while the job's thread holds a Qt lock and waits for the GIL: a deadlock (seen as
    a hang in a fresh CI run). So garbage is collected here, in the main thread, between tests only.
    With collection off during a test, all it made is still in the youngest generation: collecting
    generations 0 and 1 frees it without scanning what lives for the whole session."""
    gc.collect(1)
    gc.disable()
    yield
    # No worker of this test may outlive it (one still running at interpreter exit crashes it).
    QThreadPool.globalInstance().waitForDone(30_000)
    gc.enable()
    gc.collect(1)


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Recovery files of every window go to the test's folder, never the real home."""
    monkeypatch.setenv("RVQ_STUDIO_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, settings: QSettings):
    from app.shell.main_window import MainWindow

    win = MainWindow(settings=settings)
    win.prompts.unsaved_edits = lambda: "discard"  # no blocking "discard edits?" question in tests
    qtbot.addWidget(win)
    with qtbot.waitActive(win):
        win.show()
        win.activateWindow()
    yield win
    win.playback.pause()
    win.training_panel.job.shutdown()
    win.session.opener.shutdown()


@pytest.fixture
def loaded(window, gui_checkpoint: Path, clip_path: Path):
    """The main window with the tiny checkpoint and the Bandai punch open."""
    assert window.documents.open_checkpoint(gui_checkpoint)
    assert window.documents.open_clip(clip_path)
    return window


@pytest.fixture
def decoded(loaded):
    """The open punch with every truncation level decoded (views can draw each one)."""
    loaded.session.edit_session.refresh_stale()
    QApplication.processEvents()
    return loaded
