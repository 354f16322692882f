"""The training loop: progress events, stop requests, exact resume, schedule, faults."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core.errors import MotionFileError, TrainingError
from core.model.checkpoint import load_checkpoint
from core.train.config import preset
from core.train.data import prepare_data
from core.train.dataset import WindowSampler
from core.train.events import CheckpointEvent, FinishedEvent, MessageEvent, StepEvent
from core.train.overrides import TrainOverrides
from core.train.run_config import run_config
from core.train.trainer import Trainer, learning_rate
from tests.helpers.training import BANDAI_CLIPS, bandai_data, tiny_config


@pytest.fixture(scope="module")
def data(data_dir):
    return bandai_data(data_dir)


def _losses(events) -> list[float]:
    return [e.loss for e in events if isinstance(e, StepEvent)]


def test_loss_falls_on_real_motion(data, tmp_path):
    events = list(Trainer(tiny_config(steps=120, log_every=20), data, tmp_path, device="cpu").run())
    losses = _losses(events)
    assert losses[-1] < 0.8 * losses[0]


def test_run_reports_a_message_steps_checkpoints_and_completion_in_order(data, tmp_path):
    events = list(
        Trainer(tiny_config(steps=20, log_every=5, checkpoint_every=10), data, tmp_path, device="cpu").run()
    )
    assert isinstance(events[0], MessageEvent)
    assert [e.step for e in events if isinstance(e, StepEvent)] == [5, 10, 15, 20]
    assert [e.step for e in events if isinstance(e, CheckpointEvent)] == [10, 20]
    assert events[-1] == FinishedEvent(20, "completed", tmp_path / "checkpoints" / "step-0000020")


def test_step_events_carry_per_layer_perplexity_usage_and_eta(data, tmp_path):
    step = next(
        e for e in Trainer(tiny_config(), data, tmp_path, device="cpu").run() if isinstance(e, StepEvent)
    )
    assert len(step.perplexity) == len(step.usage) == 3
    assert all(1.0 <= p <= 32 for p in step.perplexity)
    assert all(0.0 < u <= 1.0 for u in step.usage)
    assert (
        step.steps_per_s > 0
        and step.eta_s >= 0
        and step.frames_per_s == pytest.approx(step.steps_per_s * 128)
    )


def test_a_stop_request_writes_a_checkpoint_and_finishes_as_stopped(data, tmp_path):
    trainer = Trainer(tiny_config(steps=50), data, tmp_path, device="cpu")
    seen: list = []
    events = trainer.run(should_stop=lambda: len(seen) >= 7)
    for event in events:
        seen.append(event)
    assert seen[-1].reason == "stopped"
    assert load_checkpoint(tmp_path).step == seen[-1].step < 50


def test_an_interrupted_and_resumed_run_gives_the_same_losses_as_an_uninterrupted_one(data, tmp_path):
    config = tiny_config(steps=16, checkpoint_every=100)
    straight = _losses(Trainer(config, data, tmp_path / "a", device="cpu").run())
    first = Trainer(config, data, tmp_path / "b", device="cpu")
    part1 = _losses(first.run(should_stop=lambda: first.step >= 7))
    part2 = _losses(Trainer(config, data, tmp_path / "b", device="cpu", resume=True).run())
    assert part1 + part2 == straight


def test_resumed_weights_equal_uninterrupted_weights(data, tmp_path):
    config = tiny_config(steps=12, checkpoint_every=100)
    list(Trainer(config, data, tmp_path / "a", device="cpu").run())
    first = Trainer(config, data, tmp_path / "b", device="cpu")
    list(first.run(should_stop=lambda: first.step >= 5))
    list(Trainer(config, data, tmp_path / "b", device="cpu", resume=True).run())
    a, b = (
        load_checkpoint(tmp_path / "a").model.state_dict(),
        load_checkpoint(tmp_path / "b").model.state_dict(),
    )
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_only_the_newest_checkpoints_are_kept(data, tmp_path):
    list(
        Trainer(
            tiny_config(steps=40, checkpoint_every=5, keep_checkpoints=2), data, tmp_path, device="cpu"
        ).run()
    )
    assert sorted(p.name for p in (tmp_path / "checkpoints").iterdir()) == ["step-0000035", "step-0000040"]


def test_non_finite_data_stops_training_naming_the_step_and_keeps_the_last_good_checkpoint(
    data_dir, tmp_path
):
    data = bandai_data(data_dir)  # its own: the sampler shares the features' memory, which this spoils
    trainer = Trainer(tiny_config(steps=30, log_every=5, checkpoint_every=5), data, tmp_path, device="cpu")
    events = trainer.run()
    for event in events:
        if isinstance(event, CheckpointEvent):
            break
    good = load_checkpoint(tmp_path)
    trainer.sampler.data[:] = float("nan")
    with pytest.raises(TrainingError, match=r"step 10.*last good checkpoint"):
        list(events)
    assert load_checkpoint(tmp_path).weights_sha256 == good.weights_sha256


def test_learning_rate_warms_up_linearly_then_decays_at_milestones():
    config = tiny_config(lr=1e-3, warmup_steps=10, lr_milestones=(100, 200), lr_gamma=0.1)
    assert learning_rate(config, 0) == pytest.approx(1e-4)
    assert learning_rate(config, 9) == pytest.approx(1e-3)
    assert learning_rate(config, 150) == pytest.approx(1e-4)
    assert learning_rate(config, 250) == pytest.approx(1e-5)


def test_windows_never_cross_clip_boundaries():
    clips = [np.full((20, 1), i, dtype=np.float32) for i in range(3)] + [np.zeros((5, 1), np.float32)]
    lengths = [len(c) for c in clips]
    windows = WindowSampler(
        np.concatenate(clips), lengths, window=8, device=torch.device("cpu"), seed=0
    ).sample(500)
    assert windows.shape == (500, 8, 1)
    assert torch.all(windows == windows[:, :1])


def test_window_sampling_is_reproducible_from_its_seed():
    clips = [np.arange(100, dtype=np.float32)[:, None]]
    a = WindowSampler(clips[0], [100], 10, torch.device("cpu"), seed=3).sample(4)
    b = WindowSampler(clips[0], [100], 10, torch.device("cpu"), seed=3).sample(4)
    assert torch.equal(a, b)


def test_asking_for_cuda_without_a_gpu_is_a_clear_error(data, tmp_path):
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    with pytest.raises(TrainingError, match="no GPU"):
        Trainer(tiny_config(), data, tmp_path, device="cuda")


def test_holdout_clips_are_left_out_of_training(data_dir):
    folder = data_dir / "bandai" / "dataset-1"
    names = {"dataset-1_walk_normal_001.bvh"}
    kept = prepare_data(
        [folder / "dataset-1_walk_normal_001.bvh", folder / "dataset-1_kick_normal_001.bvh"],
        tiny_config(),
        holdout=names,
    )
    assert [p.name for p in kept.files] == ["dataset-1_kick_normal_001.bvh"]


def test_a_folder_without_clips_is_refused_naming_the_folder(tmp_path):
    with pytest.raises(MotionFileError, match="no motion clips") as refused:
        prepare_data([tmp_path], tiny_config())
    assert refused.value.path == str(tmp_path)


@pytest.mark.slow
def test_the_seed_configuration_trains_on_smplx_data(data_dir, tmp_path):
    """The design documents' model (330 features, width 512, 6 x 1024 x 128) on the BEAT2 clip; CPU-sized batch."""
    seed = preset("seed")
    data = prepare_data([data_dir / "beat2" / "2_scott_0_1_1.npz"], seed)
    assert data.representation.dim == 330
    from dataclasses import replace

    config = replace(seed, batch_size=4, steps=24, warmup_steps=4, log_every=8, checkpoint_every=1000)
    losses = _losses(Trainer(config, data, tmp_path, device="cpu").run())
    assert losses[-1] < losses[0]


