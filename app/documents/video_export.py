"""File > Export video: the scene on screen as an MP4 or GIF, written in the background.

The dialog takes the file, frame size, frame rate, frame range, layers, overlay and root alignment
(starting from what the window shows). Export copies what is drawn out of the session on the GUI
thread (:meth:`Scene.of_reconstruction`), so token edits made while the video is written do not
reach it, then renders and encodes on a :class:`BackgroundJob` (:func:`core.render.export_video`);
the window stays responsive, a progress bar counts frames, and Cancel stops at the next frame and
leaves no file behind. The file is proposed in the folder of the last export, else the user's videos
folder (never next to the clip, which is often inside a dataset).
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, replace
from pathlib import Path

from platformdirs import user_videos_dir
from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.state.background_job import BackgroundJob
from core.render import (
    GIF_MAX_FPS,
    RenderSettings,
    Scene,
    check_video_path,
    export_video,
    output_fps,
    video_frame_count,
)

SIZES = ((1920, 1080), (1280, 720), (854, 480), (640, 360), (480, 270))
STATUS_MS = 8000
PATH_WIDTH = 380
"""Room for a folder and a file name in the File field."""
FOLDER_KIND = "videos"
"""The RecentFiles kind under which the last export's folder is remembered."""


def videos_folder() -> Path:
    """The user's videos folder (platformdirs: ~/Videos or the XDG setting), else home."""
    folder = Path(user_videos_dir())
    return folder if folder.is_dir() else Path.home()


@dataclass(frozen=True)
class VideoResult:
    path: Path
    frames: int
    complete: bool


def render_video(
    scene: Scene, path: Path, settings: RenderSettings, *, should_stop: Callable[[], bool]
) -> Generator[int, None, VideoResult]:
    """The background work: yields frames written; the result says whether it was cancelled."""
    complete = yield from export_video(scene, path, settings, should_stop)
    return VideoResult(path, video_frame_count(scene, settings) if complete else 0, complete)


