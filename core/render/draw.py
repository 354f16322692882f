"""The software renderer: one scene frame drawn with Pillow's ImageDraw, no GPU and no display.

The scene (a ground grid fading with distance, bones as lines, joints as dots, the reconstruction's
coloured by their error on one scale for the whole video) is drawn at twice the size and halved, which
smooths its edges; the HUD (clip, checkpoint, layers, MPJPE of the frame and the clip, the colour key)
is drawn on top at the final size. Projection, depth order and colours are numpy over all joints at
once; only the drawing calls loop.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from PIL import Image, ImageDraw

from core.analysis.metrics import nice_scale_mm
from core.render import style
from core.render.camera import Camera, default_focal
from core.render.hud import Hud
from core.render.scene import RenderSettings, Scene, frame_plan

SUPERSAMPLE = 2
GRID_SPACING = 0.5
GRID_RADIUS = 6.0


def render_frames(scene: Scene, settings: RenderSettings | None = None) -> Iterator[np.ndarray]:
    """The video's frames, one (height, width, 3) uint8 RGB array at a time, so a caller can report
    progress and stop between frames; ConfigError for settings the clip cannot take."""
    settings = (settings or RenderSettings()).checked(scene.num_frames)
    renderer = FrameRenderer(scene, settings)
    for frame in frame_plan(scene, settings):
        yield renderer.draw(int(frame))


class FrameRenderer:
    """Draws frame ``t`` of a scene; what is the same for every frame is prepared once."""

    def __init__(self, scene: Scene, settings: RenderSettings) -> None:
        self.c = scene
        self.s = settings
        self.size = (settings.width, settings.height)
        self.unit = settings.height / 720.0
        """Pixels per pixel of a 720-line frame: line widths, dots and text scale with it."""
        height = scene.height
        has_recon = scene.reconstruction is not None
        self.side = max(0.6, 0.55 * height) if has_recon and not settings.overlay else 0.0
        self.distance = 1.6 * height + 1.3 * max(0.6, 0.55 * height)
        self.center_y = 0.5 * height
        self.scale_mm = settings.error_scale_mm or (
            nice_scale_mm(scene.errors) if scene.errors is not None else 100.0
        )
        self.hud = Hud(scene, self.size, self.scale_mm)
        self.focal, self.cy = self._framing()
        self._grid_lines = _grid_segments()

    def _framing(self) -> tuple[float, float]:
        """Focal length and the row the target appears on. The app's view of a 16:9 frame, closer in an
        upright one, as far as the joints of the frames to be drawn fit across; and where a joint would
        pass under the HUD (a small frame, where text cannot shrink with it, or a big gesture), zoomed
        out and shifted so the joints stay in the band between the HUD and the key at the bottom. Never
        below 40% of the app's focal length: a reconstruction drifting away (``--no-align``) may leave
        the frame rather than shrink everything to dots."""
        w, h = self.size
        frames = frame_plan(self.c, self.s)
        frames = frames[np.linspace(0, len(frames) - 1, min(len(frames), 300)).astype(int)]
        skeletons = [self.c.original[frames] - [self.side / 2, 0.0, 0.0]]
        if self.c.reconstruction is not None:
            skeletons.append(self.c.reconstruction[frames] + [self.side / 2, 0.0, 0.0])
        target = self.c.original[frames, :1] * [1.0, 0.0, 1.0] + [0.0, self.center_y, 0.0]
        rotation = Camera.looking_at(np.zeros(3), self.distance, w, h, focal=1.0).rotation
        cam = np.concatenate([(p - target) @ rotation.T for p in skeletons], axis=1).reshape(-1, 3)
        depth = np.maximum(cam[:, 2] + self.distance, 0.05)
        across, down = cam[:, 0] / depth, -cam[:, 1] / depth
        margin = 0.02 * h
        least = 0.4 * default_focal(w, h)
        focal = max(least, min(h * 1.54, (w / 2 - margin) / max(float(np.abs(across).max()), 1e-6)))
        hud = self.hud.box
        covered = (w / 2 + focal * across < hud[2] + margin) & (h / 2 + focal * down < hud[3] + margin)
        if not covered.any():
            return focal, h / 2
        top, bottom = hud[3] + margin, self.hud.key_top - margin
        high, low = float(down.min()), float(down.max())
        focal = max(least, min(focal, (bottom - top) / max(low - high, 1e-6)))
        return focal, (top + bottom) / 2 - focal * (high + low) / 2

    # ----- the scene ---------------------------------------------------------------------------

    def camera(self, t: int) -> Camera:
        root = self.c.original[t, 0]
        target = np.array([root[0], self.center_y, root[2]], dtype=np.float64)
        return Camera.looking_at(target, self.distance, *self.size, focal=self.focal, cy=self.cy)

    def draw(self, t: int) -> np.ndarray:
        camera = self.camera(t)
        k = SUPERSAMPLE
        canvas = Image.new("RGB", (self.size[0] * k, self.size[1] * k), style.BACKGROUND)
        draw = ImageDraw.Draw(canvas)
        self._draw_grid(draw, camera, t)
        skeletons = [self._original(t)]
        if self.c.reconstruction is not None:
            skeletons.append(self._reconstruction(t))
        if not self.s.overlay:  # side by side: the farther skeleton first
            skeletons.sort(key=lambda sk: -float(camera.to_camera(sk[0])[:, 2].mean()))
        for positions, bone_rgb, joint_rgb, radius in skeletons:
            self._draw_skeleton(draw, camera, positions, bone_rgb, joint_rgb, radius)
        image = canvas.reduce(k) if k > 1 else canvas
        self.hud.draw(image, t)
        return np.asarray(image)

    def _original(self, t: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
        positions = self.c.original[t].astype(np.float64) - [self.side / 2, 0.0, 0.0]
        joints = np.broadcast_to(np.array(style.ORIGINAL, dtype=np.uint8), positions.shape)
        return positions, self._bone_colors(style.ORIGINAL), joints, 3.5

    def _reconstruction(self, t: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
        assert self.c.reconstruction is not None and self.c.errors is not None
        positions = self.c.reconstruction[t].astype(np.float64) + [self.side / 2, 0.0, 0.0]
        joints = style.error_colors(self.c.errors[t] * (1000.0 / self.scale_mm))
        if self.c.measured is not None:
            joints[~self.c.measured] = style.DIM_TEXT
        return positions, self._bone_colors(style.RECONSTRUCTION), joints, 5.0

    def _bone_colors(self, color: style.RGB) -> np.ndarray:
        colors = np.tile(np.array(color, dtype=np.uint8), (len(self.c.bones), 1))
        if self.c.faint_bones.size:
            colors[self.c.faint_bones] = style.mix(style.BACKGROUND, color, 0.15)
        return colors

    def _draw_grid(self, draw: ImageDraw.ImageDraw, camera: Camera, t: int) -> None:
        """Lines every half metre around the character, fading out with distance; they stay put in
        the world while the camera follows the root, so travel shows."""
        root = self.c.original[t, 0]
        snap = np.round(np.array([root[0], 0.0, root[2]]) / GRID_SPACING) * GRID_SPACING
        starts, ends, middles = (part + snap for part in self._grid_lines)
        distance = np.hypot(middles[:, 0] - root[0], middles[:, 2] - root[2]) / GRID_RADIUS
        fade = np.clip(1.0 - distance, 0.0, 1.0) ** 1.5
        keep = fade > 0.03
        coords = camera.project_segments(starts[keep], ends[keep], SUPERSAMPLE)
        grid, back = np.array(style.GRID, dtype=np.float64), np.array(style.BACKGROUND, dtype=np.float64)
        colors = np.rint(back + (grid - back) * fade[keep, None]).astype(int)
        width = max(1, round(SUPERSAMPLE * self.unit))
        for xy, rgb in zip(coords.tolist(), colors.tolist(), strict=True):
            if xy[0] == xy[0]:  # not NaN: in front of the camera
                draw.line(xy, fill=tuple(rgb), width=width)

    def _draw_skeleton(
        self,
        draw: ImageDraw.ImageDraw,
        camera: Camera,
        positions: np.ndarray,
        bone_colors: np.ndarray,
        joint_colors: np.ndarray,
        radius: float,
    ) -> None:
        """Bones then joints, each far to near; sizes shrink with depth as in a perspective view."""
        k = SUPERSAMPLE
        pixels, depth = camera.project(positions, k)
        bones = self.c.bones
        if depth.min() <= 0.05:
            return
        perspective = self.distance / depth
        width = np.maximum(1, np.rint(3.0 * k * self.unit * perspective[bones[:, 1]])).astype(int)
        order = np.argsort(-(depth[bones[:, 0]] + depth[bones[:, 1]]))
        segments = np.concatenate([pixels[bones[:, 0]], pixels[bones[:, 1]]], axis=1)
        for b in order.tolist():
            draw.line(segments[b].tolist(), fill=tuple(bone_colors[b].tolist()), width=int(width[b]))
        r = radius * k * self.unit * perspective
        for j in np.argsort(-depth).tolist():
            x, y = pixels[j]
            draw.ellipse((x - r[j], y - r[j], x + r[j], y + r[j]), fill=tuple(joint_colors[j].tolist()))


def _grid_segments() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start, end and middle (N, 3) of the grid's pieces around the origin, one grid step long each,
    so each piece fades on its own."""
    ticks = np.arange(-GRID_RADIUS, GRID_RADIUS + 1e-9, GRID_SPACING)
    a, b = np.meshgrid(ticks, ticks[:-1], indexing="ij")
    along = np.stack([b.ravel(), np.zeros(a.size), a.ravel()], axis=1)  # pieces along x at z = a
    starts = np.concatenate([along, along[:, [2, 1, 0]]])
    ends = starts + np.concatenate(
        [np.tile([GRID_SPACING, 0.0, 0.0], (a.size, 1)), np.tile([0.0, 0.0, GRID_SPACING], (a.size, 1))]
    )
    return starts, ends, (starts + ends) / 2
