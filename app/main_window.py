"""The main window: menus and shortcuts, docks, status bar, file dialogs, drag and drop, recent files.

It wires the views to one Session and one Playback and routes every user action through the
ErrorReporter, so a bad file or a failed run becomes a dialog and the user's state survives.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from PySide6.QtCore import QSettings, QSize, Qt
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QImage, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from app import help_dialogs
from app.code_editor_panel import CodeEditorPanel
from app.errors import ErrorReporter
from app.playback import Playback
from app.recent_files import RecentFiles
from app.recovery import Autosave, default_recovery_dir
from app.refine_control import START_TEXT, RefineControl
from app.resources import APPLICATION, ORGANIZATION
from app.session import Session
from app.timeline import TimelinePanel
from app.training_panel import TrainingPanel
from app.transport import TransportBar
from app.viewer import Viewer
from core.checkpoint import META_NAME, STATE_NAME, WEIGHTS_NAME
from core.formats import LOADABLE
from core.token_file import TokenFile

RestoreAnswer = Literal["restore", "discard"] | None

CLIP_FILTER = (
    "Motion clips (*.bvh *.npz *.npy);;BVH (*.bvh);;SMPL-X (*.npz);;HumanML3D (*.npy);;All files (*)"
)


def classify_path(path: Path) -> str | None:
    """What a dropped or recent path is: "checkpoint", "tokens", "clip", or None when unknown."""
    if path.is_dir() or path.name in (META_NAME, WEIGHTS_NAME, STATE_NAME):
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


class MainWindow(QMainWindow):
    """The workbench: 3D comparison in the centre, token timeline below, editor and training on the right."""

    def __init__(self, settings: QSettings | None = None, recovery_dir: Path | None = None) -> None:
        super().__init__()
        self.settings = settings if settings is not None else QSettings(ORGANIZATION, APPLICATION)
        self.recent_files = RecentFiles(self.settings)
        self.setWindowTitle("RVQ Motion Studio[*]")
        self.setAcceptDrops(True)
        self.setDockOptions(
            QMainWindow.DockOption.AnimatedDocks
            | QMainWindow.DockOption.AllowTabbedDocks
            | QMainWindow.DockOption.AllowNestedDocks
        )
        self.reporter = ErrorReporter(self)
        self.session = Session(self)
        self.autosave = Autosave(self.session, recovery_dir or default_recovery_dir(), self)
        self.autosave.failed.connect(self.reporter.warning)
        self.playback = Playback(self)
        # Connected before the views so the clock knows the new clip when they redraw.
        self.session.clipChanged.connect(self._clip_changed)
        self.session.warning.connect(self.reporter.warning)

        self._create_actions()
        self.viewer = Viewer(self.session, self.playback)
        self.transport = TransportBar(self.session, self.playback)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.viewer, 1)
        layout.addWidget(self.transport)
        self.setCentralWidget(central)

        self.timeline_panel = TimelinePanel(self.session, self.playback)
        self.timeline_panel.view.hovered.connect(self._hovered)
        self.editor_panel = CodeEditorPanel(
            self.session,
            self.reporter,
            [
                self.copy_action,
                self.paste_action,
                self.reset_selection_action,
                self.reset_all_action,
                self.undo_action,
                self.redo_action,
                self.refine_action,
            ],
        )
        self.training_panel = TrainingPanel(self.reporter, self.settings)
        self.training_panel.loadCheckpointRequested.connect(self.open_checkpoint)
        self.timeline_dock = self._dock("Tokens", self.timeline_panel, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.editor_dock = self._dock(
            "Token editor", self.editor_panel, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.training_dock = self._dock(
            "Training", self.training_panel, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.tabifyDockWidget(self.editor_dock, self.training_dock)
        self.editor_dock.raise_()
        self.resizeDocks([self.editor_dock], [370], Qt.Orientation.Horizontal)
        self.resizeDocks([self.timeline_dock], [210], Qt.Orientation.Vertical)

        self._create_menus()
        self.refine = RefineControl(
            self.session, self.reporter, self.refine_action, self.statusBar(), parent=self
        )
        self.clip_label = QLabel()
        self.checkpoint_label = QLabel()
        for label in (self.clip_label, self.checkpoint_label):
            label.setStyleSheet("padding: 0 8px; border-left: 1px solid #3a3e44;")
        self.statusBar().addPermanentWidget(self.clip_label)
        self.statusBar().addPermanentWidget(self.checkpoint_label)
        self.statusBar().showMessage("Drop a clip or a checkpoint folder on the window to open it", 8000)

        for signal in (
            self.session.tokensChanged,
            self.session.selectionChanged,
            self.session.clipboardChanged,
            self.session.reconstructionChanged,
            self.session.checkpointChanged,
        ):
            signal.connect(self._update_state)
        self.playback.playingChanged.connect(
            lambda playing: self.play_action.setText("Pause" if playing else "Play")
        )
        self.resize(1280, 800)
        self._restore_layout()
        self._update_state()

    def sizeHint(self) -> QSize:
        return QSize(1280, 800)

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(title.replace(" ", "_").lower() + "_dock")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    # ----- actions and menus ----------------------------------------------------------------

    def _action(
        self,
        text: str,
        slot: Callable[[], object],
        shortcut: QKeySequence | str | None = None,
        tip: str = "",
        icon: QStyle.StandardPixmap | None = None,
        checkable: bool = False,
    ) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip)
        action.setToolTip(f"{text} ({action.shortcut().toString()})" if shortcut else text)
        if icon is not None:
            action.setIcon(self.style().standardIcon(icon))
        action.setCheckable(checkable)
        if checkable:
            action.toggled.connect(slot)
        else:
            action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _create_actions(self) -> None:
        sp = QStyle.StandardPixmap
        self.open_clip_action = self._action(
            "Open clip…",
            self.open_clip,
            QKeySequence.StandardKey.Open,
            "Open a .bvh, SMPL-X .npz or HumanML3D .npy clip",
            sp.SP_DialogOpenButton,
        )
        self.open_checkpoint_action = self._action(
            "Open checkpoint…",
            self.open_checkpoint,
            "Ctrl+Shift+O",
            "Open a checkpoint folder or a run folder",
            sp.SP_DirOpenIcon,
        )
        self.load_tokens_action = self._action(
            "Load tokens…", self.load_tokens, "Ctrl+L", "Load saved (edited) tokens of this clip"
        )
        self.save_tokens_action = self._action(
            "Save tokens…",
            self.save_tokens,
            QKeySequence.StandardKey.Save,
            "Save the current tokens (.npy and .json)",
            sp.SP_DialogSaveButton,
        )
        self.export_action = self._action(
            "Export decoded motion…",
            self.export_motion,
            "Ctrl+E",
            "Save the reconstruction as BVH or SMPL-X .npz",
        )
        self.quit_action = self._action(
            "Quit", self.close, QKeySequence.StandardKey.Quit, "Quit RVQ Motion Studio"
        )

        self.undo_action = self._action(
            "Undo",
            lambda: self._edit("undo"),
            QKeySequence.StandardKey.Undo,
            "Undo the last token edit",
        )
        self.redo_action = self._action(
            "Redo", lambda: self._edit("redo"), "Ctrl+Shift+Z", "Redo the token edit"
        )
        self.copy_action = self._action(
            "Copy steps",
            lambda: self._edit("copy_selection"),
            QKeySequence.StandardKey.Copy,
            "Copy the selected token steps (all layers)",
        )
        self.paste_action = self._action(
            "Paste steps",
            lambda: self._edit("paste"),
            QKeySequence.StandardKey.Paste,
            "Paste copied steps at the selected step (works across clips)",
        )
        self.reset_selection_action = self._action(
            "Reset selection",
            lambda: self._edit("reset_selection"),
            "Delete",
            "Give the selected steps back the encoder's codes",
        )
        self.reset_all_action = self._action(
            "Reset all edits",
            lambda: self._edit("reset_all"),
            "Ctrl+Shift+Backspace",
            "Give every step back the encoder's codes",
        )
        self.refine_action = self._action(
            START_TEXT,
            lambda: self.refine.toggle(),
            "Ctrl+R",
            "Search, in the background, for codes that decode closer to the clip (analysis by synthesis)",
        )

        self.clear_selection_action = self._action(
            "Clear selection", self.session.clear_selection, "Escape", "Deselect the token"
        )
        self.reset_selection_action.setShortcuts([QKeySequence("Delete"), QKeySequence("Backspace")])
        self.overlay_action = self._action(
            "Overlay skeletons",
            self.viewer_set_overlay,
            "O",
            "Draw the original and the reconstruction in one place",
            checkable=True,
        )
        self.align_action = self._action(
            "Align roots",
            self.viewer_set_align_roots,
            "A",
            "Compare poses on the original's root path (no drift of the decoded path)",
            checkable=True,
        )
        self.follow_action = self._action(
            "Follow root", self.viewer_set_follow, "F", "Keep the camera on the character", checkable=True
        )
        self.reset_camera_action = self._action(
            "Reset camera", lambda: self.viewer.reset_camera(), "R", "Frame the character again"
        )
        self.more_layers_action = self._action(
            "More layers",
            lambda: self.session.set_num_layers(self.session.num_layers + 1),
            ".",
            "Decode with one more quantizer layer",
        )
        self.fewer_layers_action = self._action(
            "Fewer layers",
            lambda: self.session.set_num_layers(self.session.num_layers - 1),
            ",",
            "Decode with one quantizer layer fewer",
        )
        # Printable keys, so a focused spin box or text field keeps its arrows and digits.
        self.layer_shortcuts = [
            QShortcut(QKeySequence(str(n)), self, lambda n=n: self.session.set_num_layers(n))
            for n in range(1, 10)
        ]
        self.zoom_in_action = self._action(
            "Zoom timeline in", lambda: self.timeline_panel.view.zoom(1.5), QKeySequence.StandardKey.ZoomIn
        )
        self.zoom_out_action = self._action(
            "Zoom timeline out",
            lambda: self.timeline_panel.view.zoom(1 / 1.5),
            QKeySequence.StandardKey.ZoomOut,
        )
        self.fit_action = self._action(
            "Fit timeline", lambda: self.timeline_panel.view.fit_to_width(), "Ctrl+0"
        )

        self.play_action = self._action("Play", self.playback.toggle, "Space", "Play or pause")
        self.prev_action = self._action(
            "Previous frame", lambda: self.playback.step(-1), "Left", "One frame back"
        )
        self.next_action = self._action(
            "Next frame", lambda: self.playback.step(1), "Right", "One frame forward"
        )
        self.first_action = self._action("First frame", lambda: self.playback.seek(0), "Home")
        self.last_action = self._action(
            "Last frame", lambda: self.playback.seek(self.playback.num_frames - 1), "End"
        )
        self.slower_action = self._action("Slower", self.playback.slower, "[", "Halve the playback speed")
        self.faster_action = self._action("Faster", self.playback.faster, "]", "Double the playback speed")
        self.loop_action = self._action(
            "Loop", self.playback.set_loop, "L", "Start again at the end", checkable=True
        )
        self.loop_action.setChecked(self.playback.loop)
        self.playback.loopChanged.connect(self.loop_action.setChecked)

        self.shortcuts_action = self._action(
            "Keyboard shortcuts", self.show_shortcuts, QKeySequence.StandardKey.HelpContents
        )
        self.about_action = self._action("About RVQ Motion Studio", self.show_about)

    def viewer_set_overlay(self, overlay: bool) -> None:
        self.viewer.set_overlay(overlay)

    def viewer_set_align_roots(self, align: bool) -> None:
        self.viewer.set_align_roots(align)

    def viewer_set_follow(self, follow: bool) -> None:
        self.viewer.set_follow(follow)

    def _create_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addActions([self.open_clip_action, self.open_checkpoint_action])
        self.recent_menu = QMenu("Open recent", self)
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addMenu(self.recent_menu)
        file_menu.addSeparator()
        file_menu.addActions([self.load_tokens_action, self.save_tokens_action, self.export_action])
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        edit_menu = bar.addMenu("&Edit")
        edit_menu.addActions([self.undo_action, self.redo_action])
        edit_menu.addSeparator()
        edit_menu.addActions([self.copy_action, self.paste_action])
        edit_menu.addSeparator()
        edit_menu.addAction(self.refine_action)
        edit_menu.addSeparator()
        edit_menu.addActions(
            [self.reset_selection_action, self.reset_all_action, self.clear_selection_action]
        )

        view_menu = bar.addMenu("&View")
        view_menu.addActions(
            [self.align_action, self.overlay_action, self.follow_action, self.reset_camera_action]
        )
        view_menu.addSeparator()
        view_menu.addActions([self.more_layers_action, self.fewer_layers_action])
        view_menu.addSeparator()
        view_menu.addActions([self.zoom_in_action, self.zoom_out_action, self.fit_action])
        view_menu.addSeparator()
        for dock in (self.timeline_dock, self.editor_dock, self.training_dock):
            view_menu.addAction(dock.toggleViewAction())

        play_menu = bar.addMenu("&Playback")
        play_menu.addActions(
            [self.play_action, self.prev_action, self.next_action, self.first_action, self.last_action]
        )
        play_menu.addSeparator()
        play_menu.addActions([self.slower_action, self.faster_action, self.loop_action])

        help_menu = bar.addMenu("&Help")
        help_menu.addActions([self.shortcuts_action, self.about_action])
        self.follow_action.setChecked(self.viewer.follow)
        self.align_action.setChecked(self.viewer.align_roots)
        self.viewer.align_button.toggled.connect(self.align_action.setChecked)
        self.viewer.overlay_button.toggled.connect(self.overlay_action.setChecked)
        self.viewer.follow_button.toggled.connect(self.follow_action.setChecked)

    def shortcut_table(self) -> list[tuple[str, str]]:
        return help_dialogs.shortcut_table(self)

    def show_shortcuts(self) -> None:
        help_dialogs.show_shortcuts(self)

    def show_about(self) -> None:
        help_dialogs.show_about(self)

    # ----- opening and saving ---------------------------------------------------------------

    @contextmanager
    def _busy(self, message: str) -> Iterator[None]:
        self.statusBar().showMessage(message)
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            yield
        finally:
            QApplication.restoreOverrideCursor()
            self.statusBar().clearMessage()

    def _confirm_discard_edits(self) -> bool:
        """Before unsaved token edits are replaced or the window closes: save them, drop them, or stay."""
        if not self.session.has_unsaved_edits():
            return True
        answer = self.ask_unsaved_edits()
        if answer == QMessageBox.StandardButton.Save:
            return self.save_tokens()
        return answer == QMessageBox.StandardButton.Discard

    def ask_unsaved_edits(self) -> QMessageBox.StandardButton:
        """The question behind closing or replacing unsaved edits (tests answer it in its place)."""
        return QMessageBox.question(
            self,
            "Unsaved token edits",
            "The tokens of this clip have unsaved edits. Save them first?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )

    def ask_restore(self, tokens: TokenFile) -> RestoreAnswer:
        """Whether to bring back edits a crash left behind (tests answer it in its place);
        None when the box was closed, which keeps the file for next time."""
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Restore unsaved edits?",
            f"RVQ Motion Studio closed without saving {len(tokens.edited)} edited token(s) of this clip "
            "with this checkpoint. Restore them (Ctrl+Z undoes the restore) or discard them?",
            QMessageBox.StandardButton.Discard,
            self,
        )
        restore = box.addButton("Restore", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(restore)
        box.exec()
        if box.clickedButton() is restore:
            return "restore"
        return "discard" if box.clickedButton() is box.button(QMessageBox.StandardButton.Discard) else None

    def _offer_recovery(self) -> None:
        """After a clip or checkpoint opened: offer the edits a crash left for this pair."""
        tokens = self.autosave.recovered()
        if tokens is None:
            return
        answer = self.ask_restore(tokens)
        if answer == "restore":
            with self.reporter.guard("Could not restore the edits"):
                self.session.replace_tokens(tokens.indices)
                self.statusBar().showMessage("Restored the unsaved token edits", 5000)
        elif answer == "discard":
            self.autosave.remove_recovered()

    def open_clip(self, path: str | Path | None = None) -> bool:
        """Open a clip (asking for one without ``path``); True when it opened."""
        if path is None:
            path, _ = QFileDialog.getOpenFileName(
                self, "Open clip", self.recent_files.start_dir("clips"), CLIP_FILTER
            )
            if not path:
                return False
        if not self._confirm_discard_edits():
            return False
        opened = False
        with self._busy(f"Opening {Path(path).name}…"), self.reporter.guard("Could not open the clip"):
            self.session.open_clip(path)
            opened = True
        self.recent_files.remember("clips", Path(path), opened)
        if opened:
            self._offer_recovery()
        return opened

    def open_checkpoint(self, path: str | Path | None = None) -> bool:
        """Open a checkpoint folder, a file in it, or a run folder (its latest checkpoint)."""
        if path is None:
            path = QFileDialog.getExistingDirectory(
                self, "Open checkpoint folder", self.recent_files.start_dir("checkpoints")
            )
            if not path:
                return False
        if not self._confirm_discard_edits():
            return False
        opened = False
        with (
            self._busy(f"Loading checkpoint {Path(path).name}…"),
            self.reporter.guard("Could not open the checkpoint"),
        ):
            self.session.open_checkpoint(path)
            opened = True
        self.recent_files.remember("checkpoints", Path(path), opened)
        if opened:
            self._offer_recovery()
        return opened

    def load_tokens(self, path: str | Path | None = None) -> bool:
        if path is None:
            path, _ = QFileDialog.getOpenFileName(
                self, "Load tokens", self.recent_files.start_dir("clips"), "Token files (*.npy)"
            )
            if not path:
                return False
        with self.reporter.guard("Could not load the tokens"):
            self.session.load_tokens(path)
            self.statusBar().showMessage(f"Loaded tokens from {path}", 5000)
            return True
        return False

    def save_tokens(self, path: str | Path | None = None) -> bool:
        if self.session.editor is None:
            return False
        if path is None:
            stem = self.session.clip_path.stem if self.session.clip_path else "clip"
            path, _ = QFileDialog.getSaveFileName(
                self,
                "Save tokens",
                str(Path(self.recent_files.start_dir("clips")) / f"{stem}_tokens.npy"),
                "Token files (*.npy)",
            )
            if not path:
                return False
        path = Path(path).with_suffix(".npy")
        with self.reporter.guard("Could not save the tokens"):
            self.session.save_tokens(path)
            self.statusBar().showMessage(
                f"Saved tokens to {path} (and {path.with_suffix('.json').name})", 5000
            )
            self._update_state()
            return True
        return False

    def export_motion(self, path: str | Path | None = None) -> bool:
        if self.session.reconstruction is None:
            return False
        if path is None:
            stem = self.session.clip_path.stem if self.session.clip_path else "clip"
            suggested = (
                Path(self.recent_files.start_dir("clips"))
                / f"{stem}_decoded_{self.session.num_layers}layers.bvh"
            )
            path, chosen = QFileDialog.getSaveFileName(
                self, "Export decoded motion", str(suggested), "BVH (*.bvh);;SMPL-X (*.npz)"
            )
            if not path:
                return False
            if Path(path).suffix.lower() not in (".bvh", ".npz"):
                path = str(Path(path).with_suffix(".npz" if "npz" in chosen else ".bvh"))
        with self._busy("Exporting…"), self.reporter.guard("Could not export the motion"):
            self.session.export_motion(path)
            self.statusBar().showMessage(
                f"Exported {self.session.num_layers}-layer reconstruction to {path}", 5000
            )
            return True
        return False

    def open_paths(self, paths: list[Path]) -> None:
        """Open what was dropped: checkpoints first, then a clip, then tokens (which need both)."""
        kinds = {path: classify_path(path) for path in paths}
        unknown = [p.name for p, kind in kinds.items() if kind is None]
        for kind, opener in (
            ("checkpoint", self.open_checkpoint),
            ("clip", self.open_clip),
            ("tokens", self.load_tokens),
        ):
            for path in (p for p, k in kinds.items() if k == kind):
                opener(path)
        if unknown:
            self.reporter.warning(
                "Cannot open", f"Not a clip, checkpoint or token file: {', '.join(unknown)}"
            )

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        event.acceptProposedAction()
        self.open_paths(paths)

    # ----- recent files ---------------------------------------------------------------------

    def recent(self, kind: str) -> list[str]:
        return self.recent_files.entries(kind)

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        for kind, title, opener in (
            ("clips", "Clips", self.open_clip),
            ("checkpoints", "Checkpoints", self.open_checkpoint),
        ):
            self.recent_menu.addSection(title)
            entries = self.recent(kind)
            if not entries:
                self.recent_menu.addAction("(none)").setEnabled(False)
            for entry in entries:
                action = self.recent_menu.addAction(Path(entry).name if kind == "clips" else entry)
                action.setToolTip(entry)
                action.triggered.connect(lambda _checked=False, e=entry, o=opener: o(e))

    # ----- state shown in the chrome ---------------------------------------------------------

    def _edit(self, name: str) -> None:
        with self.reporter.guard("Edit failed"):
            getattr(self.session, name)()
        if name == "copy_selection" and self.session.clipboard is not None:
            self.statusBar().showMessage(
                f"Copied {self.session.clipboard.shape[0]} steps; select a step (in any clip) and paste with Ctrl+V",
                5000,
            )

    def _clip_changed(self) -> None:
        motion = self.session.motion
        if motion is not None:
            self.playback.set_clip(motion.num_frames, motion.fps)

    def _hovered(self, text: str) -> None:
        if text:
            self.statusBar().showMessage(text)
        else:
            self.statusBar().clearMessage()

    def _update_state(self) -> None:
        session = self.session
        has_tokens = session.editor is not None
        selected = has_tokens and session.selection is not None
        self.undo_action.setEnabled(session.can_undo)
        self.redo_action.setEnabled(session.can_redo)
        self.copy_action.setEnabled(selected)
        self.paste_action.setEnabled(selected and session.clipboard is not None)
        self.reset_selection_action.setEnabled(selected)
        self.reset_all_action.setEnabled(has_tokens and session.editor.is_edited())
        self.save_tokens_action.setEnabled(has_tokens)
        self.load_tokens_action.setEnabled(has_tokens)
        self.export_action.setEnabled(session.reconstruction is not None)
        for action in (self.more_layers_action, self.fewer_layers_action):
            action.setEnabled(session.reconstruction is not None)
        motion, ckpt = session.motion, session.checkpoint
        clip_name = session.clip_path.name if session.clip_path else ""
        self.clip_label.setText(
            f"{clip_name} · {motion.num_frames} frames · {motion.fps:g} fps · {motion.skeleton.num_joints} joints"
            if motion is not None
            else "No clip"
        )
        self.checkpoint_label.setText(
            f"{ckpt.path.name} · step {ckpt.step} · {ckpt.config.num_quantizers}×{ckpt.config.nb_code} codes"
            if ckpt is not None
            else "No checkpoint"
        )
        parts = [p for p in (clip_name, ckpt.path.name if ckpt else "") if p]
        self.setWindowTitle("RVQ Motion Studio[*]" + (f" — {' · '.join(parts)}" if parts else ""))
        self.setWindowModified(session.has_unsaved_edits())

    # ----- window life ----------------------------------------------------------------------

    def _restore_layout(self) -> None:
        geometry = self.settings.value("window/geometry")
        state = self.settings.value("window/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)

    def grab_window(self) -> QImage:
        """The whole window including the GL view's content (QWidget.grab renders GL widgets too)."""
        return self.grab().toImage()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._confirm_discard_edits():
            event.ignore()
            return
        if self.training_panel.job.running:
            answer = QMessageBox.question(
                self,
                "Training in progress",
                "A training run is in progress. Stop it (a checkpoint is written) and quit?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
            with self._busy("Stopping training…"):
                self.training_panel.job.shutdown()
        self.refine.job.shutdown()
        self.autosave.discard()
        self.playback.pause()
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        super().closeEvent(event)
