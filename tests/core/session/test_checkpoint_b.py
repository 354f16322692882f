"""Checkpoint B: a second tokenizer reconstructs the open clip, follows another clip, and says why it\ncannot read a clip of another skeleton."""

from __future__ import annotations

import numpy as np

from core.session.checkpoint_b import CheckpointB
from core.session.updates import Changed

WALK = "bandai/dataset-1/dataset-1_walk_normal_001.bvh"
SMPLX = "beat2/2_scott_0_1_1.npz"


def test_checkpoint_b_reconstructs_the_open_clip(session, tiny_checkpoint):
    b = CheckpointB()
    b.open(tiny_checkpoint, session.motion)
    assert b.reconstruction is not None and b.mismatch is None
    assert b.layers(3) == 3 and b.layers(5) == 3
    np.testing.assert_allclose(
        b.positions(3, aligned=True), session.reconstruction.positions(3, aligned=True), atol=1e-4
    )


def test_checkpoint_b_follows_another_clip_once(session, tiny_checkpoint, data_dir):
    b = CheckpointB()
    b.open(tiny_checkpoint, session.motion)
    first = b.reconstruction
    assert not b.follow(session.motion) and b.reconstruction is first
    session.open_clip(data_dir / WALK)
    assert b.follow(session.motion) and b.reconstruction.num_frames == session.reconstruction.num_frames


def test_checkpoint_b_says_why_it_cannot_read_a_clip_of_another_skeleton(tiny_checkpoint, data_dir):
    from core.formats import load_motion

    b = CheckpointB()
    b.open(tiny_checkpoint, load_motion(data_dir / SMPLX).slice(0, 64))
    assert b.reconstruction is None and b.mismatch
    b.close()
    assert b.checkpoint is None and b.mismatch is None


def test_the_session_holds_one_b_that_follows_each_clip_it_opens(session, tiny_checkpoint, data_dir):
    update = session.open_checkpoint_b(tiny_checkpoint)
    assert Changed.CHECKPOINT_B in update.changed and session.checkpoint_b.reconstruction is not None
    first = session.checkpoint_b.reconstruction
    update = session.open_clip(data_dir / "bandai" / "dataset-1" / "dataset-1_walk_normal_001.bvh")
    assert Changed.CHECKPOINT_B in update.changed and session.checkpoint_b.reconstruction is not first
    assert (
        Changed.CHECKPOINT_B in session.close_checkpoint_b().changed
        and session.checkpoint_b.checkpoint is None
    )
