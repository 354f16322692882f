"""Motion-S: the plain-conv, BatchNorm RVQ-VAE, its masked whole-clip training and its local re-decode."""

from __future__ import annotations

import dataclasses
import json
import shutil

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from core.analysis.reconstruction import Reconstruction
from core.cli.main import main
from core.formats import load_motion
from core.model import RVQVAE, MaskedBatchNorm1d, RVQVAEConfig
from core.model.checkpoint import load_checkpoint, read_checkpoint_meta, resolve_checkpoint_dir
from core.model.objective import rvq_losses
from core.tokens.codec import tokenize
from core.tokens.edit import TokenEditor
from core.train.config import TrainConfig, preset
from core.train.data import TrainingData
from core.train.dataset import ClipSampler
from core.train.events import StepEvent
from core.train.overrides import TrainOverrides
from core.train.trainer import Trainer
from tests.helpers.training import BANDAI_CLIPS, bandai_data

TINY = RVQVAEConfig(
    arch="motion-s", input_dim=12, width=16, depth=1, code_dim=8, nb_code=16, num_quantizers=3, dropout=0.0
)
WALK = ("bandai", "dataset-1", "dataset-1_walk_normal_001.bvh")


def _ready(config: RVQVAEConfig = TINY) -> RVQVAE:
    """A model whose codebooks and BatchNorm statistics have seen a few training batches, in eval."""
    model = RVQVAE(config).train()
    with torch.no_grad():
        for _ in range(3):
            model(torch.randn(4, 32, config.input_dim))
    return model.eval()


# --- architecture and config --------------------------------------------------------------------------


