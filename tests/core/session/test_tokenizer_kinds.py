"""Every kind of tokenizer works end to end in the edit session: a HumanML3D Motion-S model and a BEAT2
upper-body model open with their clips, reconstruct at every number of layers, take an edit that
decodes locally exactly as a full decode, refine, and export."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.analysis.reconstruction import Reconstruction
from core.cli.main import main
from core.formats import load_motion
from core.formats.humanml3d import recover_from_ric
from core.session.edit_session import EditSession
from core.tokens.refine import RefineSettings, TokenRefinement

TINY = ["--steps", "3", "--batch-size", "2", "--codes", "16", "--no-tensorboard"]


@pytest.fixture(scope="module")
def humanml3d_run(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Motion-S on the two HumanML3D samples and the BEAT2 clip, converted on the way in."""
    run = tmp_path_factory.mktemp("motion-s")
    data = [str(data_dir / "humanml3d" / "new_joint_vecs"), str(data_dir / "beat2" / "2_scott_0_1_1.npz")]
    assert main(["train", "--data", *data, "--out", str(run), "--preset", "motion-s", *TINY]) == 0
    return run


def test_smplx_clips_train_beside_humanml3d_files(humanml3d_run):
    log = (humanml3d_run / "metrics.jsonl").read_text()
    assert "3 clips" in log and "skipped" not in log


@pytest.fixture(scope="module")
def upper_body_run(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    run = tmp_path_factory.mktemp("upper")
    clip = data_dir / "beat2" / "2_scott_0_1_1.npz"
    args = ["train", "--data", str(clip), "--out", str(run), "--window", "16", "--body-part", "upper"]
    assert main([*args, *TINY]) == 0
    return run


def _session(run: Path, clip: Path) -> EditSession:
    session = EditSession()
    session.open_checkpoint(run)
    session.open_clip(clip)
    assert session.reconstruction is not None, session.mismatch
    return session


def _edit_decodes_like_a_full_decode(session: EditSession) -> None:
    recon = session.reconstruction
    step = recon.num_steps // 2
    session.select(step, 0)
    update = session.set_code((session.selected_code() + 5) % 16)
    assert update.frames is not None
    full = Reconstruction(session.checkpoint, session.motion, np.array(session.editor.indices))
    for k in range(1, recon.num_quantizers + 1):
        np.testing.assert_allclose(recon.positions(k), full.positions(k), atol=1e-4)


def test_a_humanml3d_clip_opens_with_a_motion_s_checkpoint_and_edits_locally(humanml3d_run, data_dir):
    session = _session(humanml3d_run, data_dir / "humanml3d" / "new_joint_vecs" / "012314.npy")
    assert session.checkpoint.config.arch == "motion-s" and session.num_quantizers == 6
    assert session.reconstruction.positions(1).shape == session.original_positions.shape
    _edit_decodes_like_a_full_decode(session)


def test_an_smplx_clip_is_converted_for_a_humanml3d_checkpoint(humanml3d_run, data_dir):
    beat2 = data_dir / "beat2" / "2_scott_0_1_1.npz"
    session = _session(humanml3d_run, beat2)
    assert session.motion.fps == 20.0 and session.motion.skeleton.num_joints == 22


def test_a_humanml3d_reconstruction_exports_as_rows_and_as_bvh(humanml3d_run, data_dir, tmp_path):
    session = _session(humanml3d_run, data_dir / "humanml3d" / "new_joint_vecs" / "012314.npy")
    decoded = session.reconstruction.positions(6)
    session.export_motion(tmp_path / "decoded.npy")
    rows = np.load(tmp_path / "decoded.npy")
    np.testing.assert_allclose(
        recover_from_ric(rows.astype(np.float64)), decoded, atol=1e-5
    )  # the rows as decoded
    # A BVH holds rotations on fixed bones, fitted to the decoded joints, whose bone lengths a decoder
    # does not keep exactly (this 3-step model's vary by millimetres).
    session.export_motion(tmp_path / "decoded.bvh")
    back = load_motion(tmp_path / "decoded.bvh")  # BVH lists joints depth-first: compare by name
    back = back.reordered(back.skeleton.joint_order_in(session.motion.skeleton))
    np.testing.assert_allclose(back.joint_positions(), decoded, atol=1e-2)


def test_an_upper_body_checkpoint_decodes_only_the_upper_body_of_a_beat2_clip(upper_body_run, data_dir):
    session = _session(upper_body_run, data_dir / "beat2" / "2_scott_0_1_1.npz")
    recon = session.reconstruction
    lower = np.setdiff1d(np.arange(55), recon.measured_joints)
    assert len(recon.measured_joints) == 13
    np.testing.assert_allclose(recon.joint_errors(3)[:, [0, 1, 2, 4, 5]], 0.0, atol=1e-5)
    assert recon.joint_errors(3)[:, recon.measured_joints].mean() > 0
    assert recon.mpjpe_mm(3) == pytest.approx(1000 * recon.joint_errors(3)[:, recon.measured_joints].mean())
    assert lower.size == 42
    _edit_decodes_like_a_full_decode(session)


def test_refinement_works_for_features_without_a_joint_position_term(humanml3d_run, upper_body_run, data_dir):
    for run, clip in (
        (humanml3d_run, data_dir / "humanml3d" / "new_joint_vecs" / "000612.npy"),
        (upper_body_run, data_dir / "beat2" / "2_scott_0_1_1.npz"),
    ):
        session = _session(run, clip)
        refinement = TokenRefinement(session.checkpoint, session.motion, RefineSettings(steps=3))
        list(refinement.run())
        assert refinement.best_loss <= refinement.initial_loss
        assert refinement.indices.shape == session.editor.indices.shape


def test_eval_prints_errors_for_each_kind(humanml3d_run, upper_body_run, data_dir, capsys):
    humanml3d = data_dir / "humanml3d" / "new_joint_vecs"
    assert main(["eval", "--checkpoint", str(humanml3d_run), "--data", str(humanml3d)]) == 0
    assert "2 clips" in capsys.readouterr().out
    beat2 = data_dir / "beat2" / "2_scott_0_1_1.npz"
    assert main(["eval", "--checkpoint", str(upper_body_run), "--data", str(beat2)]) == 0
    assert "upper body part" in capsys.readouterr().out
