"""Training batches from many clips of different lengths held as one normalised tensor, sampled in
windows (or, with :class:`ClipSampler`, as whole clips padded to the longest of a batch).

The clips lie one after another in one (frames, D) array (:class:`core.train.data.TrainingData`), which
becomes a tensor on the training device (on the CPU, the same memory); a window is drawn uniformly among
every valid start position of every clip, so long clips are sampled in proportion to their length and
no window crosses a clip boundary. With :class:`~core.train.augment.MirroredCopies` every clip also
counts mirrored, drawn as often as itself. Sampling is a few tensor ops on the device with its own
generator, whose state is checkpointed for exact resumes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch

from core.train.augment import MirroredCopies, RandomSpeed
from core.train.config import WINDOW_SAMPLING


def window_starts(frames: int, window: int, sampling: str) -> np.ndarray:
    """The first frames of the windows drawn from a clip of ``frames`` frames, each equally likely (a
    start may repeat). "starts": every start that keeps the window inside the clip once, so the clip's
    first and last frames are each in one window where its middle frames are in ``window`` of them.
    "frames": every window that overlaps the clip by a frame or more, moved inside it, so every frame is
    in at least ``window`` windows, the first and last included (see :data:`WINDOW_SAMPLING`)."""
    if sampling == "starts":
        return np.arange(frames - window + 1)
    if sampling == "frames":
        return np.clip(np.arange(1 - window, frames), 0, frames - window)
    raise ValueError(f"window sampling must be one of {', '.join(WINDOW_SAMPLING)}, got {sampling!r}")


class WindowSampler:
    """Random fixed-length windows of normalised features, drawn on the training device; where they
    start in their clips is :func:`window_starts`'s ``sampling``."""

    def __init__(
        self,
        features: np.ndarray,
        lengths: Sequence[int],
        window: int,
        device: torch.device,
        seed: int,
        augment: Callable[[torch.Tensor, torch.Generator], torch.Tensor] | None = None,
        speed: RandomSpeed | None = None,
        mirror: MirroredCopies | None = None,
        sampling: str = "starts",
    ) -> None:
        lengths = [int(n) for n in lengths]
        if not lengths or max(lengths) < window:
            raise ValueError(f"no clip is at least {window} frames long")
        self.window = window
        self.device = device
        self.data = _on_device(features, lengths, device)
        offsets = np.cumsum([0, *lengths[:-1]])
        long_enough = [(o, n) for o, n in zip(offsets, lengths, strict=True) if n >= window]
        first_frames = [window_starts(n, window, sampling) for _, n in long_enough]
        starts = np.concatenate([o + f for (o, _), f in zip(long_enough, first_frames, strict=True)])
        room = np.concatenate([n - f for (_, n), f in zip(long_enough, first_frames, strict=True)])
        self.starts = torch.from_numpy(starts).to(device)
        self.room = torch.from_numpy(room).to(device)  # frames from each start to its clip's end
        self._steps = torch.arange(window, device=device)
        self.generator = torch.Generator(device=device)
        self.generator.manual_seed(seed)
        self.augment = augment
        self.speed = speed
        self.mirror = mirror

    @property
    def num_windows(self) -> int:
        """Windows to draw from, the mirrored clips' counted."""
        return int(self.starts.numel()) * (2 if self.mirror is not None else 1)

    def sample(self, batch_size: int) -> torch.Tensor:
        """(batch, window, D) windows, augmented if asked (from the same generator, so resuming is exact);
        no host synchronisation."""
        pick = torch.randint(self.num_windows, (batch_size,), device=self.device, generator=self.generator)
        own = pick % self.starts.numel()  # picks past the clips' own windows are their mirror images
        start = self.starts[own]
        if self.speed is None:
            windows = self.data[start[:, None] + self._steps]
        else:
            windows = self.speed.read(self.data, start, self.room[own], self._steps, self.generator)
        if self.mirror is not None:
            windows = self.mirror(windows, pick >= self.starts.numel())
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
        features: np.ndarray,
        lengths: Sequence[int],
        window: int,
        multiple: int,
        device: torch.device,
        seed: int,
        augment: Callable[[torch.Tensor, torch.Generator], torch.Tensor] | None = None,
        mirror: MirroredCopies | None = None,
    ) -> None:
        lengths = [int(n) for n in lengths]
        if not lengths or min(lengths) < 1 or window < 1 or multiple < 1:
            raise ValueError(
                "whole-clip batches need at least one clip, a window and a multiple of 1 or more"
            )
        self.window = window
        self.multiple = multiple
        self.device = device
        self.data = _on_device(features, lengths, device)
        self.lengths = torch.tensor(lengths, dtype=torch.long)
        self.offsets = torch.cumsum(torch.tensor([0, *lengths[:-1]], dtype=torch.long), dim=0)
        self.clip_generator = torch.Generator()
        self.clip_generator.manual_seed(seed)
        self.generator = torch.Generator(device=device)
        self.generator.manual_seed(seed)
        self.augment = augment
        self.mirror = mirror

    @property
    def num_clips(self) -> int:
        """Clips to draw from, the mirrored ones counted."""
        return int(self.lengths.numel()) * (2 if self.mirror is not None else 1)

    def sample(self, batch_size: int) -> tuple[torch.Tensor, torch.Tensor]:
        """``(batch, T, D)`` padded crops on the device and their ``(batch,)`` real lengths on the CPU."""
        drawn = torch.randint(self.num_clips, (batch_size,), generator=self.clip_generator)
        pick = drawn % self.lengths.numel()  # draws past the clips are their mirror images
        full = self.lengths[pick]
        lengths = full.clamp(max=self.window)
        room = full - lengths + 1  # crop starts that stay inside the clip
        start = (torch.rand(batch_size, generator=self.clip_generator) * room).long().clamp(max=room - 1)
        frames = -(-int(lengths.max()) // self.multiple) * self.multiple
        steps = torch.minimum(torch.arange(frames), lengths[:, None] - 1)  # padding repeats the last frame
        index = (self.offsets[pick] + start)[:, None] + steps
        batch = self.data[index.to(self.device)]
        if self.mirror is not None:
            batch = self.mirror(batch, (drawn >= self.lengths.numel()).to(self.device))
        return (batch if self.augment is None else self.augment(batch, self.generator)), lengths


def _on_device(features: np.ndarray, lengths: Sequence[int], device: torch.device) -> torch.Tensor:
    """The clips' features as one tensor on ``device`` (on the CPU, the array's own memory)."""
    if features.ndim != 2 or len(features) != sum(lengths):
        raise ValueError(f"features of shape {features.shape} do not hold clips of {sum(lengths)} frames")
    return torch.from_numpy(np.ascontiguousarray(features, dtype=np.float32)).to(device)
