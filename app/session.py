"""The Qt face of :class:`core.session.edit_session.EditSession`: its updates become signals.

The state itself (clip, checkpoint, reconstruction, token editor, selection, clipboard, what is saved)
lives in the Qt-free model, which views read through this adapter; every command is passed to the
model and the :class:`Update` it returns is announced. Nothing is kept here but a timer that decodes
the truncation levels an edit left stale once the user pauses.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from core.model.checkpoint import Checkpoint
from core.motion.clip import Motion
from core.session.edit_session import Changed, EditSession, Update

STALE_REFRESH_MS = 400


class Session(QObject):
    """Signals for one window's :class:`EditSession`; attribute reads go to the model."""

    clipChanged = Signal()
    checkpointChanged = Signal()
    reconstructionChanged = Signal()
    framesChanged = Signal(int, int)
    tokensChanged = Signal()
    truncationChanged = Signal(int)
    selectionChanged = Signal()
    clipboardChanged = Signal()
    savedChanged = Signal()
    warning = Signal(str, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model = EditSession()
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(STALE_REFRESH_MS)
        self._refresh_timer.timeout.connect(self.model.refresh_stale)

    def __getattr__(self, name: str) -> Any:
        """State and queries (``motion``, ``reconstruction``, ``selection``, ``can_undo``, ...)."""
        if name == "model":  # not yet set: during QObject construction
            raise AttributeError(name)
        return getattr(self.model, name)

    def _announce(self, update: Update) -> None:
        """Emit in dependency order: the clip and checkpoint before what is derived from them."""
        changed = update.changed
        for flag, signal in (
            (Changed.CLIP, self.clipChanged),
            (Changed.CHECKPOINT, self.checkpointChanged),
            (Changed.RECONSTRUCTION, self.reconstructionChanged),
            (Changed.TOKENS, self.tokensChanged),
            (Changed.SELECTION, self.selectionChanged),
            (Changed.CLIPBOARD, self.clipboardChanged),
            (Changed.SAVED, self.savedChanged),
        ):
            if flag in changed:
                signal.emit()
        if Changed.LAYERS_USED in changed:
            self.truncationChanged.emit(self.model.layers_used)
        if update.frames is not None:
            self._refresh_timer.start()
            self.framesChanged.emit(*update.frames)
        if update.notice is not None:
            self.warning.emit(update.notice.title, update.notice.text)

    # ----- commands: the model does the work, this class says what changed ----------------------

    def open_clip(self, path: str | PathLike[str]) -> None:
        self._announce(self.model.open_clip(path))

    def open_checkpoint(self, path: str | PathLike[str]) -> None:
        self._announce(self.model.open_checkpoint(path))

    def set_clip(self, motion: Motion, path: Path | None = None) -> None:
        self._announce(self.model.set_clip(motion, path))

    def set_checkpoint(self, checkpoint: Checkpoint) -> None:
        self._announce(self.model.set_checkpoint(checkpoint))

    def set_layers_used(self, k: int) -> None:
        self._announce(self.model.set_layers_used(k))

    def select(self, step: int, layer: int, extend: bool = False) -> None:
        self._announce(self.model.select(step, layer, extend))

    def clear_selection(self) -> None:
        self._announce(self.model.clear_selection())

    def copy_selection(self) -> None:
        self._announce(self.model.copy_selection())

    def set_code(self, code: int) -> None:
        self._announce(self.model.set_code(code))

    def paste(self) -> None:
        self._announce(self.model.paste())

    def reset_selection(self) -> None:
        self._announce(self.model.reset_selection())

    def interpolate_selection(self) -> None:
        self._announce(self.model.interpolate_selection())

    def reset_all(self) -> None:
        self._announce(self.model.reset_all())

    def undo(self) -> None:
        self._announce(self.model.undo())

    def redo(self) -> None:
        self._announce(self.model.redo())

    def replace_tokens(self, indices: np.ndarray) -> None:
        self._announce(self.model.replace_tokens(indices))

    def save_tokens(self, path: str | PathLike[str]) -> None:
        self._announce(self.model.save_tokens(path))

    def load_tokens(self, path: str | PathLike[str]) -> None:
        self._announce(self.model.load_tokens(path))
