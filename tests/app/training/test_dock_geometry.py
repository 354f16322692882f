"""Everything in the Training dock reads whole in a 1024x700 and a 1280x800 window: no button narrower than
its text, no field narrower than its minimum, every tab's name whole, the setup only ever scrolling up and
down and given most of the dock's height."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QTabBar,
    QWidget,
)

from core.datasets.progress import ReadProgress
from core.train.events import EvalEvent
from core.train.heldout_fid import BEST_FID, BestFID
from tests.helpers.dataset_roots import beat2_root

SIZES = [(1024, 700), (1280, 800)]


def _shown(root: QWidget, kind: type) -> list:
    return [w for w in root.findChildren(kind) if w.isVisible() and not w.visibleRegion().isEmpty()]


def _clipped(panel) -> list[str]:
    """Every widget in view that is narrower (or lower) than it needs to show its text whole."""
    problems = []
    for button in _shown(panel, QAbstractButton):
        need = button.sizeHint()
        if button.width() < need.width() or button.height() < need.height():
            problems.append(f"button {button.text()!r}: {button.size().toTuple()} < {need.toTuple()}")
    for field in _shown(panel, QLineEdit) + _shown(panel, QComboBox) + _shown(panel, QAbstractSpinBox):
        if field.width() < field.minimumSizeHint().width():
            problems.append(f"{type(field).__name__} {field.toolTip()[:30]!r}: {field.width()} px")
    for label in _shown(panel, QLabel):
        if not label.wordWrap() and label.width() < label.sizeHint().width():
            problems.append(f"label {label.text()!r}: {label.width()} < {label.sizeHint().width()}")
    for bar in _shown(panel, QTabBar):
        for i in range(bar.count()):
            if not bar.rect().contains(bar.tabRect(i)) or bar.tabRect(i).width() < bar.tabSizeHint(i).width():
                problems.append(f"tab {bar.tabText(i)!r} cut: {bar.tabRect(i)} in {bar.rect()}")
    return problems


@pytest.fixture
def dock(window, qtbot, data_dir, tmp_path):
    """The Training dock raised, showing a BEAT2 root (so the speakers row too), a reading report, a
    checkpoint of a long run and a best-FID checkpoint to view: its longest contents."""
    panel = window.training_panel
    root = beat2_root(
        data_dir, tmp_path / "a rather long folder name" / "beat_english_v2.0.0", {"2_scott_0_1_1": "train"}
    )
    with qtbot.waitSignal(panel.setup.surveyed, timeout=60_000):
        panel.set_data_paths([root])
    panel.controls.load_button.setText("View step 1,000,000")
    panel.controls.offer_best_fid(BestFID(tmp_path / "run" / BEST_FID, 0.1234, 1_000_000))
    panel.progress.reading(ReadProgress(done=1234, total=4000, cached=900, elapsed_s=20.0))
    panel.controls.plots.add(EvalEvent(500, 80.0, 60.0, 2, 300, fid=1.5))
    window.training_dock.raise_()
    return window


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_setup_reads_whole_and_scrolls_only_up_and_down(dock, qtbot, size):
    panel = dock.training_panel
    dock.resize(*size)
    qtbot.waitUntil(lambda: panel.isVisible() and panel.height() < size[1] - 60)
    scroll = panel.setup_scroll
    assert panel.setup.data.speakers_edit.isVisible(), "a BEAT2 root: the speakers row is shown"
    assert panel.setup.width() <= scroll.viewport().width() and not scroll.horizontalScrollBar().isVisible()
    assert scroll.height() >= 0.55 * panel.height(), "the setup has most of the dock, not a strip of it"
    assert _clipped(panel) == []


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_curves_and_every_tab_read_whole(dock, qtbot, size):
    panel = dock.training_panel
    dock.resize(*size)
    panel.curves_toggle.click()
    qtbot.waitUntil(lambda: panel.controls.plots.isVisible() and panel.height() < size[1] - 60)
    plots = panel.controls.plots
    assert plots.height() >= 0.45 * panel.height()
    for index in range(plots.count()):
        plots.setCurrentIndex(index)
        qtbot.wait(10)
        assert _clipped(panel) == [], plots.tabText(index)