class VideoExportDialog(QDialog):
    """The choices, a progress bar, Export and Cancel (Cancel stops a running export, else closes)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export video")
        self.path_edit = QLineEdit()
        self.path_edit.setMinimumWidth(PATH_WIDTH)
        self.path_edit.textChanged.connect(self.path_edit.setToolTip)  # the whole path, however long
        self.browse_button = QPushButton("Browse…")
        self.size_combo = QComboBox()
        for w, h in SIZES:
            self.size_combo.addItem(f"{w} × {h}", (w, h))
        self.width_spin, self.height_spin = QSpinBox(), QSpinBox()
        for spin in (self.width_spin, self.height_spin):
            spin.setRange(32, 4096)
            spin.setSingleStep(2)
        self.fps_spin = QDoubleSpinBox()
        self.fps_spin.setRange(1.0, 240.0)
        self.fps_spin.setDecimals(2)
        self.fps_spin.setSuffix(" fps")
        self.first_spin, self.last_spin = QSpinBox(), QSpinBox()
        self.layers_spin = QSpinBox()
        self.overlay_check = QCheckBox("Overlay skeletons")
        self.align_check = QCheckBox("Align roots (pose error only)")
        self.progress_bar = QProgressBar()
        self.progress_bar.setFormat("%v / %m frames")
        self.progress_bar.setVisible(False)  # shown once an export starts, with its frame count
        policy = self.progress_bar.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.progress_bar.setSizePolicy(policy)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.export_button = QPushButton("Export")
        self.export_button.setDefault(True)
        self.cancel_button = QPushButton("Close")

        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(self.browse_button)
        size_row = QHBoxLayout()
        size_row.addWidget(self.size_combo)
        size_row.addWidget(self.width_spin)
        size_row.addWidget(QLabel("×"))
        size_row.addWidget(self.height_spin)
        range_row = QHBoxLayout()
        range_row.addWidget(self.first_spin)
        range_row.addWidget(QLabel("to"))
        range_row.addWidget(self.last_spin)
        range_row.addStretch(1)
        form = QFormLayout()
        form.addRow("File (.mp4 or .gif)", path_row)
        form.addRow("Size (pixels)", size_row)
        form.addRow("Frame rate", self.fps_spin)
        form.addRow("Frames", range_row)
        form.addRow("Layers used", self.layers_spin)
        form.addRow("", self.overlay_check)
        form.addRow("", self.align_check)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

        self.size_combo.activated.connect(self._size_chosen)
        self.browse_button.clicked.connect(self._browse)
        self.first_spin.valueChanged.connect(lambda v: self.last_spin.setMinimum(v))
        self.size_combo.setCurrentIndex(SIZES.index((1280, 720)))
        self._size_chosen(self.size_combo.currentIndex())
        self.fps_spin.setToolTip("Frames per second of the video (a GIF plays at most 50)")
        self.stop_requested: Callable[[], None] = lambda: None

    def _size_chosen(self, index: int) -> None:
        w, h = self.size_combo.itemData(index)
        self.width_spin.setValue(w)
        self.height_spin.setValue(h)

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export video", self.path_edit.text(), "Video (*.mp4 *.gif)"
        )
        if path:
            self.path_edit.setText(path if Path(path).suffix.lower() in (".mp4", ".gif") else f"{path}.mp4")

    def set_running(self, running: bool) -> None:
        for widget in (
            self.path_edit,
            self.browse_button,
            self.size_combo,
            self.width_spin,
            self.height_spin,
        ):
            widget.setEnabled(not running)
        for widget in (self.fps_spin, self.first_spin, self.last_spin, self.overlay_check):
            widget.setEnabled(not running)
        self.layers_spin.setEnabled(not running and self.layers_spin.maximum() > 0)
        self.align_check.setEnabled(not running and self.layers_spin.maximum() > 0)
        self.export_button.setEnabled(not running)
        self.cancel_button.setText("Cancel" if running else "Close")
        if running:
            self.progress_bar.setVisible(True)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.stop_requested()  # closing the dialog stops its export; the partial file is removed
        super().closeEvent(event)

    def reject(self) -> None:
        self.stop_requested()
        super().reject()


class VideoExport(QObject):
    """File > Export video for one main window: ``VideoExport.for_window(window).start()``."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.viewer = window.viewer
        self.reporter = window.reporter
        self.job = BackgroundJob(render_video, self)
        self.dialog = VideoExportDialog(window)
        self.dialog.stop_requested = self.job.stop
        self.dialog.export_button.clicked.connect(self.export)
        self.dialog.cancel_button.clicked.connect(self._cancel_or_close)
        self.job.progress.connect(self.dialog.progress_bar.setValue)
        self.job.finished.connect(self._finished)
        self.job.failed.connect(self._failed)
        self.job.runningChanged.connect(self.dialog.set_running)
        app = QCoreApplication.instance()
        if app is not None:  # quitting stops an export (its partial file is removed) instead of waiting
            app.aboutToQuit.connect(self.job.shutdown)

    @classmethod
    def for_window(cls, window: QMainWindow) -> VideoExport:
        """The window's one exporter (made on first use), so a second Export video shows the same dialog."""
        existing = window.findChild(VideoExport)
        return existing if existing is not None else cls(window)

    def start(self) -> None:
        """Show the dialog, filled from the window (clip, layers used, overlay, alignment) unless an
        export is running."""
        if self.session.motion is None:
            self.reporter.warning("Export video", "Open a clip first (File > Open clip).")
            return
        if not self.job.running:
            self._fill()
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()

    def _fill(self) -> None:
        d, session = self.dialog, self.session
        recon = session.reconstruction
        frames = session.num_frames
        stem = session.clip_path.stem if session.clip_path else "clip"
        name = f"{stem}_{session.layers_used}layers.mp4" if recon is not None else f"{stem}_original.mp4"
        folder = self.window.recent_files.last_folder(FOLDER_KIND) or videos_folder()
        d.path_edit.setText(str(folder / name))
        d.fps_spin.setValue(min(session.fps, 240.0))
        for spin in (d.first_spin, d.last_spin):
            spin.setRange(0, frames - 1)
        d.first_spin.setValue(0)
        d.last_spin.setValue(frames - 1)
        d.layers_spin.setRange(1 if recon is not None else 0, session.num_quantizers)
        d.layers_spin.setValue(session.layers_used if recon is not None else 0)
        d.overlay_check.setChecked(self.viewer.overlay)
        d.align_check.setChecked(self.viewer.align_roots)
        d.progress_bar.setVisible(False)
        d.message.setText("" if recon is not None else "No reconstruction: the clip is drawn alone.")
        d.set_running(False)

    def settings(self) -> RenderSettings:
        d = self.dialog
        return RenderSettings(
            width=d.width_spin.value(),
            height=d.height_spin.value(),
            fps=d.fps_spin.value(),
            start=d.first_spin.value(),
            stop=d.last_spin.value() + 1,
            overlay=d.overlay_check.isChecked(),
        )

    def scene(self) -> Scene:
        """What is drawn, copied now (on the GUI thread) from the session."""
        session, d = self.session, self.dialog
        clip_name = session.clip_path.name if session.clip_path else "clip"
        if session.reconstruction is None:
            return Scene.of_motion(session.motion, clip_name)
        return Scene.of_reconstruction(
            session.reconstruction,
            d.layers_spin.value(),
            d.align_check.isChecked(),
            clip_name,
            session.checkpoint.label,
        )

    def export(self) -> None:
        """Check the choices here (a bad path or setting is a dialog, not a failed job), then start."""
        if self.job.running or self.session.motion is None:
            return
        with self.reporter.guard("Could not export the video"):
            path = check_video_path(self.dialog.path_edit.text().strip())
            scene = self.scene()
            settings = self.settings().checked(scene.num_frames)
            if path.suffix.lower() == ".gif" and settings.fps and settings.fps > GIF_MAX_FPS:
                settings = replace(settings, fps=GIF_MAX_FPS)
            output_fps(scene, settings, path)
            self.dialog.progress_bar.setRange(0, video_frame_count(scene, settings))
            self.dialog.progress_bar.setValue(0)
            self.dialog.message.setText(f"Writing {path.name}…")
            self.window.recent_files.remember_folder(FOLDER_KIND, path.parent)
            self.job.start(scene, path, settings)

    def _cancel_or_close(self) -> None:
        if self.job.running:
            self.job.stop()
            self.dialog.message.setText("Cancelling…")
        else:
            self.dialog.hide()

    def _finished(self, result: VideoResult) -> None:
        if result.complete:
            text = f"Exported a video of {result.frames} frames to {result.path}"
            self.dialog.message.setText(text)
            self.window.statusBar().showMessage(text, STATUS_MS)
            self.dialog.hide()
        else:
            self.dialog.message.setText("Cancelled: no file was written.")
            self.window.statusBar().showMessage("Video export cancelled", STATUS_MS)

    def _failed(self, message: str) -> None:
        self.dialog.message.setText("The export failed.")
        self.reporter.warning("Could not export the video", message)
