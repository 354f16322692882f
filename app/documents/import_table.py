"""The import dialog's table: every field of an :class:`ImportPlan` in words, its value and its source.

Long values and sources wrap (their whole text is also the tooltip); the settings only training reads
come last under a line saying so, greyed and read-only: a tokenizer encodes and decodes the same
whatever they are, and a fine-tune takes them from its preset.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from app.style import theme
from core.model.peers.field_words import TRAINING_ONLY_NOTE
from core.model.peers.plan import EDITABLE, OPTION, ImportField, ImportPlan

COLUMNS = ("Field", "Value", "Source")
VALUE_WIDTH = 230
"""The most the Value column takes before it wraps, so Source keeps room to be read."""
SOURCE_WIDTH = 220
"""The least the Source column keeps when the dialog is narrow."""
CELL_PADDING = 16
"""A cell's margins and the room of a sort indicator, in pixels."""
TRAINING_HEADING = f"Training only: {TRAINING_ONLY_NOTE}."


def _shown(value: object) -> str:
    return "None" if value is None else str(value)


def _source(item: ImportField) -> str:
    """Where the value came from; a value given in this dialog (core's "option") says so."""
    return "chosen by you" if item.source == OPTION else item.source


class ImportTable(QTableWidget):
    """Rows of fields; ``fields[row]`` is the row's field (None for the training-only heading)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setObjectName("importTable")
        self.fields: list[ImportField | None] = []
        self.setHorizontalHeaderLabels(COLUMNS)
        self.verticalHeader().hide()
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # Source wraps instead
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.sectionResized.connect(lambda *_: self.resizeRowsToContents())

    def show_plan(self, plan: ImportPlan) -> None:
        """Fill the table: decoding fields in the plan's order, then the training-only ones."""
        kept = [f for f in plan.fields if not f.training_only]
        training = [f for f in plan.fields if f.training_only]
        self.fields = [*kept, *([None] if training else []), *training]
        self.clearSpans()
        self.setRowCount(len(self.fields))
        for row, item in enumerate(self.fields):
            if item is None:
                self._heading_row(row)
            else:
                self._field_row(row, item)
        self._fit_columns()
        self.resizeRowsToContents()

    def _fit_columns(self) -> None:
        """Field as wide as its longest title (the training-only heading spans the row and does not
        count), Value up to :data:`VALUE_WIDTH`, Source the rest but at least :data:`SOURCE_WIDTH`:
        in a narrow dialog the first two give up room in proportion, and every column wraps."""
        metrics = self.fontMetrics()
        shown = [f for f in self.fields if f is not None]
        if not shown:
            return
        field = max(metrics.horizontalAdvance(f.title) for f in shown) + CELL_PADDING
        value = min(
            max(metrics.horizontalAdvance(_shown(f.value)) for f in shown) + CELL_PADDING, VALUE_WIDTH
        )
        room = self.viewport().width() - SOURCE_WIDTH
        if field + value > room:
            field, value = (
                max(width * room // (field + value), CELL_PADDING * 4) for width in (field, value)
            )
        self.setColumnWidth(0, field)
        self.setColumnWidth(1, value)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_columns()
        self.resizeRowsToContents()

    def _heading_row(self, row: int) -> None:
        cell = QTableWidgetItem(TRAINING_HEADING)
        cell.setFlags(Qt.ItemFlag.ItemIsEnabled)
        cell.setForeground(theme.DIM_TEXT)
        cell.setToolTip(TRAINING_HEADING)
        font = cell.font()
        font.setItalic(True)
        cell.setFont(font)
        self.setItem(row, 0, cell)
        self.setSpan(row, 0, 1, len(COLUMNS))

    def _field_row(self, row: int, item: ImportField) -> None:
        editable = item.editable and not item.training_only
        note = f"\n\nTraining only: {TRAINING_ONLY_NOTE}." if item.training_only else ""
        texts = (item.title, _shown(item.value), _source(item))
        tips = (f"{item.title}: {item.explanation}.{note}", _shown(item.value) + note, _source(item) + note)
        for column, (text, tip) in enumerate(zip(texts, tips, strict=True)):
            cell = QTableWidgetItem(text)
            cell.setToolTip(tip)
            flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
            if column == 1 and editable:
                flags |= Qt.ItemFlag.ItemIsEditable
                cell.setToolTip(f"{tip}\n(double-click to change)")
            else:
                cell.setForeground(theme.DIM_TEXT)
            cell.setFlags(flags)
            self.setItem(row, column, cell)

    def row_of(self, name: str) -> int:
        """The row of the field ``name`` (KeyError when the plan has none)."""
        for row, item in enumerate(self.fields):
            if item is not None and item.name == name:
                return row
        raise KeyError(name)

    def edited_values(self, plan: ImportPlan) -> dict[str, object]:
        """The values changed in the table, typed as their field asks (ValueError naming a bad one)."""
        values: dict[str, object] = {}
        for row, item in enumerate(self.fields):
            if item is None or not item.editable or item.training_only:
                continue
            text = self.item(row, 1).text().strip()
            if text == _shown(plan.get(item.name).value):
                continue
            kind = EDITABLE[item.name]
            try:
                values[item.name] = kind(text)
            except ValueError:
                raise ValueError(f"{item.title}: {text!r} is not a {kind.__name__}") from None
        return values
