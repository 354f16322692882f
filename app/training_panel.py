"""The training dock: data, preset and hyperparameters, device, start/stop/resume, live progress.

The panel only builds a :class:`TrainingRequest` and listens to its :class:`BackgroundJob`, which
runs :func:`run_training` on a pool thread, so the window stays responsive while it trains. The
hyperparameters' form is made from the table of overridable settings (:mod:`app.training_form`).
"""

from __future__ import annotations

import time
from pathlib import Path

import torch
from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QStyle,
    QVBoxLayout,
    QWidget,
)
from superqt import QCollapsible

from app import icons, theme
from app.background_job import BackgroundJob
from app.errors import ErrorReporter
from app.plots import TrainingPlots
from app.resources import app_data_dir
from app.training_form import TrainingForm
from core.errors import MotionFileError
from core.model.checkpoint import read_checkpoint_meta
from core.train.config import PRESETS, TrainConfig, preset
from core.train.driver import TrainingRequest, run_training
from core.train.events import CheckpointEvent, Event, FinishedEvent, MessageEvent, StepEvent
from core.train.overrides import TrainOverrides

PRESET_TIPS = {
    "seed": "The design documents' model (width 512, 1024 codes, 6 layers): sized for a GPU",
    "small": "A narrower model with 64 codes, 64-frame windows, a joint-position loss and mirrored clips "
    "that trains on a CPU",
    "motion-s": "The Motion-S model of the design documents on HumanML3D's 263 features: plain convs with "
    "BatchNorm, 6 x 512 codes, batches of whole clips",
}
DEVICES = (("Auto", "auto"), ("CPU", "cpu"), ("CUDA", "cuda"))


def format_duration(seconds: float) -> str:
    if seconds != seconds or seconds == float("inf"):
        return "—"
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def default_run_dir() -> Path:
    """A fresh, dated run folder under the user's data directory."""
    return app_data_dir() / "runs" / time.strftime("run-%Y%m%d-%H%M%S")


