"""The Dataset dock's table: one row per clip, a summary row pinned on top, columns chosen by the user.

A Qt model over the rows :mod:`core.analysis.dataset` produced (nothing is recomputed here): sorting
and filtering reorder an index list, so 5,000 clips sort as fast as 50 and no widget is rebuilt.
The clip names are the vertical header, so they stay in view while the figures scroll sideways, and
they are shown without the folder and the name start every row shares (said once above the table).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from core.analysis.dataset import ClipRow, ComparedClip, DatasetComparison, DatasetEval

SORT_ROLE = Qt.ItemDataRole.UserRole
"""The number a cell sorts by (its text shows it rounded)."""
Row = ClipRow | ComparedClip
Result = DatasetEval | DatasetComparison
Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column:
    """A figure of every row: its header, what it means, how to read it from a row (and from the
    whole evaluation for the summary row), and how it is written."""

    header: str
    tip: str
    value: Callable[[Row], float]
    summary: Callable[[Result], float] | None = None
    digits: int = 1
    signed: bool = False

    def text(self, value: float) -> str:
        if value != value:  # NaN: no clip to measure
            return "–"
        return f"{value:{'+' if self.signed else ''}.{self.digits}f}"


def _a(row: Row) -> ClipRow:
    return row.a if isinstance(row, ComparedClip) else row


def _a_eval(result: Result) -> DatasetEval:
    return result.a if isinstance(result, DatasetComparison) else result


def _layer(k: int, prefix: str = "") -> Column:
    header = f"{prefix}{k} layer{'s' * (k > 1)}"

    def summary(result: Result) -> float:
        layers = _a_eval(result).summary.layers
        return layers[k].mpjpe_root_aligned_mm if k in layers else math.nan

    return Column(
        header,
        f"Root-aligned MPJPE in mm with the first {k} quantizer layer{'s' * (k > 1)}",
        lambda r: _a(r).mpjpe_mm[k - 1] if k <= len(_a(r).mpjpe_mm) else math.nan,
        summary,
    )


def _b_layer(k: int) -> Column:
    def summary(result: Result) -> float:
        layers = result.b.summary.layers if isinstance(result, DatasetComparison) else {}
        return layers[k].mpjpe_root_aligned_mm if k in layers else math.nan

    return Column(
        f"B {k}",
        f"B's root-aligned MPJPE in mm with its first {k} layer{'s' * (k > 1)}",
        lambda r: r.b.mpjpe_mm[k - 1] if isinstance(r, ComparedClip) and k <= len(r.b.mpjpe_mm) else math.nan,
        summary,
    )


FRAMES = Column(
    "frames", "Frames in the clip", lambda r: _a(r).frames, lambda s: _a_eval(s).summary.frames, 0
)
GLOBAL = Column(
    "global",
    "MPJPE in mm without root alignment, all layers: the drift of the decoded root path counts",
    lambda r: _a(r).global_mpjpe_mm,
    lambda s: (lambda layers: layers[max(layers)].mpjpe_mm)(_a_eval(s).summary.layers),
)
WORST_FRAME = Column(
    "worst frame",
    "The frame with the largest root-aligned MPJPE, all layers (double-click opens it)",
    lambda r: _a(r).worst_frame,
    digits=0,
)
WORST_MM = Column(
    "worst mm", "Root-aligned MPJPE of the worst frame, all layers", lambda r: _a(r).worst_frame_mm
)
DIFFERENCE = Column(
    "B − A",
    "B minus A, root-aligned MPJPE in mm with all of each one's layers (negative: B is better)",
    lambda r: r.difference_mm if isinstance(r, ComparedClip) else math.nan,
    lambda s: s.difference_mm if isinstance(s, DatasetComparison) else math.nan,
    signed=True,
)
B_GLOBAL = Column(
    "B global",
    "B's MPJPE in mm without root alignment, all its layers",
    lambda r: r.b.global_mpjpe_mm if isinstance(r, ComparedClip) else math.nan,
    lambda s: (
        (lambda layers: layers[max(layers)].mpjpe_mm)(s.b.summary.layers)
        if isinstance(s, DatasetComparison)
        else math.nan
    ),
)


def _plausibility(original: bool, figure: str) -> Callable[[Row], float]:
    """A plausibility figure of a row's original or its reconstruction with every layer (NaN: not
    measured, e.g. foot skating of a skeleton without feet)."""

    def value(row: Row) -> float:
        clip = _a(row)
        measured = (
            clip.plausibility_original if original else (clip.plausibility[-1] if clip.plausibility else None)
        )
        number = None if measured is None else getattr(measured, figure)
        return math.nan if number is None else float(number)

    return value


def _plausibility_summary(original: bool, figure: str) -> Callable[[Result], float]:
    def summary(result: Result) -> float:
        report = _a_eval(result).summary
        measured = (
            report.plausibility_original
            if original
            else report.plausibility.get(max(report.plausibility, default=0))
        )
        number = None if measured is None else getattr(measured, figure)
        return math.nan if number is None else float(number)

    return summary


def _percent(value: Callable) -> Callable:
    return lambda x: 100.0 * value(x)


PLAUSIBILITY = [
    Column(
        "skate %",
        "Foot skating with all layers: the share of frame pairs in which a foot on the floor slides "
        "(GMD's measure; thresholds as speeds, so every frame rate is judged alike)",
        _percent(_plausibility(False, "foot_skating")),
        _percent(_plausibility_summary(False, "foot_skating")),
    ),
    Column(
        "orig skate %",
        "The original clip's own foot skating: what the reconstruction's is read against",
        _percent(_plausibility(True, "foot_skating")),
        _percent(_plausibility_summary(True, "foot_skating")),
    ),
    Column(
        "jitter",
        "Mean jerk of the joints with all layers, m/s³ (the third derivative: decoded shaking)",
        _plausibility(False, "jitter_m_s3"),
        _plausibility_summary(False, "jitter_m_s3"),
        digits=0,
    ),
    Column(
        "orig jitter",
        "The original clip's own mean jerk, m/s³",
        _plausibility(True, "jitter_m_s3"),
        _plausibility_summary(True, "jitter_m_s3"),
        digits=0,
    ),
]
"""How plausible the reconstructions are, beside the originals (:mod:`core.analysis.plausibility`)."""


def columns_for(
    result_kind: type, layers: Sequence[int], b_layers: Sequence[int] = (), plausibility: bool = True
) -> list[Column]:
    """The columns of an evaluation of A alone, or of A and B, with the chosen numbers of layers (and the
    plausibility figures, A's, when asked)."""
    extra = PLAUSIBILITY if plausibility else []
    if result_kind is DatasetComparison:
        return [
            FRAMES,
            DIFFERENCE,
            *(_layer(k, "A ") for k in layers),
            *(_b_layer(k) for k in b_layers),
            GLOBAL,
            B_GLOBAL,
            WORST_FRAME,
            WORST_MM,
            *extra,
        ]
    return [FRAMES, *(_layer(k) for k in layers), GLOBAL, WORST_FRAME, WORST_MM, *extra]


@dataclass(frozen=True)
class SharedStart:
    """What every clip's path starts with: the folder they are all under and the start their names
    there share (``dataset-2_``), cut at a separator; shown once above the table instead of in every row."""

    folder: Path | None = None
    name_start: str = ""

    def short(self, path: str | Path) -> str:
        p = Path(path)
        name = (
            p.relative_to(self.folder).as_posix() if self.folder and p.is_relative_to(self.folder) else p.name
        )
        return name[len(self.name_start) :] if name.startswith(self.name_start) else name

    def describe(self) -> str:
        where = f"clips in {self.folder}" if self.folder is not None else ""
        start = f"names starting {self.name_start}" if self.name_start else ""
        return ", ".join(part for part in (where, start) if part)


SEPARATORS = "_-/ "


def shared_start(paths: Sequence[str | Path]) -> SharedStart:
    """The folder all ``paths`` are under and the start their names share (never a whole name)."""
    if not paths:
        return SharedStart()
    try:
        folder = Path(os.path.commonpath([str(Path(p).parent) for p in paths]))
    except ValueError:
        return SharedStart()
    names = [Path(p).relative_to(folder).as_posix() for p in paths]
    common = os.path.commonprefix(names)
    shortest = min(len(n) for n in names)
    if len(common) >= shortest:
        common = common[: shortest - 1]
    cut = max(common.rfind(sep) for sep in SEPARATORS)
    return SharedStart(folder, common[: cut + 1] if cut >= 0 else "")


class DatasetTableModel(QAbstractTableModel):
    """Rows of an evaluation under chosen columns; row 0 is the summary once there is one."""

    def __init__(self) -> None:
        super().__init__()
        self.columns: list[Column] = []
        self.rows: list[Row] = []
        self.result: Result | None = None
        """The finished evaluation the summary row reads (None while it runs)."""
        self.start = SharedStart()
        """What every clip's path starts with: names are shown without it."""
        self._order: list[int] = []
        self._filter = ""
        self._sorted_by: tuple[int, Qt.SortOrder] | None = None

    # ----- filling -----------------------------------------------------------------------------

    def reset(
        self, columns: list[Column], rows: Sequence[Row], result: Result | None, start: SharedStart
    ) -> None:
        self.beginResetModel()
        self.columns, self.rows, self.result, self.start = list(columns), list(rows), result, start
        self._order = self._filtered(range(len(self.rows)))
        self.endResetModel()
        if self._sorted_by is not None:
            self.sort(*self._sorted_by)

    def set_columns(self, columns: list[Column]) -> None:
        self.beginResetModel()
        self.columns = list(columns)
        self.endResetModel()

    def append(self, row: Row) -> None:
        """A clip evaluated while the run goes on: added at the end (sorted when the run ends)."""
        self.rows.append(row)
        if self._filtered([len(self.rows) - 1]):
            first = self._first_clip_row() + len(self._order)
            self.beginInsertRows(QModelIndex(), first, first)
            self._order.append(len(self.rows) - 1)
            self.endInsertRows()

    def set_filter(self, text: str) -> None:
        """Show only the clips whose path holds ``text`` (any case)."""
        self.beginResetModel()
        self._filter = text.strip().lower()
        self._order = self._filtered(range(len(self.rows)))
        self.endResetModel()
        if self._sorted_by is not None:
            self.sort(*self._sorted_by)

    def _filtered(self, indices: Sequence[int] | range) -> list[int]:
        if not self._filter:
            return list(indices)
        return [i for i in indices if self._filter in self.rows[i].path.lower()]

    # ----- reading -----------------------------------------------------------------------------

    def _first_clip_row(self) -> int:
        return 1 if self.result is not None else 0

    def row_at(self, row: int) -> Row | None:
        """The clip shown at ``row`` (None for the summary row)."""
        i = row - self._first_clip_row()
        return self.rows[self._order[i]] if 0 <= i < len(self._order) else None

    def clip_count(self) -> int:
        return len(self._order)

    def display_name(self, row: Row) -> str:
        return self.start.short(row.path)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._first_clip_row() + len(self._order)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        column = self.columns[index.column()]
        row = self.row_at(index.row())
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if row is None:  # the summary
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            if role == Qt.ItemDataRole.DisplayRole and column.summary is not None and self.result is not None:
                return column.text(column.summary(self.result))
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(column.value(row))
        if role == SORT_ROLE:
            return column.value(row)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole:
                return self.columns[section].header
            if role == Qt.ItemDataRole.ToolTipRole:
                return self.columns[section].tip
            return None
        row = self.row_at(section)
        if role == Qt.ItemDataRole.DisplayRole:
            if row is None:
                return f"all {_a_eval(self.result).summary.clips} clips" if self.result is not None else ""
            return self.display_name(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            if row is None:
                return _a_eval(self.result).summary.table() if self.result is not None else None
            return row.path
        return None

    # ----- sorting -----------------------------------------------------------------------------

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort the clips by a column's number (the summary row stays on top); a clip without the
        figure (NaN) goes last either way."""
        if not 0 <= column < len(self.columns):
            return
        self._sorted_by = (column, order)
        value = self.columns[column].value
        descending = order == Qt.SortOrder.DescendingOrder

        def key(i: int) -> tuple[bool, float]:
            v = float(value(self.rows[i]))
            return (v != v, -v if descending else v)

        self._reorder(sorted(self._order, key=key))

    def _reorder(self, order: list[int]) -> None:
        """Put the clips in ``order``, keeping selections and other persistent indexes on their clip."""
        self.layoutAboutToBeChanged.emit()
        first = self._first_clip_row()
        position = {clip: first + i for i, clip in enumerate(order)}
        before = self.persistentIndexList()
        clips = [self._order[i.row() - first] if i.row() >= first else None for i in before]
        self._order = order
        after = [
            self.index(i.row() if clip is None else position[clip], i.column())
            for i, clip in zip(before, clips, strict=True)
        ]
        self.changePersistentIndexList(before, after)
        self.layoutChanged.emit()
