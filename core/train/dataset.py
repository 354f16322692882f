"""Training data: many clips of different lengths as one normalised tensor, sampled in windows
(or, with :class:`ClipSampler`, as whole clips padded to the longest of a batch).

All clips are concatenated into one (frames, D) tensor on the training device; a window is
drawn uniformly among every valid start position of every clip, so long clips are sampled in
proportion to their length and no window crosses a clip boundary. Sampling is a pair of tensor
ops on the device with its own generator, whose state is checkpointed for exact resumes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from core.errors import MotionFileError
from core.formats import load_motion
from core.motion.clip import Motion
from core.motion.skeleton import Skeleton, describe_difference
from core.train.augment import RandomSpeed
from core.train.config import TrainConfig


@dataclass
class ClipSet:
    """Clips of one joint tree, each in ``skeleton``'s joint order but with its own bone lengths, and
    those skipped (with the reason) on the way."""

    skeleton: Skeleton
    fps: float
    clips: list[Motion]
    paths: list[Path]
    skipped: list[tuple[Path, str]] = field(default_factory=list)


def min_frames_for(config: TrainConfig) -> int:
    """The shortest clip a run can use: one window, or with ``whole_clips`` one token step. The survey
    before a run and the run itself both ask here, so they cannot disagree about what is skipped."""
    return config.model.downsample_factor if config.whole_clips else config.window


@dataclass
class ClipScan:
    """Every file looked at, sorted into the clips kept (in the first clip's joint order), those skipped
    with the reason, and those a split file holds out (not loaded)."""

    clips: list[Motion] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    held_out: list[Path] = field(default_factory=list)


def scan_clips(
    files: Sequence[Path],
    holdout: set[str] = frozenset(),
    min_frames: int = 1,
    prepare: Callable[[Motion], Motion] | None = None,
) -> ClipScan:
    """Load clips, keeping those of the first clip's joint tree (listed in any order: they are brought
    into the first clip's order, as subjects of one dataset may list joints differently) and at least
    ``min_frames`` long. ``prepare`` turns each clip into what the features are made of first (e.g.
    SMPL-X clips into HumanML3D ones, beside HumanML3D files); a ValueError it raises skips the clip."""
    scan = ClipScan()
    for f in files:
        if f.name in holdout:
            scan.held_out.append(f)
            continue
        try:
            motion = load_motion(f)
            motion = prepare(motion) if prepare is not None else motion
        except MotionFileError as exc:
            scan.skipped.append((f, exc.reason))
            continue
        except ValueError as exc:
            scan.skipped.append((f, str(exc)))
            continue
        if scan.clips:
            first = scan.clips[0].skeleton
            difference = describe_difference(motion.skeleton, first, "this clip", scan.paths[0].name)
            if difference is not None:
                scan.skipped.append((f, f"skeleton differs from {scan.paths[0].name}: {difference}"))
                continue
            motion = motion.reordered(motion.skeleton.joint_order_in(first))
        if motion.num_frames < min_frames:
            scan.skipped.append(
                (f, f"{motion.num_frames} frames, shorter than the {min_frames}-frame window")
            )
        else:
            scan.clips.append(motion)
            scan.paths.append(f)
    return scan


def load_clips(
    files: Sequence[Path],
    holdout: set[str] = frozenset(),
    min_frames: int = 1,
    prepare: Callable[[Motion], Motion] | None = None,
) -> ClipSet:
    """The clips :func:`scan_clips` keeps; none at all is a MotionFileError giving the first reasons."""
    scan = scan_clips(files, holdout, min_frames, prepare)
    if not scan.clips:
        reasons = "; ".join(f"{p.name}: {r}" for p, r in scan.skipped[:3])
        raise MotionFileError(
            files[0] if files else Path("."), f"no usable clips ({reasons or 'none found'})"
        )
    first = scan.clips[0]
    return ClipSet(first.skeleton, first.fps, scan.clips, scan.paths, scan.skipped)


class WindowSampler:
    """Random fixed-length windows of normalised features, drawn on the training device."""

    def __init__(
        self,
        features: Sequence[np.ndarray],
        window: int,
        device: torch.device,
        seed: int,
        augment: Callable[[torch.Tensor, torch.Generator], torch.Tensor] | None = None,
        speed: RandomSpeed | None = None,
    ) -> None:
        lengths = [len(f) for f in features]
        if not lengths or max(lengths) < window:
            raise ValueError(f"no clip is at least {window} frames long")
        self.window = window
        self.device = device
        self.data = torch.from_numpy(np.concatenate(features).astype(np.float32)).to(device)
        offsets = np.cumsum([0, *lengths[:-1]])
        long_enough = [(o, n) for o, n in zip(offsets, lengths, strict=True) if n >= window]
        first_frames = [np.arange(n - window + 1) for _, n in long_enough]
        starts = np.concatenate([o + f for (o, _), f in zip(long_enough, first_frames, strict=True)])
        room = np.concatenate([n - f for (_, n), f in zip(long_enough, first_frames, strict=True)])
        self.starts = torch.from_numpy(starts).to(device)
        self.room = torch.from_numpy(room).to(device)  # frames from each start to its clip's end
        self._steps = torch.arange(window, device=device)
        self.generator = torch.Generator(device=device)
        self.generator.manual_seed(seed)
        self.augment = augment
        self.speed = speed

    @property
    def num_windows(self) -> int:
        return int(self.starts.numel())

    def sample(self, batch_size: int) -> torch.Tensor:
        """(batch, window, D) windows, augmented if asked (from the same generator, so resuming is exact);
        no host synchronisation."""
        pick = torch.randint(self.num_windows, (batch_size,), device=self.device, generator=self.generator)
        start = self.starts[pick]
        if self.speed is None:
            windows = self.data[start[:, None] + self._steps]
        else:
            windows = self.speed.read(self.data, start, self.room[pick], self._steps, self.generator)
        return windows if self.augment is None else self.augment(windows, self.generator)


class ClipSampler:
    """Batches of whole clips of different lengths, padded to one length, for masked training.

    Each of ``batch_size`` clips, drawn uniformly, is cropped to at most ``window`` frames at a random
    start; the batch is as long as its longest crop rounded up to ``multiple`` (the model's
    downsampling), and each shorter crop is padded by repeating its last frame. The clips and crops
    are drawn on the host (``clip_generator``), because their lengths set the batch's shape: so a
    batch costs no host synchronisation. ``generator`` (on the device) drives the augmentation, as
    :class:`WindowSampler`'s does; both states are checkpointed for exact resumes.
    """

    def __init__(
        self,
        features: Sequence[np.ndarray],
        window: int,
        multiple: int,
        device: torch.device,
        seed: int,
        augment: Callable[[torch.Tensor, torch.Generator], torch.Tensor] | None = None,
    ) -> None:
        lengths = [len(f) for f in features]
        if not lengths or min(lengths) < 1 or window < 1 or multiple < 1:
            raise ValueError(
                "whole-clip batches need at least one clip, a window and a multiple of 1 or more"
            )
        self.window = window
        self.multiple = multiple
        self.device = device
        self.data = torch.from_numpy(np.concatenate(features).astype(np.float32)).to(device)
        self.lengths = torch.tensor(lengths, dtype=torch.long)
        self.offsets = torch.cumsum(torch.tensor([0, *lengths[:-1]], dtype=torch.long), dim=0)
        self.clip_generator = torch.Generator()
        self.clip_generator.manual_seed(seed)
        self.generator = torch.Generator(device=device)
        self.generator.manual_seed(seed)
        self.augment = augment

    @property
    def num_clips(self) -> int:
        return int(self.lengths.numel())

    def sample(self, batch_size: int) -> tuple[torch.Tensor, torch.Tensor]:
        """``(batch, T, D)`` padded crops on the device and their ``(batch,)`` real lengths on the CPU."""
        pick = torch.randint(self.num_clips, (batch_size,), generator=self.clip_generator)
        full = self.lengths[pick]
        lengths = full.clamp(max=self.window)
        room = full - lengths + 1  # crop starts that stay inside the clip
        start = (torch.rand(batch_size, generator=self.clip_generator) * room).long().clamp(max=room - 1)
        frames = -(-int(lengths.max()) // self.multiple) * self.multiple
        steps = torch.minimum(torch.arange(frames), lengths[:, None] - 1)  # padding repeats the last frame
        index = (self.offsets[pick] + start)[:, None] + steps
        batch = self.data[index.to(self.device)]
        return (batch if self.augment is None else self.augment(batch, self.generator)), lengths
