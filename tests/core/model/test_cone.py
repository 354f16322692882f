"""Decoding only the frames asked for (the receptive-field cone) equals slicing a full decode."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from core.model import RVQVAE, RVQVAEConfig
from core.model.cone import decode_frames, supports

SMALL = RVQVAEConfig(input_dim=12, width=32, depth=2, dilation_growth_rate=2, code_dim=8, nb_code=32)


def _cone_equals_full(config: RVQVAEConfig, windows: list[tuple[int, int]], steps: int) -> None:
    torch.manual_seed(0)
    model = RVQVAE(config).eval()
    radius, f = model.decoder_receptive_field(), model.downsample_factor
    z = torch.randn(2, steps, config.code_dim)
    with torch.inference_mode():
        full = model.decode_latent(z)
        for start, stop in windows:
            lo, hi = max(0, start - radius), min(steps, stop + radius)
            frames = decode_frames(model.decoder, z[:, lo:hi], lo, steps, start * f, stop * f)
            torch.testing.assert_close(frames, full[:, start * f : stop * f], atol=1e-5, rtol=0)


def test_one_step_anywhere_in_a_clip_equals_the_full_decode():
    _cone_equals_full(SMALL, [(0, 1), (1, 2), (20, 21), (38, 39), (39, 40)], steps=40)


def test_a_window_reaching_both_ends_equals_the_full_decode():
    _cone_equals_full(SMALL, [(0, 40), (3, 37), (0, 9), (31, 40)], steps=40)


@pytest.mark.parametrize("norm", ["LN", "BN"])
def test_normalised_residual_blocks_decode_the_same_cone(norm):
    _cone_equals_full(dataclasses.replace(SMALL, norm=norm), [(0, 2), (15, 17), (38, 40)], steps=40)


def test_the_seed_decoder_one_token_step_equals_the_full_decode():
    _cone_equals_full(RVQVAEConfig(input_dim=330), [(0, 1), (50, 51), (99, 100)], steps=100)


def test_only_the_dilated_resnet_decoder_is_decoded_by_cone():
    assert supports(RVQVAE(SMALL).decoder)
    assert not supports(RVQVAE(dataclasses.replace(SMALL, arch="motion-s", norm="BN")).decoder)
