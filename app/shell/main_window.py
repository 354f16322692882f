"""The main window: layout and wiring only.

The views observe one Session and one Playback; commands are declared in :mod:`app.shell.actions`, file
commands live in :class:`app.documents.controller.Documents`, and every user action goes through the
ErrorReporter, so a bad file or a failed run becomes a dialog and the user's state survives.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QSize, Qt
from PySide6.QtGui import (
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QImage,
    QKeySequence,
    QShortcut,
)
from PySide6.QtWidgets import QMainWindow, QMenu, QMessageBox, QVBoxLayout, QWidget

from app.analysis.analysis_panel import AnalysisPanel
from app.analysis.dataset_browser import DatasetBrowser
from app.documents.controller import DialogPrompts, Documents, Prompts
from app.documents.recent_files import RecentFiles
from app.documents.recovery import Autosave, default_recovery_dir
from app.documents.video_export import VideoExport
from app.editing.code_editor_panel import CodeEditorPanel
from app.editing.refine_control import RefineControl
from app.shell import help_dialogs
from app.shell.actions import create_actions, fill_menus
from app.shell.device_menu import device_menu
from app.shell.docks import add_dock
from app.shell.window_chrome import SessionLabels, update_commands
from app.state.errors import ErrorReporter
from app.state.opening import levels_progress_bar
from app.state.playback import Playback
from app.state.resources import APPLICATION, ORGANIZATION
from app.state.session import Session
from app.timeline.timeline_panel import TimelinePanel
from app.timeline.transport import TransportBar
from app.training.training_panel import TrainingPanel
from app.viewer.viewer import Viewer

PREFERRED_SIZE = QSize(1280, 800)
LAYOUT_VERSION = 4
"""Saved dock layouts of another version are not restored: a dock added since gets its place."""
EDIT_ACTIONS = ("copy", "paste", "interpolate", "reset_selection", "reset_all", "undo", "redo", "refine")
"""The commands the Token editor dock shows as buttons."""


def initial_size(available: QSize) -> QSize:
    """The first window size: the preferred one, shrunk to fit the screen's free area (1024x700 too)."""
    return PREFERRED_SIZE.boundedTo(available)


