"""The PySide6 6.12.0 / Python 3.11 work-around: tens of thousands of void Qt calls must not abort."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel

from app.compat import protect_none, void_calls_leak_none


def test_many_void_calls_leave_none_alive(qtbot):
    leaks = sys.version_info < (3, 12) and void_calls_leak_none()
    assert protect_none() == leaks
    assert not void_calls_leak_none() or sys.getrefcount(None) > 1 << 59
    label = QLabel()
    qtbot.addWidget(label)
    for _ in range(20_000):
        label.setText("x")
    assert sys.getrefcount(None) > 1000
