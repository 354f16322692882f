"""A pinhole camera for the software renderer: the app's view (from the front-left, a little above)
in the motion's own coordinates (metres, Y up), projecting many points at once with numpy."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

ELEVATION_DEG = 14.0
AZIMUTH_DEG = -82.0
"""The app's camera angles (pyqtgraph's, whose view is Z up with motion (x, y, z) shown at (x, -z, y)):
in motion coordinates the camera stands on the +Z side (where clips face), a little to +X and above."""
NEAR = 0.05


def default_focal(width: int, height: int) -> float:
    """The app's 60 degree horizontal field of view on a 16:9 frame; another shape keeps the
    character's size relative to the shorter side, so a square or upright frame still fits it."""
    return min(width / (2 * math.tan(math.radians(30))), height * 1.54)


@dataclass(frozen=True)
class Camera:
    """Looks at ``target`` from ``distance`` metres; ``focal`` is in pixels, (cx, cy) the image centre."""

    eye: np.ndarray
    rotation: np.ndarray
    """(3, 3) rows: the camera's right, up and forward axes in world coordinates."""
    focal: float
    cx: float
    cy: float

    @classmethod
    def looking_at(
        cls,
        target: np.ndarray,
        distance: float,
        width: int,
        height: int,
        focal: float | None = None,
        cy: float | None = None,
        elevation_deg: float = ELEVATION_DEG,
        azimuth_deg: float = AZIMUTH_DEG,
    ) -> Camera:
        """``focal`` (pixels) defaults to :func:`default_focal`, ``cy`` (where ``target`` appears,
        from the top) to the middle of the frame."""
        e, a = math.radians(elevation_deg), math.radians(azimuth_deg)
        back = np.array([math.cos(e) * math.cos(a), math.sin(e), -math.cos(e) * math.sin(a)])
        forward = -back
        right = np.cross(forward, [0.0, 1.0, 0.0])
        right /= np.linalg.norm(right)
        up = np.cross(right, forward)
        return cls(
            eye=np.asarray(target, dtype=np.float64) + distance * back,
            rotation=np.stack([right, up, forward]),
            focal=float(default_focal(width, height) if focal is None else focal),
            cx=width / 2,
            cy=height / 2 if cy is None else float(cy),
        )

    def to_camera(self, points: np.ndarray) -> np.ndarray:
        """(..., 3) world points to camera coordinates (x right, y up, z depth in front)."""
        return (np.asarray(points, dtype=np.float64) - self.eye) @ self.rotation.T

    def project(self, points: np.ndarray, scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
        """Pixel coordinates (..., 2) of world points (times ``scale``, for a supersampled canvas) and
        their depth (...); points behind the camera get a depth <= NEAR and must not be drawn."""
        cam = self.to_camera(points)
        return self._pixels(cam, scale), cam[..., 2]

    def project_segments(self, starts: np.ndarray, ends: np.ndarray, scale: float = 1.0) -> np.ndarray:
        """(N, 4) pixel coordinates x0, y0, x1, y1 of world segments cut at the near plane; segments
        wholly behind the camera come back as NaN."""
        a, b = self.to_camera(starts), self.to_camera(ends)
        za, zb = a[:, 2:3], b[:, 2:3]
        with np.errstate(divide="ignore", invalid="ignore"):
            a_cut = a + (NEAR - za) / (zb - za) * (b - a)
            b_cut = b + (NEAR - zb) / (za - zb) * (a - b)
        a, b = np.where(za < NEAR, a_cut, a), np.where(zb < NEAR, b_cut, b)
        out = np.concatenate([self._pixels(a, scale), self._pixels(b, scale)], axis=1)
        out[((za < NEAR) & (zb < NEAR))[:, 0]] = np.nan
        return out

    def _pixels(self, cam: np.ndarray, scale: float) -> np.ndarray:
        z = np.maximum(cam[..., 2:3], NEAR)
        xy = cam[..., :2] / z * self.focal
        return np.concatenate([self.cx + xy[..., :1], self.cy - xy[..., 1:]], axis=-1) * scale
