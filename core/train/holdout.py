"""Held-out reconstruction error while a run trains: the clips a split file leaves out, encoded and
decoded by the model being trained, measured in millimetres as ``rvq-motion eval`` measures them.

The held-out clips are loaded once (fitted to the training skeleton, featurised with the run's
normaliser); each evaluation runs the model in eval mode without gradients and with the RNG state
put back afterwards, so evaluating does not change what the run trains on and resumes stay exact.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from core.analysis.evaluate import clip_errors
from core.errors import MotionFileError
from core.formats import load_motion
from core.model import RVQVAE
from core.motion.clip import Motion
from core.train.config import TrainConfig
from core.train.events import EvalEvent
from core.train.features import clip_preparation
from core.train.trainer import TrainingData


@dataclass(frozen=True)
class HeldOutClip:
    motion: Motion
    """In the training skeleton's joint order, on its own bone lengths."""
    features: np.ndarray
    """Normalised ``(T, D)`` features."""
    truth: np.ndarray
    """``(T, J, 3)`` joint positions in metres."""


class HeldOutEval:
    """Measures a model on the held-out clips; ``skipped`` lists those that could not be measured."""

    def __init__(self, files: Sequence[Path], config: TrainConfig, data: TrainingData) -> None:
        self.data = data
        self.clips: list[HeldOutClip] = []
        self.skipped: list[tuple[Path, str]] = []
        prepare = clip_preparation(config)
        rep = data.representation
        for path in files:
            try:
                motion = load_motion(path)
                motion = rep.fit(prepare(motion) if prepare is not None else motion, data.skeleton)
            except MotionFileError as exc:
                self.skipped.append((path, exc.reason))
                continue
            except ValueError as exc:
                self.skipped.append((path, str(exc)))
                continue
            features = data.normalizer.normalize(rep.features(motion)).astype(np.float32)
            self.clips.append(HeldOutClip(motion, features, motion.joint_positions()))
        self.joints = rep.measured_joints(data.skeleton)
        self.fid: Callable[[RVQVAE], float] | None = None
        """Also measures the FID of the held-out clips when set (see :mod:`core.train.heldout_fid`)."""

    @property
    def frames(self) -> int:
        return sum(c.motion.num_frames for c in self.clips)

    def __call__(self, model: RVQVAE, step: int) -> EvalEvent:
        """MPJPE (global and root-aligned) of every held-out clip through ``model`` with all its layers,
        and their FID when :attr:`fid` is set."""
        device = next(model.parameters()).device
        was_training = model.training
        sums = np.zeros(2)
        model.eval()
        try:
            with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []), torch.no_grad():
                for clip in self.clips:
                    x = torch.from_numpy(clip.features)[None].to(device)
                    indices = model.encode(x)
                    decoded = model.decode(indices, length=clip.motion.num_frames)[0].float().cpu().numpy()
                    features = self.data.normalizer.denormalize(decoded)
                    pred = self.data.representation.positions(features, clip.motion)
                    errors = clip_errors(pred, clip.truth, self.joints, 0.0)
                    sums += np.array([errors.mpjpe_mm, errors.mpjpe_root_aligned_mm]) * clip.motion.num_frames
                fid = self.fid(model) if self.fid is not None else None
        finally:
            model.train(was_training)
        frames = max(self.frames, 1)
        return EvalEvent(
            step=step,
            mpjpe_mm=float(sums[0] / frames),
            mpjpe_root_aligned_mm=float(sums[1] / frames),
            clips=len(self.clips),
            frames=self.frames,
            fid=fid,
        )
