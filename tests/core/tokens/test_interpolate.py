"""Interpolating a range of token steps: the steps between two kept ends re-coded from a straight
latent path, as one undoable edit of the session."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core.model.checkpoint import Checkpoint
from core.session.edit_session import EditSession
from core.session.updates import Changed
from core.tokens.interpolate import interpolated_codes

START, STOP = 20, 28


@pytest.fixture
def session(punch_session) -> EditSession:
    return punch_session


def _latent(ckpt: Checkpoint, codes: np.ndarray) -> np.ndarray:
    """Quantized latent (steps, code_dim) of a (steps, layers) grid: the sum of every layer's codes."""
    with torch.no_grad():
        return ckpt.model.quantized_latent_from_indices(torch.from_numpy(codes)[None])[0].numpy()


def _quantize(ckpt: Checkpoint, latent: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return ckpt.model.quantizer.quantize(torch.from_numpy(latent)[None].float())[1][0].numpy()


def test_interior_codes_are_the_rvq_codes_of_the_interpolated_latent(session):
    ckpt, grid = session.checkpoint, session.editor.indices.copy()
    block = interpolated_codes(ckpt, grid, START, STOP)
    assert block.shape == (STOP - START, 3) and block.dtype == np.int64
    first, last = _latent(ckpt, grid[[START, STOP - 1]])
    t = (np.arange(START + 1, STOP - 1) - START)[:, None] / (STOP - 1 - START)
    expected = _quantize(ckpt, (1 - t) * first + t * last)
    np.testing.assert_array_equal(block[1:-1], expected)
    np.testing.assert_array_equal(block[[0, -1]], grid[[START, STOP - 1]])
    assert not np.array_equal(block[1:-1], grid[START + 1 : STOP - 1]), "the range should change"
    np.testing.assert_array_equal(interpolated_codes(ckpt.model, grid, START, STOP), block)


def test_equal_ends_give_a_constant_latent_so_their_own_requantized_codes(session):
    ckpt, grid = session.checkpoint, session.editor.indices.copy()
    # A step whose codes are what the RVQ gives their own latent (not every step's are: nearest-code
    # residuals need not re-quantize to themselves); equal ends of it reproduce it in between.
    fixed = np.all(_quantize(ckpt, _latent(ckpt, grid)) == grid, axis=1)
    step = int(np.argmax(fixed))
    assert fixed[step]
    grid[START] = grid[STOP - 1] = grid[step]
    block = interpolated_codes(ckpt, grid, START, STOP)
    np.testing.assert_array_equal(block, np.repeat(grid[step][None], STOP - START, axis=0))
    # Any equal ends: a constant latent, so every step between gets the same codes.
    grid[START] = grid[STOP - 1] = grid[0]
    inner = interpolated_codes(ckpt, grid, START, STOP)[1:-1]
    np.testing.assert_array_equal(
        inner, np.repeat(_quantize(ckpt, _latent(ckpt, grid[:1])), len(inner), axis=0)
    )


@pytest.mark.parametrize("stop", [START + 1, START + 2])
def test_fewer_than_three_steps_is_refused_with_a_reason(session, stop):
    with pytest.raises(ValueError, match="at least 3 steps"):
        interpolated_codes(session.checkpoint, session.editor.indices, START, stop)
    session.select(START, 0)
    session.select(stop - 1, 0, extend=True)
    before = session.editor.indices.copy()
    with pytest.raises(ValueError, match="at least 3 steps"):
        session.interpolate_selection()
    np.testing.assert_array_equal(session.editor.indices, before)
    assert not session.can_undo


def test_interpolating_the_selection_is_one_undoable_edit(session):
    original = session.editor.indices.copy()
    session.select(START, 1)
    session.select(STOP - 1, 1, extend=True)
    update = session.interpolate_selection()
    assert update.changed == Changed.TOKENS and update.frames is not None
    grid = session.editor.indices
    np.testing.assert_array_equal(
        grid[START:STOP], interpolated_codes(session.checkpoint, original, START, STOP)
    )
    edited = session.editor.edited_mask()
    assert edited[START + 1 : STOP - 1].any()
    assert not edited[: START + 1].any() and not edited[STOP - 1 :].any()
    session.undo()
    np.testing.assert_array_equal(session.editor.indices, original)
    assert not session.editor.is_edited() and session.can_redo


def test_the_decoded_motion_changes_only_within_the_reach_of_the_range(session):
    recon = session.reconstruction
    before = recon.positions(3, aligned=True).copy()
    session.select(START, 0)
    session.select(STOP - 1, 0, extend=True)
    session.interpolate_selection()
    after = recon.positions(3, aligned=True)
    changed = np.nonzero(np.abs(after - before).max(axis=(1, 2)) > 1e-5)[0]
    assert len(changed) > 0
    lo, hi = recon.reach_of_step(START + 1)[0], recon.reach_of_step(STOP - 2)[1]
    assert changed.min() >= lo and changed.max() < hi


def test_without_a_selection_nothing_happens(session):
    assert session.interpolate_selection().changed == Changed.NOTHING
