"""Work-around for a reference-counting bug of PySide6 6.12.0 on Python 3.11.

Its abi3 wheels return ``None`` from every void C++ method without taking a reference, so each
call such as ``QPainter.fillRect`` or ``QLabel.setText`` drops one reference to ``None``. Python
3.12+ makes ``None`` immortal and never notices; on 3.11 ``None`` starts with ~5000 references and
the interpreter aborts ("none_dealloc: deallocating None") after a few thousand Qt calls, i.e. a
few seconds of playback. PySide6 6.11.3 is not affected; pinning ``PySide6-Essentials!=6.12.0`` is
the real fix. Until then, when a probe shows the leak, ``None`` gets the huge reference count that
3.12 gives it, which is harmless: ``None`` is a static object that is never freed.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject

PROBE_CALLS = 64
IMMORTAL_REFCOUNT = 1 << 60

_applied = False


def void_calls_leak_none() -> bool:
    """True when calling a void Qt method loses references to ``None`` (the 6.12.0 bug)."""
    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(PROBE_CALLS):
        probe.setObjectName("probe")
    return sys.getrefcount(None) <= before - PROBE_CALLS // 2


def protect_none() -> bool:
    """Apply the work-around once if this PySide6 needs it; True when it is (now) applied."""
    global _applied
    if _applied:
        return True
    if sys.version_info >= (3, 12) or not void_calls_leak_none():
        return False
    refcount = ctypes.c_ssize_t.from_address(id(None))
    refcount.value = max(refcount.value, IMMORTAL_REFCOUNT)
    _applied = True
    return True
