"""The training dock: setup, what the chosen clips hold, the run's folder, start/stop/resume, live curves.

The panel only builds a :class:`TrainingRequest` and listens to its :class:`BackgroundJob`, which
runs :func:`run_training` on a pool thread, so the window stays responsive while it trains. The
dock is narrow and short, so the setup (:class:`app.training.training_form.TrainingSetup`) scrolls in a
collapsible pane of a splitter and the buttons, the run folder and the curves stay in view below it.
Before a run, the chosen folders are surveyed (:func:`core.train.survey.survey_data`, in the
background) with the rule the run applies, so the panel says which clips it would skip and why.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QFileDialog,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.state.background_job import BackgroundJob
from app.state.errors import ErrorReporter
from app.style import theme
from app.training.run_controls import RunControls, new_run_dir
from app.training.training_form import TrainingSetup
from core.errors import MotionFileError
from core.model.checkpoint import read_checkpoint_meta
from core.train.config import TrainConfig
from core.train.driver import TrainingRequest, run_training
from core.train.events import CheckpointEvent, EvalEvent, Event, FinishedEvent, MessageEvent, StepEvent
from core.train.overrides import TrainOverrides
from core.train.run_log import read_history
from core.train.survey import DataSurvey


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
        self._shown_run: Path | None = None
        self.setup = TrainingSetup(settings)
        self.form = self.setup.form
        self.preset_box, self.device_box = self.setup.preset_box, self.setup.device_box
        self.holdout_edit, self.data_list = self.setup.holdout_edit, self.setup.data_list
        self._build_setup_toggle()
        self.controls = RunControls(self.settings)
        self._connect_controls()
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self._build_setup_scroll())
        self.splitter.addWidget(self.controls)
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
        self.controls.set_progress(0, 1, "no run yet", "")
        self._running_changed(False)
        self.setup.refresh_survey()

    def _build_setup_scroll(self) -> QScrollArea:
        self.setup_scroll = QScrollArea()
        self.setup_scroll.setWidgetResizable(True)
        self.setup_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)  # never clip
        self.setup_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setup_scroll.setWidget(self.setup)
        return self.setup_scroll

    def _connect_controls(self) -> None:
        controls = self.controls
        controls.start_button.clicked.connect(lambda: self.start(resume=False))
        controls.stop_button.clicked.connect(self.stop)
        controls.resume_button.clicked.connect(lambda: self.start(resume=True))
        controls.run_edit.editingFinished.connect(self._run_folder_edited)
        controls.browse_button.clicked.connect(self._browse_run)
        controls.open_button.clicked.connect(self.open_run_folder)
        controls.new_button.clicked.connect(self.new_run)
        controls.load_button.clicked.connect(
            lambda: self.loadCheckpointRequested.emit(self.latest_checkpoint)
        )

    def _build_setup_toggle(self) -> None:
        self.setup_toggle = QPushButton()
        self.setup_toggle.setCheckable(True)
        self.setup_toggle.setFlat(True)
        self.setup_toggle.setStyleSheet("text-align: left; padding: 3px 6px; font-weight: bold")
        self.setup_toggle.setToolTip("Show or fold the setup; folded, the curves take the dock")
        self.setup_toggle.toggled.connect(self.set_setup_shown)

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
        self.controls.survey_headline.setText(survey.headline() if isinstance(survey, DataSurvey) else survey)

    # ----- the run folder -------------------------------------------------------------------

    def run_dir(self) -> Path:
        return Path(self.controls.run_edit.text()).expanduser()

    def open_run_folder(self) -> None:
        """The run folder in the file manager (its nearest existing parent before the run starts)."""
        folder = self.run_dir()
        while not folder.is_dir() and folder != folder.parent:
            folder = folder.parent
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def new_run(self) -> None:
        """A fresh folder beside the current run, ready for Start; the curves of the old run are cleared."""
        self.controls.run_edit.setText(str(new_run_dir(self.run_dir().parent)))
        self._shown_run = None
        self.controls.plots.clear()
        self.controls.load_button.setEnabled(False)
        self.controls.set_progress(0, 1, "no run yet", "")

    def _browse_run(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Choose a run folder", str(self.run_dir().parent))
        if folder:
            self.controls.run_edit.setText(folder)
            self._show_run(Path(folder))

    def _run_folder_edited(self) -> None:
        if self.run_dir() != self._shown_run:
            self._show_run(self.run_dir())

    def _show_run(self, folder: Path) -> None:
        """An existing run: its curves from ``metrics.jsonl`` and its settings, so Resume continues what the
        user sees."""
        self._shown_run = folder
        history = read_history(folder)
        self.controls.plots.load(history)
        try:
            _, meta = read_checkpoint_meta(folder)
        except MotionFileError:  # no run there (yet): nothing to view or resume
            self.controls.load_button.setEnabled(False)
            self.controls.set_progress(0, 1, "no run yet", "")
            return
        config = TrainConfig.from_dict(meta["train"])
        self.show_config(config)
        step = int(meta.get("step", 0))
        self._viewable(folder, step)
        self.controls.set_progress(
            step, config.steps, "run at step %v of %m", f"A run at step {step}; Resume continues it"
        )
        self.controls.message(
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
            self.controls.plots.load(read_history(run_dir))  # the curves so far; the run adds to them
        else:
            self.controls.plots.clear()
        self.set_setup_shown(False)
        self.controls.set_progress(0, request.overrides.steps or 0, "loading clips…", "Loading clips…")
        self.controls.message(("Resuming " if resume else "Starting ") + str(run_dir))
        with self.reporter.guard("Could not start training"):
            self.job.start(request)
            self._shown_run = run_dir

    def stop(self) -> None:
        """Ask the run to stop; the panel says so at once (the run ends after its current step)."""
        if self.job.running and not self._stopping:
            self._stopping = True
            self.controls.stop_button.setEnabled(False)
            self.controls.stop_button.setText("Stopping…")
            self.controls.progress_bar.setFormat("stopping at step %v of %m…")
            self.controls.rate_label.setText(
                f"Stopping after step {self.controls.progress_bar.value()}: writing a checkpoint…"
            )
            self.job.stop()

    def _running_changed(self, running: bool) -> None:
        if not running:
            self._stopping = False
            self.controls.stop_button.setText("Stop")
        self.controls.start_button.setEnabled(not running)
        self.controls.resume_button.setEnabled(not running)
        self.controls.stop_button.setEnabled(running and not self._stopping)
        self.setup.set_enabled(not running)
        for widget in (self.controls.run_edit, self.controls.new_button):
            widget.setEnabled(not running)

    def _event(self, event: Event) -> None:
        if isinstance(event, StepEvent):
            self._progress(event)
        elif isinstance(event, EvalEvent):
            self.controls.plots.add(event)
            self.controls.message(event.summary())
        elif isinstance(event, CheckpointEvent):
            self._checkpoint(event)
        elif isinstance(event, MessageEvent):
            self.controls.message(event.text)
        elif isinstance(event, FinishedEvent):
            self._finished(event)

    def _progress(self, event: StepEvent) -> None:
        self.controls.plots.add(event)
        if self._stopping:
            self.controls.progress_bar.setValue(event.step)
            return
        self.controls.set_progress(event.step, event.total_steps, "step %v of %m", event.summary())

    def _checkpoint(self, event: CheckpointEvent) -> None:
        self._viewable(event.path, event.step)
        self.controls.message(f"checkpoint written: {event.path}")

    def _viewable(self, path: Path, step: int) -> None:
        """``View`` loads this checkpoint (or run folder's latest) in the viewer."""
        self.latest_checkpoint = str(path)
        self.controls.load_button.setEnabled(True)
        self.controls.load_button.setText(f"View step {step}")
        self.controls.load_button.setToolTip(f"Load the checkpoint of step {step} in the viewer")

    def _finished(self, event: FinishedEvent) -> None:
        """The bar and the label both say where the run ended (a stop lands after the last logged step)."""
        total = self.controls.progress_bar.maximum()
        self.controls.set_progress(
            event.step,
            total,
            f"{event.reason} at step %v of %m",
            f"{event.reason.capitalize()} at step {event.step}",
        )
        self.controls.message(
            f"{event.reason} at step {event.step}"
            + (f"; latest checkpoint {event.checkpoint}" if event.checkpoint else "")
        )

    def _failed(self, text: str) -> None:
        self.controls.progress_bar.setFormat("failed at step %v of %m")
        self.controls.rate_label.setText("Failed: see the Log tab")
        self.controls.message(f"training failed: {text}", theme.FAILURE)
        self.reporter.warning("Training failed", text)
