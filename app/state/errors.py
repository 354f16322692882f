"""The one place that turns exceptions into dialogs, worded by :mod:`core.errors` as the CLI words them.

Dialogs are opened window-modal but non-blocking (``QMessageBox.open``), so a failure never
stalls the event loop: playback, a running training and the tests keep going behind it.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from html import escape
from types import TracebackType

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from core.errors import describe, details


class ErrorReporter(QObject):
    """Shows errors and warnings as dialogs over ``parent`` and announces them (for logs and tests):
    ``reported(kind, title, text)`` with kind "error" or "warning"."""

    reported = Signal(str, str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._parent = parent

    def error(self, title: str, exc: BaseException) -> None:
        self._show("error", title, describe(exc), details(exc))

    def warning(self, title: str, text: str) -> None:
        self._show("warning", title, text, "")

    def _show(self, kind: str, title: str, text: str, detail: str) -> None:
        icon = QMessageBox.Icon.Critical if kind == "error" else QMessageBox.Icon.Warning
        # The title is repeated as the box's heading: window managers elide long window titles.
        box = QMessageBox(icon, title, f"<b>{escape(title)}</b>", QMessageBox.StandardButton.Ok, self._parent)
        # Always rich text (a paragraph), so quotes are not shown as entities in a line without markup.
        box.setInformativeText("<p>" + escape(text, quote=False).replace("\n", "<br>") + "</p>")
        if detail:
            box.setDetailedText(detail)
        box.setObjectName("errorDialog")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.reported.emit(kind, title, text)

    @contextmanager
    def guard(
        self, title: str, reraise: type[Exception] | tuple[type[Exception], ...] = ()
    ) -> Iterator[None]:
        """Run a user action; any exception becomes a dialog titled ``title`` and the app carries on
        (but those of ``reraise``, which the caller answers itself)."""
        try:
            yield
        except reraise:
            raise
        except Exception as exc:  # noqa: BLE001 - the point: nothing a user does may crash the app
            self.error(title, exc)

    def install_excepthook(self) -> None:
        """Route exceptions escaping Qt slots to a dialog instead of a silent stderr trace."""
        previous = sys.excepthook

        def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
            if issubclass(kind, KeyboardInterrupt):
                previous(kind, exc, tb)
                return
            traceback.print_exception(kind, exc, tb)
            self.error("Unexpected error", exc)

        sys.excepthook = hook
