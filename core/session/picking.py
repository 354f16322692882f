"""Which drawn joint lies under the pointer: points projected with a view's matrices, nearest in pixels.

The GL view gives its projection and view matrices; the arithmetic lives here so it is tested
without a display.
"""

from __future__ import annotations

import numpy as np


def project(points: np.ndarray, mvp: np.ndarray, width: int, height: int) -> np.ndarray:
    """(N, 3) points to (N, 2) pixel positions (x right, y down) through the 4x4 ``mvp`` (row-major,
    acting on column vectors); points behind the camera come out as NaN."""
    homogeneous = np.concatenate([np.asarray(points, np.float64), np.ones((len(points), 1))], axis=1)
    clip = homogeneous @ np.asarray(mvp, np.float64).T
    w = clip[:, 3:4]
    with np.errstate(divide="ignore", invalid="ignore"):
        ndc = np.where(w > 1e-9, clip[:, :2] / w, np.nan)
    return np.stack([(ndc[:, 0] + 1.0) * 0.5 * width, (1.0 - ndc[:, 1]) * 0.5 * height], axis=1)


def nearest_point(screen: np.ndarray, x: float, y: float, radius: float) -> int | None:
    """Index of the projected point nearest to (x, y) within ``radius`` pixels, or None."""
    if len(screen) == 0:
        return None
    distance = np.hypot(screen[:, 0] - x, screen[:, 1] - y)
    distance[~np.isfinite(distance)] = np.inf
    best = int(np.argmin(distance))
    return best if distance[best] <= radius else None
