"""Root-aligned reading of a reconstruction: root on the original path, errors as core.evaluate's."""

from __future__ import annotations

import numpy as np
import pytest

from core.alignment import RootAligned
from core.checkpoint import load_checkpoint
from core.evaluate import _errors
from core.formats import load_motion
from core.reconstruction import Reconstruction


@pytest.fixture()
def recon(tiny_checkpoint, data_dir) -> Reconstruction:
    clip = load_motion(data_dir / "bandai" / "dataset-1" / "dataset-1_walk_normal_001.bvh")
    return Reconstruction(load_checkpoint(tiny_checkpoint), clip)


def test_the_root_follows_the_original_and_the_pose_is_kept(recon):
    aligned = RootAligned(recon).positions(2)
    np.testing.assert_allclose(aligned[:, 0], recon.original_positions[:, 0], atol=1e-6)
    decoded = recon.positions(2)
    np.testing.assert_allclose(aligned - aligned[:, :1], decoded - decoded[:, :1], atol=1e-6)


def test_errors_match_the_root_aligned_mpjpe_of_evaluate(recon):
    view = RootAligned(recon)
    for k in (1, 3):
        expected = _errors(recon.positions(k), recon.original_positions)[1]
        assert view.mpjpe_mm(k) == pytest.approx(expected, rel=1e-5)
        assert view.frame_mpjpe_mm(k).shape == (recon.num_frames,)
        assert view.joint_errors(k)[:, 0].max() < 1e-6