def test_out_of_memory_becomes_a_message_suggesting_a_smaller_batch(data, tmp_path, monkeypatch):
    trainer = Trainer(tiny_config(steps=5), data, tmp_path, device="cpu")

    def exhausted(*args, **kwargs):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB")

    monkeypatch.setattr(trainer.model, "forward", exhausted)
    with pytest.raises(TrainingError, match=r"out of memory .* step 1 with batch 8; try a smaller batch"):
        list(trainer.run())


def test_a_run_with_a_position_weight_reports_the_joint_error_in_metres(data, tmp_path):
    events = list(Trainer(tiny_config(steps=4, position_weight=1.0), data, tmp_path, device="cpu").run())
    steps = [e for e in events if isinstance(e, StepEvent)]
    assert all(0.0 < e.position < 2.0 for e in steps)


def test_the_seed_preset_keeps_the_design_documents_objective():
    seed = preset("seed")
    assert (seed.velocity_weight, seed.commit_weight, seed.position_weight) == (0.5, 0.02, 0.0)


@pytest.mark.parametrize("augmentation", [{"random_heading": True}, {"random_speed": 0.25}])
def test_a_run_with_random_augmentation_resumes_exactly(data_dir, tmp_path, augmentation):
    paths = [data_dir / "bandai" / c for c in BANDAI_CLIPS]
    config = tiny_config(steps=10, checkpoint_every=100, **augmentation)
    data = prepare_data(paths, config)
    straight = _losses(Trainer(config, data, tmp_path / "a", device="cpu").run())
    first = Trainer(config, data, tmp_path / "b", device="cpu")
    part1 = _losses(first.run(should_stop=lambda: first.step >= 4))
    part2 = _losses(Trainer(config, data, tmp_path / "b", device="cpu", resume=True).run())
    assert part1 + part2 == straight


def test_overrides_named_like_model_fields_change_the_model_config(tmp_path):
    config, normalizer = run_config(
        "small", tmp_path, resume=False, overrides=TrainOverrides(nb_code=64, steps=5)
    )
    assert config.model.nb_code == 64 and config.steps == 5 and normalizer is None
    assert config.model.width == preset("small").model.width


def test_random_heading_cannot_be_turned_on_when_resuming_a_run_trained_without_it(data, tmp_path):
    list(Trainer(tiny_config(steps=2, checkpoint_every=2), data, tmp_path, device="cpu").run())
    with pytest.raises(ValueError, match="random heading cannot be turned on"):
        run_config("small", tmp_path, resume=True, overrides=TrainOverrides(random_heading=True))
    config, _ = run_config("small", tmp_path, resume=True, overrides=TrainOverrides(random_heading=False))
    assert not config.random_heading
