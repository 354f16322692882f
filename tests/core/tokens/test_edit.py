"""Editing a token grid: single codes, pasted ranges, resets, undo and redo."""

from __future__ import annotations

import numpy as np
import pytest

from core.tokens.edit import TokenEditor


def _editor() -> TokenEditor:
    return TokenEditor(np.arange(40).reshape(10, 4) % 16, nb_code=16)


def test_setting_a_code_reports_the_step_it_changed():
    editor = _editor()
    assert editor.set_code(3, 1, 0).steps == (3, 4)
    assert editor.indices[3, 1] == 0


def test_setting_the_same_code_changes_nothing():
    editor = _editor()
    assert editor.set_code(3, 1, int(editor.indices[3, 1])) is None
    assert not editor.can_undo


def test_edited_cells_are_marked():
    editor = _editor()
    editor.set_code(2, 3, 0)
    mask = editor.edited_mask()
    assert mask[2, 3] and mask.sum() == 1


def test_undo_then_redo_restores_each_state_exactly():
    editor = _editor()
    original = editor.indices.copy()
    editor.set_code(1, 0, 9)
    edited = editor.indices.copy()
    assert editor.undo().steps == (1, 2)
    np.testing.assert_array_equal(editor.indices, original)
    assert editor.redo().steps == (1, 2)
    np.testing.assert_array_equal(editor.indices, edited)


def test_a_new_edit_clears_the_redo_history():
    editor = _editor()
    editor.set_code(1, 0, 9)
    editor.undo()
    editor.set_code(2, 0, 9)
    assert not editor.can_redo


def test_paste_copies_a_range_of_steps_and_clips_at_the_end():
    editor = _editor()
    block = editor.copy(1, 4)
    assert editor.paste(8, block).steps == (8, 10)
    np.testing.assert_array_equal(editor.indices[8:], block[:2])


def test_paste_from_a_model_with_fewer_layers_keeps_the_remaining_layers():
    editor = _editor()
    before = editor.indices[5, 2:].copy()
    editor.paste(5, np.zeros((1, 2), dtype=np.int64))
    np.testing.assert_array_equal(editor.indices[5], [0, 0, *before])


def test_reset_returns_a_range_to_the_encoders_codes_as_one_undoable_change():
    editor = _editor()
    editor.set_code(1, 0, 9)
    editor.set_code(6, 2, 9)
    assert editor.reset().steps == (1, 7)
    assert not editor.is_edited()
    editor.undo()
    assert editor.edited_mask().sum() == 2


def test_codes_outside_the_codebook_are_refused():
    editor = _editor()
    with pytest.raises(ValueError, match="codes must lie"):
        editor.set_code(0, 0, 16)


def test_replacing_the_whole_grid_needs_the_same_shape():
    editor = _editor()
    with pytest.raises(ValueError, match="do not fit"):
        editor.replace_all(np.zeros((9, 4), dtype=np.int64))


def test_the_current_grid_cannot_be_modified_behind_the_editors_back():
    editor = _editor()
    with pytest.raises(ValueError):
        editor.indices[0, 0] = 3
