"""The training loop as a generator of progress events.

``Trainer.run`` yields :mod:`core.train.events` and checks ``should_stop`` between steps, so the
CLI, a notebook and the app's worker thread all drive the same code and none of them is known
to it. Losses stay on the device and are read back only every ``log_every`` steps.
"""

from __future__ import annotations

import math
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

from core.errors import ConfigError, MotionFileError, TrainingError
from core.files import write_text_atomic
from core.model import RVQVAE
from core.model.checkpoint import load_training_state, resolve_checkpoint_dir, save_checkpoint
from core.model.devices import resolve_device
from core.model.objective import PositionLoss, rvq_losses
from core.train.augment import MirroredCopies, RandomHeading, RandomSpeed
from core.train.config import TrainConfig
from core.train.data import TrainingData
from core.train.dataset import ClipSampler, WindowSampler
from core.train.events import CheckpointEvent, Event, FinishedEvent, MessageEvent, StepEvent

_LOSS_NAMES = ("loss", "reconstruction", "velocity", "commitment", "position")
"""The loss terms accumulated between step events, in this order."""


def learning_rate(config: TrainConfig, step: int) -> float:
    """Linear warm-up to ``lr``, then multiplied by ``lr_gamma`` at each milestone."""
    warm = min(1.0, (step + 1) / config.warmup_steps) if config.warmup_steps > 0 else 1.0
    decay = config.lr_gamma ** sum(step >= m for m in config.lr_milestones)
    return config.lr * warm * decay


