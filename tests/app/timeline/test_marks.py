"""What the timeline draws over its cells: code numbers once cells are wide enough, so repeated colours are
told apart."""

from __future__ import annotations


def _colours_inside(view, step: int, layer: int) -> int:
    image = view.viewport().grab().toImage()
    rect = view.cell_rect(step, layer).adjusted(3, 3, -3, -3)
    xs, ys = range(int(rect.left()), int(rect.right())), range(int(rect.top()), int(rect.bottom()))
    return len({image.pixel(x, y) for x in xs for y in ys})


def test_zoomed_in_cells_name_their_code_so_repeated_colours_are_told_apart(loaded):
    view = loaded.timeline_panel.view
    view.set_cell_width(12)
    assert _colours_inside(view, 3, 0) == 1
    view.set_cell_width(36)
    view.horizontalScrollBar().setValue(0)
    assert _colours_inside(view, 3, 0) > 1
