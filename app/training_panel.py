"""The training dock: setup, what the chosen clips hold, the run's folder, start/stop/resume, live curves.

The panel only builds a :class:`TrainingRequest` and listens to its :class:`BackgroundJob`, which
runs :func:`run_training` on a pool thread, so the window stays responsive while it trains. The
dock is narrow and short, so the setup (:class:`app.training_form.TrainingSetup`) scrolls in a
collapsible pane of a splitter and the buttons, the run folder and the curves stay in view below it.
Before a run, the chosen folders are surveyed (:func:`core.train.survey.survey_data`, in the
background) with the rule the run applies, so the panel says which clips it would skip and why.
"""

from __future__ import annotations

import time
from pathlib import Path

import platformdirs
from PySide6.QtCore import QSettings, Qt, QUrl, Signal
from PySide6.QtGui import QColor, QDesktopServices
from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from app import icons, theme
from app.background_job import BackgroundJob
from app.errors import ErrorReporter
from app.plots import TrainingPlots
from app.training_form import TrainingSetup
from core.errors import MotionFileError
from core.model.checkpoint import read_checkpoint_meta
from core.train.config import TrainConfig
from core.train.driver import TrainingRequest, run_training
from core.train.events import CheckpointEvent, EvalEvent, Event, FinishedEvent, MessageEvent, StepEvent
from core.train.overrides import TrainOverrides
from core.train.run_log import read_history
from core.train.survey import DataSurvey


def default_runs_folder() -> Path:
    """Where new runs go unless the user chose a run folder elsewhere: a visible folder of Documents."""
    return Path(platformdirs.user_documents_dir()) / "RVQ Motion Studio" / "runs"


