"""The training dock: setup, what the chosen clips hold, the run's folder, start/stop/resume, live curves.

The panel only builds a :class:`TrainingRequest` and listens to its :class:`BackgroundJob`, which runs
:func:`run_training` on a pool thread, so the window stays responsive while it trains. The dock is
narrow and short (about 320 x 620 px in a 1024x700 window), so it shows either the setup
(:class:`app.training.training_setup.TrainingSetup`, scrolling up and down) or the curves, switched by
the two buttons at its top; Start, Stop, Resume, the run folder and the progress line stay in view under
either. Starting a run, or choosing the folder of one, shows the curves.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QButtonGroup,
    QFileDialog,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.state.background_job import BackgroundJob
from app.state.errors import ErrorReporter
from app.style import theme
from app.training.held_out import held_out_hint
from app.training.run_controls import RunControls, new_run_dir
from app.training.training_setup import TrainingSetup
from core.datasets.progress import ReadProgress
from core.errors import MotionFileError
from core.model.checkpoint import read_checkpoint_meta
from core.train.config import TrainConfig
from core.train.driver import TrainingRequest, run_training
from core.train.events import CheckpointEvent, EvalEvent, Event, FinishedEvent, MessageEvent, StepEvent
from core.train.heldout_fid import best_fid_checkpoint
from core.train.overrides import TrainOverrides
from core.train.run_log import read_history
from core.train.survey import DataSurvey


def _switch(text: str, tip: str) -> QPushButton:
    button = QPushButton(text)
    button.setCheckable(True)
    button.setFlat(True)
    button.setStyleSheet("padding: 3px 10px; font-weight: bold")
    button.setToolTip(tip)
    return button


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
        self._shown_run: Path | None = None
        self.setup = TrainingSetup(settings)
        self.form = self.setup.form
        self.preset_box, self.device_box = self.setup.preset_box, self.setup.device_box
        self.holdout_edit, self.data_list = self.setup.holdout_edit, self.setup.data_list
        self.controls = RunControls(self.settings)
        self.progress = self.controls.progress
        self._connect_controls()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addLayout(self._build_switches())
        outer.addWidget(self._build_setup_scroll(), 1)
        outer.addWidget(self.controls)
        self._outer = outer
        self.job.progress.connect(self._event)
        self.job.failed.connect(self._failed)
        self.job.runningChanged.connect(self._running_changed)
        self.setup.surveyed.connect(self._surveyed)
        self.setup.progressed.connect(self.controls.survey_headline.setText)
        self.set_setup_shown(True)
        self._running_changed(False)
        self.setup.refresh_survey()

    def _build_setup_scroll(self) -> QScrollArea:
        self.setup_scroll = QScrollArea()
        self.setup_scroll.setWidgetResizable(True)
        self.setup_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setup_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setup_scroll.setWidget(self.setup)
        return self.setup_scroll

    def _build_switches(self) -> QHBoxLayout:
        self.setup_toggle = _switch("Setup", "The data, model and schedule a run starts with")
        self.curves_toggle = _switch("Curves", "The run's curves and log")
        group = QButtonGroup(self)
        group.setExclusive(True)
        row = QHBoxLayout()
        row.setContentsMargins(4, 2, 4, 2)
        for button in (self.setup_toggle, self.curves_toggle):
            group.addButton(button)
            row.addWidget(button)
        row.addStretch(1)
        self.setup_toggle.toggled.connect(self.set_setup_shown)
        return row

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
        controls.best_fid_button.clicked.connect(self._view_best_fid)

    def _view_best_fid(self) -> None:
        if self.controls.best_fid is not None:
            self.loadCheckpointRequested.emit(str(self.controls.best_fid.path))

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
        """Show the setup, or the curves in its place."""
        self.setup_toggle.setChecked(shown)
        self.curves_toggle.setChecked(not shown)
        self.setup_scroll.setVisible(shown)
        self.controls.survey_headline.setVisible(not shown)  # the setup says it in full
        self.controls.plots.setVisible(not shown)
        self._outer.setStretchFactor(self.controls, 0 if shown else 1)

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
        self.controls.plots.held_out_tab.set_hint(held_out_hint())
        self.controls.offer_checkpoint(None)
        self.controls.offer_best_fid(None)
        self.progress.no_run()

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
        self.controls.plots.held_out_tab.set_hint(held_out_hint())
        self.controls.offer_best_fid(best_fid_checkpoint(folder))
        try:
            _, meta = read_checkpoint_meta(folder)
        except MotionFileError:  # no run there (yet): nothing to view or resume
            self.controls.offer_checkpoint(None)
            self.progress.no_run()
            return
        config = TrainConfig.from_dict(meta["train"])
        self.show_config(config)
        step = int(meta.get("step", 0))
        self._viewable(folder, step)
        self.progress.at_run(step, config.steps)
        self.set_setup_shown(False)
        self.controls.message(
            f"{folder.name}: a run at step {step} ({len(history.steps)} points); Resume continues it"
        )

    # ----- running --------------------------------------------------------------------------

    def _refusal(self, resume: bool) -> tuple[str, str] | None:
        """Why Start (or Resume) cannot go ahead, as a dialog's title and text; None when it can."""
        run_dir = self.run_dir()
        has_run = (run_dir / "latest").is_file()
        evaluator = self.setup.evaluator
        if not self.data_paths():
            return "Cannot start training", "Add a dataset root or a folder of clips under Data."
        if resume and not has_run:
            return "Cannot resume", f"{run_dir} holds no run to resume (no 'latest' checkpoint)."
        if not resume and has_run:
            return (
                "Run folder in use",
                f"{run_dir} already holds a run. Press Resume to continue it, or New run for a fresh folder.",
            )
        if evaluator.folder() is not None and evaluator.problem:
            return "Not a T2M evaluator", evaluator.problem
        if evaluator.folder() is not None and (
            self.holdout_file() is None or self.form["eval_every"].value() <= 0
        ):
            return (
                "FID needs held-out clips",
                "The T2M evaluator measures the held-out clips: choose a Hold out split file and set "
                "Held-out MPJPE every above 0, or clear the T2M evaluator field.",
            )
        return None

    def start(self, resume: bool) -> None:
        """Validate the setup and start the run in the background (errors become messages)."""
        refusal = self._refusal(resume)
        if refusal is not None:
            self.reporter.warning(*refusal)
            return
        run_dir = self.run_dir()
        if resume and self._shown_run != run_dir:
            self._show_run(run_dir)
        self.setup.stop_survey()  # the run reads the clips itself
        self.setup.remember(self.settings)
        self.settings.setValue("training/runs", str(run_dir.parent))
        request = self._request(run_dir, resume)
        plots = self.controls.plots
        if resume:
            plots.load(read_history(run_dir))  # the curves so far; the run adds to them
        else:
            plots.clear()
        shown = self.overrides()  # what the form shows, edited or not
        eval_every = shown.eval_every or 0
        plots.held_out_tab.set_hint(held_out_hint(request.holdout is not None, eval_every, running=True))
        self.set_setup_shown(False)
        self.progress.started(self.progress.step if resume else 0, shown.steps or 0, resume)
        self.controls.message(("Resuming " if resume else "Starting ") + str(run_dir))
        with self.reporter.guard("Could not start training"):
            self.job.start(request)
            self._shown_run = run_dir

    def _request(self, run_dir: Path, resume: bool) -> TrainingRequest:
        return TrainingRequest(
            data_paths=tuple(self.data_paths()),
            run_dir=run_dir,
            preset=self.preset_box.currentText(),
            overrides=self.form.edits(),
            device=self.device_box.currentData(),
            resume=resume,
            holdout=self.holdout_file(),
            split=self.setup.data.split(),
            speakers=self.setup.data.speakers(),
            evaluator=self.setup.evaluator.folder(),
        )

    def stop(self) -> None:
        """Ask the run to stop; the panel says so at once (the run ends after its current step, or before
        its first while it reads the clips)."""
        if self.job.running and not self.progress.stopping:
            self.controls.stop_button.setEnabled(False)
            self.controls.stop_button.setText("Stopping…")
            self.progress.stop_asked()
            self.job.stop()

    def _running_changed(self, running: bool) -> None:
        if not running:
            self.progress.stopping = False
            self.controls.stop_button.setText("Stop")
            self.setup.resume_survey()
        self.controls.start_button.setEnabled(not running)
        self.controls.resume_button.setEnabled(not running)
        self.controls.stop_button.setEnabled(running and not self.progress.stopping)
        self.setup.set_enabled(not running)
        for widget in (self.controls.run_edit, self.controls.new_button, self.controls.browse_button):
            widget.setEnabled(not running)

    def _event(self, event: Event) -> None:
        if isinstance(event, ReadProgress):
            self.progress.reading(event)
        elif isinstance(event, StepEvent):
            self.controls.plots.add(event)
            self.progress.trained(event)
        elif isinstance(event, EvalEvent):
            self.controls.plots.add(event)
            self.controls.message(event.summary())
            if event.fid is not None:  # a new best was kept before the evaluation was reported
                self.controls.offer_best_fid(best_fid_checkpoint(self.run_dir()))
        elif isinstance(event, CheckpointEvent):
            self._viewable(event.path, event.step)
            self.controls.message(f"checkpoint written: {event.path}")
        elif isinstance(event, MessageEvent):
            self.controls.message(event.text)
        elif isinstance(event, FinishedEvent):
            self._finished(event)

    def _viewable(self, path: Path, step: int) -> None:
        """``View`` loads this checkpoint (or run folder's latest) in the viewer."""
        self.latest_checkpoint = str(path)
        self.controls.offer_checkpoint(step)

    def _finished(self, event: FinishedEvent) -> None:
        """The bar and the label both say where the run ended (a stop lands after the last logged step)."""
        self.progress.finished(event)
        self.controls.message(
            self.progress.label.text()
            + (f"; latest checkpoint {event.checkpoint}" if event.checkpoint else "")
        )

    def _failed(self, text: str) -> None:
        self.progress.failed()
        self.controls.message(f"training failed: {text}", theme.FAILURE)
        self.reporter.warning("Training failed", text)
