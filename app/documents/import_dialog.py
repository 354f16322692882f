"""File > Open checkpoint on another codebase's tokenizer: what the import will write, field by field.

Each field is said in words with its raw name beside it ("Codes per layer (nb_code)"; the words are
core's, so ``rvq-motion import`` prints the same), with where its value came from, wrapped, and the
whole text in a tooltip. Fields read from the weights or a sidecar are read-only; the ones the weights
cannot fix (dilation growth, activation, frame rate) are editable. The settings only training reads
stand apart, greyed, with why they cannot change the tokens. A checkpoint without its normalisation
statistics gets pickers for them at the top; each change plans the import again (core's
``plan_import``, through ``replan``) and the dialog says what is still missing. The plan is made and
checked in ``core.model.peers``; this dialog only shows it and collects the choices.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.documents.import_table import ImportTable
from app.documents.statistics_pickers import REQUIRED, StatisticsPickers
from app.style import theme
from core.errors import MotionFileError
from core.model.peers.names import PEER_NAMES
from core.model.peers.plan import ImportPlan

MIN_WIDTH = 560
"""Narrower, the three columns would wrap a word a line."""
Replan = Callable[[tuple[str, ...]], ImportPlan]
"""The import planned again with these statistics files (``plan_import(path, stats=...)``)."""


def _needed_text(files: list) -> str:
    return "Still needed: " + ", ".join(f"{f.label} (like {f.example})" for f in files) + "."


class ImportDialog(QDialog):
    """Shows ``plan`` and asks for what it lacks; after Accept, ``plan`` is the plan to write."""

    def __init__(self, plan: ImportPlan, parent: QWidget | None = None, replan: Replan | None = None) -> None:
        super().__init__(parent)
        self.plan = plan
        self.bare_plan = plan
        self.replan = replan
        self.setObjectName("importDialog")
        self.setWindowTitle("Import a tokenizer")
        peer = PEER_NAMES.get(plan.family, plan.family)
        heading = QLabel(
            f"<b>{plan.source.name}</b> is a {peer} tokenizer. It will be imported as a checkpoint of this "
            "studio (the original file is not changed). Values in white can be changed; the others are "
            "read from the file or its folder."
        )
        heading.setWordWrap(True)
        heading.setToolTip(str(plan.source))
        self.pickers: StatisticsPickers | None = None
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {theme.FAILURE.name()}")
        self.table = ImportTable()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = self.buttons.addButton("Import and open", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        if plan.statistics:
            layout.addWidget(self._statistics_box(peer))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self._show(plan)
        screen = (parent.screen() if parent is not None else None) or QGuiApplication.primaryScreen()
        room = screen.availableGeometry()
        self.setMinimumWidth(MIN_WIDTH)
        self.resize(min(880, room.width() - 40), min(680, room.height() - 60))

    def _statistics_box(self, peer: str) -> QGroupBox:
        box = QGroupBox("Normalisation statistics")
        translation = (
            " and, for a part with root channels, the translation files too"
            if len(self.plan.statistics) > REQUIRED
            else ""
        )
        explain = QLabel(
            f"{peer} checkpoints do not carry the statistics their features were normalised with. Choose the "
            f"files the model was trained with (BEAT2's whole-body files are cut to the body part{translation})."
        )
        explain.setWordWrap(True)
        self.pickers = StatisticsPickers(self.plan.statistics, self.plan.source.parent)
        self.pickers.changed.connect(self.statistics_changed)
        column = QVBoxLayout(box)
        column.addWidget(explain)
        column.addWidget(self.pickers)
        return box

    def _show(self, plan: ImportPlan, note: str = "") -> None:
        """Show ``plan``; the message says what is missing (``note`` first, e.g. an error)."""
        self.plan = plan
        self.table.show_plan(plan)
        needed = self.pickers.still_needed() if self.pickers is not None else []
        if plan.missing and not needed and self.pickers is not None:
            needed = [f for f, p in zip(plan.statistics, self.pickers.paths(), strict=True) if not p]
        missing = _needed_text(needed) if needed else plan.missing
        self.message.setText(note or (missing if plan.missing else ""))
        self.message.setToolTip(self.message.text())
        ready = not plan.missing and not note
        self.import_button.setEnabled(ready)
        self.import_button.setToolTip("" if ready else self.message.text())

    def statistics_changed(self) -> None:
        """Plan again with the chosen statistics (keeping the values edited in the table)."""
        if self.pickers is None or self.replan is None:
            return
        try:
            edits = self.table.edited_values(self.plan)
        except ValueError as exc:
            self.message.setText(str(exc))
            return
        plan, note = self.bare_plan, ""
        if not self.pickers.still_needed():
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                plan = self.replan(self.pickers.given())
            except MotionFileError as exc:
                note = f"{Path(exc.path).name}: {exc.reason}"
            finally:
                QApplication.restoreOverrideCursor()
        try:
            plan = plan.with_values(**edits)
        except ValueError as exc:
            note = note or str(exc)
        self._show(plan, note)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter in a path field takes the path (the plan is made again) and does not import: the
        import is reviewed first and started with its button."""
        entering = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if entering and isinstance(self.focusWidget(), QLineEdit):
            event.accept()
            return
        super().keyPressEvent(event)

    def edited_plan(self) -> ImportPlan:
        """The plan with every edited value, typed as the field asks (ValueError if one is bad)."""
        return self.plan.with_values(**self.table.edited_values(self.plan))

    def _accept(self) -> None:
        if self.plan.missing:
            return
        try:
            self.plan = self.edited_plan()
        except ValueError as exc:
            self.message.setText(str(exc))
            return
        self.accept()
