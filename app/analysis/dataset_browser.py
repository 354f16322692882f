"""The Dataset dock: the open checkpoint (and optionally a second one, B) evaluated over folders of
clips in the background, one sortable row per clip under a summary row, and a report to share.

Every figure comes from :mod:`core.analysis.dataset` (the per-clip rows and the summary that
``rvq-motion eval`` prints; ``rvq-motion compare`` for A/B); :mod:`app.analysis.dataset_table` lays
them out. The results say which checkpoint made them, and say so louder once another is open.
Double-clicking a clip asks, through ``openRequested``, for it to be opened at its worst frame.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from pathlib import Path

from PySide6.QtCore import QModelIndex, QSettings, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QProgressBar,
    QPushButton,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.analysis.clip_names import shared_start
from app.analysis.dataset_columns import Column, columns_for
from app.analysis.dataset_prompts import BrowserPrompts, DialogBrowserPrompts
from app.analysis.dataset_sources import DatasetSources
from app.analysis.dataset_table import DatasetTableModel
from app.analysis.paper_figures import PaperFigures
from app.state.background_job import BackgroundJob
from app.state.errors import ErrorReporter
from app.state.session import Session
from app.style import theme
from core.analysis.dataset import (
    ClipRow,
    DatasetComparison,
    DatasetEval,
    Progress,
    compare_checkpoints,
    evaluate_dataset,
)
from core.analysis.report import write_report
from core.model.checkpoint import Checkpoint
from core.motion.skeleton import describe_difference

CLIP_NAMES_SHARE = 0.45
"""Most of the table's width the clip names take; longer names are elided in the middle, whole on hover,
so the figures stay in view in a narrow dock."""


def _evaluation(
    a: Checkpoint, b: Checkpoint | None, files: Sequence[Path], should_stop: Callable[[], bool]
) -> Generator[Progress, None, DatasetEval | DatasetComparison]:
    """The background work: A alone, or A and B compared."""
    if b is None:
        return (yield from evaluate_dataset(a, files, should_stop=should_stop))
    return (yield from compare_checkpoints(a, b, files, should_stop))


class DatasetBrowser(QWidget):
    """Folders and a split file in, the open checkpoint (A) and an optional B evaluated per clip."""

    compareRequested = Signal()
    """"Compare with…": the window asks for checkpoint B (imports included) and opens it in the session."""
    openRequested = Signal(str, int)
    """(clip path, frame): open this clip at its worst frame."""
    evaluated = Signal(object, object)
    """(checkpoint A, its (Q, nb_code) code counts over the dataset), when an evaluation ends."""

    def __init__(
        self,
        session: Session,
        reporter: ErrorReporter,
        settings: QSettings,
        prompts: BrowserPrompts | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.reporter = reporter
        self.prompts: BrowserPrompts = prompts or DialogBrowserPrompts(self)
        self.sources = DatasetSources(self.prompts)
        self.paper = PaperFigures(reporter, settings)
        self.evaluated_with: Checkpoint | None = None
        """The checkpoint (A) the rows were made with."""
        self._compared_with: Checkpoint | None = None
        """The B the rows were compared with (None: A alone)."""
        self.result: DatasetEval | DatasetComparison | None = None
        self.layers_shown: set[int] = set()
        """The numbers of layers whose MPJPE columns are shown (chosen under Columns)."""
        self.plausibility_shown = True
        self.job = BackgroundJob(_evaluation, self)
        self.model = DatasetTableModel()
        layout = QVBoxLayout(self)
        layout.addWidget(self.sources)
        self._build_checkpoint_b(layout)
        self._build_run_controls(layout)
        self._build_results(layout)
        layout.addWidget(self.paper)
        self.paper.measure_button.clicked.connect(self.measure_paper_figures)
        self.job.progress.connect(self._progress)
        self.job.finished.connect(self._finished)
        self.job.failed.connect(lambda text: self.reporter.warning("Evaluation failed", text))
        self.job.runningChanged.connect(self._update_controls)
        self.paper.job.runningChanged.connect(self._update_controls)
        self.paper.folderChanged.connect(self._update_controls)
        session.checkpointChanged.connect(self._update_controls)
        session.checkpointChanged.connect(self.paper.forget)
        session.checkpointBChanged.connect(self._update_controls)
        self.sources.changed.connect(self._update_controls)
        self._update_controls()

    def _button(self, text: str, slot: Callable[[], object], tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tip)
        button.clicked.connect(lambda: slot())
        return button

    def _build_checkpoint_b(self, layout: QVBoxLayout) -> None:
        """B beside A: the window's checkpoint B, compared clip by clip."""
        self.compare_button = self._button(
            "Compare with…",
            self.compareRequested.emit,
            "Compare with a second checkpoint, B (also drawn in the 3D view)",
        )
        self.drop_b_button = self._button(
            "No B", self.drop_checkpoint_b, "Evaluate the open checkpoint alone"
        )
        self.b_label = QLabel()
        self.b_label.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.compare_button)
        row.addWidget(self.drop_b_button)
        row.addWidget(self.b_label, 1)
        layout.addLayout(row)

    def _build_run_controls(self, layout: QVBoxLayout) -> None:
        self.evaluate_button = self._button("Evaluate", self.evaluate, "Evaluate in the background")
        self.stop_button = self._button("Stop", self.job.stop, "Stop after the clip being evaluated")
        self.report_button = self._button("Save report…", self.ask_report, "One self-contained HTML file")
        self.progress_bar = QProgressBar()
        self.progress_bar.setFormat("%v / %m clips")
        self.progress_bar.setVisible(False)
        row = QHBoxLayout()
        for button in (self.evaluate_button, self.stop_button, self.report_button):
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(self.progress_bar)

    def _build_results(self, layout: QVBoxLayout) -> None:
        """Which checkpoint made the results and where the clips are, a filter, the layer columns, the table."""
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter clips by name…")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self.model.set_filter)
        self.layers_button = QToolButton()
        self.layers_button.setText("Columns")
        self.layers_button.setToolTip(
            "Which numbers of quantizer layers get an MPJPE column, and the plausibility figures"
        )
        self.layers_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.layers_button.setMenu(QMenu(self.layers_button))
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        names = self.table.verticalHeader()
        names.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        names.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        names.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.doubleClicked.connect(self._double_clicked)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.filter_edit, 1)
        row.addWidget(self.layers_button)
        layout.addWidget(self.result_label)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status_label)

    # ----- checkpoint B -----------------------------------------------------------------------------

    def drop_checkpoint_b(self) -> None:
        self.session.close_checkpoint_b()

    @property
    def checkpoint_b(self) -> Checkpoint | None:
        """The window's checkpoint B (:attr:`app.state.session.Session.checkpoint_b`)."""
        return self.session.checkpoint_b.checkpoint

    def evaluate(self) -> None:
        """Start evaluating every clip of the sources with A (and B when set)."""
        a = self.session.checkpoint
        if a is None or not self.sources.folders or self.job.running:
            return
        with self.reporter.guard("Could not evaluate the dataset"):
            files = self.sources.files()
            self.result, self.evaluated_with = None, a
            self.layers_shown = {
                min(self.session.layers_used, a.config.num_quantizers),
                a.config.num_quantizers,
            }
            self._compared_with = self.checkpoint_b
            self.model.reset(self._columns(), [], None, shared_start(files))
            self.progress_bar.setRange(0, len(files) * (1 if self.checkpoint_b is None else 2))
            self.progress_bar.setValue(0)
            self.status_label.setText(f"Evaluating {len(files)} clips…")
            self.job.start(a, self.checkpoint_b, files)
            self._update_result_label()
            self._fill_layers_menu()

    def _columns(self) -> list[Column]:
        """The columns of the evaluation made (A alone or A and B) with the layers chosen."""
        a, b = self.evaluated_with, self._compared_with
        qa = a.config.num_quantizers if a is not None else 0
        qb = b.config.num_quantizers if b is not None else 0
        shown = sorted(self.layers_shown)
        kind = DatasetEval if b is None else DatasetComparison
        return columns_for(
            kind, [k for k in shown if k <= qa], [k for k in shown if k <= qb], self.plausibility_shown
        )

    def _progress(self, progress: Progress) -> None:
        self.progress_bar.setMaximum(progress.total)
        self.progress_bar.setValue(progress.done)
        if isinstance(progress.item, ClipRow) and progress.checkpoint in ("", "A"):
            self.model.append(progress.item)

    def _finished(self, result: DatasetEval | DatasetComparison) -> None:
        self.result = result
        a = result if isinstance(result, DatasetEval) else result.a
        rows = result.clips if isinstance(result, DatasetComparison) else a.rows
        self.model.reset(self.model.columns, rows, result, self.model.start)
        self.table.sortByColumn(self._worst_first_column(), Qt.SortOrder.DescendingOrder)
        self.table.resizeColumnsToContents()
        both = a.skipped + ([] if isinstance(result, DatasetEval) else result.b.skipped)
        skipped = list({s.path: s for s in both}.values())  # a clip neither fits is listed once
        self.status_label.setText(
            f"{a.summary.clips} clips evaluated"
            + ("" if a.complete and (isinstance(result, DatasetEval) or result.b.complete) else " (stopped)")
            + (f", {len(skipped)} skipped" if skipped else "")
        )
        self.status_label.setToolTip("\n".join(f"{Path(s.path).name}: {s.reason}" for s in skipped))
        self._update_controls()
        self.evaluated.emit(self.evaluated_with, a.code_counts)

    # ----- what the table shows ----------------------------------------------------------------

    def _worst_first_column(self) -> int:
        """The column the worst clips come first by: root-aligned MPJPE with the most layers shown (the
        pose error, as the viewer reads it), else the global one (the root's drift counts)."""
        headers = [column.header for column in self.model.columns]
        layers = [i for i, header in enumerate(headers) if header.endswith(("layer", "layers"))]
        return layers[-1] if layers else headers.index("global")

    def _fill_layers_menu(self) -> None:
        menu = self.layers_button.menu()
        menu.clear()
        q = max(c.config.num_quantizers for c in (self.evaluated_with, self._compared_with) if c is not None)
        for k in range(1, q + 1):
            action = QAction(f"{k} layer{'s' * (k > 1)}", menu)
            action.setCheckable(True)
            action.setChecked(k in self.layers_shown)
            action.toggled.connect(lambda on, k=k: self.show_layers(k, on))
            menu.addAction(action)
        menu.addSeparator()
        action = QAction("Plausibility (foot skating, jitter)", menu)
        action.setCheckable(True)
        action.setChecked(self.plausibility_shown)
        action.toggled.connect(self.show_plausibility)
        menu.addAction(action)

    def show_layers(self, k: int, shown: bool) -> None:
        """Add or remove the MPJPE column of ``k`` layers."""
        (self.layers_shown.add if shown else self.layers_shown.discard)(k)
        self.model.set_columns(self._columns())
        self.table.resizeColumnsToContents()

    def show_plausibility(self, shown: bool) -> None:
        self.plausibility_shown = bool(shown)
        self.model.set_columns(self._columns())
        self.table.resizeColumnsToContents()

    def measure_paper_figures(self) -> None:
        """FID, diversity and MPJPE by MoMask's protocol over the same clips, with the open checkpoint."""
        with self.reporter.guard("Could not measure the papers' figures"):
            self.paper.measure(self.session.checkpoint, self.sources.files())

    def _update_result_label(self) -> None:
        """Which checkpoint made the rows and where the clips are; a warning once another is open."""
        made_with = self.evaluated_with
        if made_with is None:
            self.result_label.setText("")
            return
        where = self.model.start.describe()
        folder = f" · {where}" if where else ""
        text = f"Results of <b>{made_with.label}</b>{folder}"
        if self.session.checkpoint is not made_with:
            open_one = self.session.checkpoint.label if self.session.checkpoint is not None else "none"
            text += (
                f"<br><span style='color:{theme.ERROR_COLORS[2].name()}'>Not the open checkpoint "
                f"({open_one}): its errors differ; Evaluate again to compare it.</span>"
            )
        self.result_label.setText(text)

    # ----- the report ------------------------------------------------------------------------

    def save_report(self, path: str | Path) -> None:
        if self.result is None:
            return
        comparison = self.result if isinstance(self.result, DatasetComparison) else None
        a = self.result if comparison is None else comparison.a
        with self.reporter.guard("Could not save the report"):
            write_report(path, a, comparison, paper=self.paper.result)
            self.status_label.setText(f"Report saved to {path}")

    def ask_report(self) -> None:
        if self.result is not None and (path := self.prompts.report_path("report.html")):
            self.save_report(path)

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)
        self.table.verticalHeader().setMaximumWidth(max(120, int(CLIP_NAMES_SHARE * self.table.width())))

    def shutdown(self) -> None:
        """Stop the dock's background work and wait for it (the window is closing)."""
        self.job.shutdown()
        self.paper.job.shutdown()

    def row_count(self) -> int:
        return self.model.clip_count()

    def _double_clicked(self, index: QModelIndex) -> None:
        row = self.model.row_at(index.row())
        if row is not None:
            clip = row.a if not isinstance(row, ClipRow) else row
            self.openRequested.emit(clip.path, clip.worst_frame)

    # ----- state of the controls -------------------------------------------------------------

    def _update_controls(self, *_: object) -> None:
        running = self.job.running
        a = self.session.checkpoint
        self.evaluate_button.setEnabled(not running and a is not None and bool(self.sources.folders))
        self.stop_button.setEnabled(running)
        self.progress_bar.setVisible(running or self.result is not None)
        self.report_button.setEnabled(not running and self.result is not None)
        self.paper.measure_button.setEnabled(
            not self.paper.job.running
            and a is not None
            and bool(self.sources.folders)
            and bool(self.paper.folder())
        )
        self.sources.set_enabled(not running)
        self.compare_button.setEnabled(not running)
        self.drop_b_button.setEnabled(not running and self.checkpoint_b is not None)
        b = self.checkpoint_b
        a_skeleton = self.session.checkpoint.skeleton if self.session.checkpoint is not None else None
        other = (
            None if b is None or a_skeleton is None else describe_difference(b.skeleton, a_skeleton, "B", "A")
        )
        note = "" if other is None else f"; {other}: only clips both read are compared"
        self.b_label.setText("B: none" if b is None else f"B: {b.label} (also drawn in the 3D view){note}")
        self.b_label.setToolTip(
            "Checkpoint B, the window's second tokenizer (View > Compare with checkpoint B)"
            if b is None
            else str(b.path)
        )
        self._update_result_label()
