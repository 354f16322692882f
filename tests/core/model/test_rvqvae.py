"""RVQVAE, its config and building blocks: shapes, gradients, tokenizer round trips, receptive field."""

from __future__ import annotations

import dataclasses
import json

import pytest
import torch

from core.model import RVQVAE, ResConv1DBlock, Resnet1D, RVQVAEConfig

SMALL = RVQVAEConfig(
    input_dim=12,
    width=32,
    depth=2,
    dilation_growth_rate=2,
    code_dim=8,
    nb_code=32,
    num_quantizers=4,
)


def _ready_model(config: RVQVAEConfig = SMALL) -> RVQVAE:
    """A model whose codebooks were seeded by one training step, switched to eval."""
    model = RVQVAE(config)
    model.train()
    with torch.no_grad():
        model(torch.randn(4, 64, config.input_dim))
    return model.eval()


def test_default_config_shapes() -> None:
    model = RVQVAE()
    out = model(torch.randn(2, 128, 330))
    assert out.reconstruction.shape == (2, 128, 330)
    assert out.indices.shape == (2, 32, 6) and out.indices.dtype == torch.int64
    assert out.perplexity.shape == out.usage.shape == out.active_layers.shape == (6,)
    assert out.commit_loss.shape == ()
    assert model.decoder_receptive_field() == 22


def test_config_round_trips_through_json() -> None:
    config = dataclasses.replace(SMALL, norm="LN", activation="gelu", mu=0.9)
    assert RVQVAEConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config
    assert RVQVAEConfig().downsample_factor == 4


