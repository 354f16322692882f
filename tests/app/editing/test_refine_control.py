"""Refine codes: a background search whose result lands as one undoable edit of the open clip."""

from __future__ import annotations

import re

import numpy as np

from core.tokens.refine import RefineSettings


def test_refine_is_disabled_until_there_are_codes(window, gui_checkpoint):
    assert not window.commands["refine"].isEnabled()
    assert window.documents.open_checkpoint(gui_checkpoint)
    assert not window.commands["refine"].isEnabled()


def test_refined_codes_replace_the_grid_as_one_undoable_edit(loaded, qtbot):
    session = loaded.session
    encoded = session.editor.indices.copy()
    loaded.refine.settings = RefineSettings(steps=15)
    with qtbot.waitSignal(loaded.refine.job.finished, timeout=60_000) as done:
        loaded.commands["refine"].trigger()
        assert loaded.commands["refine"].text() == "Stop refining"
    result = done.args[0]
    assert result.best_loss < result.initial_loss
    np.testing.assert_array_equal(session.editor.indices, result.indices)
    assert (session.editor.indices != encoded).any()
    message = loaded.statusBar().currentMessage()
    assert re.match(r"Refined the whole clip: [\d.]+ → [\d.]+ mm with 3 layers", message), message
    qtbot.waitUntil(lambda: loaded.commands["refine"].text() == "Refine codes")
    loaded.commands["undo"].trigger()
    np.testing.assert_array_equal(session.editor.indices, encoded)


def test_stop_ends_the_search_early_and_keeps_its_best_codes(loaded, qtbot):
    loaded.refine.settings = RefineSettings(steps=100_000)
    with qtbot.waitSignal(loaded.refine.job.finished, timeout=60_000) as done:
        with qtbot.waitSignal(loaded.refine.job.progress, timeout=30_000):
            loaded.commands["refine"].trigger()
        assert loaded.refine.widget.isVisible()
        loaded.commands["refine"].trigger()
    assert done.args[0].stopped
    np.testing.assert_array_equal(loaded.session.editor.indices, done.args[0].indices)
    qtbot.waitUntil(lambda: not loaded.refine.widget.isVisible())


def test_opening_another_clip_drops_the_running_search(loaded, qtbot, other_clip_path):
    loaded.refine.settings = RefineSettings(steps=100_000)
    with qtbot.waitSignal(loaded.refine.job.progress, timeout=30_000):
        loaded.commands["refine"].trigger()
    with qtbot.waitSignal(loaded.refine.job.runningChanged, timeout=60_000):
        assert loaded.documents.open_clip(other_clip_path)
    assert not loaded.session.editor.is_edited()
    assert not loaded.session.can_undo
