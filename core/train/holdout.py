"""Held-out reconstruction error while a run trains: the clips a split file leaves out, encoded and
decoded by the model being trained, measured in millimetres as ``rvq-motion eval`` measures them.

Before the run only what the clips are is read (frames, skeleton, or why one cannot be measured: through
the feature cache, so a second run opens none of them); each evaluation then reads the clips a group at a
time, fits them to the training skeleton, normalises them with the run's statistics and runs the model on
batches of them (:mod:`core.analysis.batched`), so no held-out clip stays in memory between evaluations.
The model runs in eval mode without gradients and with the RNG state put back afterwards, so evaluating
does not change what the run trains on and resumes stay exact.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import torch

from core.analysis.batched import batch_frames_for, reconstruct_batch, step_batches
from core.analysis.evaluate import clip_errors
from core.datasets.cache import FeatureCache
from core.datasets.reader import FileRecord, prepared_motion, read_files
from core.errors import MotionFileError
from core.model import RVQVAE
from core.motion.clip import Motion, renamed_like
from core.motion.skeleton import match_joints
from core.train.config import TrainConfig
from core.train.data import TrainingData, read_settings
from core.train.events import EvalEvent
from core.train.heldout_fid import HeldOutFID


class HeldOutEval:
    """Measures a model on the held-out clips; ``skipped`` lists those that cannot be measured."""

    def __init__(
        self,
        files: Sequence[Path],
        config: TrainConfig,
        data: TrainingData,
        use_cache: bool = True,
    ) -> None:
        self.data = data
        settings = read_settings(config)
        self.to_humanml3d, self.by_position = settings.to_humanml3d, settings.by_position
        self.files: list[Path] = []
        self.lengths: list[int] = []
        self.skipped: list[tuple[Path, str]] = []
        cache = FeatureCache() if use_cache else None
        for record in read_files(list(files), settings, cache):
            if not isinstance(record, FileRecord):
                continue
            info = record.info
            reason = info.reason
            if reason is None and info.skeleton is not None:
                try:
                    match_joints(
                        info.skeleton, data.skeleton, self.by_position, reference_label="the checkpoint"
                    )
                except ValueError as exc:
                    reason = str(exc)
            if reason is not None:
                self.skipped.append((record.path, reason))
            else:
                self.files.append(record.path)
                self.lengths.append(info.frames)
        self.joints = data.representation.measured_joints(data.skeleton)
        self.fid: HeldOutFID | None = None
        """Also measures the FID of the held-out clips when set (see :mod:`core.train.heldout_fid`)."""

    @property
    def clips(self) -> int:
        return len(self.files)

    @property
    def frames(self) -> int:
        return sum(self.lengths)

    def __call__(self, model: RVQVAE, step: int) -> EvalEvent:
        """MPJPE (global and root-aligned) of every held-out clip through ``model`` with all its layers."""
        device = next(model.parameters()).device
        was_training = model.training
        sums = np.zeros(2)
        frames = 0
        layers = model.config.num_quantizers
        model.eval()
        try:
            with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
                for clips, features in self._batches(model.downsample_factor, batch_frames_for(model)):
                    _, decoded = reconstruct_batch(model, features, [layers])
                    for clip, out in zip(clips, decoded[layers], strict=True):
                        pred = self.data.representation.positions(self.data.normalizer.denormalize(out), clip)
                        errors = clip_errors(pred, clip.joint_positions(), self.joints, 0.0)
                        sums += np.array([errors.mpjpe_mm, errors.mpjpe_root_aligned_mm]) * clip.num_frames
                        frames += clip.num_frames
                fid = self.fid(model) if self.fid is not None else None
        finally:
            model.train(was_training)
        return EvalEvent(
            step=step,
            mpjpe_mm=float(sums[0] / max(frames, 1)),
            mpjpe_root_aligned_mm=float(sums[1] / max(frames, 1)),
            clips=self.clips,
            frames=frames,
            fid=fid,
        )

    def fitted_clips(self) -> Iterator[tuple[int, Motion]]:
        """(index in ``files``, clip) of every held-out clip as the run reads it (fitted to its skeleton),
        one at a time; a file that changed since the run started is left out."""
        for index, path in enumerate(self.files):
            try:
                yield index, self._fitted(path)
            except (MotionFileError, ValueError):
                continue

    def _fitted(self, path: Path) -> Motion:
        """A held-out clip as the run reads it: converted as training converts, its joints matched to the
        run's (by position too, unless the run was strict), fitted to its skeleton."""
        motion = renamed_like(prepared_motion(path, self.to_humanml3d), self.data.skeleton, self.by_position)
        return self.data.representation.fit(motion, self.data.skeleton)

    def _batches(self, multiple: int, max_frames: int) -> Iterator[tuple[list[Motion], list[np.ndarray]]]:
        """The clips a batch at a time (equal token steps), read and fitted when their batch comes."""
        rep, normalizer = self.data.representation, self.data.normalizer
        for batch in step_batches(self.lengths, multiple, max_frames):
            by_steps: dict[int, tuple[list[Motion], list[np.ndarray]]] = {}
            for index in batch:
                try:
                    clip = self._fitted(self.files[index])
                except (MotionFileError, ValueError):
                    continue  # changed since the run started: measured without it
                clips, features = by_steps.setdefault(-(-clip.num_frames // multiple), ([], []))
                clips.append(clip)
                features.append(normalizer.normalize(rep.features(clip)))
            yield from by_steps.values()  # one entry unless a file changed length meanwhile
