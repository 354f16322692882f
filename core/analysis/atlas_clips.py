"""What one clip gives the atlas, and many clips worked through on every core.

:func:`clip_windows` reads nothing and keeps nothing: a clip in, its codes and, for each layer summarised,
every step's decoded window in the body frame out. :func:`read_clip` is the one place the atlas opens a
file (where a feature cache can take over). :func:`windows_of_files` runs the two over a list of files,
in this process or in worker processes, one per core, each with one PyTorch thread (per clip the work
is too small to share between threads: on a busy two-core machine two threads were six times slower
than one), results in the files' order. Workers start from a fork server (forking a process that runs
threads, as the app does, is unsafe), so a script that asks for them needs the usual
``if __name__ == "__main__":`` guard; starting them costs a few seconds, so few clips stay in-process.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.analysis.level_decoder import LevelDecoder
from core.analysis.pose_frame import BodyFrame
from core.errors import MotionFileError
from core.formats import load_motion
from core.model.checkpoint import Checkpoint, load_checkpoint
from core.motion.clip import Motion
from core.motion.skeleton import Skeleton
from core.tokens.codec import fit_clip, tokenize

MIN_PARALLEL = 16
"""Clips below which starting worker processes costs more than it saves."""


@dataclass(frozen=True)
class ClipWindows:
    """One clip's codes and the decoded windows of its steps."""

    frames: int
    fps: float
    skeleton: Skeleton
    codes: np.ndarray
    """(steps, Q) the codes ``tokenize`` gives."""
    windows: dict[int, np.ndarray]
    """Per layer summarised (0-based): (steps, (2 context + 1) x factor, J, 3) float32 metres."""
    whole: np.ndarray
    """(steps,) which steps have all their frames (the last may be cut short by the clip's end)."""


def read_clip(path: str | Path) -> Motion:
    """The clip in a file; MotionFileError when it cannot be read."""
    return load_motion(path)


def clip_windows(
    ckpt: Checkpoint, decoder: LevelDecoder, motion: Motion, layers: Sequence[int], context: int
) -> ClipWindows:
    """Tokenize ``motion`` and decode it with the first ``layer + 1`` layers for each of ``layers``;
    MotionFileError when it does not fit the checkpoint."""
    fitted = fit_clip(ckpt, motion)
    codes = tokenize(ckpt, fitted)
    factor = decoder.factor
    levels = np.asarray(sorted({layer + 1 for layer in layers}), dtype=np.int64)
    features = decoder.features(codes, levels, 0, len(codes), fitted.num_frames)
    frame = BodyFrame.of(fitted.skeleton)
    windows = {}
    for level, decoded in zip(levels.tolist(), features, strict=True):
        positions = ckpt.representation.positions(decoded, fitted)
        aligned = frame.align(step_windows(positions, len(codes), factor, context), context * factor)
        windows[level - 1] = aligned.astype(np.float32)
    whole = (np.arange(len(codes)) + 1) * factor <= fitted.num_frames
    return ClipWindows(fitted.num_frames, float(fitted.fps), fitted.skeleton, codes, windows, whole)


def step_windows(positions: np.ndarray, steps: int, factor: int, context: int) -> np.ndarray:
    """(steps, (2 context + 1) factor, J, 3): each step's frames with ``context`` steps either side,
    the clip's first and last frames held where the window runs past its ends."""
    lead = context * factor
    width = (2 * context + 1) * factor
    tail = max(steps * factor + lead - len(positions), 0)
    padded = np.concatenate(
        [np.repeat(positions[:1], lead, axis=0), positions, np.repeat(positions[-1:], tail, axis=0)]
    )
    windows = np.lib.stride_tricks.sliding_window_view(padded, width, axis=0)[: steps * factor : factor]
    return np.moveaxis(windows, -1, 1)


def windows_of_files(
    ckpt: Checkpoint, files: Sequence[str | Path], layers: Sequence[int], context: int, workers: int = 1
) -> Iterator[tuple[Path, ClipWindows | str]]:
    """Each file's :class:`ClipWindows`, or why it was skipped, in the files' order; ``workers`` processes
    (1: this process, which is also used for few files or a checkpoint not saved in a folder)."""
    on_disk = ckpt.path is not None and Path(ckpt.path).is_dir()
    if workers <= 1 or len(files) < MIN_PARALLEL or not on_disk or _on_gpu(ckpt):
        decoder = LevelDecoder(ckpt)
        for path in files:
            yield Path(path), _one(ckpt, decoder, path, layers, context)
        return
    yield from _in_workers(Path(ckpt.path), files, layers, context, workers)


def _one(
    ckpt: Checkpoint, decoder: LevelDecoder, path: str | Path, layers: Sequence[int], context: int
) -> ClipWindows | str:
    try:
        return clip_windows(ckpt, decoder, read_clip(path), layers, context)
    except MotionFileError as exc:
        return exc.reason


def _on_gpu(ckpt: Checkpoint) -> bool:
    return next(ckpt.model.parameters()).device.type != "cpu"


def _in_workers(
    checkpoint: Path, files: Sequence[str | Path], layers: Sequence[int], context: int, workers: int
) -> Iterator[tuple[Path, ClipWindows | str]]:
    context_ = multiprocessing.get_context("forkserver")
    context_.set_forkserver_preload([__name__])
    pool = ProcessPoolExecutor(
        workers, mp_context=context_, initializer=_worker_setup, initargs=(checkpoint,)
    )
    try:
        pending: deque = deque()
        queued = iter(files)
        for path in queued:
            pending.append((Path(path), pool.submit(_worker_clip, path, tuple(layers), context)))
            if len(pending) >= 3 * workers:
                break
        while pending:
            path, future = pending.popleft()
            following = next(queued, None)
            if following is not None:
                pending.append(
                    (Path(following), pool.submit(_worker_clip, following, tuple(layers), context))
                )
            yield path, future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


_WORKER: tuple[Checkpoint, LevelDecoder] | None = None


def _worker_setup(checkpoint: Path) -> None:
    """A worker loads the checkpoint once, uses one thread, and leaves Ctrl+C to the main process."""
    global _WORKER
    import torch

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    torch.set_num_threads(1)
    ckpt = load_checkpoint(checkpoint)
    _WORKER = (ckpt, LevelDecoder(ckpt))


def _worker_clip(path: str | Path, layers: tuple[int, ...], context: int) -> ClipWindows | str:
    assert _WORKER is not None
    return _one(*_WORKER, path, layers, context)
