"""The look of a rendered video: the app's colours (``app/theme.py`` defines them for Qt; core has no
Qt, so they are repeated here as RGB), the joint-error colour map and sizes relative to the frame."""

from __future__ import annotations

import numpy as np

RGB = tuple[int, int, int]

BACKGROUND: RGB = (20, 22, 25)
GRID: RGB = (80, 86, 94)
TEXT: RGB = (222, 224, 228)
DIM_TEXT: RGB = (140, 145, 152)
ORIGINAL: RGB = (120, 180, 255)
RECONSTRUCTION: RGB = (255, 160, 70)
HUD_PANEL: RGB = (20, 22, 25)
HUD_OPACITY = 0.8

# Joint error map, low to high: teal, yellow, red-magenta (as the app's legend).
ERROR_STOPS = (0.0, 0.5, 1.0)
ERROR_COLORS: tuple[RGB, ...] = ((46, 196, 182), (255, 209, 102), (239, 71, 111))


def error_colors(fraction: np.ndarray) -> np.ndarray:
    """(..., 3) uint8 colours of errors given as a fraction of the scale (clipped to 0..1)."""
    t = np.clip(np.asarray(fraction, dtype=np.float64), 0.0, 1.0)
    table = np.asarray(ERROR_COLORS, dtype=np.float64)
    channels = [np.interp(t, ERROR_STOPS, table[:, c]) for c in range(3)]
    return np.rint(np.stack(channels, axis=-1)).astype(np.uint8)


def mix(a: RGB, b: RGB, t: float) -> RGB:
    """``a`` moved a fraction ``t`` of the way to ``b``."""
    return tuple(int(round(x + (y - x) * t)) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def gif_palette() -> list[int]:
    """A fixed 256-colour palette for GIF frames: every colour the renderer draws with, and ramps from
    the background to each (the edges of smoothed lines and text), so every frame maps to one palette
    without flicker and the file needs no per-frame colour table."""
    colors: list[RGB] = []
    for target, steps in ((TEXT, 40), (ORIGINAL, 32), (RECONSTRUCTION, 32), (GRID, 12), (DIM_TEXT, 12)):
        colors += [mix(BACKGROUND, target, (i + 1) / steps) for i in range(steps)]
    ramp = error_colors(np.linspace(0.0, 1.0, 48))
    colors += [tuple(int(v) for v in c) for c in ramp]  # type: ignore[misc]
    for c in ERROR_COLORS:  # their edges against the background and against the orange bones
        colors += [mix(BACKGROUND, c, t) for t in (0.25, 0.5, 0.75)]
        colors += [mix(RECONSTRUCTION, c, t) for t in (0.33, 0.67)]
    colors += [mix(ORIGINAL, RECONSTRUCTION, t) for t in (0.25, 0.5, 0.75)]
    colors += [mix(BACKGROUND, (0, 0, 0), t) for t in (0.0, 0.5, 1.0)]
    flat: list[int] = []
    for c in colors[:256]:
        flat += list(c)
    return flat + [0] * (768 - len(flat))
