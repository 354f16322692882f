"""The Token editor dock: the nearest-code chips stay put while tried, the code box says what the cell
holds, and the edit buttons keep their height in a short window."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication, QToolButton, QWidget


def _place(widget: QWidget, panel: QWidget) -> QRect:
    """Where ``widget`` lies in ``panel``, after any pending relayout."""
    QApplication.processEvents()
    return QRect(widget.mapTo(panel, QPoint(0, 0)), widget.size())


def _chips(panel) -> list[tuple[int, QRect]]:
    return [(int(b.property("code")), _place(b, panel)) for b in panel.nearest_buttons if b.isVisible()]


def test_picking_a_nearest_code_leaves_every_chip_in_place(loaded, qtbot):
    session, panel = loaded.session, loaded.editor_panel
    session.select(12, 2)
    original = session.selected_code()
    chips = _chips(panel)
    assert len(chips) == len(panel.nearest_buttons)

    qtbot.mouseClick(panel.nearest_buttons[0], Qt.MouseButton.LeftButton)
    assert session.selected_code() == chips[0][0]
    assert _chips(panel) == chips
    assert [b.isChecked() for b in panel.nearest_buttons[:2]] == [True, False]

    qtbot.mouseClick(panel.nearest_buttons[1], Qt.MouseButton.LeftButton)
    assert session.selected_code() == chips[1][0]
    assert _chips(panel) == chips
    assert [b.isChecked() for b in panel.nearest_buttons[:2]] == [False, True]

    qtbot.mouseClick(panel.nearest_buttons[1], Qt.MouseButton.LeftButton)  # the current code again
    assert panel.nearest_buttons[1].isChecked()

    session.undo()
    session.undo()
    assert session.selected_code() == original
    assert _chips(panel) == chips and not any(b.isChecked() for b in panel.nearest_buttons)


def test_another_cell_gets_the_chips_of_its_own_code(loaded):
    session, panel = loaded.session, loaded.editor_panel
    session.select(12, 2)
    panel.nearest_buttons[0].click()
    session.select(20, 1)
    expected = session.reconstruction.nearest_codes(1, session.selected_code(), k=len(panel.nearest_buttons))
    assert [code for code, _ in _chips(panel)] == expected


def test_with_nothing_selected_the_code_box_shows_no_code(window, gui_checkpoint, clip_path):
    assert window.documents.open_checkpoint(gui_checkpoint) and window.documents.open_clip(clip_path)
    panel = window.editor_panel
    window.session.select(4, 1)
    assert panel.spin.text() == str(window.session.selected_code())
    window.session.clear_selection()
    assert panel.spin.text().strip() == "" and not panel.spin.isEnabled()


def test_the_edit_buttons_keep_their_height_in_a_1024x700_window(window, qtbot, gui_checkpoint, clip_path):
    assert window.documents.open_checkpoint(gui_checkpoint) and window.documents.open_clip(clip_path)
    window.resize(1024, 700)
    window.session.set_layers_used(1)
    window.session.select(20, 2)
    window.session.select(24, 2, extend=True)  # the longest info: a range, on a layer that is off
    qtbot.wait(100)
    buttons = [b for b in window.editor_panel.findChildren(QToolButton) if b.defaultAction() is not None]
    assert buttons and all(b.height() >= b.sizeHint().height() for b in buttons)


def test_code_zero_reads_as_0_and_no_selection_as_blank(loaded):
    session, spin = loaded.session, loaded.editor_panel.spin
    session.select(4, 0)
    session.set_code(0)
    assert spin.text() == "0"
    session.clear_selection()
    assert spin.text().strip() == ""
