"""Autosave of token edits to a recovery file, so a crash or a kill loses at most half a second of work.

The file lives in the user's data directory (``$RVQ_STUDIO_DATA_DIR`` overrides it, for tests and
portable installs); which file, and whether one fits, is decided in core.tokens.recovery.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from app.state.resources import app_data_dir
from app.state.session import Session
from core.tokens.files import TokenFile, save_tokens
from core.tokens.recovery import read_recovery, recovery_path, remove_recovery

AUTOSAVE_DELAY_MS = 500


def default_recovery_dir() -> Path:
    """``$RVQ_STUDIO_DATA_DIR/recovery``, else ``recovery`` in the platform's user data directory."""
    return app_data_dir() / "recovery"


class Autosave(QObject):
    """Keeps the recovery file of the session's (clip, checkpoint) pair in step with its unsaved
    edits: written shortly after a burst of edits, removed once nothing is left to recover."""

    failed = Signal(str, str)

    def __init__(self, session: Session, directory: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.directory = Path(directory)
        self._written: Path | None = None
        self._warned = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(AUTOSAVE_DELAY_MS)
        self._timer.timeout.connect(self.sync)
        session.tokensChanged.connect(self._timer.start)
        session.savedChanged.connect(self.sync)
        # A rebuild drops the edits on screen, which the user agreed to (or saved) before opening.
        session.reconstructionChanged.connect(self.discard)

    def path(self) -> Path | None:
        """The recovery file of the pair on screen; None without tokens or without a clip file."""
        session = self.session
        if session.editor is None or session.checkpoint is None or session.clip_path is None:
            return None
        return recovery_path(
            self.directory, str(session.clip_path.resolve()), session.checkpoint.weights_sha256
        )

    def sync(self) -> None:
        """Write the unsaved edits now, or remove the file when they are saved or undone."""
        self._timer.stop()
        path, session = self.path(), self.session
        if path is None:
            return
        if not (session.has_unsaved_edits() and session.editor is not None and session.editor.is_edited()):
            self.discard()
            return
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            save_tokens(path, session.tokens_for_saving())
        except OSError as exc:
            if not self._warned:  # once, not on every edit; the edits themselves are still in memory
                self._warned = True
                self.failed.emit("Edits are not autosaved", f"Could not write {path}: {exc}")
            return
        self._written, self._warned = path, False

    def discard(self) -> None:
        """Forget the recovery of the current edits (saved, or discarded by the user)."""
        self._timer.stop()
        if self._written is not None:
            remove_recovery(self._written)
            self._written = None

    def recovered(self) -> TokenFile | None:
        """Edits a crash left behind for the pair on screen, when they fit its checkpoint and clip."""
        path, session = self.path(), self.session
        if path is None or session.editor is None or session.checkpoint is None or session.motion is None:
            return None
        return read_recovery(
            path, session.checkpoint.weights_sha256, session.motion.num_frames, session.editor.indices.shape
        )

    def remove_recovered(self) -> None:
        """Delete the pair's recovery file (the user declined to restore it)."""
        path = self.path()
        if path is not None:
            remove_recovery(path)
