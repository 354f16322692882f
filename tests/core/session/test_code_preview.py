"""Previewing a code in the selected cell: decoded beside the grid, nothing edited, gone after an edit."""

from __future__ import annotations

import numpy as np
import pytest

from core.session.code_preview import CodePreview
from core.session.updates import Changed


def test_a_preview_decodes_the_code_without_editing_the_grid_or_its_history(session):
    session.select(20, 0)
    grid, code = session.editor.indices.copy(), (session.selected_code() + 5) % 32
    update = session.preview_code(code)
    assert update.changed == Changed.PREVIEW and session.active_preview() is not None
    assert np.array_equal(session.editor.indices, grid) and not session.can_undo
    previewed = session.active_preview().positions().copy()
    session.end_preview()
    assert session.preview is None
    session.set_code(code)
    np.testing.assert_allclose(previewed, session.reconstruction.positions(session.layers_used), atol=1e-4)


def test_a_preview_no_longer_holds_after_an_edit_or_a_layer_change(session):
    session.select(20, 0)
    session.preview_code((session.selected_code() + 5) % 32)
    session.set_layers_used(2)
    assert session.active_preview() is None
    session.set_layers_used(3)
    assert session.active_preview() is not None
    session.select(30, 1)
    session.set_code((session.selected_code() + 1) % 32)
    assert session.active_preview() is None


def test_previewing_the_cells_own_code_is_no_preview(session):
    session.select(5, 1)
    assert session.preview_code(session.selected_code()) == session.end_preview()
    assert session.preview is None


def test_a_preview_reports_its_mpjpe_as_the_reconstruction_would(session):
    session.select(20, 0)
    recon = session.reconstruction
    same = CodePreview.decode(recon, 20, 0, session.selected_code(), 3)
    assert same.mpjpe_mm(aligned=True) == pytest.approx(recon.mpjpe_mm(3, aligned=True), rel=1e-4)
    np.testing.assert_allclose(same.frame_mpjpe_mm(), recon.frame_mpjpe_mm(3), rtol=1e-4, atol=1e-3)
