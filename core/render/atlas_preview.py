"""Looping GIF previews of an atlas's codes: a code's sampled occurrences drawn over one another.

Each occurrence is its decoded window in the body frame (:mod:`core.analysis.pose_frame`), so
occurrences of one movement fall on one another and a code that means several movements shows
several skeletons. Bones are blue during the context steps and orange during the code's own step; a
bar under the figure shows where the loop is and which part is the code's step.

Every preview of an atlas shares one :class:`PreviewStage` (camera, floor, scale), so sizes and travel
compare between codes. A preview is short and small: ``(2 x context + 1)`` steps of frames (20 at
4 frames per step and 2 steps of context) at 160 px, bones only, drawn at twice the size and halved,
which is what keeps a thousand of them to a minute or so (``benchmarks/atlas.py`` times them).
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from core.analysis.atlas import Atlas
from core.render import style
from core.render.camera import Camera
from core.render.scene import faint_bones
from core.render.video import GIF_MAX_FPS, write_video

PREVIEW_SIZE = 160
SUPERSAMPLE = 2
FLOOR_RADIUS = 1.5
FLOOR_SPACING = 0.5
STEP_COLOR = style.RECONSTRUCTION
CONTEXT_COLOR = style.mix(style.BACKGROUND, style.ORIGINAL, 0.8)
BAR_HEIGHT = 12
"""Pixels at the bottom kept for the time bar."""


@dataclass(frozen=True)
class PreviewStage:
    """What every preview of one atlas shares: bones, camera, floor, timing."""

    bones: np.ndarray
    """(B, 2) the bones drawn: all but a helper root's, which in the body frame would cut across."""
    camera: Camera
    floor: float
    size: int
    lead: int
    """Frames before the code's step in a window."""
    step_frames: int
    fps: float

    @classmethod
    def of(cls, atlas: Atlas, size: int = PREVIEW_SIZE) -> PreviewStage:
        """A stage that fits the codes' own steps of the atlas's sampled windows above the time bar."""
        points = _sample_points(atlas)
        floor = float(np.percentile(points[:, 1], 1)) if len(points) else 0.0
        height = max(float(np.percentile(points[:, 1], 99)) - floor, 0.5) if len(points) else 1.7
        target = np.array([0.0, floor + 0.5 * height, 0.0])
        distance = 2.2 * height
        focal, cy = _framing(Camera.looking_at(target, distance, size, size, focal=1.0), points, size)
        fps = float(np.median([c.fps for c in atlas.clips])) if atlas.clips else 30.0
        return cls(
            bones=atlas.skeleton.bones()[~faint_bones(atlas.skeleton, _rest_positions(atlas))],
            camera=Camera.looking_at(target, distance, size, size, focal=focal, cy=cy),
            floor=floor,
            size=size,
            lead=atlas.lead_frames,
            step_frames=atlas.frames_per_step,
            fps=min(fps, GIF_MAX_FPS),
        )


def _framing(probe: Camera, points: np.ndarray, size: int) -> tuple[float, float]:
    """Focal length and the row the target appears on, so the points fit between the top and the
    time bar with a margin."""
    margin, bottom = 0.04 * size, size - BAR_HEIGHT
    if not len(points):
        return 0.7 * size, bottom / 2
    cam = probe.to_camera(points)
    depth = np.maximum(cam[:, 2], 0.05)
    across = float(np.abs(cam[:, 0] / depth).max())
    down = -cam[:, 1] / depth
    high, low = float(down.min()), float(down.max())
    focal = min((size / 2 - margin) / max(across, 1e-3), (bottom - 2 * margin) / max(low - high, 1e-3))
    return focal, bottom / 2 - focal * (high + low) / 2


def preview_frames(stage: PreviewStage, windows: np.ndarray) -> Iterator[np.ndarray]:
    """(size, size, 3) uint8 frames of ``windows`` ((n, frames, J, 3) metres) drawn over one another."""
    k, size = SUPERSAMPLE, stage.size
    floor = _floor_canvas(stage)
    count = windows.shape[1]
    pixels, depth = stage.camera.project(windows.reshape(-1, 3).astype(np.float64), k)
    pixels = pixels.reshape(*windows.shape[:3], 2)
    visible = (depth.reshape(windows.shape[:3]) > 0.05).all(axis=2)
    width = max(1, round(2.2 * k * size / 160))
    for t in range(count):
        canvas = floor.copy()
        draw = ImageDraw.Draw(canvas)
        in_step = stage.lead <= t < stage.lead + stage.step_frames
        color = STEP_COLOR if in_step else CONTEXT_COLOR
        for i in np.flatnonzero(visible[:, t]).tolist():
            segments = np.concatenate([pixels[i, t, stage.bones[:, 0]], pixels[i, t, stage.bones[:, 1]]], 1)
            for xy in segments.tolist():
                draw.line(xy, fill=color, width=width)
        image = canvas.reduce(k)
        _draw_time_bar(ImageDraw.Draw(image), stage, t, count)
        yield np.asarray(image)


