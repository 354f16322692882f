"""What the resnet model's convolutions read past a clip's ends: zeros (the seed's, the peers' and every
checkpoint written before the setting) or the edge frame repeated; the setting travels in the checkpoint."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
import torch

from core.errors import MotionFileError
from core.model import RVQVAE, RVQVAEConfig
from core.model.checkpoint import load_checkpoint
from core.model.cone import decode_frames
from core.model.peers.export import check_exportable
from tests.helpers.paths import DEMO_CHECKPOINT as DEMO

SMALL = RVQVAEConfig(input_dim=12, width=32, code_dim=8, nb_code=16, num_quantizers=2)


def test_a_checkpoint_written_before_the_setting_pads_with_zeros():
    assert "pad_mode" not in json.loads((DEMO / "checkpoint.json").read_text())["model"]
    ckpt = load_checkpoint(DEMO)
    assert ckpt.config.pad_mode == "zeros"
    assert all(m.padding_mode == "zeros" for m in ckpt.model.modules() if isinstance(m, torch.nn.Conv1d))


def test_replicate_padding_repeats_the_edge_frame_in_every_padded_conv():
    model = RVQVAE(replace(SMALL, pad_mode="replicate"))
    padded = [m for m in model.modules() if isinstance(m, torch.nn.Conv1d) and m.padding[0] > 0]
    assert padded and all(m.padding_mode == "replicate" for m in padded)


def test_the_two_modes_share_weights_but_decode_the_ends_differently():
    torch.manual_seed(0)
    zeros = RVQVAE(SMALL).eval()
    replicate = RVQVAE(replace(SMALL, pad_mode="replicate")).eval()
    replicate.load_state_dict(zeros.state_dict())
    z = torch.randn(1, 40, 8)
    a, b = zeros.decode_latent(z), replicate.decode_latent(z)
    assert not torch.allclose(a[:, :4], b[:, :4])
    r = zeros.decoder_receptive_field() * zeros.downsample_factor + 4
    torch.testing.assert_close(a[:, r:-r], b[:, r:-r])  # far from the ends nothing reads the padding


@pytest.mark.parametrize("frames", [(0, 3), (70, 90), (150, 160)])
def test_the_cone_decode_pads_as_the_full_decode_does(frames):
    torch.manual_seed(1)
    model = RVQVAE(replace(SMALL, pad_mode="replicate")).eval()
    z = torch.randn(1, 40, 8)
    with torch.no_grad():
        full = model.decode_latent(z)
        part = decode_frames(model.decoder, z, 0, 40, *frames)
    torch.testing.assert_close(part, full[:, frames[0] : frames[1]], atol=1e-5, rtol=0)


def test_motion_s_pads_with_zeros_whatever_the_setting():
    model = RVQVAE(RVQVAEConfig(arch="motion-s", input_dim=12, width=16, code_dim=8, pad_mode="replicate"))
    assert all(m.padding_mode == "zeros" for m in model.modules() if isinstance(m, torch.nn.Conv1d))


def test_an_unknown_pad_mode_is_refused():
    with pytest.raises(ValueError, match="pad_mode must be one of"):
        RVQVAEConfig(pad_mode="reflect")


def test_a_replicate_padded_tokenizer_is_not_exported_to_a_peer():
    ckpt = load_checkpoint(DEMO)
    ckpt = replace(ckpt, model=RVQVAE(replace(ckpt.config, pad_mode="replicate")))
    with pytest.raises(MotionFileError, match="convolutions pad with zeros"):
        check_exportable(ckpt, "syntalker")


def test_a_zero_padded_config_writes_no_pad_mode_so_older_versions_read_it():
    assert "pad_mode" not in SMALL.to_dict()
    written = replace(SMALL, pad_mode="replicate").to_dict()
    assert written["pad_mode"] == "replicate" and RVQVAEConfig.from_dict(written).pad_mode == "replicate"


def test_the_small_preset_repeats_the_edge_frame_and_the_seed_preset_pads_as_the_peers():
    from core.train.config import preset

    assert preset("small").model.pad_mode == "replicate"
    assert preset("seed").model.pad_mode == "zeros" and preset("motion-s").model.pad_mode == "zeros"
