"""The state a workbench window shows, without Qt: clip, checkpoint, reconstruction, token edits,
selection, clipboard and what is saved.

One token grid lives in the :class:`TokenEditor`; the :class:`Reconstruction` reads it and follows each
:class:`TokenChange` an edit returns. Every command returns an :class:`Update` that says what changed,
so a GUI turns updates into signals and a script or test just reads the state. Files that fail to load
raise ``MotionFileError`` with the session untouched: nothing the user made is lost.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

import numpy as np

from core.analysis.reconstruction import Level, Reconstruction
from core.errors import MotionFileError
from core.formats import load_motion, save_motion
from core.model.checkpoint import Checkpoint, load_checkpoint
from core.model.devices import CPU, resolve_device
from core.motion.clip import Motion
from core.session.checkpoint_b import CheckpointB
from core.session.code_preview import CodePreview
from core.session.error_scale import ErrorScale
from core.session.opening import CHECKPOINT, CLIP, Opening, first_levels, layers_shown, prepare
from core.session.updates import Changed, Notice, Selection, Update
from core.tokens.edit import TokenChange, TokenEditor
from core.tokens.files import TokenFile, load_tokens, save_tokens
from core.tokens.interpolate import interpolated_codes


class EditSession:
    """One window's clip, checkpoint and token edits."""

    def __init__(self) -> None:
        self.motion: Motion | None = None
        self.clip_path: Path | None = None
        self.checkpoint: Checkpoint | None = None
        self.reconstruction: Reconstruction | None = None
        self.editor: TokenEditor | None = None
        self.mismatch: str | None = None
        """Why the open clip has no reconstruction with the open checkpoint (None when it has one)."""
        self.layers_used = 1
        self.frame = 0
        """The frame on screen (the playback clock writes it): an edit decodes it first."""
        self.aligned = True
        """Poses and errors are read on the original's root path (pose error without drift): the 3D
        view, the error strip and the analysis panel all follow this one flag."""
        self.device = CPU
        """Where checkpoints decode and refine (:mod:`core.model.devices`)."""
        self.selection: Selection | None = None
        self.clipboard: np.ndarray | None = None
        self.clipboard_source = ""
        self.highlighted: tuple[int, int] | None = None
        """The (layer, code) whose every occurrence the timeline outlines (picked in the codebook view)."""
        self._saved_indices: np.ndarray | None = None
        self._clip_positions: np.ndarray | None = None
        self.error_scale = ErrorScale()
        """The joint-error colour scale: chosen once per reconstruction unless the user locked it."""
        self.preview: CodePreview | None = None
        self.checkpoint_b = CheckpointB()
        """The second tokenizer every view compares with (the 3D view, the Dataset dock)."""

    # ----- opening ----------------------------------------------------------------------------

    def open_clip(self, path: str | PathLike[str]) -> Update:
        """Load a clip; it replaces the current one only when it loaded without error."""
        return self.set_clip(load_motion(path), Path(path))

    def open_checkpoint(self, path: str | PathLike[str]) -> Update:
        return self.set_checkpoint(load_checkpoint(path))

    def set_clip(self, motion: Motion, path: Path | None = None) -> Update:
        return self.install(prepare(motion, path, self.checkpoint, CLIP))

    def set_checkpoint(self, checkpoint: Checkpoint) -> Update:
        checkpoint.model.to(self.device)
        return self.install(prepare(self.motion, self.clip_path, checkpoint, CHECKPOINT))

    def first_levels(self, checkpoint: Checkpoint | None) -> list[int]:
        """The truncation levels an opening with ``checkpoint`` decodes before it is shown (see
        :func:`first_levels`)."""
        return first_levels(checkpoint, self.layers_used, self.checkpoint)

    def install(self, opening: Opening) -> Update:
        """Show what :func:`prepare` computed (on this thread or a worker's): a new clip or checkpoint
        and, when they fit, the tokens and reconstruction; a clip that does not fit is shown alone."""
        changed = Changed.RECONSTRUCTION | Changed.TOKENS | Changed.SELECTION | Changed.LAYERS_USED
        if opening.kind == CLIP:
            self.clip_path, self._clip_positions = opening.path, None
            changed |= Changed.CLIP | (
                Changed.CHECKPOINT_B if self.checkpoint_b.follow(opening.motion) else Changed.NOTHING
            )
        else:
            changed |= Changed.CHECKPOINT
            if self.highlighted is not None:  # another model's code of that number means something else
                self.highlighted = None
                changed |= Changed.HIGHLIGHT
        if opening.checkpoint is not None:
            self.layers_used = layers_shown(opening.checkpoint, self.layers_used, self.checkpoint)
        self.motion, self.checkpoint = opening.motion, opening.checkpoint
        self.reconstruction, self.editor, self.mismatch = (
            opening.reconstruction,
            opening.editor,
            opening.mismatch,
        )
        self.selection = self.preview = None
        self._saved_indices = self.editor.indices.copy() if self.editor is not None else None
        if self.mismatch is not None:
            reason = self.no_reconstruction_reason()
            return Update(
                changed, notice=Notice("The clip does not fit the checkpoint", reason, interrupts=False)
            )
        if self.reconstruction is None:
            return Update(changed)
        self.error_scale.choose_for(self.reconstruction, self.layers_used)
        notice = (
            Notice("Joints matched by position", opening.notice, interrupts=False) if opening.notice else None
        )
        return Update(changed | Changed.ERROR_SCALE, notice=notice)

    def open_checkpoint_b(self, path: str | PathLike[str]) -> Update:
        """Compare with the checkpoint at ``path`` (a load error leaves the previous B in place)."""
        self.checkpoint_b.open(path, self.motion)
        return Update(Changed.CHECKPOINT_B)

    def close_checkpoint_b(self) -> Update:
        if self.checkpoint_b.checkpoint is None:
            return Update()
        self.checkpoint_b.close()
        return Update(Changed.CHECKPOINT_B)

    def set_aligned(self, aligned: bool) -> Update:
        if bool(aligned) == self.aligned:
            return Update()
        self.aligned = bool(aligned)
        return Update(Changed.ALIGNED)

    def set_device(self, device: str) -> Update:
        """Decode and refine on ``device`` from now on; the open checkpoint moves there, and the tokens,
        their edits and the decoded motion stay as they are."""
        resolve_device(device)
        if device == self.device:
            return Update()
        self.device = device
        if self.checkpoint is not None:
            self.checkpoint.model.to(device)
        if self.reconstruction is not None:
            self.reconstruction.follow_device()
        return Update(Changed.DEVICE)

    def install_levels(self, reconstruction: Reconstruction, levels: list[Level]) -> Update:
        """Take truncation levels a worker decoded for ``reconstruction`` (ignored if it is no longer
        the one shown)."""
        if reconstruction is not self.reconstruction or not reconstruction.install(levels):
            return Update()
        return Update(Changed.LEVELS)

    # ----- what views read --------------------------------------------------------------------

    @property
    def num_frames(self) -> int:
        return self.motion.num_frames if self.motion is not None else 1

    @property
    def fps(self) -> float:
        return self.motion.fps if self.motion is not None else 30.0

    @property
    def num_quantizers(self) -> int:
        """Layers in the model (0 without a reconstruction); ``layers_used`` of them are decoded."""
        return self.reconstruction.num_quantizers if self.reconstruction is not None else 0

    @property
    def original_positions(self) -> np.ndarray | None:
        """(T, J, 3) joints of the clip, from the reconstruction or (without one) the clip itself."""
        if self.reconstruction is not None:
            return self.reconstruction.original_positions
        if self.motion is None:
            return None
        if self._clip_positions is None:
            self._clip_positions = self.motion.joint_positions().astype(np.float32)
        return self._clip_positions

    def no_reconstruction_reason(self) -> str:
        """What the view says where a reconstruction would be."""
        if self.motion is None:
            return "Open a clip to begin (File > Open clip, or drop a file here)"
        if self.checkpoint is None:
            return "No checkpoint: open one (File > Open checkpoint) or train one in the Training dock"
        if self.mismatch is not None:
            return f"No reconstruction: {self.mismatch}"
        return ""

    @property
    def can_undo(self) -> bool:
        return self.editor is not None and self.editor.can_undo

    @property
    def can_redo(self) -> bool:
        return self.editor is not None and self.editor.can_redo

    def has_unsaved_edits(self) -> bool:
        """Edits that match neither the encoder's codes nor the last saved or loaded token file."""
        if self.editor is None or self._saved_indices is None:
            return False
        return not np.array_equal(self.editor.indices, self._saved_indices)

    def selected_code(self) -> int | None:
        if self.editor is None or self.selection is None:
            return None
        return int(self.editor.indices[self.selection.step, self.selection.layer])

    # ----- truncation, selection and clipboard -------------------------------------------------

    def set_layers_used(self, k: int) -> Update:
        if self.reconstruction is None:
            return Update()
        k = min(max(int(k), 1), self.num_quantizers)
        if k == self.layers_used:
            return Update()
        self.layers_used = k
        return Update(Changed.LAYERS_USED)

    def select(self, step: int, layer: int, extend: bool = False) -> Update:
        """Select a cell; ``extend`` grows the step range from the previous selection (shift-click)."""
        if self.editor is None:
            return Update()
        step = min(max(int(step), 0), self.editor.num_steps - 1)
        layer = min(max(int(layer), 0), self.editor.num_quantizers - 1)
        anchor = self.selection.anchor if extend and self.selection is not None else step
        selection = Selection(step, layer, min(anchor, step), max(anchor, step) + 1, anchor)
        if selection == self.selection:
            return Update()
        self.selection = selection
        return Update(Changed.SELECTION)

    def clear_selection(self) -> Update:
        if self.selection is None:
            return Update()
        self.selection = None
        return Update(Changed.SELECTION)

    def copy_selection(self) -> Update:
        """Copy the selected steps (all layers); the clipboard outlives opening another clip."""
        if self.editor is None or self.selection is None:
            return Update()
        self.clipboard = self.editor.copy(self.selection.start, self.selection.stop)
        name = self.clip_path.name if self.clip_path else "this clip"
        self.clipboard_source = f"{name}, steps {self.selection.start}–{self.selection.stop - 1}"
        return Update(Changed.CLIPBOARD)

    def highlight_code(self, layer: int, code: int | None) -> Update:
        """Outline every step where ``layer`` uses ``code`` (None: nothing outlined)."""
        highlighted = None if code is None else (int(layer), int(code))
        if highlighted == self.highlighted:
            return Update()
        self.highlighted = highlighted
        return Update(Changed.HIGHLIGHT)

    def set_error_scale(self, scale_mm: float | None = None, locked: bool | None = None) -> Update:
        """Set and/or lock the joint-error colour scale (:class:`ErrorScale`)."""
        return Update(Changed.ERROR_SCALE) if self.error_scale.set(scale_mm, locked) else Update()

    def preview_code(self, code: int) -> Update:
        """Decode the selected cell with ``code`` beside the grid (a hovered chip): nothing is edited
        and the undo history is untouched; :meth:`end_preview` drops it."""
        if self.reconstruction is None or self.selection is None or code == self.selected_code():
            return self.end_preview()
        step, layer = self.selection.step, self.selection.layer
        self.preview = CodePreview.decode(self.reconstruction, step, layer, int(code), self.layers_used)
        return Update(Changed.PREVIEW)

    def end_preview(self) -> Update:
        if self.preview is None:
            return Update()
        self.preview = None
        return Update(Changed.PREVIEW)

    def active_preview(self) -> CodePreview | None:
        """The preview, while it still describes what is on screen (no edit or layer change since)."""
        preview = self.preview
        holds = preview is not None and preview.holds_for(self.reconstruction, self.layers_used)
        return preview if holds else None

    # ----- edits ------------------------------------------------------------------------------

    def set_code(self, code: int) -> Update:
        """Give the selected cell a new code and decode what it reaches."""
        if self.editor is None or self.selection is None:
            return Update()
        return self._edited(self.editor.set_code(self.selection.step, self.selection.layer, int(code)))

    def paste(self) -> Update:
        """Paste the clipboard at the selected step (clipped at the clip's end)."""
        if self.editor is None or self.selection is None or self.clipboard is None:
            return Update()
        if self.clipboard.shape[1] > self.editor.num_quantizers:
            raise ValueError(
                f"the copied steps have {self.clipboard.shape[1]} layers; this model has "
                f"{self.editor.num_quantizers}"
            )
        return self._edited(self.editor.paste(self.selection.start, self.clipboard))

    def reset_selection(self) -> Update:
        if self.editor is None or self.selection is None:
            return Update()
        return self._edited(self.editor.reset(self.selection.start, self.selection.stop))

    def interpolate_selection(self) -> Update:
        """Re-code the steps between the selected range's ends from a straight latent path between them
        (:func:`core.tokens.interpolate.interpolated_codes`); ``ValueError`` for fewer than 3 steps."""
        if self.editor is None or self.selection is None or self.checkpoint is None:
            return Update()
        start, stop = self.selection.start, self.selection.stop
        block = interpolated_codes(self.checkpoint, self.editor.indices, start, stop)
        return self._edited(self.editor.paste(start, block))

    def reset_all(self) -> Update:
        return self._edited(self.editor.reset()) if self.editor is not None else Update()

    def undo(self) -> Update:
        return self._edited(self.editor.undo()) if self.editor is not None else Update()

    def redo(self) -> Update:
        return self._edited(self.editor.redo()) if self.editor is not None else Update()

    def replace_tokens(self, indices: np.ndarray) -> Update:
        """Put a whole grid in place as one undoable edit (loaded, refined or recovered tokens)."""
        return self._edited(self.editor.replace_all(indices)) if self.editor is not None else Update()

    def _edited(self, change: TokenChange | None) -> Update:
        """Decode what the frame on screen needs at the level on screen now (the preview); the rest of
        that level follows with :meth:`finish_preview`, other levels with :meth:`refresh_stale`."""
        if change is None or self.reconstruction is None:
            return Update()
        start, stop = self.reconstruction.apply(change, level=self.layers_used, focus=self.frame)
        return Update(Changed.TOKENS, frames=(start, stop) if stop > start else None)

    def finish_preview(self) -> Update:
        """Decode the rest of the window an edit reached at the number of layers used."""
        if self.reconstruction is None:
            return Update()
        start, stop = self.reconstruction.refresh_level(self.layers_used)
        return Update(frames=(start, stop)) if stop > start else Update()

    def refresh_stale(self, levels: int | None = None) -> bool:
        """Decode (at most ``levels`` of) the truncation levels an edit left stale, when the user
        pauses; True while some are left."""
        if self.reconstruction is None:
            return False
        self.reconstruction.refresh(levels)
        return bool(self.reconstruction.stale_levels)

    # ----- files ------------------------------------------------------------------------------

    def tokens_for_saving(self) -> TokenFile:
        """The current codes with what identifies them: the checkpoint's hash, the clip, the edited cells."""
        if self.editor is None or self.checkpoint is None or self.motion is None:
            raise ValueError("there are no tokens: open a clip and a checkpoint first")
        return TokenFile.for_clip(
            self.checkpoint,
            self.motion,
            self.editor.indices,
            source=str(self.clip_path) if self.clip_path else None,
            edited=self.editor.edited_mask(),
        )

    def save_tokens(self, path: str | PathLike[str]) -> Update:
        """Write the current codes (.npy + .json sidecar); they become the saved state."""
        if self.editor is None:
            raise MotionFileError(path, "there are no tokens to save: open a clip and a checkpoint first")
        save_tokens(path, self.tokens_for_saving())
        self._saved_indices = self.editor.indices.copy()
        return Update(Changed.SAVED)

    def load_tokens(self, path: str | PathLike[str]) -> Update:
        """Replace the codes by a saved grid (one undoable edit) after checking it fits."""
        if self.editor is None or self.checkpoint is None:
            raise MotionFileError(path, "open a clip and its checkpoint before loading tokens")
        tokens = load_tokens(path)
        tokens.check_checkpoint(self.checkpoint, path)
        tokens.check_grid(self.editor.indices.shape, path)
        try:
            update = self.replace_tokens(tokens.indices)
        except ValueError as exc:
            raise MotionFileError(path, str(exc)) from exc
        self._saved_indices = self.editor.indices.copy()
        return update | Update(Changed.SAVED)

    def export_motion(self, path: str | PathLike[str]) -> None:
        """Save the decoded motion at the number of layers used (.bvh, or SMPL-X .npz)."""
        if self.reconstruction is None:
            raise MotionFileError(path, "there is no reconstruction to export: open a checkpoint first")
        save_motion(self.reconstruction.motion_at(self.layers_used), path)
