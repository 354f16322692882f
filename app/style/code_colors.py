"""One colour per code index, the same in the timeline, the token editor and the codebook view.

Colours repeat in the eye long before 512 codes run out, so every view that shows a code by colour
also names it (the timeline's tooltip and zoomed cells, the codebook map's hover).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor

GOLDEN = 0.6180339887498949


def code_palette(nb_code: int) -> np.ndarray:
    """(nb_code + 1, 2) 0xAARRGGBB colours: [bright, dimmed] per code; the last row is "no code" (-1)."""
    colors = [code_color(c) for c in range(nb_code)] + [code_color(-1)]
    return np.array([[c.rgb(), c.darker(300).rgb()] for c in colors], dtype=np.uint32)


def code_color(code: int) -> QColor:
    """The same colour for the same code index everywhere, neighbouring indices far apart in hue."""
    if code < 0:
        return QColor(50, 52, 56)
    hue = (code * GOLDEN) % 1.0
    saturation = 0.45 + 0.35 * ((code * 0.3819660113) % 1.0)
    value = 0.62 + 0.30 * ((code * 0.7548776662) % 1.0)
    return QColor.fromHsvF(hue, saturation, value)


def text_color_on(background: QColor) -> QColor:
    """Black or white, whichever reads on ``background``."""
    return QColor(0, 0, 0) if background.lightnessF() > 0.55 else QColor(255, 255, 255)
