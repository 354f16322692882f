"""Analysis-by-synthesis tokenization: codes searched through the frozen decoder."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core.analysis.evaluate import evaluate
from core.errors import MotionFileError
from core.formats import load_motion
from core.model.checkpoint import load_checkpoint
from core.tokens.codec import reconstruct, tokenize
from core.tokens.refine import RefineSettings, TokenRefinement, refine_tokens
from tests.helpers.paths import RESOURCES

WALK = ("bandai", "dataset-1", "dataset-1_walk_normal_001.bvh")


@pytest.fixture(scope="module")
def ckpt(tiny_checkpoint):
    return load_checkpoint(tiny_checkpoint)


@pytest.fixture(scope="module")
def walk(data_dir):
    return load_motion(data_dir.joinpath(*WALK))


def _root_aligned_mm(ckpt, clip, indices) -> float:
    pred = reconstruct(ckpt, clip, indices).joint_positions()
    true = clip.joint_positions()
    return 1000 * float(np.linalg.norm((pred - pred[:, :1]) - (true - true[:, :1]), axis=-1).mean())


def test_zero_steps_give_the_encoders_codes(ckpt, walk):
    np.testing.assert_array_equal(refine_tokens(ckpt, walk, RefineSettings(steps=0)), tokenize(ckpt, walk))


def test_refined_codes_have_the_shape_and_range_of_plain_codes(ckpt, walk):
    codes = refine_tokens(ckpt, walk, RefineSettings(steps=5))
    assert codes.shape == tokenize(ckpt, walk).shape and codes.dtype == np.int64
    assert codes.min() >= 0 and codes.max() < ckpt.config.nb_code


def test_refinement_lowers_its_objective_and_never_ends_above_the_encoder(ckpt, walk):
    refinement = TokenRefinement(ckpt, walk, RefineSettings(steps=20))
    progress = list(refinement.run())
    assert [p.step for p in progress] == list(range(1, 21))
    best = [p.best_loss for p in progress]
    assert best == sorted(best, reverse=True)
    assert refinement.best_loss < refinement.initial_loss


def test_a_stop_request_ends_the_search_at_a_step_boundary_with_the_best_codes_so_far(ckpt, walk):
    refinement = TokenRefinement(ckpt, walk, RefineSettings(steps=50))
    progress = []
    for event in refinement.run(should_stop=lambda: len(progress) >= 3):
        progress.append(event)
    assert len(progress) == 3
    assert refinement.best_loss == progress[-1].best_loss < refinement.initial_loss


def _stop_in_second_step(ckpt, walk, stop_at_poll: int | None) -> tuple[TokenRefinement, int, int]:
    """Refine, stopping at the ``stop_at_poll``-th poll of should_stop after the first step (never when
    None); returns the refinement, the progress events seen and how often the second step polled."""
    refinement = TokenRefinement(ckpt, walk, RefineSettings(steps=3))
    progress, polls = [], []

    def should_stop() -> bool:
        if len(progress) == 1:
            polls.append(1)
        return stop_at_poll is not None and len(polls) >= stop_at_poll

    for event in refinement.run(should_stop=should_stop):
        progress.append(event)
    return refinement, len(progress), len(polls)


@pytest.mark.parametrize(
    ("fraction", "evaluated_steps"),
    [(0.25, 0), (0.9, 1)],
    ids=["in-the-forward-pass", "in-the-backward-pass"],
)
def test_a_stop_request_during_a_step_ends_the_run_before_its_next_operation(
    ckpt, walk, fraction, evaluated_steps
):
    """A seed-size step takes seconds on a CPU, so Stop is polled between the step's torch operations; the
    interrupted step is dropped and the codes are those an uninterrupted run had at that point."""
    _, _, polls_per_step = _stop_in_second_step(ckpt, walk, None)
    assert polls_per_step > 100
    stop_at = int(fraction * polls_per_step)
    refinement, events, polls = _stop_in_second_step(ckpt, walk, stop_at)
    assert polls == stop_at  # not polled again: nothing of the step ran after the request
    assert torch.is_grad_enabled()  # the no_grad blocks it unwound were restored
    assert events == 1 and refinement.steps_done == 1
    expected = refine_tokens(ckpt, walk, RefineSettings(steps=evaluated_steps))
    np.testing.assert_array_equal(refinement.indices, expected)


def test_a_one_frame_clip_refines_with_a_finite_objective(ckpt, walk):
    refinement = TokenRefinement(ckpt, walk.slice(0, 1), RefineSettings(steps=3))
    list(refinement.run())
    assert np.isfinite(refinement.initial_loss) and refinement.best_loss <= refinement.initial_loss
    assert refinement.indices.shape == (1, ckpt.config.num_quantizers)


def test_refinement_is_deterministic(ckpt, walk):
    settings = RefineSettings(steps=10)
    np.testing.assert_array_equal(refine_tokens(ckpt, walk, settings), refine_tokens(ckpt, walk, settings))


def test_refinement_leaves_the_model_untouched(ckpt, walk):
    before = {k: v.clone() for k, v in ckpt.model.state_dict().items()}
    refine_tokens(ckpt, walk, RefineSettings(steps=5))
    after = ckpt.model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert all(p.grad is None for p in ckpt.model.parameters())


def test_refinement_refuses_a_clip_of_another_skeleton(ckpt, data_dir):
    with pytest.raises(MotionFileError, match="does not match the checkpoint"):
        TokenRefinement(ckpt, load_motion(data_dir / "beat2" / "2_scott_0_1_1.npz"))


@pytest.mark.parametrize("settings", [{"steps": -1}, {"lr": 0.0}])
def test_settings_refuse_negative_steps_and_a_non_positive_rate(settings):
    with pytest.raises(ValueError):
        RefineSettings(**settings)


def test_on_the_demo_checkpoint_refined_codes_bring_a_held_out_clip_closer():
    ckpt = load_checkpoint(RESOURCES / "demo_checkpoint")
    clip = load_motion(RESOURCES / "demo_clip.bvh")
    plain = _root_aligned_mm(ckpt, clip, tokenize(ckpt, clip))
    refined = _root_aligned_mm(ckpt, clip, refine_tokens(ckpt, clip, RefineSettings(steps=40)))
    assert refined < plain - 1.0


def test_evaluation_with_refinement_reports_how_the_codes_were_made(ckpt, walk):
    settings = RefineSettings(steps=5)
    report = evaluate(ckpt, [walk], refine=settings)
    assert report.to_json()["refine"] == {
        "steps": 5,
        "lr": 0.05,
        "velocity_weight": 0.5,
        "position_weight": 4.0,
    }
    assert "refined 5 steps" in report.table()
    assert evaluate(ckpt, [walk]).to_json()["refine"] is None
