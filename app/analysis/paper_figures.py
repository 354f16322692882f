"""The Dataset dock's figures papers report: FID, diversity and MPJPE by MoMask's protocol with the
user's T2M evaluator, per number of layers, beside the studio's own per-clip figures.

Everything is measured by :func:`core.analysis.paper_eval.paper_evaluation` on a background job (it
reads thousands of crops); this widget only asks for the evaluator folder (a preference), runs it
over the clips the dock evaluates, and lays the figures out labelled with their protocol, sampling,
normalisation and the evaluator's hash, so a number is never read as the studio's own MPJPE.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from pathlib import Path

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.state.background_job import BackgroundJob
from app.state.errors import ErrorReporter
from app.style import theme
from core.analysis.paper_eval import FIGURES, PaperEvaluation, ProtocolProgress, paper_evaluation
from core.model.checkpoint import Checkpoint
from core.model.peers.t2m_evaluator import load_t2m_evaluator

SETTINGS_KEY = "dataset/t2m_evaluator"
HEADERS = {"fid": "FID", "diversity": "diversity", "mpjpe_mm": "MPJPE mm"}
DIGITS = {"fid": 3, "diversity": 3, "mpjpe_mm": 1}


def _measure(
    ckpt: Checkpoint, folder: str, files: Sequence[Path], repeats: int, should_stop: Callable[[], bool]
) -> Generator[ProtocolProgress, None, PaperEvaluation]:
    """The background work: the evaluator loaded and the protocol run over ``files``."""
    evaluator = load_t2m_evaluator(folder)
    return (yield from paper_evaluation(ckpt, evaluator, files, repeats=repeats, should_stop=should_stop))


INTRODUCTION = (
    "FID, diversity and MPJPE of the dock's clips as papers report them: MoMask's protocol (random crops of "
    "the test clips, embedded by the T2M evaluator), repeated with 95% intervals. Choose the evaluator "
    "folder to measure."
)


class PaperFigures(QWidget):
    """Evaluator folder, Measure/Stop, progress, and the per-layer table of the last result."""

    measured = Signal(object)
    """The :class:`PaperEvaluation` once a run ends (the report includes it)."""
    folderChanged = Signal()
    """The evaluator folder field changed (Measure needs one)."""

    def __init__(self, reporter: ErrorReporter, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reporter, self.settings = reporter, settings
        self.result: PaperEvaluation | None = None
        self._wanted = False
        """Whether the run in progress still measures the open checkpoint (forget() says not)."""
        self.job = BackgroundJob(_measure, self)
        self.folder_edit = QLineEdit(str(settings.value(SETTINGS_KEY, "", type=str)))
        self.folder_edit.setPlaceholderText("T2M evaluator folder (checkpoints/t2m or checkpoints/kit)")
        self.folder_edit.setToolTip(
            "The evaluator download's folder: text_mot_match/model/finest.tar, "
            "Comp_v6_KLD005/opt.txt and Comp_v6_KLD005/meta/{mean,std}.npy"
        )
        self.folder_edit.editingFinished.connect(self._remember_folder)
        self.folder_edit.textChanged.connect(lambda _text: self.folderChanged.emit())
        browse = QPushButton("…")
        browse.setMaximumWidth(32)
        browse.setToolTip("Choose the T2M evaluator folder")
        browse.clicked.connect(self._browse)
        self.repeats = QSpinBox()
        self.repeats.setRange(1, 100)
        self.repeats.setValue(20)
        self.repeats.setPrefix("× ")
        self.repeats.setToolTip("Sets of MoMask's random crops to average (MoMask uses 20); more is steadier")
        self.measure_button = QPushButton("Measure")
        self.measure_button.setToolTip("FID, diversity and MPJPE by MoMask's protocol, in the background")
        self.stop_button = QPushButton("Stop")
        self.stop_button.clicked.connect(self.job.stop)
        self.progress = QProgressBar()
        self.progress.setFormat("%v / %m batches")
        self.progress.setVisible(False)
        self.label = QLabel(INTRODUCTION)
        self.label.setWordWrap(True)
        self.label.setStyleSheet(f"color: {theme.DIM_TEXT.name()}")
        self.table = QTableWidget(0, len(FIGURES))
        self.table.setHorizontalHeaderLabels([HEADERS[f] for f in FIGURES])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setVisible(False)
        self._lay_out(browse)
        self.set_unfolded(False)
        self.job.progress.connect(self._progress)
        self.job.finished.connect(self._finished)
        self.job.failed.connect(lambda text: self.reporter.warning("Paper figures failed", text))
        self.job.runningChanged.connect(self._running_changed)
        self._running_changed(False)

    def _lay_out(self, browse: QPushButton) -> None:
        """A heading that folds the section (folded at first: the per-clip table needs the room)."""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.toggle = QPushButton()
        self.toggle.setCheckable(True)
        self.toggle.setFlat(True)
        self.toggle.setStyleSheet("text-align: left; padding: 3px 0; font-weight: bold")
        self.toggle.setToolTip(
            "FID, diversity and MPJPE as papers report them: MoMask's protocol with your T2M evaluator"
        )
        self.toggle.toggled.connect(self.set_unfolded)
        layout.addWidget(self.toggle)
        self.body = QWidget()
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.body)
        layout = body
        row = QHBoxLayout()
        row.addWidget(self.folder_edit, 1)
        row.addWidget(browse)
        layout.addLayout(row)
        row = QHBoxLayout()
        for widget in (self.measure_button, self.stop_button, self.repeats):
            row.addWidget(widget)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(self.progress)
        layout.addWidget(self.label)
        layout.addWidget(self.table)

    def set_unfolded(self, unfolded: bool) -> None:
        self.toggle.setChecked(unfolded)
        self.toggle.setText(("▾" if unfolded else "▸") + " Papers' figures")
        self.body.setVisible(unfolded)

    def folder(self) -> str:
        return self.folder_edit.text().strip()

    def set_folder(self, folder: str) -> None:
        self.folder_edit.setText(folder)
        self._remember_folder()

    def _remember_folder(self) -> None:
        self.settings.setValue(SETTINGS_KEY, self.folder())

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "T2M evaluator folder", self.folder())
        if folder:
            self.set_folder(folder)

    def measure(self, ckpt: Checkpoint | None, files: Sequence[Path]) -> None:
        """Run the protocol on ``files`` with ``ckpt`` (the dock's clips and checkpoint A)."""
        if ckpt is None or not files or self.job.running:
            return
        if not self.folder():
            self.reporter.warning("No T2M evaluator", "Choose the evaluator folder first (checkpoints/t2m).")
            return
        self.result, self._wanted = None, True
        self.table.setVisible(False)
        self.label.setText(f"Measuring {len(files)} clips with {ckpt.label}…")
        self.job.start(ckpt, self.folder(), list(files), self.repeats.value())

    def forget(self) -> None:
        """Drop the figures (another checkpoint is open: they are not its figures, nor its report's)."""
        self.job.stop()
        self.result, self._wanted = None, False
        self.table.setVisible(False)
        self.label.setText(INTRODUCTION)

    def _progress(self, progress: ProtocolProgress) -> None:
        self.progress.setRange(0, max(progress.total, 1))
        self.progress.setValue(progress.done)

    def _running_changed(self, running: bool) -> None:
        self.stop_button.setEnabled(running)
        self.progress.setVisible(running)

    def _finished(self, result: PaperEvaluation) -> None:
        if not self._wanted:
            return  # measured for a checkpoint no longer open
        self.result = result
        layers = result.layers
        self.table.setRowCount(len(layers) + 1)
        labels = [f"{k} layer{'s' * (k > 1)}" for k in layers] + ["real data"]
        self.table.setVerticalHeaderLabels(labels)
        for row, k in enumerate([*layers, None]):
            for column, figure in enumerate(FIGURES):
                if k is None and figure != "diversity":
                    continue
                self.table.setItem(row, column, QTableWidgetItem(result.cell(k, figure, DIGITS[figure])))
        self.table.resizeColumnsToContents()
        self.table.setVisible(True)
        self.set_unfolded(True)
        stopped = "" if result.complete else " (stopped early)"
        self.label.setText(
            f"{result.sampling}{stopped}; {result.normalisation}; evaluator {Path(result.evaluator_folder).name} "
            f"(finest.tar sha256 {result.evaluator_sha256[:12]})"
        )
        self.measured.emit(result)