@pytest.mark.parametrize(
    "changes,message",
    [
        ({"width": 0}, "width"),
        ({"down_t": 1.5}, "down_t"),
        ({"stride_t": 3}, "stride_t"),
        ({"activation": "tanh"}, "activation"),
        ({"norm": "IN"}, "norm"),
        ({"norm": "GN", "width": 48}, "multiple of 32"),
        ({"mu": 1.0}, "mu"),
        ({"quantize_dropout_prob": 1.5}, "quantize_dropout_prob"),
        ({"quantize_dropout_cutoff_index": 6}, "cutoff"),
        ({"nb_code": 1}, "nb_code"),
        ({"shared_codebook": 1}, "shared_codebook"),
    ],
)
def test_config_rejects_bad_values(changes: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RVQVAEConfig(**changes)


def test_config_rejects_unknown_keys() -> None:
    with pytest.raises(ValueError, match="unknown RVQVAEConfig keys: widht"):
        RVQVAEConfig.from_dict({"widht": 256})


def test_resnet_dilations_grow_and_reverse() -> None:
    assert Resnet1D(8, 3, 3).dilations == (9, 3, 1)
    assert Resnet1D(8, 3, 3, reverse_dilation=False).dilations == (1, 3, 9)


@pytest.mark.parametrize("norm", [None, "LN", "GN", "BN"])
@pytest.mark.parametrize("activation", ["relu", "silu", "gelu"])
def test_res_block_keeps_shape_and_is_residual(norm: str | None, activation: str) -> None:
    block = ResConv1DBlock(32, 32, dilation=3, activation=activation, norm=norm).eval()
    x = torch.randn(2, 32, 11)
    assert block(x).shape == x.shape
    torch.nn.init.zeros_(block.conv2.weight)
    torch.nn.init.zeros_(block.conv2.bias)
    torch.testing.assert_close(block(x), x)


def test_gradient_reaches_encoder_through_straight_through() -> None:
    model = RVQVAE(SMALL).train()
    out = model(torch.randn(2, 16, SMALL.input_dim))
    out.reconstruction.square().mean().backward()
    for param in model.encoder.parameters():
        assert param.grad is not None and param.grad.abs().sum() > 0


def test_decode_of_encode_equals_forward_in_eval() -> None:
    model = _ready_model()
    for frames in (32, 30):
        x = torch.randn(2, frames, SMALL.input_dim)
        with torch.no_grad():
            out = model(x)
            indices = model.encode(x)
            recon = model.decode(indices, length=frames)
        assert torch.equal(indices, out.indices)
        torch.testing.assert_close(recon, out.reconstruction, atol=1e-5, rtol=0)


def test_eval_forward_is_deterministic() -> None:
    model = _ready_model()
    x = torch.randn(2, 32, SMALL.input_dim)
    with torch.no_grad():
        first, second = model(x), model(x)
    assert torch.equal(first.indices, second.indices)
    assert torch.equal(first.reconstruction, second.reconstruction)


@pytest.mark.parametrize("frames", [1, 3, 5, 13, 16])
def test_encode_and_forward_any_length(frames: int) -> None:
    model = _ready_model()
    x = torch.randn(1, frames, SMALL.input_dim)
    with torch.no_grad():
        assert model.encode(x).shape == (1, -(-frames // 4), 4)
        assert model(x).reconstruction.shape == (1, frames, SMALL.input_dim)


def test_short_clips_are_padded_by_repeating_the_last_frame() -> None:
    model = _ready_model()
    x = torch.randn(1, 10, SMALL.input_dim)
    padded = torch.cat([x, x[:, -1:].expand(1, 2, SMALL.input_dim)], dim=1)
    with torch.no_grad():
        assert torch.equal(model.encode(x), model.encode(padded))


@pytest.mark.parametrize("steps", [1, 2, 7])
def test_decode_any_length(steps: int) -> None:
    model = _ready_model()
    indices = torch.randint(0, SMALL.nb_code, (2, steps, SMALL.num_quantizers))
    with torch.no_grad():
        assert model.decode(indices).shape == (2, 4 * steps, SMALL.input_dim)


def test_decode_truncation_uses_first_layers_only() -> None:
    model = _ready_model()
    indices = torch.randint(0, SMALL.nb_code, (2, 6, SMALL.num_quantizers))
    dropped = indices.clone()
    dropped[..., 2:] = -1
    with torch.no_grad():
        codes = model.quantizer.get_codes_from_indices(indices)
        torch.testing.assert_close(
            model.quantized_latent_from_indices(indices, layers_used=2), codes[:2].sum(0)
        )
        torch.testing.assert_close(model.decode(indices, layers_used=2), model.decode(dropped))
        torch.testing.assert_close(model.decode(indices[..., :2]), model.decode(dropped))


def test_encode_never_updates_codebooks() -> None:
    model = _ready_model().train()
    books = model.quantizer.codebooks.clone()
    model.encode(torch.randn(2, 32, SMALL.input_dim))
    assert torch.equal(model.quantizer.codebooks, books)


@pytest.mark.parametrize(
    "bad",
    [torch.full((1, 3, 4), SMALL.nb_code), torch.full((1, 3, 4), -2), torch.zeros(1, 3, 5, dtype=torch.long)],
)
def test_decode_rejects_invalid_indices(bad: torch.Tensor) -> None:
    with pytest.raises(ValueError, match="indices"):
        RVQVAE(SMALL).decode(bad)


def test_forward_rejects_wrong_feature_size() -> None:
    with pytest.raises(ValueError, match="motion must be"):
        RVQVAE(SMALL)(torch.randn(1, 8, SMALL.input_dim + 1))


def test_changing_one_token_only_changes_frames_inside_receptive_field() -> None:
    model = _ready_model()
    radius = model.decoder_receptive_field()
    steps, step = 4 * radius + 2, 2 * radius
    indices = torch.randint(0, SMALL.nb_code, (1, steps, SMALL.num_quantizers))
    edited = indices.clone()
    edited[0, step, 0] = (indices[0, step, 0] + 1) % SMALL.nb_code
    with torch.no_grad():
        diff = (model.decode(edited) - model.decode(indices)).abs().amax(dim=-1)[0].view(steps, 4).amax(dim=1)
    inside = torch.zeros(steps, dtype=torch.bool)
    inside[step - radius : step + radius + 1] = True
    assert (diff[~inside] == 0).all()
    assert diff[step - radius] > 0 and diff[step + radius] > 0


def test_window_decode_equals_full_decode() -> None:
    model = _ready_model()
    radius = model.decoder_receptive_field()
    steps = 3 * radius + 5
    z = torch.randn(2, steps, SMALL.code_dim)
    with torch.no_grad():
        full = model.decode_latent(z)
        for start, stop in [(0, 2), (radius + 1, radius + 3), (steps - 3, steps), (5, steps - 5)]:
            window = model.decode_latent_window(z, start, stop)
            torch.testing.assert_close(window, full[:, 4 * start : 4 * stop], atol=1e-5, rtol=0)


def test_receptive_field_follows_the_architecture() -> None:
    assert RVQVAE(SMALL).decoder_receptive_field() == 7
    assert RVQVAE(dataclasses.replace(SMALL, down_t=1)).decoder_receptive_field() == 6
    with pytest.raises(ValueError, match="GroupNorm"):
        RVQVAE(dataclasses.replace(SMALL, norm="GN")).decoder_receptive_field()
