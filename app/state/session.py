"""The Qt face of :class:`core.session.edit_session.EditSession`: its updates become signals.

The state itself (clip, checkpoint, reconstruction, token editor, selection, clipboard, what is saved)
lives in the Qt-free model, which views read through this adapter; every command is passed to the
model and the :class:`Update` it returns is announced. Nothing is kept here but the scheduling of
work the model leaves for later: opening on a worker (:class:`app.state.opening.Opener`), the rest of an edit's
window right after the frame on screen is shown, and the truncation levels an edit left stale, one per
tick, once the user pauses.
"""

from __future__ import annotations

from functools import partial
from os import PathLike
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from app.state.opening import Opener
from core.analysis.reconstruction import Level, Reconstruction
from core.model.checkpoint import Checkpoint
from core.motion.clip import Motion
from core.session.checkpoint_b import CheckpointB
from core.session.code_preview import CodePreview
from core.session.edit_session import EditSession
from core.session.error_scale import ErrorScale
from core.session.opening import CHECKPOINT, CLIP, Opening, first_levels, prepare
from core.session.updates import Changed, Selection, Update
from core.tokens.edit import TokenEditor
from core.tokens.files import TokenFile

STALE_REFRESH_MS = 400
LEVELS_AFTER_MS = 100


class Session(QObject):
    """Signals for one window's :class:`EditSession`, and the state its views read, declared below."""

    clipChanged = Signal()
    checkpointChanged = Signal()
    reconstructionChanged = Signal()
    framesChanged = Signal(int, int)
    tokensChanged = Signal()
    layersUsedChanged = Signal(int)
    selectionChanged = Signal()
    clipboardChanged = Signal()
    savedChanged = Signal()
    errorScaleChanged = Signal()
    previewChanged = Signal()
    highlightChanged = Signal()
    checkpointBChanged = Signal()
    deviceChanged = Signal()
    alignedChanged = Signal(bool)
    levelsChanged = Signal()
    """Truncation levels decoded in the background arrived."""
    warning = Signal(str, str)
    """(title, text): something that stops the user, a dialog."""
    told = Signal(str)
    """Something said in passing (the status bar)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.edit_session = EditSession()
        self.opener = Opener(self)
        self._finish_timer = QTimer(self)
        self._finish_timer.setSingleShot(True)
        self._finish_timer.setInterval(0)
        self._finish_timer.timeout.connect(lambda: self._announce(self.edit_session.finish_preview()))
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(STALE_REFRESH_MS)
        self._refresh_timer.timeout.connect(self._refresh_one_level)

    def _refresh_one_level(self) -> None:
        """One stale level per tick, so the window answers between them."""
        if self.edit_session.refresh_stale(levels=1):
            self._refresh_timer.start(0)

    # ----- the state views read (the model's; nothing is kept here) ---------------------------

    @property
    def motion(self) -> Motion | None:
        return self.edit_session.motion

    @property
    def clip_path(self) -> Path | None:
        return self.edit_session.clip_path

    @property
    def checkpoint(self) -> Checkpoint | None:
        return self.edit_session.checkpoint

    @property
    def reconstruction(self) -> Reconstruction | None:
        return self.edit_session.reconstruction

    @property
    def editor(self) -> TokenEditor | None:
        return self.edit_session.editor

    @property
    def layers_used(self) -> int:
        return self.edit_session.layers_used

    @property
    def num_quantizers(self) -> int:
        return self.edit_session.num_quantizers

    @property
    def num_frames(self) -> int:
        return self.edit_session.num_frames

    @property
    def fps(self) -> float:
        return self.edit_session.fps

    @property
    def original_positions(self) -> np.ndarray | None:
        return self.edit_session.original_positions

    @property
    def aligned(self) -> bool:
        return self.edit_session.aligned

    @property
    def device(self) -> str:
        return self.edit_session.device

    @property
    def selection(self) -> Selection | None:
        return self.edit_session.selection

    @property
    def clipboard(self) -> np.ndarray | None:
        return self.edit_session.clipboard

    @property
    def clipboard_source(self) -> str:
        return self.edit_session.clipboard_source

    @property
    def highlighted(self) -> tuple[int, int] | None:
        return self.edit_session.highlighted

    @property
    def error_scale(self) -> ErrorScale:
        return self.edit_session.error_scale

    @property
    def preview(self) -> CodePreview | None:
        return self.edit_session.preview

    @property
    def checkpoint_b(self) -> CheckpointB:
        return self.edit_session.checkpoint_b

    @property
    def can_undo(self) -> bool:
        return self.edit_session.can_undo

    @property
    def can_redo(self) -> bool:
        return self.edit_session.can_redo

    def selected_code(self) -> int | None:
        return self.edit_session.selected_code()

    def active_preview(self) -> CodePreview | None:
        return self.edit_session.active_preview()

    def has_unsaved_edits(self) -> bool:
        return self.edit_session.has_unsaved_edits()

    def no_reconstruction_reason(self) -> str:
        return self.edit_session.no_reconstruction_reason()

    def tokens_for_saving(self) -> TokenFile:
        return self.edit_session.tokens_for_saving()

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
            (Changed.ERROR_SCALE, self.errorScaleChanged),
            (Changed.PREVIEW, self.previewChanged),
            (Changed.HIGHLIGHT, self.highlightChanged),
            (Changed.CHECKPOINT_B, self.checkpointBChanged),
            (Changed.DEVICE, self.deviceChanged),
            (Changed.LEVELS, self.levelsChanged),
        ):
            if flag in changed:
                signal.emit()
        if Changed.ALIGNED in changed:
            self.alignedChanged.emit(self.edit_session.aligned)
        if Changed.LAYERS_USED in changed:
            self.layersUsedChanged.emit(self.edit_session.layers_used)
        if update.frames is not None:
            if Changed.TOKENS in changed:
                self._finish_timer.start()
            self._refresh_timer.start(STALE_REFRESH_MS)
            self.framesChanged.emit(*update.frames)
        if update.notice is not None:
            if update.notice.interrupts:
                self.warning.emit(update.notice.title, update.notice.text)
            else:
                self.told.emit(update.notice.text)

    # ----- commands: the model does the work, this class says what changed ----------------------

    def open_clip(self, path: str | PathLike[str]) -> bool:
        """Open a clip without freezing the window (:class:`app.state.opening.Opener`); False when a newer
        open cancelled it. A file that fails raises its ``MotionFileError`` here, session untouched."""
        return self._open(CLIP, Path(path))

    def open_checkpoint(self, path: str | PathLike[str]) -> bool:
        return self._open(CHECKPOINT, Path(path))

    def _open(self, kind: str, path: Path) -> bool:
        model = self.edit_session
        levels_for = partial(first_levels, layers_used=model.layers_used, shown=model.checkpoint)
        opening = self.opener.run(kind, path, model.motion, model.checkpoint, levels_for, model.device)
        if opening is None:
            return False
        self._install(opening)
        return True

    def _install(self, opening: Opening) -> None:
        self._announce(self.edit_session.install(opening))
        recon = self.edit_session.reconstruction
        if recon is not None:
            # After the new clip's first paint, which a worker busy on the same two cores would slow.
            QTimer.singleShot(
                LEVELS_AFTER_MS,
                self,
                lambda: (
                    recon is self.edit_session.reconstruction
                    and self.opener.decode_missing(recon, self._install_levels)
                ),
            )

    def _install_levels(self, recon: Reconstruction, levels: list[Level]) -> None:
        self._announce(self.edit_session.install_levels(recon, levels))

    def set_clip(self, motion: Motion, path: Path | None = None) -> None:
        self.opener.cancel()
        self._install(
            prepare(
                motion,
                path,
                self.edit_session.checkpoint,
                CLIP,
                self.edit_session.first_levels(self.edit_session.checkpoint),
            )
        )

    def set_checkpoint(self, checkpoint: Checkpoint) -> None:
        self.opener.cancel()
        model = self.edit_session
        self._install(
            prepare(model.motion, model.clip_path, checkpoint, CHECKPOINT, model.first_levels(checkpoint))
        )

    def open_checkpoint_b(self, path: str | PathLike[str]) -> None:
        self._announce(self.edit_session.open_checkpoint_b(path))

    def close_checkpoint_b(self) -> None:
        self._announce(self.edit_session.close_checkpoint_b())

    def set_aligned(self, aligned: bool) -> None:
        self._announce(self.edit_session.set_aligned(aligned))

    def set_device(self, device: str) -> None:
        self._announce(self.edit_session.set_device(device))

    def set_layers_used(self, k: int) -> None:
        self._announce(self.edit_session.set_layers_used(k))

    def select(self, step: int, layer: int, extend: bool = False) -> None:
        self._announce(self.edit_session.select(step, layer, extend))

    def clear_selection(self) -> None:
        self._announce(self.edit_session.clear_selection())

    def highlight_code(self, layer: int, code: int | None) -> None:
        self._announce(self.edit_session.highlight_code(layer, code))

    def set_error_scale(self, scale_mm: float | None = None, locked: bool | None = None) -> None:
        self._announce(self.edit_session.set_error_scale(scale_mm, locked))

    def preview_code(self, code: int) -> None:
        self._announce(self.edit_session.preview_code(code))

    def end_preview(self) -> None:
        self._announce(self.edit_session.end_preview())

    def copy_selection(self) -> None:
        self._announce(self.edit_session.copy_selection())

    def set_code(self, code: int) -> None:
        self._announce(self.edit_session.set_code(code))

    def paste(self) -> None:
        self._announce(self.edit_session.paste())

    def reset_selection(self) -> None:
        self._announce(self.edit_session.reset_selection())

    def interpolate_selection(self) -> None:
        self._announce(self.edit_session.interpolate_selection())

    def reset_all(self) -> None:
        self._announce(self.edit_session.reset_all())

    def undo(self) -> None:
        self._announce(self.edit_session.undo())

    def redo(self) -> None:
        self._announce(self.edit_session.redo())

    def replace_tokens(self, indices: np.ndarray) -> None:
        self._announce(self.edit_session.replace_tokens(indices))

    def save_tokens(self, path: str | PathLike[str]) -> None:
        self._announce(self.edit_session.save_tokens(path))

    def export_motion(self, path: str | PathLike[str]) -> None:
        self.edit_session.export_motion(path)

    def load_tokens(self, path: str | PathLike[str]) -> None:
        self._announce(self.edit_session.load_tokens(path))
