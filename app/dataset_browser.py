"""The dataset browser: the open checkpoint (and optionally a second one, B) evaluated over folders of
clips in the background, one sortable row per clip, a summary row, and a report to share.

Every figure comes from :mod:`core.analysis.dataset` (the per-clip rows and the summary that
``rvq-motion eval`` prints; ``rvq-motion compare`` for A/B); this widget only lays them out.
Double-clicking a clip asks, through ``openRequested``, for it to be opened at its worst frame.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.background_job import BackgroundJob
from app.errors import ErrorReporter
from app.session import Session
from core.analysis.dataset import (
    ClipRow,
    ComparedClip,
    Comparison,
    DatasetEval,
    Progress,
    compare_checkpoints,
    dataset_files,
    evaluate_dataset,
)
from core.analysis.report import write_report
from core.model.checkpoint import Checkpoint, load_checkpoint
from core.motion.skeleton import describe_difference

CLIP_COLUMN_MAX = 190
"""Widest the clip-name column starts (pixels); the rest is elided in the middle."""
SORT_ROLE = Qt.ItemDataRole.UserRole
"""The number a column sorts by (the text shows it rounded)."""
OPEN_ROLE = Qt.ItemDataRole.UserRole + 1
"""On a row's first cell: (path, worst frame), what a double-click opens."""

Cell = tuple[str, float | str]
"""A cell's text and the value it sorts by."""


class BrowserPrompts(Protocol):
    """What the browser asks the user; :class:`DialogBrowserPrompts` opens dialogs, tests answer."""

    def folder(self) -> str | None: ...
    def split_file(self) -> str | None: ...
    def checkpoint(self) -> str | None: ...
    def report_path(self, suggested: str) -> str | None: ...


class DialogBrowserPrompts:
    def __init__(self, parent: QWidget) -> None:
        self.parent = parent

    def folder(self) -> str | None:
        return QFileDialog.getExistingDirectory(self.parent, "Add a folder of clips") or None

    def split_file(self) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self.parent, "Split file", "", "Split files (*.json)")
        return path or None

    def checkpoint(self) -> str | None:
        return QFileDialog.getExistingDirectory(self.parent, "Compare with checkpoint (B)") or None

    def report_path(self, suggested: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self.parent, "Save report", suggested, "HTML (*.html)")
        return path or None


def _evaluation(
    a: Checkpoint, b: Checkpoint | None, files: Sequence[Path], should_stop: Callable[[], bool]
) -> Generator[Progress, None, DatasetEval | Comparison]:
    """The background work: A alone, or A and B compared."""
    if b is None:
        return (yield from evaluate_dataset(a, files, should_stop=should_stop))
    return (yield from compare_checkpoints(a, b, files, should_stop))


def _header_tip(header: str) -> str:
    if header.endswith("worst frame"):
        return "The frame with the largest root-aligned MPJPE, all layers (double-click opens it)"
    if header.endswith("global"):
        return "MPJPE in mm without root alignment, all layers"
    if header == "B − A":
        return "B minus A, root-aligned MPJPE in mm with all of each one's layers (negative: B is better)"
    return "Root-aligned MPJPE in mm"


