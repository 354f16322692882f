"""What the windows show: the clip, the checkpoint, their reconstruction, the token edits, the
selection and the clipboard. A QObject that announces every change, testable without a window.

All computation is delegated to core (Reconstruction decodes, TokenEditor keeps the edit history);
this class only sequences the calls and keeps the state consistent. File errors propagate as
``MotionFileError`` with the state untouched, so the caller can show them and nothing is lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from os import PathLike
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from core.checkpoint import Checkpoint, load_checkpoint
from core.errors import MotionFileError
from core.formats import load_motion, save_motion
from core.motion import Motion
from core.reconstruction import Reconstruction
from core.token_edit import StepRange, TokenEditor
from core.token_file import TokenFile, load_tokens, save_tokens
from core.tokenizer import check_compatible, token_file


@dataclass(frozen=True)
class Selection:
    """The selected cell (``step``, ``layer``) and the step range ``[start, stop)`` that copy, paste
    and reset use; ``anchor`` is where a shift-click or drag range started."""

    step: int
    layer: int
    start: int
    stop: int
    anchor: int


class Session(QObject):
    """The state of one workbench window; views listen to its signals and call its methods."""

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
        self.motion: Motion | None = None
        self.clip_path: Path | None = None
        self.checkpoint: Checkpoint | None = None
        self.reconstruction: Reconstruction | None = None
        self.editor: TokenEditor | None = None
        self.num_layers = 1
        self.selection: Selection | None = None
        self.clipboard: np.ndarray | None = None
        self.clipboard_source = ""
        self._original_positions: np.ndarray | None = None
        self._saved_indices: np.ndarray | None = None
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(400)
        self._refresh_timer.timeout.connect(self._refresh_stale_levels)

    # ----- loading -------------------------------------------------------------------------

    def open_clip(self, path: str | PathLike[str]) -> None:
        """Load a clip; it replaces the current one only when it loaded without error."""
        motion = load_motion(path)
        self.set_clip(motion, Path(path))

    def open_checkpoint(self, path: str | PathLike[str]) -> None:
        self.set_checkpoint(load_checkpoint(path))

    def set_clip(self, motion: Motion, path: Path | None = None) -> None:
        self.motion = motion
        self.clip_path = path
        self._original_positions = None
        self.clipChanged.emit()
        self._rebuild()

    def set_checkpoint(self, checkpoint: Checkpoint) -> None:
        previous_layers = self.checkpoint.config.num_quantizers if self.checkpoint else None
        self.checkpoint = checkpoint
        if previous_layers != checkpoint.config.num_quantizers:
            self.num_layers = checkpoint.config.num_quantizers
        self.checkpointChanged.emit()
        self._rebuild()

    def _rebuild(self) -> None:
        """Tokenize the clip with the checkpoint; a skeleton mismatch leaves the clip shown alone."""
        self.reconstruction = None
        self.editor = None
        self.selection = None
        self._saved_indices = None
        try:
            if self.motion is None or self.checkpoint is None:
                return
            try:
                check_compatible(self.checkpoint, self.motion)
            except MotionFileError as exc:
                self.warning.emit(
                    "Skeleton does not match",
                    f"{exc.reason}.\n\nThe clip is shown without a reconstruction. Open a checkpoint "
                    "trained on this skeleton, or a clip that fits the checkpoint.",
                )
                return
            recon = Reconstruction(self.checkpoint, self.motion)
            self.reconstruction = recon
            self.editor = TokenEditor(recon.indices, nb_code=self.checkpoint.config.nb_code)
            self._saved_indices = self.editor.indices.copy()
            self.num_layers = min(max(self.num_layers, 1), recon.num_layers)
        finally:
            self.reconstructionChanged.emit()
            self.selectionChanged.emit()
            self.tokensChanged.emit()

    # ----- what the views read --------------------------------------------------------------

    @property
    def original_positions(self) -> np.ndarray | None:
        """(T, J, 3) joints of the clip, from the reconstruction or (without one) the clip itself."""
        if self.reconstruction is not None:
            return self.reconstruction.original_positions
        if self.motion is None:
            return None
        if self._original_positions is None:
            self._original_positions = self.motion.joint_positions().astype(np.float32)
        return self._original_positions

    @property
    def max_layers(self) -> int:
        return self.reconstruction.num_layers if self.reconstruction is not None else 0

    @property
    def can_undo(self) -> bool:
        return self.editor is not None and self.editor.can_undo

    @property
    def can_redo(self) -> bool:
        return self.editor is not None and self.editor.can_redo

    def has_unsaved_edits(self) -> bool:
        """Edits that neither match the encoder's codes nor the last saved or loaded token file."""
        if self.editor is None or self._saved_indices is None:
            return False
        return not np.array_equal(self.editor.indices, self._saved_indices)

    def set_num_layers(self, k: int) -> None:
        if self.reconstruction is None:
            return
        k = min(max(int(k), 1), self.reconstruction.num_layers)
        if k != self.num_layers:
            self.num_layers = k
            self.truncationChanged.emit(k)

    # ----- selection and clipboard ----------------------------------------------------------

    def select(self, step: int, layer: int, extend: bool = False) -> None:
        """Select a cell; ``extend`` grows the step range from the previous selection (shift-click)."""
        if self.editor is None:
            return
        step = min(max(int(step), 0), self.editor.num_steps - 1)
        layer = min(max(int(layer), 0), self.editor.num_layers - 1)
        anchor = self.selection.anchor if extend and self.selection is not None else step
        selection = Selection(step, layer, min(anchor, step), max(anchor, step) + 1, anchor)
        if selection != self.selection:
            self.selection = selection
            self.selectionChanged.emit()

    def clear_selection(self) -> None:
        if self.selection is not None:
            self.selection = None
            self.selectionChanged.emit()

    def selected_code(self) -> int | None:
        if self.editor is None or self.selection is None:
            return None
        return int(self.editor.indices[self.selection.step, self.selection.layer])

    def copy_selection(self) -> None:
        """Copy the selected steps (all layers) into the session clipboard, which outlives clip loads."""
        if self.editor is None or self.selection is None:
            return
        self.clipboard = self.editor.copy(self.selection.start, self.selection.stop)
        name = self.clip_path.name if self.clip_path else "this clip"
        self.clipboard_source = f"{name}, steps {self.selection.start}–{self.selection.stop - 1}"
        self.clipboardChanged.emit()

    # ----- edits ----------------------------------------------------------------------------

    def set_code(self, code: int) -> None:
        """Give the selected cell a new code and re-decode what it reaches."""
        if self.editor is None or self.selection is None:
            return
        self._edited(self.editor.set_code(self.selection.step, self.selection.layer, int(code)))

    def paste(self) -> None:
        """Paste the clipboard at the selected step (clipped at the clip's end)."""
        if self.editor is None or self.selection is None or self.clipboard is None:
            return
        if self.clipboard.shape[1] > self.editor.num_layers:
            raise ValueError(
                f"the copied steps have {self.clipboard.shape[1]} layers; this model has "
                f"{self.editor.num_layers}"
            )
        self._edited(self.editor.paste(self.selection.start, self.clipboard))

    def reset_selection(self) -> None:
        if self.editor is not None and self.selection is not None:
            self._edited(self.editor.reset(self.selection.start, self.selection.stop))

    def reset_all(self) -> None:
        if self.editor is not None:
            self._edited(self.editor.reset())

    def undo(self) -> None:
        if self.editor is not None:
            self._edited(self.editor.undo())

    def redo(self) -> None:
        if self.editor is not None:
            self._edited(self.editor.redo())

    def _edited(self, changed: StepRange | None) -> None:
        """Decode the level on screen now (the preview); the other levels once the user pauses."""
        if changed is None or self.editor is None or self.reconstruction is None:
            return
        start, stop = self.reconstruction.apply(self.editor.indices, changed, level=self.num_layers)
        self._refresh_timer.start()
        self.tokensChanged.emit()
        if stop > start:
            self.framesChanged.emit(start, stop)

    def _refresh_stale_levels(self) -> None:
        if self.reconstruction is not None:
            self.reconstruction.refresh()

    # ----- files ----------------------------------------------------------------------------

    def token_file(self) -> TokenFile:
        """The current codes with what identifies them: the checkpoint's hash, the clip, the edited cells."""
        if self.editor is None or self.checkpoint is None or self.motion is None:
            raise ValueError("there are no tokens: open a clip and a checkpoint first")
        return token_file(
            self.checkpoint,
            self.motion,
            self.editor.indices,
            source=str(self.clip_path) if self.clip_path else None,
            edited=self.editor.edited_mask(),
        )

    def save_tokens(self, path: str | PathLike[str]) -> None:
        """Write the current codes with the checkpoint's hash and the edited cells (.npy + .json)."""
        if self.editor is None or self.checkpoint is None or self.motion is None:
            raise MotionFileError(path, "there are no tokens to save: open a clip and a checkpoint first")
        save_tokens(path, self.token_file())
        self._saved_indices = self.editor.indices.copy()
        self.savedChanged.emit()

    def load_tokens(self, path: str | PathLike[str]) -> None:
        """Replace the codes by a saved grid (one undoable edit) after checking it fits."""
        if self.editor is None or self.checkpoint is None:
            raise MotionFileError(path, "open a clip and its checkpoint before loading tokens")
        tokens = load_tokens(path)
        tokens.check_checkpoint(self.checkpoint.weights_sha256, path)
        if tokens.indices.shape != self.editor.indices.shape:
            steps, layers = self.editor.indices.shape
            raise MotionFileError(
                path,
                f"tokens are {tokens.indices.shape[0]} steps x {tokens.indices.shape[1]} layers; "
                f"this clip has {steps} steps x {layers} layers",
            )
        try:
            self.replace_tokens(tokens.indices)
        except ValueError as exc:
            raise MotionFileError(path, str(exc)) from exc
        self._saved_indices = self.editor.indices.copy()
        self.savedChanged.emit()

    def replace_tokens(self, indices: np.ndarray) -> None:
        """Put a whole grid in place as one undoable edit (loaded or recovered tokens)."""
        if self.editor is not None:
            self._edited(self.editor.replace_all(indices))

    def export_motion(self, path: str | PathLike[str]) -> None:
        """Save the decoded motion at the current number of layers (.bvh, or SMPL-X .npz)."""
        if self.reconstruction is None:
            raise MotionFileError(path, "there is no reconstruction to export: open a checkpoint first")
        save_motion(self.reconstruction.motion_at(self.num_layers), path)