class TrainingPanel(QWidget):
    """Configure and watch a training run; ``loadCheckpointRequested`` hands a checkpoint to the viewer."""

    loadCheckpointRequested = Signal(str)

    def __init__(self, reporter: ErrorReporter, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reporter = reporter
        self.settings = settings
        # progress carries the run's events, finished the FinishedEvent it ended with
        self.job = BackgroundJob(run_training, self)
        self.latest_checkpoint: str = ""

        self.data_list = QListWidget()
        self.data_list.setToolTip("Folders (searched recursively) or files of clips to train on")
        self.data_list.setMaximumHeight(52)
        for path in settings.value("training/data", [], type=list):
            self.data_list.addItem(str(path))
        add_folder = QPushButton("Add folder…")
        add_folder.clicked.connect(self._add_folder)
        remove = QPushButton("Remove")
        remove.clicked.connect(
            lambda: [self.data_list.takeItem(self.data_list.row(i)) for i in self.data_list.selectedItems()]
        )
        data_buttons = QHBoxLayout()
        data_buttons.addWidget(add_folder)
        data_buttons.addWidget(remove)
        data_buttons.addStretch(1)

        self.preset_box = QComboBox()
        for name in PRESETS:
            self.preset_box.addItem(name)
            self.preset_box.setItemData(
                self.preset_box.count() - 1, PRESET_TIPS.get(name, ""), Qt.ItemDataRole.ToolTipRole
            )
        self.form = TrainingForm()
        self.holdout_edit = QLineEdit()
        self.holdout_edit.setPlaceholderText("none (every clip)")
        self.holdout_edit.setText(settings.value("training/holdout", "", type=str))
        self.holdout_edit.setToolTip(
            'A split file (JSON, a "holdout" list of clip names) left out of training'
        )
        holdout_browse = QPushButton("…")
        holdout_browse.setToolTip("Choose a split file of held-out clips")
        holdout_browse.clicked.connect(self._browse_holdout)
        self.device_box = QComboBox()
        for label, value in DEVICES:
            self.device_box.addItem(label, value)
        if not torch.cuda.is_available():
            self.device_box.model().item(2).setEnabled(False)
            self.device_box.setItemData(2, "No CUDA GPU is available", Qt.ItemDataRole.ToolTipRole)
        self.preset_box.currentTextChanged.connect(lambda name: self.show_config(preset(name)))
        self.run_edit = QLineEdit(str(default_run_dir()))
        self.run_edit.setToolTip("Checkpoints, metrics.jsonl and TensorBoard logs are written here")
        self.run_edit.editingFinished.connect(self._run_folder_edited)
        self._shown_run: Path | None = None
        browse = QPushButton("…")
        browse.setToolTip("Choose a run folder (an existing run can be resumed)")
        browse.clicked.connect(self._browse_run)
        style = self.style()
        self.start_button = QPushButton(icons.play(), "Start")
        self.start_button.setToolTip("Train a new model in the run folder")
        self.start_button.clicked.connect(lambda: self.start(resume=False))
        self.stop_button = QPushButton(icons.stop(), "Stop")
        self.stop_button.setToolTip("Stop after the current step and write a checkpoint")
        self.stop_button.clicked.connect(self.stop)
        self.resume_button = QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_BrowserReload), "Resume")
        self.resume_button.setToolTip("Continue the run in the run folder from its latest checkpoint")
        self.resume_button.clicked.connect(lambda: self.start(resume=True))
        buttons = QHBoxLayout()
        for button in (self.start_button, self.stop_button, self.resume_button):
            buttons.addWidget(button)

        setup = QWidget()
        grid = QGridLayout(setup)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(QLabel("Data"), 0, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.data_list, 0, 1, 1, 3)
        grid.addLayout(data_buttons, 1, 1, 1, 3)
        grid.addWidget(QLabel("Preset"), 2, 0)
        grid.addWidget(self.preset_box, 2, 1, 1, 3)
        grid.addWidget(QLabel("Device"), 3, 0)
        grid.addWidget(self.device_box, 3, 1, 1, 3)
        row = self.form.place(grid, 4)
        grid.addWidget(QLabel("Hold out"), row, 0)
        grid.addWidget(self.holdout_edit, row, 1, 1, 2)
        grid.addWidget(holdout_browse, row, 3)
        grid.addWidget(QLabel("Run"), row + 1, 0)
        grid.addWidget(self.run_edit, row + 1, 1, 1, 2)
        grid.addWidget(browse, row + 1, 3)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        self.setup = QCollapsible("Setup: data, model and schedule")
        self.setup.addWidget(setup)
        self.setup.expand(animate=False)

        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat("no run yet")
        self.rate_label = QLabel("Not running")
        self.rate_label.setStyleSheet(f"color: {theme.DIM_TEXT.name()}")
        self.rate_label.setWordWrap(True)
        self.plots = TrainingPlots()
        self.load_button = QPushButton("Load latest checkpoint in the viewer")
        self.load_button.setEnabled(False)
        self.load_button.clicked.connect(lambda: self.loadCheckpointRequested.emit(self.latest_checkpoint))
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(500)
        self.log.setMaximumHeight(64)
        self.log.setPlaceholderText("Training messages appear here")

        content = QWidget()
        layout = QVBoxLayout(content)
        layout.addWidget(self.setup)
        layout.addLayout(buttons)
        for widget in (self.progress_bar, self.rate_label, self.plots, self.load_button, self.log):
            layout.addWidget(widget, 1 if widget is self.plots else 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(content)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        self.job.progress.connect(self._event)
        self.job.failed.connect(self._failed)
        self.job.runningChanged.connect(self._running_changed)
        self.preset_box.setCurrentText("small")
        self.show_config(preset("small"))
        self._running_changed(False)

    # ----- configuration --------------------------------------------------------------------

    def show_config(self, config: TrainConfig) -> None:
        self.form.show(config)

    def overrides(self) -> TrainOverrides:
        return self.form.overrides()

    def holdout_file(self) -> Path | None:
        text = self.holdout_edit.text().strip()
        return Path(text).expanduser() if text else None

    def data_paths(self) -> list[Path]:
        return [Path(self.data_list.item(i).text()) for i in range(self.data_list.count())]

    def set_data_paths(self, paths: list[Path | str]) -> None:
        self.data_list.clear()
        for path in paths:
            self.data_list.addItem(str(path))

    def _add_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a folder of clips")
        if folder:
            self.data_list.addItem(folder)

    def _browse_holdout(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a split file", "", "Split files (*.json)")
        if path:
            self.holdout_edit.setText(path)

    def _browse_run(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Choose a run folder", self.run_edit.text())
        if folder:
            self.run_edit.setText(folder)
            self._show_run(Path(folder))

    def _run_folder_edited(self) -> None:
        folder = Path(self.run_edit.text()).expanduser()
        if folder != self._shown_run:
            self._show_run(folder)

    def _show_run(self, folder: Path) -> None:
        """An existing run: show its settings, so Resume continues what the user sees."""
        try:
            _, meta = read_checkpoint_meta(folder)
        except MotionFileError:
            return
        config = TrainConfig.from_dict(meta["train"])
        self.show_config(config)
        self._shown_run = folder
        self._message(f"{folder.name}: a run at step {meta.get('step', 0)}; Resume continues it")

    # ----- running --------------------------------------------------------------------------

    def start(self, resume: bool) -> None:
        """Validate the form and start the run in the background (errors become messages)."""
        paths = self.data_paths()
        run_dir = Path(self.run_edit.text()).expanduser()
        if not paths:
            self.reporter.warning("Cannot start training", "Add at least one folder of clips under Data.")
            return
        has_run = (run_dir / "latest").is_file()
        if resume and not has_run:
            self.reporter.warning(
                "Cannot resume", f"{run_dir} holds no run to resume (no 'latest' checkpoint)."
            )
            return
        if not resume and has_run:
            self.reporter.warning(
                "Run folder in use",
                f"{run_dir} already holds a run. Press Resume to continue it, or choose another folder.",
            )
            return
        if resume and self._shown_run != run_dir:
            self._show_run(run_dir)
        self.settings.setValue("training/data", [str(p) for p in paths])
        self.settings.setValue("training/holdout", self.holdout_edit.text().strip())
        request = TrainingRequest(
            data_paths=tuple(paths),
            run_dir=run_dir,
            preset=self.preset_box.currentText(),
            overrides=self.overrides(),
            device=self.device_box.currentData(),
            resume=resume,
            holdout=self.holdout_file(),
        )
        self.plots.clear()
        self.setup.collapse(animate=False)
        self.progress_bar.setRange(0, request.overrides.steps or 0)
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat("step %v / %m")
        self.rate_label.setText("Loading clips…")
        self._message(("Resuming " if resume else "Starting ") + str(run_dir))
        with self.reporter.guard("Could not start training"):
            self.job.start(request)
            self._shown_run = run_dir

    def stop(self) -> None:
        if self.job.running:
            self.rate_label.setText("Stopping after this step…")
            self.job.stop()

    def _running_changed(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.resume_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        self.form.set_enabled(not running)
        for widget in (self.preset_box, self.holdout_edit, self.device_box, self.run_edit, self.data_list):
            widget.setEnabled(not running)

    def _message(self, text: str, color: QColor | None = None) -> None:
        stamp = time.strftime("%H:%M:%S")
        if color is None:
            self.log.appendPlainText(f"{stamp}  {text}")
        else:
            self.log.appendHtml(f"<span style='color:{color.name()}'>{stamp}  {text}</span>")

    def _event(self, event: Event) -> None:
        if isinstance(event, StepEvent):
            self._progress(event)
        elif isinstance(event, CheckpointEvent):
            self._checkpoint(event)
        elif isinstance(event, MessageEvent):
            self._message(event.text)
        elif isinstance(event, FinishedEvent):
            self._finished(event)

    def _progress(self, event: StepEvent) -> None:
        self.progress_bar.setRange(0, event.total_steps)
        self.progress_bar.setValue(event.step)
        self.rate_label.setText(
            f"{event.steps_per_s:.1f} steps/s · ETA {format_duration(event.eta_s)} · loss {event.loss:.4f} · "
            f"perplexity L1 {event.perplexity[0]:.0f}"
        )
        self.plots.add(event)

    def _checkpoint(self, event: CheckpointEvent) -> None:
        self.latest_checkpoint = str(event.path)
        self.load_button.setEnabled(True)
        self.load_button.setText(f"Load checkpoint of step {event.step} in the viewer")
        self._message(f"checkpoint written: {event.path}")

    def _finished(self, event: FinishedEvent) -> None:
        """The bar and the label both say where the run ended (a stop lands after the last logged step)."""
        self.progress_bar.setValue(event.step)
        self.rate_label.setText(f"{event.reason.capitalize()} at step {event.step}")
        self._message(
            f"{event.reason} at step {event.step}"
            + (f"; latest checkpoint {event.checkpoint}" if event.checkpoint else "")
        )

    def _failed(self, text: str) -> None:
        self.rate_label.setText("Failed: see the message below")
        self._message(f"training failed: {text}", QColor(255, 110, 110))
        self.reporter.warning("Training failed", text)