def write_preview(path: str | Path, stage: PreviewStage, windows: np.ndarray) -> Path:
    """The looping GIF of ``windows`` at ``path``."""
    write_video(preview_frames(stage, windows), path, stage.fps)
    return Path(path)


@dataclass(frozen=True)
class PreviewProgress:
    done: int
    total: int


def preview_name(layer: int, code: int) -> str:
    """Where a code's preview goes, relative to the atlas folder (layers counted from 1, as shown)."""
    return f"previews/L{layer + 1}/{code}.gif"


def write_previews(
    atlas: Atlas,
    folder: str | Path,
    size: int = PREVIEW_SIZE,
    should_stop: Callable[[], bool] = lambda: False,
) -> Generator[PreviewProgress, None, dict[tuple[int, int], str]]:
    """A preview of every used code of every summarised layer under ``folder``; yields progress per
    code and returns ``{(layer, code): path relative to folder}`` (partial when stopped)."""
    folder = Path(folder)
    stage = PreviewStage.of(atlas, size)
    todo = [(layer, int(code)) for layer in atlas.layers for code in atlas.by_use(layer)]
    written: dict[tuple[int, int], str] = {}
    for layer in atlas.layers:
        (folder / preview_name(layer, 0)).parent.mkdir(parents=True, exist_ok=True)
    for done, (layer, code) in enumerate(todo, start=1):
        if should_stop():
            break
        _, windows = atlas.sample_windows(layer, code)
        write_preview(folder / preview_name(layer, code), stage, windows)
        written[(layer, code)] = preview_name(layer, code)
        yield PreviewProgress(done, len(todo))
    return written


def _sample_points(atlas: Atlas) -> np.ndarray:
    """Joint positions of the first sampled occurrence of every used code during the code's own step
    (where the body frame put it: context frames may travel out of the picture)."""
    parts = []
    step = slice(atlas.lead_frames, atlas.lead_frames + atlas.frames_per_step)
    for layer in atlas.layers:
        stats = atlas.stats[layer]
        used = np.flatnonzero(stats.sample_clip[:, 0] >= 0)
        parts.append(stats.sample_windows[used, 0, step].reshape(-1, 3).astype(np.float64))
    return np.concatenate(parts) if parts else np.zeros((0, 3))


def _rest_positions(atlas: Atlas) -> np.ndarray:
    """(1, J, 3) the skeleton's rest joints, for telling a helper root's bone."""
    offsets, parents = atlas.skeleton.offsets, atlas.skeleton.parents
    positions = np.zeros_like(offsets)
    for j in range(len(offsets)):
        positions[j] = offsets[j] + (positions[parents[j]] if parents[j] >= 0 else 0.0)
    return positions[None]


def _floor_canvas(stage: PreviewStage) -> Image.Image:
    """The background with a small floor grid, drawn once per preview."""
    k = SUPERSAMPLE
    canvas = Image.new("RGB", (stage.size * k, stage.size * k), style.BACKGROUND)
    draw = ImageDraw.Draw(canvas)
    ticks = np.arange(-FLOOR_RADIUS, FLOOR_RADIUS + 1e-9, FLOOR_SPACING)
    ends = np.full(len(ticks), FLOOR_RADIUS)
    y = np.full(len(ticks), stage.floor)
    starts = np.concatenate([np.stack([ticks, y, -ends], 1), np.stack([-ends, y, ticks], 1)])
    stops = np.concatenate([np.stack([ticks, y, ends], 1), np.stack([ends, y, ticks], 1)])
    color = style.mix(style.BACKGROUND, style.GRID, 0.6)
    for xy in stage.camera.project_segments(starts, stops, k).tolist():
        if xy[0] == xy[0]:
            draw.line(xy, fill=color, width=k)
    return canvas


def _draw_time_bar(draw: ImageDraw.ImageDraw, stage: PreviewStage, t: int, count: int) -> None:
    """A bar along the bottom: the window's frames, the code's step in orange, a tick at frame ``t``."""
    size = stage.size
    y, x0, x1 = size - BAR_HEIGHT // 2, 6, size - 6
    span = (x1 - x0) / count
    draw.line((x0, y, x1, y), fill=style.mix(style.BACKGROUND, style.DIM_TEXT, 0.5), width=2)
    a, b = x0 + stage.lead * span, x0 + (stage.lead + stage.step_frames) * span
    draw.line((a, y, b, y), fill=STEP_COLOR, width=2)
    x = x0 + (t + 0.5) * span
    draw.line((x, y - 3, x, y + 3), fill=style.TEXT, width=1)