class Trainer:
    """One training run in ``run_dir``: checkpoints under ``run_dir/checkpoints``, ``latest`` names the newest."""

    def __init__(
        self,
        config: TrainConfig,
        data: TrainingData,
        run_dir: str | Path,
        device: str = "auto",
        resume: bool = False,
        compile_model: bool = False,
        init_from: str | Path | None = None,
    ) -> None:
        if config.model.input_dim != data.representation.dim:
            config = config.with_input_dim(data.representation.dim)
        self.config = config
        self.data = data
        self.run_dir = Path(run_dir)
        try:
            self.device = resolve_device(device)
        except ValueError as exc:
            raise TrainingError(str(exc)) from None
        self.rank = dist.get_rank() if dist.is_initialized() else 0
        self.world_size = dist.get_world_size() if dist.is_initialized() else 1
        torch.manual_seed(config.seed + self.rank)
        self.model = RVQVAE(config.model).to(self.device)
        self.optimizer = torch.optim.AdamW(
            self.model.parameters(), lr=config.lr, betas=config.betas, weight_decay=config.weight_decay
        )
        self.sampler = self._sampler()
        self.step = 0
        self.position_loss = (
            PositionLoss(data.representation, data.skeleton, data.normalizer)
            if config.position_weight > 0
            else None
        )
        self._acc = torch.zeros(len(_LOSS_NAMES), device=self.device)
        self._acc_q = torch.zeros(3, config.model.num_quantizers, device=self.device)
        self._acc_count = 0
        self.last_checkpoint: Path | None = None
        if resume and init_from is not None:
            raise ConfigError("a run either resumes or starts from another checkpoint, not both")
        if resume:
            self._restore(resolve_checkpoint_dir(self.run_dir))
        elif init_from is not None:
            self._start_from(resolve_checkpoint_dir(init_from))
        if self.device.type == "cuda":
            torch.backends.cudnn.benchmark = True
        net: torch.nn.Module = self.model
        if self.world_size > 1:
            net = DistributedDataParallel(
                net, device_ids=[self.device.index] if self.device.type == "cuda" else None
            )
        self._net = torch.compile(net) if compile_model else net

    def _sampler(self) -> WindowSampler | ClipSampler:
        """What each step's batch is drawn from: windows (or, with ``whole_clips``, whole clips) of the
        features, augmented as the config asks, on the training device."""
        config, data = self.config, self.data
        heading = RandomHeading(data.representation, data.normalizer) if config.random_heading else None
        mirror = MirroredCopies(data.mirror, data.normalizer, self.device) if data.mirror else None
        seed = config.seed + self.rank
        if config.whole_clips:
            return ClipSampler(
                data.features,
                data.lengths,
                config.window,
                config.model.downsample_factor,
                self.device,
                seed=seed,
                augment=heading,
                mirror=mirror,
            )
        speed = (
            RandomSpeed(config.random_speed, data.representation, data.normalizer)
            if config.random_speed > 0
            else None
        )
        return WindowSampler(
            data.features,
            data.lengths,
            config.window,
            self.device,
            seed=seed,
            augment=heading,
            speed=speed,
            mirror=mirror,
            sampling=config.window_sampling,
        )

    def run(self, should_stop: Callable[[], bool] = lambda: False) -> Iterator[Event]:
        """Train to ``config.steps``, yielding progress; a stop request writes a checkpoint first."""
        cfg = self.config
        if self.step >= cfg.steps:
            yield FinishedEvent(self.step, "completed", self.last_checkpoint)
            return
        yield MessageEvent(
            f"training on {self.device} ({self.world_size} process{'es' if self.world_size > 1 else ''}): "
            f"{len(self.data.files)} clip{'s' if len(self.data.files) != 1 else ''}"
            f"{' (mirrored too)' if self.data.mirrored else ''}, "
            f"{self.data.frames} frames, "
            + (
                f"whole clips of up to {cfg.window} frames"
                if isinstance(self.sampler, ClipSampler)
                else f"{self.sampler.num_windows} windows of {cfg.window}"
            )
            + f"; step {self.step} of {cfg.steps}"
        )
        self.model.train()
        autocast = torch.autocast("cuda", dtype=torch.bfloat16, enabled=self.device.type == "cuda")
        tick, tick_step, frames = time.perf_counter(), self.step, 0
        while self.step < cfg.steps:
            if should_stop():
                path = self.save()
                yield CheckpointEvent(self.step, path)
                yield FinishedEvent(self.step, "stopped", path)
                return
            for group in self.optimizer.param_groups:
                group["lr"] = learning_rate(cfg, self.step)
            batch, lengths, mask = self._batch()
            frames += cfg.batch_size * cfg.window if lengths is None else int(lengths.sum())
            try:
                with autocast:
                    out = self._net(batch) if lengths is None else self._net(batch, lengths)
                    terms = rvq_losses(
                        out.reconstruction,
                        batch,
                        out.commit_loss,
                        cfg.velocity_weight,
                        cfg.commit_weight,
                        self.position_loss,
                        cfg.position_weight,
                        cfg.root_weight,
                        cfg.root_dims,
                        mask,
                    )
                self.optimizer.zero_grad(set_to_none=True)
                terms.loss.backward()
                self.optimizer.step()
            except torch.OutOfMemoryError as exc:
                raise TrainingError(
                    f"out of memory on {self.device} at step {self.step + 1} with batch {cfg.batch_size}; "
                    "try a smaller batch size or window"
                ) from exc
            self.step += 1
            with torch.no_grad():
                self._acc += torch.stack([getattr(terms, name) for name in _LOSS_NAMES]).detach()
                active = out.active_layers.float()
                self._acc_q += (
                    torch.stack([out.perplexity * active, out.usage * active, active]).detach().float()
                )
            self._acc_count += 1
            if self.step % cfg.log_every == 0 or self.step == cfg.steps:
                event = self._step_event(time.perf_counter() - tick, self.step - tick_step, frames)
                tick, tick_step, frames = time.perf_counter(), self.step, 0
                yield event
            if self.step % cfg.checkpoint_every == 0 or self.step == cfg.steps:
                yield CheckpointEvent(self.step, self.save())
        yield FinishedEvent(self.step, "completed", self.last_checkpoint)

    def _batch(self) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor | None]:
        """A training batch, and for whole clips their lengths (on the CPU) and ``(B, T)`` real-frame mask."""
        if isinstance(self.sampler, WindowSampler):
            return self.sampler.sample(self.config.batch_size), None, None
        batch, lengths = self.sampler.sample(self.config.batch_size)
        mask = torch.arange(batch.shape[1], device=self.device) < lengths.to(self.device)[:, None]
        return batch, lengths, mask

    def _step_event(self, seconds: float, steps: int, frames: int) -> StepEvent:
        means = (self._acc / self._acc_count).tolist()
        q = (self._acc_q[:2] / self._acc_q[2].clamp_min(1)).tolist()
        if not all(math.isfinite(v) for v in means):
            raise TrainingError(
                f"loss became {means[0]} by step {self.step}; training stopped, the last good checkpoint is kept"
                + (f" ({self.last_checkpoint})" if self.last_checkpoint else "")
            )
        self._acc.zero_()
        self._acc_q.zero_()
        self._acc_count = 0
        rate = steps / seconds if seconds > 0 else 0.0
        return StepEvent(
            step=self.step,
            total_steps=self.config.steps,
            loss=means[0],
            reconstruction=means[1],
            velocity=means[2],
            commitment=means[3],
            position=means[4],
            perplexity=tuple(q[0]),
            usage=tuple(q[1]),
            lr=learning_rate(self.config, self.step - 1),
            steps_per_s=rate,
            frames_per_s=frames / seconds * self.world_size if seconds > 0 else 0.0,
            eta_s=(self.config.steps - self.step) / rate if rate > 0 else float("inf"),
        )

    def save(self) -> Path:
        """Checkpoint the run (rank 0 writes; others wait) and point ``latest`` at it."""
        name = f"checkpoints/step-{self.step:07d}"
        path = self.run_dir / name
        if path == self.last_checkpoint:
            return path
        if self.rank == 0:
            tensors, meta = self._training_state()
            save_checkpoint(
                path,
                self.model,
                self.data.skeleton,
                self.data.representation,
                self.data.normalizer,
                self.data.fps,
                step=self.step,
                train_config=self.config.to_dict(),
                training_state=tensors,
                training_meta=meta,
            )
            write_text_atomic(self.run_dir / "latest", name)
            self._prune_checkpoints()
        if self.world_size > 1:
            dist.barrier()
        self.last_checkpoint = path
        return path

    def _prune_checkpoints(self) -> None:
        kept = sorted((self.run_dir / "checkpoints").glob("step-*"))
        for old in kept[: -self.config.keep_checkpoints]:
            shutil.rmtree(old, ignore_errors=True)

    def _training_state(self) -> tuple[dict[str, torch.Tensor], dict]:
        opt = self.optimizer.state_dict()
        tensors = {
            f"opt.{pid}.{key}": value for pid, entry in opt["state"].items() for key, value in entry.items()
        }
        tensors["rng.torch"] = torch.get_rng_state()
        tensors["rng.sampler"] = self.sampler.generator.get_state()
        if isinstance(self.sampler, ClipSampler):
            tensors["rng.clips"] = self.sampler.clip_generator.get_state()
        if self.device.type == "cuda":
            tensors["rng.cuda"] = torch.cuda.get_rng_state(self.device)
        tensors["acc.losses"] = self._acc
        tensors["acc.quantizers"] = self._acc_q
        meta = {"param_groups": opt["param_groups"], "acc_count": self._acc_count, "step": self.step}
        return tensors, meta

    def _restore(self, directory: Path) -> None:
        """Continue exactly where a checkpoint left off: weights, optimizer, RNGs and log accumulators."""
        from core.model.checkpoint import load_checkpoint

        ckpt = load_checkpoint(directory, device=self.device)
        if "imported_from" in ckpt.extra:
            raise MotionFileError(
                directory, "an imported tokenizer has no training run to resume; start a new run from it"
            )
        if ckpt.config != self.config.model or not ckpt.skeleton.same_topology(self.data.skeleton):
            raise MotionFileError(directory, "checkpoint was made with another model config or skeleton")
        self.model.load_state_dict(ckpt.model.state_dict())
        tensors, meta = load_training_state(directory)
        state: dict[int, dict[str, torch.Tensor]] = {}
        for key, value in tensors.items():
            if key.startswith("opt."):
                _, pid, name = key.split(".", 2)
                state.setdefault(int(pid), {})[name] = value.to(self.device) if name != "step" else value
        self.optimizer.load_state_dict({"state": state, "param_groups": meta["param_groups"]})
        torch.set_rng_state(tensors["rng.torch"])
        self.sampler.generator.set_state(tensors["rng.sampler"].to(self.sampler.generator.get_state().device))
        if isinstance(self.sampler, ClipSampler) and "rng.clips" in tensors:  # absent: it trained on windows
            self.sampler.clip_generator.set_state(tensors["rng.clips"])
        if self.device.type == "cuda" and "rng.cuda" in tensors:
            torch.cuda.set_rng_state(tensors["rng.cuda"], self.device)
        acc = tensors["acc.losses"].to(self.device)
        self._acc = torch.nn.functional.pad(acc, (0, len(_LOSS_NAMES) - acc.numel()))  # older runs: 4 terms
        self._acc_q = tensors["acc.quantizers"].to(self.device)
        self._acc_count = int(meta["acc_count"])
        self.step = int(meta["step"])
        self.last_checkpoint = directory

    # --- Fine-tuning a checkpoint, such as an imported tokenizer (core.model.peers) -----------------------

    def _start_from(self, directory: Path) -> None:
        """Start at step 0 from ``directory``'s weights. An imported tokenizer's codebooks carry no EMA
        statistics of their own: they are calibrated on this run's batches first, so training neither
        re-seeds the codebooks nor resets codes this data happens to miss (core.model.peers.ema)."""
        from core.model.checkpoint import load_checkpoint
        from core.model.peers.ema import calibrate_codebooks

        ckpt = load_checkpoint(directory, device=self.device)
        # Settings only training reads may differ: a fine-tune may change its dropout or EMA decay.
        model_config = ckpt.config.with_training_settings(self.config.model)
        same = (
            model_config == self.config.model
            and ckpt.representation.to_dict() == self.data.representation.to_dict()
            and ckpt.skeleton.same_topology(self.data.skeleton)
            and np.array_equal(ckpt.normalizer.mean, self.data.normalizer.mean)
            and np.array_equal(ckpt.normalizer.std, self.data.normalizer.std)
        )
        if not same:
            raise ConfigError(
                f"{directory} has another model, representation, skeleton or normalisation than this run: train "
                "with its model config and prepare the data with its normaliser"
            )
        self.model.load_state_dict(ckpt.model.state_dict())
        if "imported_from" in ckpt.extra:
            generators = [self.sampler.generator]
            if isinstance(self.sampler, ClipSampler):
                generators.append(self.sampler.clip_generator)
            states = [g.get_state() for g in generators]  # training then sees the batches it would have
            self.model.eval()
            with torch.no_grad():
                grids = []
                for _ in range(8):
                    batch, lengths, _ = self._batch()
                    out = self.model(batch) if lengths is None else self.model(batch, lengths)
                    grids.append(out.indices)
                calibrate_codebooks(self.model, grids)
            for generator, state in zip(generators, states, strict=True):
                generator.set_state(state)