@pytest.mark.parametrize("frames", [1, 5, 16, 18])
def test_t_frames_become_ceil_t_over_4_steps_and_back(frames: int) -> None:
    model = _ready()
    x = torch.randn(2, frames, TINY.input_dim)
    out = RVQVAE(TINY).train()(x)
    assert out.reconstruction.shape == x.shape
    assert out.indices.shape == (2, -(-frames // 4), 3)
    with torch.no_grad():
        assert model.encode_latent(x).shape == (2, -(-frames // 4), TINY.code_dim)
        assert model.decode(model.encode(x), length=frames).shape == x.shape


@pytest.mark.parametrize(("stride_t", "down_t", "strided"), [(2, 2, 2), (4, 1, 2), (2, 3, 3)])
def test_the_encoder_halves_time_log2_f_times_and_the_decoder_doubles_it_back(
    stride_t: int, down_t: int, strided: int
) -> None:
    model = RVQVAE(dataclasses.replace(TINY, stride_t=stride_t, down_t=down_t))
    convs = [u.conv for u in model.encoder.units]
    assert [c.stride[0] for c in convs] == [2] * strided + [1, 1]
    assert all(c.kernel_size[0] == 3 for c in convs)
    assert convs[-1].out_channels == TINY.code_dim
    ups = [u.conv for u in model.decoder.units if isinstance(u.conv, torch.nn.ConvTranspose1d)]
    assert len(ups) == strided and ups[-1].out_channels == TINY.input_dim
    norms = [u.norm is not None for u in (*model.encoder.units, *model.decoder.units)]
    assert norms.count(False) == 2  # only the layers writing the latent and the motion are plain
    assert model.decode_latent(torch.randn(1, 3, TINY.code_dim)).shape == (1, 3 * 2**strided, 12)


def test_the_arch_round_trips_and_a_config_without_it_is_the_seeds_resnet() -> None:
    assert RVQVAEConfig.from_dict(json.loads(json.dumps(TINY.to_dict()))) == TINY
    old = TINY.to_dict()
    del old["arch"]
    assert RVQVAEConfig.from_dict(old).arch == "resnet"
    with pytest.raises(ValueError, match="arch"):
        RVQVAEConfig(arch="transformer")
    with pytest.raises(ValueError, match="power of two"):
        RVQVAEConfig(arch="motion-s", stride_t=6)


def test_the_preset_is_the_motion_s_recipe() -> None:
    config = preset("motion-s")
    m = config.model
    assert (m.arch, m.input_dim, m.code_dim, m.num_quantizers, m.nb_code) == ("motion-s", 263, 256, 6, 512)
    assert (m.quantize_dropout_prob, m.downsample_factor) == (0.2, 4)
    assert (config.velocity_weight, config.commit_weight, config.root_weight, config.root_dims) == (
        2.0,
        1.0,
        1.5,
        4,
    )
    assert config.whole_clips and not preset("small").whole_clips and not preset("seed").whole_clips
    assert RVQVAE(m).decoder_receptive_field() == 3


def test_the_arch_override_swaps_only_the_architecture() -> None:
    small = preset("small")
    config = TrainOverrides(arch="motion-s", whole_clips=True).applied_to(small)
    assert config.model == dataclasses.replace(small.model, arch="motion-s") and config.whole_clips
    assert TrainConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config


# --- windowed decoding ---------------------------------------------------------------------------------


def test_a_windowed_decode_of_a_one_token_edit_equals_the_full_decode() -> None:
    model = _ready()
    radius = model.decoder_receptive_field()
    steps = 4 * radius + 6
    torch.manual_seed(1)
    indices = torch.randint(0, TINY.nb_code, (1, steps, TINY.num_quantizers))
    for step in (0, steps // 2, steps - 1):
        edited = indices.clone()
        edited[0, step, 0] = (indices[0, step, 0] + 5) % TINY.nb_code
        with torch.no_grad():
            before, after = model.decode(indices), model.decode(edited)
            z = model.quantized_latent_from_indices(edited)
            window = model.decode_latent_window(z, step, step + 1)
            lo, hi = max(0, step - radius), min(steps, step + radius + 1)
            wide = model.decode_latent_window(z, lo, hi)
        torch.testing.assert_close(window, after[:, 4 * step : 4 * step + 4], atol=1e-5, rtol=0)
        torch.testing.assert_close(wide, after[:, 4 * lo : 4 * hi], atol=1e-5, rtol=0)
        changed = (after - before).abs().amax(dim=(0, 2)).view(steps, 4).amax(dim=1) > 0
        assert changed[lo:hi].any() and not changed[:lo].any() and not changed[hi:].any()
    for start, stop in [(0, 2), (radius + 1, radius + 3), (steps - 3, steps)]:
        z = torch.randn(2, steps, TINY.code_dim)
        with torch.no_grad():
            full = model.decode_latent(z)
            torch.testing.assert_close(
                model.decode_latent_window(z, start, stop), full[:, 4 * start : 4 * stop], atol=1e-5, rtol=0
            )


def test_a_token_reaches_exactly_its_receptive_field() -> None:
    model = _ready(dataclasses.replace(TINY, depth=2))
    radius = model.decoder_receptive_field()
    assert radius == 4
    steps, step = 4 * radius + 2, 2 * radius
    indices = torch.randint(0, TINY.nb_code, (1, steps, TINY.num_quantizers))
    edited = indices.clone()
    edited[0, step, 0] = (indices[0, step, 0] + 1) % TINY.nb_code
    with torch.no_grad():
        diff = (model.decode(edited) - model.decode(indices)).abs().amax(dim=(0, 2)).view(steps, 4).amax(1)
    assert diff[step - radius] > 0 and diff[step + radius] > 0
    assert (diff[: step - radius] == 0).all() and (diff[step + radius + 1 :] == 0).all()


# --- masking -------------------------------------------------------------------------------------------


def test_masked_batch_norm_takes_its_statistics_from_real_positions_only() -> None:
    x = torch.randn(2, 5, 12)
    mask = torch.zeros(2, 12, dtype=torch.bool)
    mask[0, :12], mask[1, :7] = True, True
    masked, plain = MaskedBatchNorm1d(5), torch.nn.BatchNorm1d(5)
    real = torch.cat([x[0], x[1, :, :7]], dim=1).unsqueeze(0)  # the same positions, unpadded
    out, expected = masked(x, mask), plain(real)
    torch.testing.assert_close(torch.cat([out[0], out[1, :, :7]], dim=1).unsqueeze(0), expected)
    torch.testing.assert_close(masked.running_mean, plain.running_mean)
    torch.testing.assert_close(masked.running_var, plain.running_var)


def _padded(clip: torch.Tensor, frames: int, fill: float) -> torch.Tensor:
    return torch.cat([clip, torch.full((1, frames - clip.shape[1], clip.shape[2]), fill)], dim=1)


def _train_loss(model: RVQVAE, x: torch.Tensor, lengths: torch.Tensor | None) -> tuple:
    torch.manual_seed(7)  # the same Gumbel draws and quantize dropout for both runs
    out = model(x, lengths)
    mask = None if lengths is None else torch.arange(x.shape[1]) < lengths[:, None]
    terms = rvq_losses(out.reconstruction, x, out.commit_loss, 2.0, 1.0, root_weight=1.5, mask=mask)
    return out, terms


def test_a_short_clip_padded_in_a_batch_trains_exactly_as_it_would_alone() -> None:
    model = _ready().train()
    clip = torch.randn(1, 18, TINY.input_dim)
    state = {k: v.clone() for k, v in model.state_dict().items()}
    alone, alone_terms = _train_loss(model, clip, None)
    model.load_state_dict(state)
    padded, padded_terms = _train_loss(model, _padded(clip, 32, 3.0), torch.tensor([18]))
    torch.testing.assert_close(padded.reconstruction[:, :18], alone.reconstruction, atol=1e-5, rtol=1e-5)
    assert torch.equal(padded.indices[:, :5], alone.indices) and (padded.indices[:, 5:] == -1).all()
    for name in ("loss", "reconstruction", "velocity", "root", "commitment"):
        torch.testing.assert_close(getattr(padded_terms, name), getattr(alone_terms, name))
    torch.testing.assert_close(padded.perplexity, alone.perplexity)


def test_padding_values_change_neither_the_loss_nor_the_gradients() -> None:
    model = _ready().train()
    state = {k: v.clone() for k, v in model.state_dict().items()}
    clips = torch.randn(3, 24, TINY.input_dim)
    lengths = torch.tensor([24, 9, 14])
    results = []
    for fill in (0.0, 1e3):
        x = clips.clone()
        for b, n in enumerate(lengths.tolist()):
            x[b, n:] = fill
        model.load_state_dict(state)
        model.zero_grad()
        _, terms = _train_loss(model, x, lengths)
        terms.loss.backward()
        results.append((terms.loss.detach(), [p.grad.clone() for p in model.parameters()]))
    assert torch.equal(results[0][0], results[1][0])
    assert all(torch.equal(a, b) for a, b in zip(results[0][1], results[1][1], strict=True))


@pytest.mark.parametrize(
    "lengths", [torch.tensor([4, 0]), torch.tensor([4, 9]), torch.tensor([4]), torch.ones(2)]
)
def test_lengths_outside_the_batch_are_refused(lengths: torch.Tensor) -> None:
    with pytest.raises(ValueError, match="lengths"):
        RVQVAE(TINY)(torch.randn(2, 8, TINY.input_dim), lengths)


def test_the_resnet_also_trains_on_padded_batches_without_the_padding_values_mattering() -> None:
    model = RVQVAE(dataclasses.replace(TINY, arch="resnet", depth=1)).train()
    x = torch.randn(2, 12, TINY.input_dim)
    y = x.clone()
    y[1, 5:] = 1e3
    state = {k: v.clone() for k, v in model.state_dict().items()}
    torch.manual_seed(0)
    a = model(x, torch.tensor([12, 5]))
    model.load_state_dict(state)
    torch.manual_seed(0)
    b = model(y, torch.tensor([12, 5]))
    assert torch.equal(a.indices, b.indices) and (a.indices[1, 2:] == -1).all()
    assert torch.equal(a.reconstruction[1, :5], b.reconstruction[1, :5])


@pytest.mark.parametrize(
    ("changes", "message"),
    [({"whole_clips": True, "random_speed": 0.2}, "whole_clips"), ({"root_dims": 0}, "root_dims")],
)
def test_the_training_config_refuses_settings_that_do_not_fit(changes: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(preset("small"), **changes)


def test_masked_terms_average_over_real_frames_and_velocities_between_real_frames() -> None:
    torch.manual_seed(3)
    pred, true = torch.randn(2, 6, 5), torch.randn(2, 6, 5)
    mask = torch.tensor([[True] * 6, [True] * 4 + [False] * 2])
    terms = rvq_losses(pred, true, torch.tensor(0.25), 2.0, 1.0, root_weight=1.5, root_dims=3, mask=mask)
    real = mask[..., None].expand_as(pred)
    assert terms.reconstruction == pytest.approx(float(F.smooth_l1_loss(pred[real], true[real])))
    dp, dt = pred.diff(dim=1), true.diff(dim=1)
    pairs = (mask[:, 1:] & mask[:, :-1])[..., None].expand_as(dp)
    assert terms.velocity == pytest.approx(float(F.smooth_l1_loss(dp[pairs], dt[pairs])))
    root = real[..., :3]
    assert terms.root == pytest.approx(float(F.smooth_l1_loss(pred[..., :3][root], true[..., :3][root])))
    expected = terms.reconstruction + 2.0 * terms.velocity + 1.5 * terms.root + 1.0 * 0.25
    assert terms.loss == pytest.approx(float(expected))
    assert rvq_losses(pred, true, torch.tensor(0.0), 2.0, 1.0).root == 0


# --- whole-clip batches ----------------------------------------------------------------------------------


def test_whole_clip_batches_crop_within_one_clip_and_pad_with_its_last_frame() -> None:
    clips = [
        np.full((n, 1), i, dtype=np.float32) + np.arange(n, dtype=np.float32)[:, None] / 1000
        for i, n in enumerate((5, 9, 30, 2))
    ]
    features, sizes = np.concatenate(clips), [len(c) for c in clips]
    sampler = ClipSampler(features, sizes, window=12, multiple=4, device=torch.device("cpu"), seed=0)
    for _ in range(20):
        batch, lengths = sampler.sample(6)
        assert batch.shape[1] % 4 == 0 and batch.shape[1] == -(-int(lengths.max()) // 4) * 4
        assert lengths.max() <= 12 and lengths.min() >= 1
        for row, n in zip(batch[..., 0], lengths.tolist(), strict=True):
            assert (row.floor() == row[0].floor()).all()  # one clip
            assert torch.allclose(row[1:n] - row[: n - 1], torch.tensor(1e-3), atol=1e-5)  # consecutive
            assert (row[n:] == row[n - 1]).all()
    again = ClipSampler(features, sizes, window=12, multiple=4, device=torch.device("cpu"), seed=0)
    first = ClipSampler(features, sizes, window=12, multiple=4, device=torch.device("cpu"), seed=0).sample(6)
    assert all(torch.equal(a, b) for a, b in zip(again.sample(6), first, strict=True))


# --- training on real motion ------------------------------------------------------------------------------


def _config(**changes: object) -> TrainConfig:
    """The motion-s preset's recipe (arch, loss weights, whole clips) at a size a CPU trains in seconds."""
    base = preset("motion-s")
    model = dataclasses.replace(base.model, width=32, code_dim=16, nb_code=32, num_quantizers=3)
    tiny = dataclasses.replace(
        base,
        model=model,
        batch_size=8,
        window=48,
        steps=120,
        lr=2e-3,
        warmup_steps=2,
        lr_milestones=(),
        log_every=40,
        checkpoint_every=1000,
        root_channels=True,
    )
    return dataclasses.replace(tiny, **changes)


@pytest.fixture(scope="module")
def pieces(data_dir) -> TrainingData:
    """The Bandai clips (rot6d + root channels) cut into pieces of 5 to 80 frames: batches need padding."""
    data = bandai_data(data_dir)
    rng = np.random.default_rng(0)
    cut = []
    for length in data.lengths:
        start = 0
        while start < length:
            n = min(int(rng.integers(5, 81)), length - start)
            cut.append(n)
            start += n
    return dataclasses.replace(data, lengths=np.array(cut))


def _losses(events) -> list[float]:
    return [e.loss for e in events if isinstance(e, StepEvent)]


@pytest.fixture(scope="module")
def motion_s_run(pieces, tmp_path_factory):
    run = tmp_path_factory.mktemp("motion-s-run")
    events = list(Trainer(_config(), pieces, run, device="cpu").run())
    return run, events


def test_the_motion_s_recipe_lowers_the_loss_on_real_clips_of_different_lengths(motion_s_run):
    _, events = motion_s_run
    losses = _losses(events)
    assert len(losses) == 3 and losses[-1] < 0.8 * losses[0]
    assert "whole clips of up to 48 frames" in events[0].text


def test_a_whole_clip_run_resumes_exactly(pieces, tmp_path):
    config = _config(steps=12, log_every=1)
    straight = _losses(Trainer(config, pieces, tmp_path / "a", device="cpu").run())
    first = Trainer(config, pieces, tmp_path / "b", device="cpu")
    part1 = _losses(first.run(should_stop=lambda: first.step >= 5))
    part2 = _losses(Trainer(config, pieces, tmp_path / "b", device="cpu", resume=True).run())
    assert part1 + part2 == straight
    a, b = (load_checkpoint(tmp_path / p).model.state_dict() for p in ("a", "b"))
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_a_checkpoint_records_the_arch_and_restores_the_model(motion_s_run, tmp_path):
    run, _ = motion_s_run
    _, meta = read_checkpoint_meta(run)
    assert meta["model"]["arch"] == "motion-s" and meta["train"]["whole_clips"] is True
    ckpt = load_checkpoint(run)
    assert ckpt.config == dataclasses.replace(_config().model, input_dim=ckpt.representation.dim)
    copy = shutil.copytree(resolve_checkpoint_dir(run), tmp_path / "copy")
    reloaded = load_checkpoint(copy).model
    x = torch.randn(2, 30, ckpt.config.input_dim)
    with torch.no_grad():
        assert torch.equal(reloaded.encode(x), ckpt.model.encode(x))
        assert torch.equal(reloaded(x).reconstruction, ckpt.model(x).reconstruction)


def test_a_checkpoint_without_an_arch_loads_as_the_resnet(tiny_checkpoint, tmp_path):
    folder = shutil.copytree(resolve_checkpoint_dir(tiny_checkpoint), tmp_path / "old")
    meta = json.loads((folder / "checkpoint.json").read_text())
    del meta["model"]["arch"]
    (folder / "checkpoint.json").write_text(json.dumps(meta))
    assert load_checkpoint(folder).config.arch == "resnet"


def test_the_apps_local_redecode_after_an_edit_equals_a_full_decode(motion_s_run, data_dir):
    run, _ = motion_s_run
    ckpt = load_checkpoint(run)
    clip = load_motion(data_dir.joinpath(*WALK))
    editor = TokenEditor(tokenize(ckpt, clip), ckpt.config.nb_code)
    recon = Reconstruction(ckpt, clip, editor.indices)
    step = recon.num_steps // 2
    recon.apply(editor.set_code(step, 0, (int(recon.indices[step, 0]) + 7) % ckpt.config.nb_code))
    truth = Reconstruction(ckpt, clip, np.array(editor.indices))
    for k in (1, 2, 3):
        np.testing.assert_allclose(recon.positions(k), truth.positions(k), atol=1e-5)


# --- command line ------------------------------------------------------------------------------------------


def _train_args(data_dir, run) -> list[str]:
    args = ["train", "--data", str(data_dir / "bandai" / BANDAI_CLIPS[0]), "--out", str(run)]
    return args + ["--steps", "2", "--batch-size", "2", "--window", "16", "--codes", "16", "--no-tensorboard"]


def test_the_motion_s_preset_trains_on_humanml3d_rows_from_the_command_line(data_dir, tmp_path):
    args = ["train", "--data", str(data_dir / "humanml3d" / "new_joint_vecs"), "--out", str(tmp_path / "run")]
    args += ["--preset", "motion-s", "--steps", "2", "--batch-size", "2", "--codes", "16", "--no-tensorboard"]
    assert main(args) == 0
    ckpt = load_checkpoint(tmp_path / "run")
    assert ckpt.config.arch == "motion-s" and ckpt.config.input_dim == 263
    assert ckpt.representation.kind == "humanml3d" and ckpt.step == 2


def test_the_motion_s_preset_trains_on_rotations_when_asked(data_dir, tmp_path):
    args = [*_train_args(data_dir, tmp_path / "run"), "--preset", "motion-s", "--representation", "rot6d"]
    assert main(args) == 0
    ckpt = load_checkpoint(tmp_path / "run")
    assert ckpt.config.arch == "motion-s" and ckpt.config.input_dim == ckpt.representation.dim != 263


def test_train_takes_the_architecture_from_the_command_line(data_dir, tmp_path):
    assert main([*_train_args(data_dir, tmp_path / "run"), "--arch", "motion-s", "--whole-clips"]) == 0
    _, meta = read_checkpoint_meta(tmp_path / "run")
    assert meta["model"]["arch"] == "motion-s" and meta["train"]["whole_clips"] is True
    assert meta["model"]["width"] == preset("small").model.width
