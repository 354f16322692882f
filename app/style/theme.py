"""The dark look (Fusion style and a dark palette) and the colours every view shares.

Dark because the 3D view is dark: a light window around it glares. The colours of the original,
the reconstruction and the error map are defined once here so the viewer, its legend and the
plots agree.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

BACKGROUND = QColor(30, 32, 36)
BASE = QColor(24, 26, 29)
PANEL = QColor(43, 46, 51)
TEXT = QColor(222, 224, 228)
DIM_TEXT = QColor(140, 145, 152)
ACCENT = QColor(78, 161, 255)

VIEW_BACKGROUND = QColor(20, 22, 25)
GRID = QColor(80, 86, 94)
ORIGINAL = QColor(120, 180, 255)
RECONSTRUCTION = QColor(255, 160, 70)
SELECTION = QColor(255, 255, 255)
SELECTION_FILL = QColor(255, 255, 255, 40)
PLAYHEAD = QColor(255, 255, 255)
EDITED = QColor(255, 70, 160)
HIGHLIGHT = QColor(255, 230, 60)
"""A code picked in the codebook, outlined wherever it occurs."""
CHECKPOINT_B = QColor(170, 120, 255)
GHOST = QColor(235, 235, 235)
"""The reconstruction before the edits, drawn faintly behind the current one."""
FAILURE = QColor(255, 110, 110)
OVERLAY = QColor(20, 22, 25, 200)
"""Boxes drawn over a view (the HUD, the strip's readout): the view's background, mostly opaque."""
EDIT_REACH = QColor(78, 161, 255, 60)
"""The frames an edit can change, on the transport's scrubber."""
SCRUB_SELECTION = QColor(255, 255, 255, 170)
SEPARATOR = QColor(58, 62, 68)

# Joint error map, low to high: teal, yellow, red-magenta (readable on the dark view).
ERROR_STOPS = (0.0, 0.5, 1.0)
ERROR_COLORS = (QColor(46, 196, 182), QColor(255, 209, 102), QColor(239, 71, 111))

LOSS_COLORS = {
    "loss": QColor(235, 235, 235),
    "reconstruction": ORIGINAL,
    "velocity": QColor(110, 205, 120),
    "commitment": QColor(170, 120, 255),
    "position": QColor(255, 160, 60),
}


def with_alpha(color: QColor, alpha: int) -> QColor:
    translucent = QColor(color)
    translucent.setAlpha(alpha)
    return translucent


def css(color: QColor) -> str:
    """A colour as a style sheet reads it, alpha included (``QColor.name()`` drops it)."""
    return f"rgba({color.red()}, {color.green()}, {color.blue()}, {color.alpha()})"


def error_colormap() -> pg.ColorMap:
    return pg.ColorMap(list(ERROR_STOPS), [c.getRgb() for c in ERROR_COLORS])


def layer_color(layer: int) -> QColor:
    """A distinct colour per quantizer layer, for the per-layer training curves."""
    return QColor.fromHsvF((0.08 + layer * 0.161) % 1.0, 0.65, 0.95)


def apply_theme(app: QApplication) -> None:
    """Fusion style with a dark palette, and pyqtgraph's plots to match."""
    app.setStyle("Fusion")
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: BACKGROUND,
        QPalette.ColorRole.WindowText: TEXT,
        QPalette.ColorRole.Base: BASE,
        QPalette.ColorRole.AlternateBase: PANEL,
        QPalette.ColorRole.ToolTipBase: PANEL,
        QPalette.ColorRole.ToolTipText: TEXT,
        QPalette.ColorRole.PlaceholderText: DIM_TEXT,
        QPalette.ColorRole.Text: TEXT,
        QPalette.ColorRole.Button: PANEL,
        QPalette.ColorRole.ButtonText: TEXT,
        QPalette.ColorRole.BrightText: QColor(255, 90, 90),
        QPalette.ColorRole.Link: ACCENT,
        QPalette.ColorRole.Highlight: ACCENT,
        QPalette.ColorRole.HighlightedText: QColor(10, 10, 10),
        QPalette.ColorRole.Light: QColor(70, 74, 80),
        QPalette.ColorRole.Midlight: QColor(58, 62, 68),
        QPalette.ColorRole.Mid: QColor(40, 43, 48),
        QPalette.ColorRole.Dark: QColor(18, 19, 22),
        QPalette.ColorRole.Shadow: QColor(0, 0, 0),
    }
    for role, color in roles.items():
        palette.setColor(role, color)
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, DIM_TEXT.darker(130))
    app.setPalette(palette)
    font = QFont(app.font())
    font.setPointSizeF(max(font.pointSizeF(), 9.5))
    app.setFont(font)
    app.setStyleSheet(
        "QToolTip { color: #dee0e4; background: #2b2e33; border: 1px solid #4ea1ff; padding: 4px; }"
        "QDockWidget::title { padding: 4px 6px; background: #2b2e33; }"
        "QGroupBox { font-weight: bold; }"
        "QToolButton:checked { background: #2f4a6b; border: 1px solid #4ea1ff; border-radius: 3px; }"
    )
    pg.setConfigOptions(background=VIEW_BACKGROUND, foreground=TEXT, antialias=True)