class DatasetBrowser(QWidget):
    """Folders and a split file in, the open checkpoint (A) and an optional B evaluated per clip."""

    openRequested = Signal(str, int)
    """(clip path, frame): open this clip at its worst frame."""
    evaluated = Signal(object, object)
    """(checkpoint A, its (Q, nb_code) code counts over the dataset), when an evaluation ends."""

    def __init__(
        self,
        session: Session,
        reporter: ErrorReporter,
        prompts: BrowserPrompts | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.reporter = reporter
        self.prompts: BrowserPrompts = prompts or DialogBrowserPrompts(self)
        self.folders: list[Path] = []
        self.split: Path | None = None
        self.checkpoint_b: Checkpoint | None = None
        self._evaluating: Checkpoint | None = None
        self.result: DatasetEval | Comparison | None = None
        self.job = BackgroundJob(_evaluation, self)

        self.sources_label = QLabel()
        self.sources_label.setWordWrap(True)
        self.b_label = QLabel()
        self.add_folder_button = self._button(
            "Add folder…", self.ask_folder, "Evaluate every clip under a folder"
        )
        self.split_button = self._button(
            "Split file…", self.ask_split, "Only the clips a split file holds out"
        )
        self.clear_button = self._button("Clear", self.clear_sources, "Forget the folders and the split file")
        self.compare_button = self._button(
            "Compare with…", self.ask_checkpoint_b, "Add a second checkpoint, B"
        )
        self.drop_b_button = self._button(
            "No B", self.drop_checkpoint_b, "Evaluate the open checkpoint alone"
        )
        self.evaluate_button = self._button("Evaluate", self.evaluate, "Evaluate in the background")
        self.stop_button = self._button("Stop", self.job.stop, "Stop after the clip being evaluated")
        self.report_button = self._button("Save report…", self.ask_report, "One self-contained HTML file")
        self.progress_bar = QProgressBar()
        self.progress_bar.setFormat("%v / %m clips")
        self.status_label = QLabel()

        self.model = QStandardItemModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.setWordWrap(False)
        self.table.doubleClicked.connect(self._double_clicked)
        self.summary = QTableWidget(1, 0)
        self.summary.horizontalHeader().hide()
        self.summary.verticalHeader().hide()
        self.summary.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.summary.setFixedHeight(self.summary.rowHeight(0) + 4)
        self.summary.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.table.horizontalHeader()
        header.sectionResized.connect(lambda i, _old, new: self.summary.setColumnWidth(i, new))
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalScrollBar().valueChanged.connect(self.summary.horizontalScrollBar().setValue)

        layout = QVBoxLayout(self)
        for widgets in (
            (self.add_folder_button, self.split_button, self.clear_button, self.sources_label),
            (self.compare_button, self.drop_b_button, self.b_label),
            (self.evaluate_button, self.stop_button, self.progress_bar, self.report_button),
        ):
            row = QHBoxLayout()
            for w in widgets:
                row.addWidget(w, 1 if isinstance(w, QLabel | QProgressBar) else 0)
            layout.addLayout(row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.status_label)

        self.job.progress.connect(self._progress)
        self.job.finished.connect(self._finished)
        self.job.failed.connect(lambda text: self.reporter.warning("Evaluation failed", text))
        self.job.runningChanged.connect(self._update_controls)
        session.checkpointChanged.connect(self._update_controls)
        self._update_sources()
        self._update_controls()

    def _button(self, text: str, slot: Callable[[], object], tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tip)
        button.clicked.connect(lambda: slot())
        return button

    # ----- sources and checkpoints ---------------------------------------------------------------

    def add_folder(self, path: str | Path) -> None:
        self.folders.append(Path(path))
        self._update_sources()

    def set_split(self, path: str | Path | None) -> None:
        self.split = None if path is None else Path(path)
        self._update_sources()

    def clear_sources(self) -> None:
        self.folders, self.split = [], None
        self._update_sources()

    def set_checkpoint_b(self, path: str | Path) -> None:
        with self.reporter.guard("Could not open checkpoint B"):
            self.checkpoint_b = load_checkpoint(path)
            a = self.session.checkpoint
            reason = (
                None if a is None else describe_difference(self.checkpoint_b.skeleton, a.skeleton, "B", "A")
            )
            if reason is not None:
                self.reporter.warning(
                    "Checkpoint B is for another skeleton",
                    f"{reason}. Only clips both checkpoints read are compared; B − A covers only those.",
                )
        self._update_controls()

    def drop_checkpoint_b(self) -> None:
        self.checkpoint_b = None
        self._update_controls()

    def ask_folder(self) -> None:
        if path := self.prompts.folder():
            self.add_folder(path)

    def ask_split(self) -> None:
        if path := self.prompts.split_file():
            self.set_split(path)

    def ask_checkpoint_b(self) -> None:
        if path := self.prompts.checkpoint():
            self.set_checkpoint_b(path)

    # ----- evaluation ------------------------------------------------------------------------

    def evaluate(self) -> None:
        """Start evaluating every clip of the sources with A (and B when set)."""
        a = self.session.checkpoint
        if a is None or not self.folders or self.job.running:
            return
        with self.reporter.guard("Could not evaluate the dataset"):
            files = dataset_files(self.folders, self.split)
            self.result = None
            self._fill(self._headers(a.config.num_quantizers), [], None)
            self.progress_bar.setRange(0, len(files) * (1 if self.checkpoint_b is None else 2))
            self.progress_bar.setValue(0)
            self.status_label.setText(f"Evaluating {len(files)} clips…")
            self._evaluating = a
            self.job.start(a, self.checkpoint_b, files)

    def _progress(self, progress: Progress) -> None:
        self.progress_bar.setMaximum(progress.total)
        self.progress_bar.setValue(progress.done)
        if isinstance(progress.item, ClipRow) and progress.checkpoint in ("", "A"):
            self.model.appendRow(self._items(self._a_cells(progress.item), progress.item))

    def _finished(self, result: DatasetEval | Comparison) -> None:
        self.result = result
        a = result if isinstance(result, DatasetEval) else result.a
        if isinstance(result, Comparison):
            headers = self._headers(a.num_quantizers, result.b.num_quantizers)
            rows = [(self._compared_cells(c), c.a) for c in result.clips]
        else:
            headers = self._headers(a.num_quantizers)
            rows = [(self._a_cells(r), r) for r in a.rows]
        self._fill(headers, rows, self._summary_cells(result))
        both = a.skipped + ([] if isinstance(result, DatasetEval) else result.b.skipped)
        skipped = list({s.path: s for s in both}.values())  # a clip neither fits is listed once
        self.status_label.setText(
            f"{a.summary.clips} clips evaluated"
            + ("" if a.complete and (isinstance(result, DatasetEval) or result.b.complete) else " (stopped)")
            + (f", {len(skipped)} skipped" if skipped else "")
        )
        self.status_label.setToolTip("\n".join(f"{Path(s.path).name}: {s.reason}" for s in skipped))
        self._update_controls()
        self.evaluated.emit(self._evaluating, a.code_counts)

    # ----- the report ------------------------------------------------------------------------

    def save_report(self, path: str | Path) -> None:
        if self.result is None:
            return
        comparison = self.result if isinstance(self.result, Comparison) else None
        a = self.result if comparison is None else comparison.a
        with self.reporter.guard("Could not save the report"):
            write_report(path, a, comparison)
            self.status_label.setText(f"Report saved to {path}")

    def ask_report(self) -> None:
        if self.result is not None and (path := self.prompts.report_path("report.html")):
            self.save_report(path)

    # ----- the table -------------------------------------------------------------------------

    @staticmethod
    def _headers(qa: int, qb: int | None = None) -> list[str]:
        a = ["clip", "frames", *(f"{k} layer{'s' * (k > 1)}" for k in range(1, qa + 1)), "global"]
        a += ["worst frame", "worst mm"]
        if qb is None:
            return a
        renamed = ["A " + h for h in a[2:]]
        return [*a[:2], "B − A", *renamed, *(f"B {k}" for k in range(1, qb + 1)), "B global"]

    @staticmethod
    def _a_cells(row: ClipRow) -> list[Cell]:
        return [
            (row.name, row.name.lower()),
            (str(row.frames), row.frames),
            *((f"{v:.1f}", v) for v in row.mpjpe_mm),
            (f"{row.global_mpjpe_mm:.1f}", row.global_mpjpe_mm),
            (str(row.worst_frame), row.worst_frame),
            (f"{row.worst_frame_mm:.1f}", row.worst_frame_mm),
        ]

    @staticmethod
    def _compared_cells(clip: ComparedClip) -> list[Cell]:
        """A clip under both: its name and frames, B − A, A's figures, B's."""
        a, b = DatasetBrowser._a_cells(clip.a), clip.b
        return [
            *a[:2],
            (f"{clip.difference_mm:+.1f}", clip.difference_mm),
            *a[2:],
            *((f"{v:.1f}", v) for v in b.mpjpe_mm),
            (f"{b.global_mpjpe_mm:.1f}", b.global_mpjpe_mm),
        ]

    @staticmethod
    def _summary_cells(result: DatasetEval | Comparison) -> list[str]:
        """The summary's figures: frame-weighted over every clip, as ``rvq-motion eval`` prints them."""
        a = result if isinstance(result, DatasetEval) else result.a
        layers = a.summary.layers
        cells = [f"all {a.summary.clips} clips", str(a.summary.frames)]
        cells += [f"{m.mpjpe_root_aligned_mm:.1f}" for _, m in sorted(layers.items())]
        cells += [f"{layers[max(layers)].mpjpe_mm:.1f}", "", ""]
        if isinstance(result, Comparison):
            b = result.b.summary.layers
            diff = result.difference_mm
            cells.insert(2, f"{diff:+.1f}" if diff == diff else "no clip in both")
            cells += [f"{m.mpjpe_root_aligned_mm:.1f}" for _, m in sorted(b.items())]
            cells.append(f"{b[max(b)].mpjpe_mm:.1f}")
        return cells

    def _items(self, cells: list[Cell], row: ClipRow) -> list[QStandardItem]:
        items = []
        for i, (text, value) in enumerate(cells):
            item = QStandardItem(text)
            item.setData(value, SORT_ROLE)
            item.setEditable(False)
            if i:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            items.append(item)
        items[0].setData((row.path, row.worst_frame), OPEN_ROLE)
        items[0].setToolTip(row.path)
        return items

    def _fill(
        self, headers: list[str], rows: list[tuple[list[Cell], ClipRow]], summary: list[str] | None
    ) -> None:
        self.table.setSortingEnabled(False)
        self.model.clear()
        self.model.setHorizontalHeaderLabels(headers)
        for cells, row in rows:
            self.model.appendRow(self._items(cells, row))
        for i, header in enumerate(headers[2:], start=2):
            self.model.setHeaderData(
                i, Qt.Orientation.Horizontal, _header_tip(header), Qt.ItemDataRole.ToolTipRole
            )
        self.table.setSortingEnabled(True)
        worst = headers.index("global" if "global" in headers else "A global") - 1
        self.table.sortByColumn(worst, Qt.SortOrder.DescendingOrder)  # worst clips first, all layers
        self.summary.setColumnCount(len(headers))
        self.summary.clearContents()
        for i, text in enumerate(summary or []):
            item = QTableWidgetItem(text)
            if i:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.summary.setItem(0, i, item)
        a = (
            None
            if self.result is None
            else (self.result if isinstance(self.result, DatasetEval) else self.result.a)
        )
        self.summary.setToolTip("" if a is None else a.summary.table())
        self.table.resizeColumnsToContents()
        # The clip name is long; the figures matter more in a narrow dock (the full name is the tooltip).
        self.table.setColumnWidth(0, min(self.table.columnWidth(0), CLIP_COLUMN_MAX))

    def row_count(self) -> int:
        return self.model.rowCount()

    def _double_clicked(self, index: QModelIndex) -> None:
        first = self.proxy.index(index.row(), 0)
        path, frame = first.data(OPEN_ROLE)
        self.openRequested.emit(path, frame)

    # ----- state of the controls -------------------------------------------------------------

    def _update_sources(self) -> None:
        names = ", ".join(str(f) for f in self.folders) or "no folders yet"
        split = f"; split: {self.split.name}" if self.split is not None else ""
        self.sources_label.setText(names + split)
        self._update_controls()

    def _update_controls(self, *_: object) -> None:
        running = self.job.running
        a = self.session.checkpoint
        self.evaluate_button.setEnabled(not running and a is not None and bool(self.folders))
        self.stop_button.setEnabled(running)
        self.report_button.setEnabled(not running and self.result is not None)
        for w in (self.add_folder_button, self.split_button, self.clear_button, self.compare_button):
            w.setEnabled(not running)
        self.drop_b_button.setEnabled(not running and self.checkpoint_b is not None)
        b = self.checkpoint_b
        self.b_label.setText("B: none" if b is None else f"B: {b.path}")
