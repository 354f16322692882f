"""Writing frames to a video file: H.264 MP4 through imageio-ffmpeg's bundled ffmpeg, GIF with Pillow.

The extension picks the encoder. Frames are written as they come (a 60 s clip is never held in
memory), into a hidden sibling file that is renamed into place when the video is complete, so a
stopped or failed export leaves nothing half-written under the name asked for.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import tempfile
from collections.abc import Callable, Generator, Iterable
from fractions import Fraction
from pathlib import Path
from typing import IO

import numpy as np
from PIL import GifImagePlugin, Image

from core.errors import ConfigError, MotionFileError
from core.render import style
from core.render.draw import render_frames
from core.render.scene import RenderSettings, Scene, frame_plan

VIDEO_TYPES = (".mp4", ".gif")
GIF_MAX_FPS = 50.0
"""GIF delays are whole hundredths of a second, and players slow down anything under two."""


def check_video_path(path: str | os.PathLike[str]) -> Path:
    """``path`` as a Path when a video can be written there, else MotionFileError saying why."""
    p = Path(path)
    if p.suffix.lower() not in VIDEO_TYPES:
        raise MotionFileError(
            p, f"unsupported video type {p.suffix or '(none)'}; expected one of {', '.join(VIDEO_TYPES)}"
        )
    folder = p.parent
    if p.is_dir():
        raise MotionFileError(p, "is a folder; give a file name ending in .mp4 or .gif")
    if not folder.is_dir():
        raise MotionFileError(p, f"cannot write the video: folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise MotionFileError(p, f"cannot write the video: folder {folder} is not writable")
    return p


class VideoWriter:
    """Frames in, one video file out: ``write(frame)`` each (H, W, 3) uint8 frame, then ``close()``
    (the file appears) or ``abort()`` (nothing appears). Use as a context manager: an exception
    inside aborts."""

    def __init__(self, path: str | os.PathLike[str], fps: float) -> None:
        self.path = check_video_path(path)
        self.fps = float(fps)
        self.frames = 0
        self.size: tuple[int, int] | None = None
        # Hidden, unique, and with the same extension; created by the encoder with the usual permissions.
        self._tmp = self.path.with_name(
            f".{self.path.stem}.{os.getpid()}-{secrets.token_hex(4)}{self.path.suffix}"
        )
        self._encoder: _Mp4Encoder | _GifEncoder | None = None

    def write(self, frame: np.ndarray) -> None:
        frame = np.ascontiguousarray(frame, dtype=np.uint8)
        if frame.ndim != 3 or frame.shape[2] != 3:
            raise ValueError(f"frames must be (height, width, 3) RGB, got {frame.shape}")
        size = (int(frame.shape[1]), int(frame.shape[0]))
        if self._encoder is None:
            self.size = size
            is_gif = self.path.suffix.lower() == ".gif"
            try:
                self._encoder = (_GifEncoder if is_gif else _Mp4Encoder)(self._tmp, size, self.fps)
            except (OSError, RuntimeError) as exc:  # no ffmpeg for this platform, or cannot create the file
                self.abort()
                raise MotionFileError(self.path, f"could not start writing the video: {exc}") from None
        elif size != self.size:
            raise ValueError(f"every frame must be {self.size[0]}x{self.size[1]}, got {size[0]}x{size[1]}")
        try:
            self._encoder.write(frame)
        except OSError as exc:
            self.abort()
            raise MotionFileError(self.path, f"could not write the video: {exc}") from None
        self.frames += 1

    def close(self) -> Path:
        """Finish the file and put it in place; MotionFileError if the encoder failed."""
        if self._encoder is None:
            self.abort()
            raise MotionFileError(self.path, "no frames to write")
        try:
            self._encoder.close()
            os.replace(self._tmp, self.path)
        except OSError as exc:
            self.abort()
            raise MotionFileError(self.path, f"could not write the video: {exc}") from None
        return self.path

    def abort(self) -> None:
        """Stop the encoder and remove what it wrote; harmless after close() or a second time."""
        if self._encoder is not None:
            self._encoder.kill()
        self._tmp.unlink(missing_ok=True)

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            self.close()
        else:
            self.abort()


def write_video(frames: Iterable[np.ndarray], path: str | os.PathLike[str], fps: float) -> int:
    """Write ``frames`` to ``path`` (.mp4: H.264, .gif: Pillow) at ``fps``; returns how many."""
    with VideoWriter(path, fps) as writer:
        for frame in frames:
            writer.write(frame)
    return writer.frames


def export_video(
    scene: Scene,
    path: str | os.PathLike[str],
    settings: RenderSettings | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> Generator[int, None, bool]:
    """Render and write the video, yielding the number of frames written after each; returns True when
    it is complete, False when ``should_stop`` ended it early (no file is left then). Bad settings
    raise ConfigError and a bad path MotionFileError before any work."""
    settings = (settings or RenderSettings()).checked(scene.num_frames)
    writer = VideoWriter(path, output_fps(scene, settings, path))
    try:
        for frame in render_frames(scene, settings):
            if should_stop():
                writer.abort()
                return False
            writer.write(frame)
            yield writer.frames
        writer.close()
    except BaseException:  # a failure, or the generator closed early: no partial file stays
        writer.abort()
        raise
    return True


def video_frame_count(scene: Scene, settings: RenderSettings) -> int:
    """How many frames :func:`export_video` writes (for a progress bar)."""
    return len(frame_plan(scene, settings))


def output_fps(scene: Scene, settings: RenderSettings, path: str | os.PathLike[str]) -> float:
    """The video's rate: the one asked for, else the clip's (for a GIF at most 50)."""
    is_gif = Path(path).suffix.lower() == ".gif"
    if settings.fps is not None:
        if is_gif and settings.fps > GIF_MAX_FPS:
            raise ConfigError(f"a GIF plays at most {GIF_MAX_FPS:g} frames/s, got {settings.fps:g}")
        return float(settings.fps)
    return min(scene.fps, GIF_MAX_FPS) if is_gif else scene.fps


class _Mp4Encoder:
    """ffmpeg (imageio-ffmpeg's own build) reading raw RGB frames on stdin: libx264, yuv420p."""

    def __init__(self, path: Path, size: tuple[int, int], fps: float) -> None:
        import imageio_ffmpeg

        if size[0] % 2 or size[1] % 2:
            raise ValueError(f"H.264 needs an even frame size, got {size[0]}x{size[1]}")
        rate = Fraction(fps).limit_denominator(1001)
        command = [
            imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-loglevel", "error",
            "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{size[0]}x{size[1]}", "-r", str(rate), "-i", "-",
            "-an", "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p",
            "-movflags", "+faststart", "-f", "mp4", str(path),
        ]  # fmt: skip
        self._log: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - ffmpeg's stderr, kept until close
        self._process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._log
        )

    def write(self, frame: np.ndarray) -> None:
        assert self._process.stdin is not None
        try:
            self._process.stdin.write(memoryview(frame).cast("B"))
        except BrokenPipeError:
            self._process.wait()
            raise OSError(self._error()) from None

    def close(self) -> None:
        assert self._process.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            self._process.stdin.close()
        if self._process.wait() != 0:
            raise OSError(self._error())
        self._log.close()

    def kill(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        self._log.close()

    def _error(self) -> str:
        self._log.seek(0)
        lines = self._log.read().decode(errors="replace").strip().splitlines()
        return (
            f"ffmpeg failed: {lines[-1]}"
            if lines
            else f"ffmpeg exited with status {self._process.returncode}"
        )


class _GifEncoder:
    """A looping GIF written frame by frame with Pillow's GIF encoder: one fixed palette for the whole
    file (:func:`core.render.style.gif_palette`), each frame only where it differs from the last."""

    def __init__(self, path: Path, size: tuple[int, int], fps: float) -> None:
        self._file = path.open("wb")
        self._fps = fps
        self._palette = Image.new("P", (1, 1))
        self._palette.putpalette(style.gif_palette())
        self._previous: np.ndarray | None = None
        self._count = 0

    def write(self, frame: np.ndarray) -> None:
        indexed = Image.fromarray(frame).quantize(palette=self._palette, dither=Image.Dither.NONE)
        pixels = np.asarray(indexed)
        # Each frame's delay in hundredths, rounded so the total follows the clock (30 fps: 3, 3, 4, ...).
        delay = round(100 * (self._count + 1) / self._fps) - round(100 * self._count / self._fps)
        if self._previous is None:
            header, _ = GifImagePlugin.getheader(indexed, info={"loop": 0})
            self._file.write(b"".join(header))
            box = (0, 0, indexed.width, indexed.height)
        else:
            changed = np.nonzero(pixels != self._previous)
            if changed[0].size:
                box = (changed[1].min(), changed[0].min(), changed[1].max() + 1, changed[0].max() + 1)
            else:
                box = (0, 0, 1, 1)
            box = tuple(int(v) for v in box)
        part = indexed.crop(box)
        data = GifImagePlugin.getdata(part, offset=box[:2], duration=10 * max(delay, 1), disposal=1)
        self._file.write(b"".join(data))
        self._previous = pixels
        self._count += 1

    def close(self) -> None:
        self._file.write(b";")
        self._file.close()

    def kill(self) -> None:
        self._file.close()
