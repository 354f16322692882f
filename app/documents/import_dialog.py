"""File > Open checkpoint on another codebase's tokenizer: what the import will write, field by field.

Fields read from the weights or a sidecar are shown read-only with their source; the ones the weights
cannot fix (dilation growth rate, activation, training settings, frame rate) are editable, pre-filled
from a sidecar or the released models' settings, and say so. The plan itself is made and checked in
``core.model.peers``; this dialog only shows it and collects the edits.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.style import theme
from core.model.peers.plan import EDITABLE, ImportPlan

COLUMNS = ("Field", "Value", "Source")


class ImportDialog(QDialog):
    """Shows ``plan``; :meth:`edited_plan` is the plan with the user's values (ValueError if one is bad)."""

    def __init__(self, plan: ImportPlan, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plan = plan
        self.setObjectName("importDialog")
        self.setWindowTitle("Import a tokenizer")
        heading = QLabel(
            f"<b>{plan.source.name}</b> is a {plan.family} tokenizer. It will be imported as a checkpoint "
            "of this studio (the original file is not changed). Values in white can be changed."
        )
        heading.setWordWrap(True)
        self.message = QLabel()
        self.message.setStyleSheet(f"color: {theme.FAILURE.name()}")
        self.table = QTableWidget(len(plan.fields), len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        for row, item in enumerate(plan.fields):
            cells = (item.name, str(item.value), item.source)
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                if column == 1 and item.editable:
                    flags |= Qt.ItemFlag.ItemIsEditable
                else:
                    cell.setForeground(theme.DIM_TEXT)
                cell.setFlags(flags)
                self.table.setItem(row, column, cell)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.addButton("Import and open", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.resize(760, 560)

    def edited_plan(self) -> ImportPlan:
        """The plan with every edited value, typed as the field asks."""
        values = {}
        for row, item in enumerate(self.plan.fields):
            text = self.table.item(row, 1).text().strip()
            if item.editable and text != str(item.value):
                try:
                    values[item.name] = EDITABLE[item.name](text)
                except ValueError:
                    raise ValueError(
                        f"{item.name}: {text!r} is not a {EDITABLE[item.name].__name__}"
                    ) from None
        return self.plan.with_values(**values)

    def _accept(self) -> None:
        try:
            self.plan = self.edited_plan()
        except ValueError as exc:
            self.message.setText(str(exc))
            return
        self.accept()
