"""Opening, saving, exporting and recovering what the user works on: the window's file commands.

Every question these commands ask (a file to open, where to save, whether to drop unsaved edits,
whether to restore a crash's edits) goes through one :class:`Prompts` object, given to the
controller: the app passes :class:`DialogPrompts`, tests pass answers. Failures become dialogs
through the ErrorReporter and leave the session as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal, Protocol

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMessageBox, QWidget

from app.documents.checkpoint_dialog import CheckpointFileDialog
from app.documents.checkpoint_paths import ACCEPTED, recognise
from app.documents.import_dialog import ImportDialog, Replan
from app.documents.recent_files import RecentFiles, RecentLabel
from app.documents.recovery import Autosave
from app.state.errors import ErrorReporter
from app.state.resources import app_data_dir
from app.state.session import Session
from core.errors import MotionFileError
from core.formats import LOADABLE, savable_formats
from core.model.checkpoint import META_NAME
from core.model.peers.importer import plan_import, write_import
from core.model.peers.plan import ImportPlan
from core.tokens.files import TokenFile, WrongCheckpointError

RestoreAnswer = Literal["restore", "discard"] | None
UnsavedAnswer = Literal["save", "discard", "cancel"]

FORMAT_NAMES = {".bvh": "BVH", ".npz": "SMPL-X", ".npy": "HumanML3D 263"}
CLIP_FILTER = (
    "Motion clips (*.bvh *.npz *.npy);;BVH (*.bvh);;SMPL-X (*.npz);;HumanML3D (*.npy);;All files (*)"
)
STATUS_MS = 5000


def classify_path(path: Path) -> str | None:
    """What a dropped or recent path is: "checkpoint", "tokens", "clip", or None when unknown."""
    if path.is_dir() or recognise(path) is not None:
        return "checkpoint"
    suffix = path.suffix.lower()
    sidecar = path.with_suffix(".json")
    if suffix == ".npy" and sidecar.is_file():
        try:
            if "rvq-motion-tokens" in sidecar.read_text(errors="replace")[:400]:
                return "tokens"
        except OSError:
            return "clip"
    return "clip" if suffix in LOADABLE else None


class DialogPrompts:
    """The questions, asked with Qt's dialogs over ``parent``; every answer may be "no" (None)."""

    def __init__(self, parent: QWidget) -> None:
        self.parent = parent

    def clip_to_open(self, start_dir: str) -> str | None:
        return QFileDialog.getOpenFileName(self.parent, "Open clip", start_dir, CLIP_FILTER)[0] or None

    def checkpoint_to_open(self, start_dir: str, title: str = "Open checkpoint") -> str | None:
        """A checkpoint file or folder (ours, a training run, a MoMask run folder), or another codebase's
        tokenizer file (imported)."""
        dialog = CheckpointFileDialog(self.parent, start_dir, title)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted and dialog.chosen is not None
        return str(dialog.chosen) if accepted else None

    def import_plan(self, plan: ImportPlan, replan: Replan) -> ImportPlan | None:
        """The import as the user confirms it (statistics chosen, fields edited), or None when cancelled."""
        dialog = ImportDialog(plan, self.parent, replan)
        return dialog.plan if dialog.exec() == QDialog.DialogCode.Accepted else None

    def tokens_to_load(self, start_dir: str) -> str | None:
        path = QFileDialog.getOpenFileName(self.parent, "Load tokens", start_dir, "Token files (*.npy)")[0]
        return path or None

    def tokens_save_path(self, suggested: str) -> str | None:
        path = QFileDialog.getSaveFileName(self.parent, "Save tokens", suggested, "Token files (*.npy)")[0]
        return path or None

    def export_path(self, suggested: str, formats: tuple[str, ...]) -> str | None:
        """Where to export, offering only ``formats`` (the extensions this clip's skeleton can be saved as)."""
        filters = ";;".join(f"{FORMAT_NAMES[suffix]} (*{suffix})" for suffix in formats)
        path, chosen = QFileDialog.getSaveFileName(self.parent, "Export decoded motion", suggested, filters)
        if path and Path(path).suffix.lower() not in formats:
            path = str(Path(path).with_suffix(next((s for s in formats if s in chosen), formats[0])))
        return path or None

    def unsaved_edits(self) -> UnsavedAnswer:
        """Before unsaved token edits are replaced or the window closes: save, drop, or stay."""
        button = QMessageBox.question(
            self.parent,
            "Unsaved token edits",
            "The tokens of this clip have unsaved edits. Save them first?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        answers = {QMessageBox.StandardButton.Save: "save", QMessageBox.StandardButton.Discard: "discard"}
        return answers.get(button, "cancel")

    def open_their_checkpoint(self, reason: str) -> bool:
        """Tokens of another checkpoint that still exists: open it (and then the tokens)?"""
        box = QMessageBox(
            QMessageBox.Icon.Question, "Tokens of another checkpoint", reason, parent=self.parent
        )
        box.setInformativeText("Open that checkpoint and load the tokens with it?")
        open_it = box.addButton("Open that checkpoint", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is open_it

    def restore(self, tokens: TokenFile) -> RestoreAnswer:
        """Whether to bring back edits a crash left; None (box closed) keeps the file for next time."""
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Restore unsaved edits?",
            f"RVQ Motion Studio closed without saving {len(tokens.edited)} edited token(s) of this clip "
            "with this checkpoint. Restore them (Ctrl+Z undoes the restore) or discard them?",
            QMessageBox.StandardButton.Discard,
            self.parent,
        )
        restore = box.addButton("Restore", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(restore)
        box.exec()
        if box.clickedButton() is restore:
            return "restore"
        return "discard" if box.clickedButton() is box.button(QMessageBox.StandardButton.Discard) else None


class Prompts(Protocol):
    """What the controller asks; :class:`DialogPrompts` asks the user, tests answer directly."""

    def clip_to_open(self, start_dir: str) -> str | None: ...
    def checkpoint_to_open(self, start_dir: str, title: str = "Open checkpoint") -> str | None: ...
    def tokens_to_load(self, start_dir: str) -> str | None: ...
    def tokens_save_path(self, suggested: str) -> str | None: ...
    def export_path(self, suggested: str, formats: tuple[str, ...]) -> str | None: ...
    def unsaved_edits(self) -> UnsavedAnswer: ...
    def restore(self, tokens: TokenFile) -> RestoreAnswer: ...
    def open_their_checkpoint(self, reason: str) -> bool: ...
    def import_plan(self, plan: ImportPlan, replan: Replan) -> ImportPlan | None: ...


class Documents(QObject):
    """Open, save, export and recover; says what happened in the status bar (``status(text, ms)``)."""

    def __init__(
        self,
        session: Session,
        reporter: ErrorReporter,
        recent_files: RecentFiles,
        autosave: Autosave,
        prompts: Prompts,
        status: Callable[[str, int], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.reporter = reporter
        self.recent_files = recent_files
        self.autosave = autosave
        self.prompts = prompts
        self.status = status

    @contextmanager
    def _busy(self, message: str) -> Iterator[None]:
        """A wait cursor and a note while a slow file operation runs; the result's message comes after."""
        self.status(message, 0)
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            yield
        finally:
            QApplication.restoreOverrideCursor()
            self.status("", 0)

    def confirm_discard_edits(self) -> bool:
        """Before unsaved token edits are replaced or the window closes: save them, drop them, or stay."""
        if not self.session.has_unsaved_edits():
            return True
        answer = self.prompts.unsaved_edits()
        if answer == "save":
            return self.save_tokens()
        return answer == "discard"

    def _offer_recovery(self) -> None:
        """After a clip or checkpoint opened: offer the edits a crash left for this pair."""
        tokens = self.autosave.recovered()
        if tokens is None:
            return
        answer = self.prompts.restore(tokens)
        if answer == "restore":
            with self.reporter.guard("Could not restore the edits"):
                self.session.replace_tokens(tokens.indices)
                self.status("Restored the unsaved token edits", STATUS_MS)
        elif answer == "discard":
            self.autosave.remove_recovered()

    def _open(self, kind: str, path: str | Path, opener: Callable[[Path], bool], what: str) -> bool:
        """Open with ``opener``; False when it failed (the error shown) or a newer open cancelled it."""
        if not self.confirm_discard_edits():
            return False
        opened = False
        with self._busy(f"Opening {Path(path).name}…"), self.reporter.guard(f"Could not open the {what}"):
            opened = opener(Path(path))
        self.recent_files.remember(
            kind, Path(path), opened, self._recent_label(kind, Path(path)) if opened else None
        )
        if opened:
            self._offer_recovery()
        return opened

    def _recent_label(self, kind: str, path: Path) -> RecentLabel | None:
        """How File > Open recent names a checkpoint: where it came from (``Checkpoint.label``; an
        import's original folder), a training run as the run."""
        ckpt = self.session.checkpoint
        if kind != "checkpoints" or ckpt is None:
            return None
        if (path / "latest").is_file():
            return RecentLabel(f"{path.name} · latest checkpoint", str(path.parent))
        imported = ckpt.extra.get("imported_from")
        origin = (
            Path(imported["file"]).parent if isinstance(imported, dict) and imported.get("file") else None
        )
        return RecentLabel(ckpt.label, str(origin or path.parent))

    def open_clip(self, path: str | Path | None = None) -> bool:
        """Open a clip (asking for one without ``path``); True when it opened."""
        path = path or self.prompts.clip_to_open(self.recent_files.start_dir("clips"))
        return bool(path) and self._open("clips", path, self.session.open_clip, "clip")

    def open_checkpoint(self, path: str | Path | None = None) -> bool:
        """Open a checkpoint file or folder, or a training run (its latest checkpoint); another
        codebase's tokenizer (a file, a MoMask run folder or its model/ folder) is imported first
        (:meth:`import_checkpoint`)."""
        path = path or self.prompts.checkpoint_to_open(self.recent_files.start_dir("checkpoints"))
        found = self._checkpoint_folder(path)
        if found is None:
            return False
        folder, imported = found
        opened = self._open("checkpoints", folder, self.session.open_checkpoint, "checkpoint")
        if opened:
            label = self.session.checkpoint.label
            self.status(
                f"Imported {label} into the app's data folder" if imported else f"Opened {label}", STATUS_MS
            )
        return opened

    def open_checkpoint_b(self, path: str | Path | None = None) -> bool:
        """Compare with a second checkpoint, B (any checkpoint :meth:`open_checkpoint` takes, imports
        included): drawn in the 3D view and compared over a dataset in the Dataset dock."""
        start = self.recent_files.start_dir("checkpoints")
        path = path or self.prompts.checkpoint_to_open(start, "Compare with checkpoint B")
        found = self._checkpoint_folder(path)
        if found is None:
            return False
        with self.reporter.guard("Could not open checkpoint B"):
            self.session.open_checkpoint_b(found[0])
            self.status(f"Comparing with B: {self.session.checkpoint_b.label}", STATUS_MS)
            return True
        return False

    def _checkpoint_folder(self, path: str | Path | None) -> tuple[Path, bool] | None:
        """The checkpoint ``path`` names, another codebase's imported first, and whether it was imported
        now; None (said) when it is none."""
        if not path:
            return None
        choice = recognise(path)
        if choice is None:
            reason = f"not a checkpoint: open {ACCEPTED}" if Path(path).exists() else "no such file or folder"
            self.reporter.error("Could not open the checkpoint", MotionFileError(path, reason))
            self.recent_files.remember("checkpoints", Path(path), False)
            return None
        if not choice.imported:
            return choice.path, False
        return self.import_checkpoint(choice.path)

    def import_checkpoint(self, path: Path) -> tuple[Path, bool] | None:
        """Plan the import, let the user choose the statistics the file does not carry and confirm it,
        and write it under the app's data folder: the folder and whether it was written now (the same
        file imported again is not written again), or None when cancelled or refused."""

        def replan(stats: tuple[str, ...]) -> ImportPlan:
            return plan_import(path, stats=stats, allow_missing_statistics=True)

        try:
            plan = replan(())
        except MotionFileError as exc:
            self.reporter.error("Could not import the tokenizer", exc)
            return None
        out = app_data_dir() / "imports" / f"{plan.family}-{path.stem}-{plan.sha256[:10]}"
        if (out / META_NAME).is_file():
            return out, False
        plan = self.prompts.import_plan(plan, replan)
        if plan is None:
            return None
        with self._busy(f"Importing {path.name}…"), self.reporter.guard("Could not import the tokenizer"):
            write_import(plan, out)
            return out, True
        return None

    def load_tokens(self, path: str | Path | None = None) -> bool:
        path = path or self.prompts.tokens_to_load(self.recent_files.start_dir("clips"))
        if not path:
            return False
        try:
            with self.reporter.guard("Could not load the tokens", reraise=WrongCheckpointError):
                self.session.load_tokens(path)
                self.status(f"Loaded tokens from {path}", STATUS_MS)
                return True
        except WrongCheckpointError as exc:
            theirs = exc.checkpoint_path
            # Offered only for another folder that still exists: the same folder has changed since.
            elsewhere = (
                theirs
                and Path(theirs).exists()
                and Path(theirs).resolve() != self.session.checkpoint.path.resolve()
            )
            if elsewhere and self.prompts.open_their_checkpoint(exc.reason):
                return self.open_checkpoint(theirs) and self.load_tokens(path)
            self.reporter.error("Could not load the tokens", exc)
        return False

    def _suggested(self, name: str) -> str:
        stem = self.session.clip_path.stem if self.session.clip_path else "clip"
        return str(Path(self.recent_files.start_dir("clips")) / f"{stem}{name}")

    def save_tokens(self, path: str | Path | None = None) -> bool:
        if self.session.editor is None:
            return False
        path = path or self.prompts.tokens_save_path(self._suggested("_tokens.npy"))
        if not path:
            return False
        path = Path(path).with_suffix(".npy")
        with self.reporter.guard("Could not save the tokens"):
            self.session.save_tokens(path)
            self.status(f"Saved tokens to {path} (and {path.with_suffix('.json').name})", STATUS_MS)
            return True
        return False

    def export_motion(self, path: str | Path | None = None) -> bool:
        if self.session.reconstruction is None:
            return False
        layers = self.session.layers_used
        edited = "_edited" if self.session.editor.is_edited() else ""  # the name says what the file carries
        formats = savable_formats(self.session.reconstruction.motion)
        path = path or self.prompts.export_path(
            self._suggested(f"_decoded_{layers}layers{edited}.bvh"), formats
        )
        if not path:
            return False
        exported = False
        with self._busy("Exporting…"), self.reporter.guard("Could not export the motion"):
            self.session.export_motion(path)
            exported = True
        if exported:
            self.status(f"Exported the {layers}-layer reconstruction to {path}", STATUS_MS)
        return exported

    def open_paths(self, paths: list[Path]) -> None:
        """Open what was dropped: checkpoints first, then a clip, then tokens (which need both)."""
        kinds = {path: classify_path(path) for path in paths}
        for kind, opener in (
            ("checkpoint", self.open_checkpoint),
            ("clip", self.open_clip),
            ("tokens", self.load_tokens),
        ):
            for path in (p for p, k in kinds.items() if k == kind):
                opener(path)
        unknown = [p.name for p, kind in kinds.items() if kind is None]
        if unknown:
            self.reporter.warning(
                "Cannot open", f"Not a clip, checkpoint or token file: {', '.join(unknown)}"
            )