def new_run_dir(parent: Path) -> Path:
    """A fresh, dated run folder under ``parent``."""
    return parent / time.strftime("run-%Y%m%d-%H%M%S")


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
        self._stopping = False

        self.setup = TrainingSetup(settings)
        self.form = self.setup.form
        self.preset_box, self.device_box = self.setup.preset_box, self.setup.device_box
        self.holdout_edit, self.data_list = self.setup.holdout_edit, self.setup.data_list
        self.setup_scroll = QScrollArea()
        self.setup_scroll.setWidgetResizable(True)
        self.setup_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)  # never clip
        self.setup_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setup_scroll.setWidget(self.setup)
        self.setup_toggle = QPushButton()
        self.setup_toggle.setCheckable(True)
        self.setup_toggle.setFlat(True)
        self.setup_toggle.setStyleSheet("text-align: left; padding: 3px 6px; font-weight: bold")
        self.setup_toggle.setToolTip("Show or fold the setup; folded, the curves take the dock")
        self.setup_toggle.toggled.connect(self.set_setup_shown)

        self.survey_headline = QLabel()
        self.survey_headline.setToolTip("What the chosen folders hold: the details are under Setup")
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

        runs = Path(settings.value("training/runs", str(default_runs_folder()), type=str))
        self.run_edit = QLineEdit(str(new_run_dir(runs)))
        self.run_edit.setToolTip(
            "The run folder: checkpoints, metrics.jsonl and TensorBoard logs are written here"
        )
        self.run_edit.editingFinished.connect(self._run_folder_edited)
        self._shown_run: Path | None = None
        browse = QPushButton("…")
        browse.setMaximumWidth(32)
        browse.setToolTip("Choose a run folder (an existing run shows its curves and can be resumed)")
        browse.clicked.connect(self._browse_run)
        self.open_button = QPushButton(
            style.standardIcon(QStyle.StandardPixmap.SP_DirOpenIcon), "Open folder"
        )
        self.open_button.setToolTip("Show the run folder in the file manager")
        self.open_button.clicked.connect(self.open_run_folder)
        self.new_button = QPushButton(
            style.standardIcon(QStyle.StandardPixmap.SP_FileDialogNewFolder), "New run"
        )
        self.new_button.setToolTip("A fresh run folder beside this one, for Start")
        self.new_button.clicked.connect(self.new_run)
        self.load_button = QPushButton("View")
        self.load_button.setToolTip("Load the run's latest checkpoint in the viewer")
        self.load_button.setEnabled(False)
        self.load_button.clicked.connect(lambda: self.loadCheckpointRequested.emit(self.latest_checkpoint))

        self.progress_bar = QProgressBar()
        self.rate_label = QLabel()
        self.rate_label.setStyleSheet(f"color: {theme.DIM_TEXT.name()}")
        self.rate_label.setWordWrap(True)
        self.plots = TrainingPlots()
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(500)
        self.log.setPlaceholderText("Training messages appear here")
        self.plots.addTab(self.log, "Log")

        run_pane = QWidget()
        grid = QGridLayout(run_pane)
        grid.setContentsMargins(4, 4, 4, 0)
        grid.addWidget(self.survey_headline, 0, 0, 1, 4)
        grid.addWidget(self.start_button, 1, 0, 1, 2)
        grid.addWidget(self.stop_button, 1, 2)
        grid.addWidget(self.resume_button, 1, 3)
        grid.addWidget(QLabel("Run"), 2, 0)
        row = QHBoxLayout()
        row.addWidget(self.run_edit, 1)
        row.addWidget(browse)
        grid.addLayout(row, 2, 1, 1, 3)
        row = QHBoxLayout()
        for button in (self.open_button, self.new_button, self.load_button):
            row.addWidget(button)
        grid.addLayout(row, 3, 0, 1, 4)
        grid.addWidget(self.progress_bar, 4, 0, 1, 4)
        grid.addWidget(self.rate_label, 5, 0, 1, 4)
        grid.addWidget(self.plots, 6, 0, 1, 4)
        grid.setRowStretch(6, 1)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        grid.setColumnStretch(3, 1)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.setup_scroll)
        self.splitter.addWidget(run_pane)
        self.splitter.setSizes([10_000, 1])  # before a run the setup gets the room the curves can spare
        self.splitter.setCollapsible(1, False)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self.setup_toggle)
        outer.addWidget(self.splitter, 1)

        self.job.progress.connect(self._event)
        self.job.failed.connect(self._failed)
        self.job.runningChanged.connect(self._running_changed)
        self.setup.surveyed.connect(self._surveyed)
        self.set_setup_shown(True)
        self._set_progress(0, 1, "no run yet", "")
        self._running_changed(False)
        self.setup.refresh_survey()

    # ----- configuration --------------------------------------------------------------------

    def show_config(self, config: TrainConfig) -> None:
        self.form.show(config)

    def overrides(self) -> TrainOverrides:
        return self.form.overrides()

    def holdout_file(self) -> Path | None:
        return self.setup.holdout_file()

    def data_paths(self) -> list[Path]:
        return self.setup.data_paths()

    def set_data_paths(self, paths: list[Path | str]) -> None:
        self.setup.set_data_paths(paths)

    def set_setup_shown(self, shown: bool) -> None:
        """Show or fold the setup pane; folded, the curves take the whole dock."""
        self.setup_toggle.setChecked(shown)
        self.setup_toggle.setText(("▾" if shown else "▸") + " Setup: data, model and schedule")
        self.setup_scroll.setVisible(shown)

    def _surveyed(self, survey: DataSurvey | str) -> None:
        """The survey's headline beside Start, where it is seen when the setup is folded."""
        self.survey_headline.setText(survey.headline() if isinstance(survey, DataSurvey) else survey)

    # ----- the run folder -------------------------------------------------------------------

    def run_dir(self) -> Path:
        return Path(self.run_edit.text()).expanduser()

    def open_run_folder(self) -> None:
        """The run folder in the file manager (its nearest existing parent before the run starts)."""
        folder = self.run_dir()
        while not folder.is_dir() and folder != folder.parent:
            folder = folder.parent
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def new_run(self) -> None:
        """A fresh folder beside the current run, ready for Start; the curves of the old run are cleared."""
        self.run_edit.setText(str(new_run_dir(self.run_dir().parent)))
        self._shown_run = None
        self.plots.clear()
        self.load_button.setEnabled(False)
        self._set_progress(0, 1, "no run yet", "")

    def _browse_run(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Choose a run folder", str(self.run_dir().parent))
        if folder:
            self.run_edit.setText(folder)
            self._show_run(Path(folder))

    def _run_folder_edited(self) -> None:
        if self.run_dir() != self._shown_run:
            self._show_run(self.run_dir())

    def _show_run(self, folder: Path) -> None:
        """An existing run: its curves from ``metrics.jsonl`` and its settings, so Resume continues what the
        user sees."""
        self._shown_run = folder
        history = read_history(folder)
        self.plots.load(history)
        try:
            _, meta = read_checkpoint_meta(folder)
        except MotionFileError:  # no run there (yet): nothing to view or resume
            self.load_button.setEnabled(False)
            self._set_progress(0, 1, "no run yet", "")
            return
        config = TrainConfig.from_dict(meta["train"])
        self.show_config(config)
        step = int(meta.get("step", 0))
        self._viewable(folder, step)
        self._set_progress(
            step, config.steps, "run at step %v of %m", f"A run at step {step}; Resume continues it"
        )
        self._message(
            f"{folder.name}: a run at step {step} ({len(history.steps)} points); Resume continues it"
        )

    # ----- running --------------------------------------------------------------------------

    def start(self, resume: bool) -> None:
        """Validate the form and start the run in the background (errors become messages)."""
        paths = self.data_paths()
        run_dir = self.run_dir()
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
                f"{run_dir} already holds a run. Press Resume to continue it, or New run for a fresh folder.",
            )
            return
        if resume and self._shown_run != run_dir:
            self._show_run(run_dir)
        self.settings.setValue("training/data", [str(p) for p in paths])
        self.settings.setValue("training/holdout", self.holdout_edit.text().strip())
        self.settings.setValue("training/runs", str(run_dir.parent))
        request = TrainingRequest(
            data_paths=tuple(paths),
            run_dir=run_dir,
            preset=self.preset_box.currentText(),
            overrides=self.overrides(),
            device=self.device_box.currentData(),
            resume=resume,
            holdout=self.holdout_file(),
        )
        if resume:
            self.plots.load(read_history(run_dir))  # the curves so far; the run adds to them
        else:
            self.plots.clear()
        self.set_setup_shown(False)
        self._set_progress(0, request.overrides.steps or 0, "loading clips…", "Loading clips…")
        self._message(("Resuming " if resume else "Starting ") + str(run_dir))
        with self.reporter.guard("Could not start training"):
            self.job.start(request)
            self._shown_run = run_dir

    def stop(self) -> None:
        """Ask the run to stop; the panel says so at once (the run ends after its current step)."""
        if self.job.running and not self._stopping:
            self._stopping = True
            self.stop_button.setEnabled(False)
            self.stop_button.setText("Stopping…")
            self.progress_bar.setFormat("stopping at step %v of %m…")
            self.rate_label.setText(f"Stopping after step {self.progress_bar.value()}: writing a checkpoint…")
            self.job.stop()

    def _running_changed(self, running: bool) -> None:
        if not running:
            self._stopping = False
            self.stop_button.setText("Stop")
        self.start_button.setEnabled(not running)
        self.resume_button.setEnabled(not running)
        self.stop_button.setEnabled(running and not self._stopping)
        self.setup.set_enabled(not running)
        for widget in (self.run_edit, self.new_button):
            widget.setEnabled(not running)

    def _set_progress(self, step: int, total: int, bar_format: str, label: str) -> None:
        """The bar and the label together, so they always tell the same step."""
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(step)
        self.progress_bar.setFormat(bar_format)
        self.rate_label.setText(label)
        self.rate_label.setVisible(bool(label))

    def _message(self, text: str, color: QColor | None = None) -> None:
        stamp = time.strftime("%H:%M:%S")
        if color is None:
            self.log.appendPlainText(f"{stamp}  {text}")
        else:
            self.log.appendHtml(f"<span style='color:{color.name()}'>{stamp}  {text}</span>")

    def _event(self, event: Event) -> None:
        if isinstance(event, StepEvent):
            self._progress(event)
        elif isinstance(event, EvalEvent):
            self.plots.add(event)
            self._message(event.summary())
        elif isinstance(event, CheckpointEvent):
            self._checkpoint(event)
        elif isinstance(event, MessageEvent):
            self._message(event.text)
        elif isinstance(event, FinishedEvent):
            self._finished(event)

    def _progress(self, event: StepEvent) -> None:
        self.plots.add(event)
        if self._stopping:
            self.progress_bar.setValue(event.step)
            return
        self._set_progress(event.step, event.total_steps, "step %v of %m", event.summary())

    def _checkpoint(self, event: CheckpointEvent) -> None:
        self._viewable(event.path, event.step)
        self._message(f"checkpoint written: {event.path}")

    def _viewable(self, path: Path, step: int) -> None:
        """``View`` loads this checkpoint (or run folder's latest) in the viewer."""
        self.latest_checkpoint = str(path)
        self.load_button.setEnabled(True)
        self.load_button.setText(f"View step {step}")
        self.load_button.setToolTip(f"Load the checkpoint of step {step} in the viewer")

    def _finished(self, event: FinishedEvent) -> None:
        """The bar and the label both say where the run ended (a stop lands after the last logged step)."""
        total = self.progress_bar.maximum()
        self._set_progress(
            event.step,
            total,
            f"{event.reason} at step %v of %m",
            f"{event.reason.capitalize()} at step {event.step}",
        )
        self._message(
            f"{event.reason} at step {event.step}"
            + (f"; latest checkpoint {event.checkpoint}" if event.checkpoint else "")
        )

    def _failed(self, text: str) -> None:
        self.progress_bar.setFormat("failed at step %v of %m")
        self.rate_label.setText("Failed: see the Log tab")
        self._message(f"training failed: {text}", QColor(255, 110, 110))
        self.reporter.warning("Training failed", text)
