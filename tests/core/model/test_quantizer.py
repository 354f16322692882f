"""QuantizeEMAReset and ResidualVQ: initialisation, EMA, reset, sampling, dropout and truncation."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from core.model import QuantizeEMAReset, ResidualVQ
from core.model.quantizer import code_statistics

NB_CODE = 16
CODE_DIM = 4
MU = 0.99


def _rows_match(codes: torch.Tensor, rows: torch.Tensor, atol: float = 0.0) -> torch.Tensor:
    """For every code, whether it equals (within atol) some row of ``rows``."""
    return (
        torch.cdist(codes, rows, compute_mode="donot_use_mm_for_euclid_dist").min(dim=1).values <= atol + 1e-7
    ).all()


def _initialised(x: torch.Tensor | None = None) -> QuantizeEMAReset:
    q = QuantizeEMAReset(NB_CODE, CODE_DIM, MU)
    q.init_codebook(torch.randn(64, CODE_DIM) if x is None else x)
    return q


def test_init_copies_distinct_input_vectors() -> None:
    x = torch.randn(64, CODE_DIM)
    q = _initialised(x)
    assert _rows_match(q.codebook, x)
    assert torch.unique(q.codebook, dim=0).shape[0] == NB_CODE
    assert torch.equal(q.code_sum, q.codebook)
    assert torch.equal(q.code_count, torch.ones(NB_CODE))
    assert bool(q.initialized)


def test_init_tiles_with_small_noise_when_fewer_vectors_than_codes() -> None:
    x = torch.randn(3, CODE_DIM)
    q = _initialised(x)
    nearest = torch.cdist(q.codebook, x, compute_mode="donot_use_mm_for_euclid_dist").min(dim=1)
    assert (nearest.values < 0.05).all()
    assert set(nearest.indices.tolist()) == {0, 1, 2}
    assert torch.unique(q.codebook, dim=0).shape[0] == NB_CODE


def test_first_training_call_initialises_then_updates_once() -> None:
    q = QuantizeEMAReset(NB_CODE, CODE_DIM, MU).train()
    x = torch.randn(64, CODE_DIM)
    first = q(x)
    counts = q.code_counts(first.indices)
    assert bool(q.initialized)
    torch.testing.assert_close(q.code_count, MU + (1 - MU) * counts)
    second = q(torch.randn(64, CODE_DIM))
    expected = MU * (MU + (1 - MU) * counts) + (1 - MU) * q.code_counts(second.indices)
    torch.testing.assert_close(q.code_count, expected)


def test_eval_call_neither_initialises_nor_updates() -> None:
    q = QuantizeEMAReset(NB_CODE, CODE_DIM, MU).eval()
    before = {k: v.clone() for k, v in q.state_dict().items()}
    q(torch.randn(64, CODE_DIM))
    for key, value in q.state_dict().items():
        assert torch.equal(value, before[key]), key


def test_ema_update_moves_codes_toward_assigned_vectors_by_one_minus_mu() -> None:
    q = _initialised()
    old = q.codebook.clone()
    targets = old + torch.randn_like(old)
    q.update_codebook(targets, torch.arange(NB_CODE))
    torch.testing.assert_close(q.codebook, old + (1 - MU) * (targets - old))
    torch.testing.assert_close(q.code_count, torch.ones(NB_CODE))


def test_ema_update_averages_several_assigned_vectors() -> None:
    q = _initialised()
    old = q.codebook.clone()
    x = torch.randn(3, CODE_DIM)
    q.code_count.fill_(10.0)
    q.code_sum.copy_(old * 10.0)
    q.update_codebook(x, torch.zeros(3, dtype=torch.long))
    count = MU * 10.0 + (1 - MU) * 3
    torch.testing.assert_close(q.codebook[0], (MU * 10.0 * old[0] + (1 - MU) * x.sum(0)) / count)


def test_dead_codes_reset_to_current_inputs() -> None:
    q = _initialised()
    q.code_count[:4] = 5.0
    q.code_sum[:4] = q.codebook[:4] * 5.0
    old = q.codebook.clone()
    x = torch.randn(64, CODE_DIM) + 10.0
    q.update_codebook(x, torch.zeros(64, dtype=torch.long))
    assert (q.code_count[4:] < 1.0).all()
    assert _rows_match(q.codebook[4:], x)
    torch.testing.assert_close(q.codebook[1:4], old[1:4])
    assert not _rows_match(q.codebook[:1], x)


def test_masked_update_leaves_buffers_untouched() -> None:
    q = _initialised()
    before = {k: v.clone() for k, v in q.state_dict().items()}
    q.update_codebook(torch.randn(64, CODE_DIM), torch.zeros(64, dtype=torch.long), mask=torch.tensor(False))
    for key, value in q.state_dict().items():
        assert torch.equal(value, before[key]), key


def test_gumbel_sampling_only_in_training() -> None:
    q = _initialised(torch.randn(64, CODE_DIM) * 0.1)
    x = torch.randn(256, CODE_DIM) * 0.1
    argmin = q.distances(x).argmin(dim=-1)
    q.eval()
    assert torch.equal(q(x).indices, argmin)
    assert torch.equal(q(x).indices, argmin)
    q.train()
    expected = q.distances(x).argmin(dim=-1)
    sampled = q(x, temperature=0.5).indices
    assert (sampled != expected).float().mean() > 0.1


def test_training_without_temperature_uses_argmin() -> None:
    q = _initialised().train()
    x = torch.randn(64, CODE_DIM)
    expected = q.distances(x).argmin(dim=-1)
    assert torch.equal(q(x, temperature=0.0).indices, expected)


def test_straight_through_gradient_and_commit_loss() -> None:
    q = _initialised().eval()
    x = torch.randn(32, CODE_DIM, requires_grad=True)
    out = q(x)
    codes = q.codebook[out.indices]
    torch.testing.assert_close(out.quantized, codes)
    torch.testing.assert_close(out.commit_loss, F.mse_loss(x, codes))
    out.quantized.sum().backward()
    torch.testing.assert_close(x.grad, torch.ones_like(x))


def test_distances_are_float32_under_autocast() -> None:
    q = _initialised()
    x = torch.randn(32, CODE_DIM)
    with torch.autocast(device_type="cpu", dtype=torch.bfloat16):
        d = q.distances(x)
    assert d.dtype == torch.float32
    torch.testing.assert_close(d, torch.cdist(x, q.codebook).square(), atol=1e-5, rtol=1e-5)


def test_perplexity_and_usage() -> None:
    collapsed = torch.zeros(NB_CODE).index_fill_(0, torch.tensor([3]), 40.0)
    perplexity, usage = code_statistics(collapsed)
    torch.testing.assert_close(perplexity, torch.tensor(1.0), atol=1e-4, rtol=0)
    torch.testing.assert_close(usage, torch.tensor(1 / NB_CODE))
    perplexity, usage = code_statistics(torch.full((NB_CODE,), 5.0))
    torch.testing.assert_close(perplexity, torch.tensor(float(NB_CODE)), atol=1e-3, rtol=0)
    torch.testing.assert_close(usage, torch.tensor(1.0))


def test_state_dict_round_trip_keeps_initialisation() -> None:
    src = _initialised()
    dst = QuantizeEMAReset(NB_CODE, CODE_DIM, MU)
    dst.load_state_dict(src.state_dict())
    dst.train()
    out = dst(torch.randn(64, CODE_DIM))
    torch.testing.assert_close(dst.code_count, MU + (1 - MU) * dst.code_counts(out.indices))
    assert not torch.equal(dst.codebook, torch.zeros_like(dst.codebook))


def _rvq(num_quantizers: int = 4, **kwargs: object) -> ResidualVQ:
    rvq = ResidualVQ(num_quantizers, NB_CODE, CODE_DIM, MU, **kwargs)
    for i in range(num_quantizers):
        rvq.layer(i).init_codebook(torch.randn(64, CODE_DIM) / (i + 1))
    return rvq


def test_residual_layers_quantize_successive_residuals() -> None:
    rvq = _rvq().eval()
    x = torch.randn(2, 5, CODE_DIM)
    out = rvq(x)
    residual = x
    for i in range(rvq.num_quantizers):
        idx = rvq.layer(i).quantize(residual)
        assert torch.equal(out.indices[..., i], idx)
        residual = residual - rvq.layer(i).codebook[idx]
    torch.testing.assert_close(out.quantized, x - residual)
    assert out.indices.shape == (2, 5, 4)
    assert out.perplexity.shape == out.usage.shape == out.active_layers.shape == (4,)


def test_quantize_dropout_keeps_a_prefix_and_marks_the_rest() -> None:
    rvq = _rvq(quantize_dropout_prob=1.0).train()
    seen = set()
    for _ in range(40):
        books = rvq.codebooks.clone()
        out = rvq(torch.randn(2, 8, CODE_DIM))
        k = int(out.active_layers.sum())
        seen.add(k)
        assert torch.equal(out.active_layers, torch.arange(4) < k)
        assert (out.indices[..., :k] >= 0).all() and (out.indices[..., k:] == -1).all()
        assert (out.perplexity[k:] == 0).all() and (out.perplexity[:k] > 0).all()
        assert torch.equal(rvq.codebooks[k:], books[k:])
    assert seen == {1, 2, 3, 4}


def test_quantize_dropout_respects_cutoff_index() -> None:
    rvq = _rvq(quantize_dropout_prob=1.0, quantize_dropout_cutoff_index=2).train()
    seen = {int(rvq(torch.randn(2, 8, CODE_DIM)).active_layers.sum()) for _ in range(30)}
    assert seen == {3, 4}


@pytest.mark.parametrize("training,prob", [(True, 0.0), (False, 1.0)])
def test_no_quantize_dropout_with_zero_probability_or_in_eval(training: bool, prob: float) -> None:
    rvq = _rvq(quantize_dropout_prob=prob).train(training)
    for _ in range(20):
        out = rvq(torch.randn(2, 8, CODE_DIM))
        assert out.active_layers.all() and (out.indices >= 0).all()


def test_truncated_quantize_equals_sum_of_first_layers_codes() -> None:
    rvq = _rvq().eval()
    x = torch.randn(3, 7, CODE_DIM)
    _, full = rvq.quantize(x)
    codes = rvq.get_codes_from_indices(full)
    for k in range(1, 5):
        latent, idx = rvq.quantize(x, layers_used=k)
        assert torch.equal(idx, full[..., :k])
        torch.testing.assert_close(latent, codes[:k].sum(0))
        torch.testing.assert_close(rvq.decode_indices(full, layers_used=k), latent)


def test_minus_one_indices_contribute_zero() -> None:
    rvq = _rvq().eval()
    _, full = rvq.quantize(torch.randn(2, 6, CODE_DIM))
    dropped = full.clone()
    dropped[..., 2:] = -1
    torch.testing.assert_close(rvq.decode_indices(dropped), rvq.decode_indices(full, layers_used=2))
    assert (rvq.get_codes_from_indices(dropped)[2:] == 0).all()


def test_shared_codebook_is_stored_once() -> None:
    rvq = _rvq(shared_codebook=True).eval()
    assert sum(key.endswith("codebook") for key in rvq.state_dict()) == 1
    out = rvq(torch.randn(2, 5, CODE_DIM))
    assert out.indices.shape == (2, 5, 4)
    assert torch.equal(rvq.codebooks[0], rvq.codebooks[3])
