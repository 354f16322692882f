"""The token panel's hint shows the longest of its texts that fits whole: a cut hint says nothing."""

from __future__ import annotations

from app.timeline.timeline_panel import HINTS, FittingHint


def test_the_hint_shows_the_longest_text_that_fits_whole(qtbot):
    hint = FittingHint(HINTS)
    qtbot.addWidget(hint)
    widths = [hint.fontMetrics().horizontalAdvance(text) for text in HINTS]
    for width, expected in ((widths[0] + 4, HINTS[0]), (widths[1] + 4, HINTS[1]), (widths[1] - 4, "")):
        hint.resize(width, 20)
        hint.show()
        qtbot.waitUntil(lambda expected=expected: hint.text() == expected, timeout=2_000)