class MainWindow(QMainWindow):
    """The workbench: 3D comparison in the centre, token timeline below, editor and training on the right."""

    def __init__(
        self,
        settings: QSettings | None = None,
        recovery_dir: Path | None = None,
        prompts: Prompts | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings if settings is not None else QSettings(ORGANIZATION, APPLICATION)
        self.recent_files = RecentFiles(self.settings)
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
        self.session.warning.connect(self.reporter.warning)
        self.session.told.connect(lambda text: self._status(text, 15_000))
        self.playback = Playback(self.session, self)
        self.prompts = prompts or DialogPrompts(self)
        self.documents = Documents(
            self.session, self.reporter, self.recent_files, self.autosave, self.prompts, self._status, self
        )
        self.viewer = Viewer(self.session, self.playback)
        self.transport = TransportBar(self.session, self.playback)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.viewer, 1)
        layout.addWidget(self.transport)
        self.setCentralWidget(central)
        self.commands = create_actions(self, self._slots())
        self._build_docks()
        self._build_menus()
        self._build_status_bar()
        self._connect_chrome()
        screen = QGuiApplication.primaryScreen()
        self.resize(initial_size(screen.availableGeometry().size()) if screen else PREFERRED_SIZE)
        self._restore_layout()
        self._update_state()

    def _build_docks(self) -> None:
        """Tokens below the view; Token editor, Training, Analysis and Dataset tabbed on the right."""
        self.timeline_panel = TimelinePanel(self.session, self.playback)
        self.timeline_panel.view.hovered.connect(self._hovered)
        self.editor_panel = CodeEditorPanel(
            self.session, self.reporter, [self.commands[name] for name in EDIT_ACTIONS]
        )
        self.training_panel = TrainingPanel(self.reporter, self.settings)
        self.training_panel.loadCheckpointRequested.connect(self.documents.open_checkpoint)
        self.analysis_panel = AnalysisPanel(
            self.session, self.playback, self.reporter, lambda: self.dataset_browser.sources.files()
        )
        self.analysis_panel.atlas.openRequested.connect(self._open_at_frame)
        for view in (self.timeline_panel.strip, self.analysis_panel):
            view.set_aligned(self.session.aligned)  # errors follow "Align roots"
            self.session.alignedChanged.connect(view.set_aligned)
        self.dataset_browser = DatasetBrowser(self.session, self.reporter, self.settings)
        self.dataset_browser.openRequested.connect(self._open_at_frame)
        self.dataset_browser.compareRequested.connect(self.documents.open_checkpoint_b)
        self.dataset_browser.evaluated.connect(self.analysis_panel.codebook.dataset_evaluated)
        right = Qt.DockWidgetArea.RightDockWidgetArea
        self.timeline_dock = add_dock(
            self, "Tokens", self.timeline_panel, Qt.DockWidgetArea.BottomDockWidgetArea
        )
        self.editor_dock = add_dock(self, "Editor", self.editor_panel, right)
        self.training_dock = add_dock(self, "Training", self.training_panel, right)
        self.analysis_dock = add_dock(self, "Analysis", self.analysis_panel, right)
        self.dataset_dock = add_dock(self, "Dataset", self.dataset_browser, right, scroll=True)
        self.dataset_dock.visibilityChanged.connect(self._room_for_the_dataset)
        for corner in (Qt.Corner.BottomRightCorner, Qt.Corner.TopRightCorner):
            self.setCorner(corner, right)  # the right docks: full height
        self.tabifyDockWidget(self.editor_dock, self.training_dock)
        self.tabifyDockWidget(self.training_dock, self.analysis_dock)
        self.tabifyDockWidget(self.analysis_dock, self.dataset_dock)  # the right side is the tallest
        self.editor_dock.raise_()
        self.resizeDocks([self.editor_dock], [370], Qt.Orientation.Horizontal)
        self.resizeDocks([self.timeline_dock], [280], Qt.Orientation.Vertical)

    def _build_menus(self) -> None:
        self.recent_menu = QMenu("Open recent", self)
        self.recent_menu.aboutToShow.connect(
            lambda: self.recent_files.fill_menu(
                self.recent_menu, self.documents.open_clip, self.documents.open_checkpoint
            )
        )
        submenus = {"recent": self.recent_menu, "device": device_menu(self.session, self.reporter, self)}
        fill_menus(self.menuBar(), self._menu_actions(), submenus)
        # Printable keys, so a focused spin box or text field keeps its arrows and digits.
        self.layer_shortcuts = [
            QShortcut(QKeySequence(str(n)), self, lambda n=n: self.session.set_layers_used(n))
            for n in range(1, 10)
        ]

    def _build_status_bar(self) -> None:
        self.refine = RefineControl(
            self.session, self.reporter, self.commands["refine"], self.statusBar(), parent=self
        )
        self.labels = SessionLabels(self.statusBar())
        self.statusBar().addPermanentWidget(levels_progress_bar(self.session.opener))
        self.session.opener.status.connect(lambda text: self._status(text, 0))
        self.statusBar().showMessage("Drop a clip or a checkpoint folder on the window to open it", 8000)

    def _connect_chrome(self) -> None:
        """The title, the commands' enabled states and the status labels follow the session."""
        for signal in (
            self.session.tokensChanged,
            self.session.selectionChanged,
            self.session.clipboardChanged,
            self.session.reconstructionChanged,
            self.session.checkpointChanged,
            self.session.savedChanged,
            self.session.deviceChanged,
        ):
            signal.connect(self._update_state)
        self.commands["loop"].setChecked(self.playback.loop)
        self.playback.loopChanged.connect(self.commands["loop"].setChecked)
        self.playback.playingChanged.connect(
            lambda playing: self.commands["play"].setText("Pause" if playing else "Play")
        )

    def sizeHint(self) -> QSize:
        return PREFERRED_SIZE

    def _slots(self) -> dict[str, object]:
        """What each command of :data:`app.shell.actions.ACTIONS` does."""
        session, playback, docs = self.session, self.playback, self.documents
        return {
            "open_clip": docs.open_clip,
            "open_checkpoint": docs.open_checkpoint,
            "load_tokens": docs.load_tokens,
            "save_tokens": docs.save_tokens,
            "export": docs.export_motion,
            "export_video": lambda: VideoExport.for_window(self).start(),
            "quit": self.close,
            "undo": lambda: self._edit(session.undo),
            "redo": lambda: self._edit(session.redo),
            "copy": self._copy,
            "paste": lambda: self._edit(session.paste),
            "interpolate": lambda: self._edit(session.interpolate_selection),
            "reset_selection": lambda: self._edit(session.reset_selection),
            "reset_all": lambda: self._edit(session.reset_all),
            "refine": lambda: self.refine.toggle(),
            "clear_selection": session.clear_selection,
            "more_layers": lambda: session.set_layers_used(session.layers_used + 1),
            "fewer_layers": lambda: session.set_layers_used(session.layers_used - 1),
            "zoom_in": lambda: self.timeline_panel.view.zoom(1.5),
            "zoom_out": lambda: self.timeline_panel.view.zoom(1 / 1.5),
            "fit": lambda: self.timeline_panel.view.fit_to_width(),
            "checkpoint_b": docs.open_checkpoint_b,
            "close_checkpoint_b": self.session.close_checkpoint_b,
            "play": playback.toggle,
            "previous_frame": lambda: playback.step(-1),
            "next_frame": lambda: playback.step(1),
            "first_frame": lambda: playback.seek(0),
            "last_frame": lambda: playback.seek(playback.num_frames - 1),
            "slower": playback.slower,
            "faster": playback.faster,
            "loop": playback.set_loop,
            "shortcuts": lambda: help_dialogs.show_shortcuts(self),
            "about": lambda: help_dialogs.show_about(self),
        }

    def _menu_actions(self) -> dict:
        viewer = self.viewer
        return {
            **self.commands,
            "align_roots": viewer.align_action,
            "overlay": viewer.overlay_action,
            "follow": viewer.follow_action,
            "root_paths": viewer.paths_action,
            "ghost": viewer.ghost_action,
            "meshes": viewer.mesh_action,
            "smplx_folder": viewer.smplx_folder_action,
            "reset_camera": viewer.reset_camera_action,
            "tokens_dock": self.timeline_dock.toggleViewAction(),
            "editor_dock": self.editor_dock.toggleViewAction(),
            "training_dock": self.training_dock.toggleViewAction(),
            "analysis_dock": self.analysis_dock.toggleViewAction(),
            "dataset_dock": self.dataset_dock.toggleViewAction(),
        }

    def shortcut_table(self) -> list[tuple[str, str]]:
        return help_dialogs.shortcut_table(self)

    # ----- commands that need the window ------------------------------------------------------

    def _status(self, text: str, timeout_ms: int) -> None:
        if text:
            self.statusBar().showMessage(text, timeout_ms)
        else:
            self.statusBar().clearMessage()

    def _edit(self, command: object) -> None:
        with self.reporter.guard("Edit failed"):
            command()

    def _copy(self) -> None:
        self._edit(self.session.copy_selection)
        if self.session.clipboard is not None:
            self._status(
                f"Copied {self.session.clipboard.shape[0]} steps; select a step (in any clip) and paste with Ctrl+V",
                5000,
            )

    def _open_at_frame(self, path: str, frame: int) -> None:
        """A clip picked in the dataset browser, shown at its worst frame."""
        if self.documents.open_clip(path):
            self.playback.seek(frame)

    def _room_for_the_dataset(self, visible: bool) -> None:
        """The per-clip table needs width: the right docks widen to half the window when it is shown."""
        wanted = self.width() // 2
        if visible and self.dataset_dock.width() < wanted and not self.dataset_dock.isFloating():
            self.resizeDocks([self.dataset_dock], [wanted], Qt.Orientation.Horizontal)

    def _hovered(self, text: str) -> None:
        self._status(text, 0)

    def recent(self, kind: str) -> list[str]:
        return self.recent_files.entries(kind)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        event.acceptProposedAction()
        self.documents.open_paths(paths)

    # ----- state shown in the chrome ----------------------------------------------------------

    def _update_state(self) -> None:
        update_commands(self.commands, self.session)
        title = self.labels.update(self.session)
        # The platform appends the application's name ("… — RVQ Motion Studio"); empty shows the name alone.
        self.setWindowTitle(title + "[*]" if title else "")
        self.setWindowModified(self.session.has_unsaved_edits())

    # ----- window life ------------------------------------------------------------------------

    def _restore_layout(self) -> None:
        geometry = self.settings.value("window/geometry")
        state = self.settings.value("window/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state, LAYOUT_VERSION)

    def grab_window(self) -> QImage:
        """The whole window including the GL view's content (QWidget.grab renders GL widgets too)."""
        return self.grab().toImage()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.documents.confirm_discard_edits():
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
            self._status("Stopping training…", 0)
            self.training_panel.job.shutdown()
        self.refine.job.shutdown()
        self.dataset_browser.shutdown()
        self.analysis_panel.atlas.shutdown()
        self.session.opener.shutdown()
        self.autosave.discard()
        self.playback.pause()
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState(LAYOUT_VERSION))
        super().closeEvent(event)
