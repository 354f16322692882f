"""Evaluating clips in batches gives each clip the figures it gets alone (to float rounding)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core.analysis.batched import step_batches
from core.analysis.dataset import evaluate_dataset
from core.analysis.evaluate import ClipEvaluation, Tally, evaluate_clip, evaluate_clips
from core.features.humanml3d import HumanML3D
from core.features.representation import Normalizer
from core.formats import load_motion
from core.model import RVQVAE
from core.model.checkpoint import load_checkpoint, save_checkpoint
from core.motion.clip import Motion
from core.progress import run_to_end
from core.tokens.codec import fit_clip
from core.train.config import preset

PUNCH = ("bandai", "dataset-1", "dataset-1_punch_normal_001.bvh")
HUMANML3D = ("humanml3d", "new_joint_vecs", "000612.npy")


def _crops(motion: Motion, spans: list[tuple[int, int]]) -> list[Motion]:
    return [
        Motion(
            motion.skeleton, motion.rotations[a:b], motion.root_translation[a:b], motion.fps, motion.source
        )
        for a, b in spans
    ]


def _assert_same(batched: ClipEvaluation, alone: ClipEvaluation) -> None:
    assert batched.frames == alone.frames
    np.testing.assert_array_equal(batched.indices, alone.indices)
    for k, figures in alone.layers.items():
        np.testing.assert_allclose(
            np.array(list(vars(batched.layers[k]).values())),
            list(vars(figures).values()),
            rtol=1e-4,
            atol=1e-4,
        )
    np.testing.assert_allclose(batched.frame_mpjpe_mm, alone.frame_mpjpe_mm, rtol=1e-4, atol=1e-4)


def test_clips_are_batched_by_their_number_of_token_steps_within_the_frame_budget():
    # steps: 2, 2, 2, 4, 1, 1, 4; 16 padded frames hold four 1-step clips, two 2-step ones, one 4-step one
    batches = step_batches([5, 8, 7, 16, 1, 4, 13], multiple=4, max_frames=16)
    assert batches == [[4, 5], [0, 1], [2], [3], [6]]


def test_batched_clips_of_the_resnet_model_get_the_figures_they_get_alone(tiny_checkpoint, data_dir):
    ckpt = load_checkpoint(tiny_checkpoint)
    punch = load_motion(data_dir.joinpath(*PUNCH))
    # 61 and 64 frames share 16 steps; 37 and 40 share 10; 17 stands alone: batches pad within a step.
    clips = [fit_clip(ckpt, c) for c in _crops(punch, [(0, 61), (30, 94), (5, 42), (100, 140), (60, 77)])]
    batched = evaluate_clips(ckpt, clips, batch_frames=256)
    for together, clip in zip(batched, clips, strict=True):
        _assert_same(together, evaluate_clip(ckpt, clip))


@pytest.fixture(scope="module")
def motion_s(tmp_path_factory, data_dir):
    """A Motion-S tokenizer with random weights (BatchNorm statistics included) on HumanML3D rows."""
    torch.manual_seed(1)
    clip = load_motion(data_dir.joinpath(*HUMANML3D))
    model = RVQVAE(preset("motion-s").model)
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm1d):
            module.running_mean.normal_(0, 0.1)
            module.running_var.uniform_(0.5, 2.0)
    rows = HumanML3D().features(clip)
    path = tmp_path_factory.mktemp("motion-s") / "ckpt"
    save_checkpoint(path, model.eval(), clip.skeleton, HumanML3D(), Normalizer.fit([rows]), clip.fps)
    return load_checkpoint(path)


def test_batched_clips_of_the_motion_s_model_get_the_figures_they_get_alone(motion_s, data_dir, tmp_path):
    rows = np.load(data_dir.joinpath(*HUMANML3D)).astype(np.float32)
    files = []
    for i, (a, b) in enumerate([(0, 61), (40, 104), (3, 120), (80, 197), (10, 50), (120, 160)]):
        files.append(tmp_path / f"{i}.npy")
        np.save(files[-1], rows[a:b])
    alone = [evaluate_clip(motion_s, load_motion(f)) for f in files]
    result = run_to_end(evaluate_dataset(motion_s, files, batch_frames=300))
    assert [row.path for row in result.rows] == [str(f) for f in files], "rows in the files' order"
    for row, clip in zip(result.rows, alone, strict=True):
        np.testing.assert_allclose(
            row.mpjpe_mm, [clip.layers[k].mpjpe_root_aligned_mm for k in clip.layers], rtol=1e-4
        )
        np.testing.assert_allclose(row.frame_mpjpe_mm, clip.frame_mpjpe_mm, rtol=1e-4, atol=1e-4)
    tally = Tally(motion_s)
    for clip in alone:
        tally.add(clip)
    expected = tally.report()
    for k, figures in expected.layers.items():
        assert result.summary.layers[k].mpjpe_mm == pytest.approx(figures.mpjpe_mm, rel=1e-4)
    assert result.summary.perplexity == pytest.approx(expected.perplexity)
