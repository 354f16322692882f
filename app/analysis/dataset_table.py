"""The Dataset dock's table: one row per clip, a summary row pinned on top, columns chosen by the user.

A Qt model over the rows :mod:`core.analysis.dataset` produced (nothing is recomputed here): sorting
and filtering reorder an index list, so 5,000 clips sort as fast as 50 and no widget is rebuilt.
The clip names are the vertical header, so they stay in view while the figures scroll sideways, and
they are shown without the folder and the name start every row shares (said once above the table).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from app.analysis.clip_names import SharedStart
from app.analysis.dataset_columns import Column, Result, Row, a_eval
from core.analysis.pooled_rows import pooled

SORT_ROLE = Qt.ItemDataRole.UserRole
"""The number a cell sorts by (its text shows it rounded)."""
Index = QModelIndex | QPersistentModelIndex


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
        self._pooled: Row | None = None
        """The clips a filter shows as one row (the summary row's figures), made when first read."""

    # ----- filling -----------------------------------------------------------------------------

    def reset(
        self, columns: list[Column], rows: Sequence[Row], result: Result | None, start: SharedStart
    ) -> None:
        self.beginResetModel()
        self.columns, self.rows, self.result, self.start = list(columns), list(rows), result, start
        self._order, self._pooled = self._filtered(range(len(self.rows))), None
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
            self._pooled = None
            self.endInsertRows()

    def set_filter(self, text: str) -> None:
        """Show only the clips whose path holds ``text`` (any case)."""
        self.beginResetModel()
        self._filter = text.strip().lower()
        self._order, self._pooled = self._filtered(range(len(self.rows))), None
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
                return column.text(self._summary(column))
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
                return self._summary_name()
            return self.display_name(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            if row is None and self._filter and self.result is not None:
                shown = len(self._order)
                return (
                    f"The {shown} clips whose path contains “{self._filter}”, pooled as the evaluation pools"
                )
            if row is None:
                return a_eval(self.result).summary.table() if self.result is not None else None
            return row.path
        return None

    def _summary_name(self) -> str:
        if self.result is None:
            return ""
        every = a_eval(self.result).summary.clips
        return f"{len(self._order)} of {every} clips" if self._filter else f"all {every} clips"

    def _summary(self, column: Column) -> float:
        """The evaluation's own summary, or, while a filter hides clips, the clips shown pooled as the
        evaluation pools them (:func:`core.analysis.pooled_rows.pooled`), once per filter."""
        assert column.summary is not None and self.result is not None
        if not self._filter:
            return column.summary(self.result)
        if self._pooled is None:
            self._pooled = pooled([self.rows[i] for i in self._order])
        return column.value(self._pooled)

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
