"""View > Compute device: the machine's devices, the session's choice checked."""

from __future__ import annotations

from core.model.devices import available_devices


def _device_menu(window):
    view = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    return next(a.menu() for a in view.actions() if a.menu() is not None and a.text() == "Compute device")


def test_the_device_menu_lists_this_machines_devices_with_the_sessions_checked(window):
    entries = _device_menu(window).actions()
    assert [a.text() for a in entries] == [label for _, label in available_devices()]
    assert entries[0].text() == "CPU" and entries[0].isChecked()


def test_choosing_a_device_moves_the_open_checkpoint_there(window, gui_checkpoint, clip_path):
    window.documents.open_checkpoint(gui_checkpoint)
    window.documents.open_clip(clip_path)
    last = _device_menu(window).actions()[-1]
    last.trigger()
    device = available_devices()[-1][0]
    assert window.session.device == device and last.isChecked()
    assert str(next(window.session.checkpoint.model.parameters()).device) == device
