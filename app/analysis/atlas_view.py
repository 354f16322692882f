"""The Analysis dock's Atlas tab: what a code means across a dataset.

The atlas (:func:`core.analysis.atlas.build_atlas`) is built in the background over the Dataset
dock's clips with the open checkpoint. Then the code picked in the Codebook tab (or the timeline's
highlighted code) shows here: how often and in how many clips it is used, how alike its occurrences
are (its spread against the layer's median), its nearest codes, and a gallery of sampled occurrences
as small loops; double-clicking one opens that clip at that step. "Find similar" lists the places in
the dataset whose codes are closest to the steps selected in the timeline.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.analysis.atlas_gallery import AtlasGallery
from app.analysis.clip_names import SharedStart, shared_start
from app.state.background_job import BackgroundJob
from app.state.errors import ErrorReporter
from app.state.session import Session
from core.analysis.atlas import Atlas, AtlasProgress, AtlasSettings, build_atlas
from core.analysis.token_index import Match, SearchProgress, find_similar
from core.model.checkpoint import Checkpoint
from core.render.atlas_preview import PreviewStage, preview_frames

ATLAS_LAYERS = (0, 1)
"""The layers an atlas summarises (0-based): the coarse ones, where a code is a movement."""
PER_CODE = 6
FILE_ROLE = Qt.ItemDataRole.UserRole


def _build(
    ckpt: Checkpoint, files: Sequence[Path], should_stop: Callable[[], bool]
) -> Generator[AtlasProgress, None, Atlas]:
    layers = tuple(k for k in ATLAS_LAYERS if k < ckpt.config.num_quantizers)
    return (yield from build_atlas(ckpt, files, AtlasSettings(layers=layers, per_code=PER_CODE), should_stop))


def _search(
    atlas: Atlas, query: object, by: str, should_stop: Callable[[], bool]
) -> Generator[SearchProgress, None, list[Match]]:
    return (yield from find_similar(atlas, query, layers=atlas.layers, by=by, should_stop=should_stop))


class AtlasView(QWidget):
    """Build, read and search a code atlas of the Dataset dock's clips."""

    openRequested = Signal(str, int)

    def __init__(
        self,
        session: Session,
        reporter: ErrorReporter,
        files: Callable[[], list[Path]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session, self.reporter, self.files = session, reporter, files
        self.atlas: Atlas | None = None
        self._stage: PreviewStage | None = None
        self._names = SharedStart()
        """What every atlas clip's path starts with: captions and matches leave it out."""
        self.build_job = BackgroundJob(_build, self)
        self.search_job = BackgroundJob(_search, self)
        self._build_widgets()
        self.build_job.progress.connect(lambda p: self._progress(p.done, p.total))
        self.build_job.finished.connect(self.set_atlas)
        self.build_job.failed.connect(lambda text: reporter.warning("The code atlas failed", text))
        self.build_job.runningChanged.connect(self._update)
        self.search_job.progress.connect(lambda p: self._progress(p.done, p.total))
        self.search_job.finished.connect(self._matches)
        self.search_job.failed.connect(lambda text: reporter.warning("Find similar failed", text))
        self.search_job.runningChanged.connect(self._update)
        self._searched_for: tuple[object, object] | None = None
        self._code_shown: tuple[object, ...] | None = None
        """What the code label and gallery show (atlas, checkpoint, code): drawn again only when it changes."""
        for signal in (session.highlightChanged, session.checkpointChanged, session.selectionChanged):
            signal.connect(self._update)
        for signal in (session.clipChanged, session.checkpointChanged):
            signal.connect(self._drop_matches)
        self._update()

    def _build_widgets(self) -> None:
        self.build_button = QPushButton("Build atlas")
        self.build_button.setToolTip(
            "Tokenize the Dataset dock's clips and index every code of layers 1 and 2"
        )
        self.build_button.clicked.connect(self.build)
        self.stop_button = QPushButton("Stop")
        self.stop_button.clicked.connect(lambda: (self.build_job.stop(), self.search_job.stop()))
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.code_label = QLabel()
        self.code_label.setWordWrap(True)
        self.gallery = AtlasGallery()
        self.gallery.openRequested.connect(self.openRequested)
        self.similar_button = QPushButton("Find similar to the selected steps")
        self.similar_button.setToolTip(
            "The places in the dataset whose codes of the atlas's layers are closest"
        )
        self.similar_button.clicked.connect(self.find_similar)
        self.similar_by = QComboBox()
        self.similar_by.addItem("by codes", "codes")
        self.similar_by.setItemData(
            0,
            "The share of the atlas layers' codes that differ (0: the same codes)",
            Qt.ItemDataRole.ToolTipRole,
        )
        self.similar_by.addItem("by latents", "latents")
        self.similar_by.setItemData(
            1,
            "The distance between the quantized latents the codes sum to (close codes count as close)",
            Qt.ItemDataRole.ToolTipRole,
        )
        self.matches = QListWidget()
        self.matches.setToolTip("Double-click opens the clip at that place")
        self.matches.itemDoubleClicked.connect(lambda item: self.openRequested.emit(*item.data(FILE_ROLE)))
        content = QWidget()
        layout = QVBoxLayout(content)
        row = QHBoxLayout()
        row.addWidget(self.build_button)
        row.addWidget(self.stop_button)
        row.addStretch(1)
        layout.addLayout(row)
        for widget in (self.progress, self.status, self.code_label, self.gallery):
            layout.addWidget(widget)
        similar = QHBoxLayout()
        similar.addWidget(self.similar_button, 1)
        similar.addWidget(self.similar_by)
        layout.addLayout(similar)
        layout.addWidget(self.matches, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    # ----- building and searching ------------------------------------------------------------------

    def build(self) -> None:
        ckpt = self.session.checkpoint
        if ckpt is None or self.build_job.running:
            return
        with self.reporter.guard("Could not build the code atlas"):
            files = self.files()
            if not files:
                self.reporter.warning("No clips for the atlas", "Add a folder in the Dataset dock first.")
                return
            self.status.setText(f"Building the atlas of {len(files)} clips with {ckpt.label}…")
            self.build_job.start(ckpt, files)

    def set_atlas(self, atlas: Atlas) -> None:
        self.atlas, self._stage = atlas, None
        self._names = shared_start([clip.path for clip in atlas.clips])
        self._update()

    def find_similar(self) -> None:
        selection, editor = self.session.selection, self.session.editor
        if not self.current() or selection is None or editor is None or self.search_job.running:
            return
        self.matches.clear()
        query = editor.indices[selection.start : selection.stop].copy()
        self._searched_for = self._query_source()
        self.search_job.start(self.atlas, query, self.similar_by.currentData())

    def _query_source(self) -> tuple[object, object]:
        """The clip and checkpoint a search's steps come from (its matches answer those alone)."""
        return self.session.clip_path, self.session.checkpoint

    def _matches(self, matches: list[Match]) -> None:
        self.matches.clear()
        if self._searched_for != self._query_source():
            return  # a search of the clip open before
        for match in matches:
            steps = f"steps {match.start}–{match.start + match.steps - 1}"
            item = QListWidgetItem(f"{match.distance:.3f} · {self._names.short(match.path)} · {steps}")
            item.setData(FILE_ROLE, (match.path, match.frame))
            item.setToolTip(f"{match.path}\ndistance {match.distance:.3f} (0: the same codes)")
            self.matches.addItem(item)

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    # ----- what is shown -----------------------------------------------------------------------------

    def current(self) -> bool:
        """Whether the atlas is of the open checkpoint (codes of another mean something else)."""
        ckpt = self.session.checkpoint
        return (
            self.atlas is not None and ckpt is not None and self.atlas.weights_sha256 == ckpt.weights_sha256
        )

    def _update(self, *_: object) -> None:
        running = self.build_job.running or self.search_job.running
        self.progress.setVisible(running)
        self.stop_button.setEnabled(running)
        self.build_button.setEnabled(not running and self.session.checkpoint is not None)
        selection = self.session.selection
        self.similar_button.setEnabled(not running and self.current() and selection is not None)
        if self.atlas is None:
            if not self.build_job.running:
                self.status.setText("No atlas yet: add folders in the Dataset dock, then Build atlas.")
        elif not self.current():
            self.status.setText(
                "This atlas was built with another checkpoint: build it again for the open one."
            )
        else:
            skipped = f", {len(self.atlas.skipped)} skipped" if self.atlas.skipped else ""
            self.status.setText(
                f"Atlas of {len(self.atlas.clips)} clips{skipped}, layers "
                f"{', '.join(str(k + 1) for k in self.atlas.layers)}: pick a code in the Codebook tab"
            )
        self._show_code()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._show_code()

    def shutdown(self) -> None:
        """Stop a build (its worker processes) and a search, and wait for them (closing the window)."""
        self.build_job.shutdown()
        self.search_job.shutdown()

    def _drop_matches(self) -> None:
        """Matches answer another clip's steps once a clip or checkpoint opens: stop a search, clear them."""
        self.search_job.stop()
        self.matches.clear()

    def _show_code(self) -> None:
        """The picked code's summary and gallery: drawn while the tab is shown, once per code (the
        previews are rendered on this thread), not on every selection change."""
        wanted = (id(self.atlas), self.current(), self.session.highlighted)
        if not self.isVisible() or wanted == self._code_shown:
            return
        self._code_shown = wanted
        highlighted = self.session.highlighted
        if not self.current() or highlighted is None:
            self.code_label.setText("")
            self.gallery.show_tiles([], [])
            return
        layer, code = highlighted
        if layer not in self.atlas.layers:
            self.code_label.setText(
                f"The atlas summarises layers 1 and 2; code {code} is of layer {layer + 1}."
            )
            self.gallery.show_tiles([], [])
            return
        summary = self.atlas.code(layer, code)
        if summary.dead:
            self.code_label.setText(f"Code <b>{code}</b> of layer {layer + 1} is never used in these clips.")
            self.gallery.show_tiles([], [])
            return
        self.code_label.setText(
            f"Code <b>{code}</b> of layer {layer + 1}: {summary.count:,} steps in {summary.clips} of "
            f"{len(self.atlas.clips)} clips · spread <b>{summary.spread_mm:.0f} mm</b> (the layer's median: "
            f"{self.atlas.median_spread_mm(layer):.0f} mm; low is one movement, high several) · nearest codes "
            f"{', '.join(map(str, summary.nearest[:5]))}"
        )
        occurrences, windows = self.atlas.sample_windows(layer, code)
        if self._stage is None:
            self._stage = PreviewStage.of(self.atlas, size=120)
        loops = [list(preview_frames(self._stage, windows[i : i + 1])) for i in range(len(occurrences))]
        self.gallery.show_tiles(occurrences, loops, self._names)
