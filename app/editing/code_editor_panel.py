"""Edit the selected token: pick its code by index or among the nearest codes of its layer's
codebook, and copy, paste, reset, undo and redo step ranges. Every change is decoded at once
(by the session, through core) so the viewer previews it while the user browses codes. Resting the
pointer on a nearest-code chip previews that code in the viewer before it is picked (decoded beside
the grid: nothing is edited, the undo history is untouched); leaving the chip restores the view.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from superqt import QFlowLayout

from app.state.errors import ErrorReporter
from app.state.session import Session
from app.style import theme
from app.style.code_colors import code_color
from core.analysis.reconstruction import Reconstruction

NEAREST = 8
PREVIEW_DELAY_MS = 120
"""How long the pointer rests on a chip before its code is decoded (sweeping across chips decodes none)."""


class CodeEditorPanel(QWidget):
    """The selected cell's code, its nearest codebook neighbours, and the edit actions."""

    def __init__(
        self,
        session: Session,
        reporter: ErrorReporter,
        actions: Sequence[QAction],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.reporter = reporter
        self._listed_for: tuple[Reconstruction, int, int, int] | None = None
        """The (reconstruction, step, layer, code) whose neighbours the chips show."""
        self._listed: list[int] = []
        self._hovered: QToolButton | None = None
        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(PREVIEW_DELAY_MS)
        self._preview_timer.timeout.connect(self._preview_hovered)
        self.title = QLabel()
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        self.title.setFont(font)
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.info.setStyleSheet(f"color: {theme.DIM_TEXT.name()}")
        self.clipboard_label = QLabel()
        self.clipboard_label.setStyleSheet(f"color: {theme.DIM_TEXT.name()}")
        self.clipboard_label.setWordWrap(True)
        # The info text changes length with every pick: below the chips, it cannot move them.
        # In a short dock (a 1024x700 window) the content scrolls instead of squeezing the buttons flat.
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.addWidget(self.title)
        layout.addLayout(self._build_code_row())
        layout.addWidget(self._build_nearest_chips())
        layout.addWidget(self.info)
        layout.addWidget(self._build_edit_buttons(actions))
        layout.addWidget(self.clipboard_label)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)  # never clip a narrow dock
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        session.selectionChanged.connect(self.refresh)
        session.tokensChanged.connect(self.refresh)
        session.layersUsedChanged.connect(lambda _k: self.refresh())
        session.clipboardChanged.connect(self._clipboard_changed)
        self.refresh()
        self._clipboard_changed()

    def _build_code_row(self) -> QHBoxLayout:
        """The code of the selected cell: its colour, a slider over the codebook and a spin box."""
        self.swatch = QLabel()
        self.swatch.setFixedSize(22, 22)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setToolTip("Code index in this layer's codebook (applied when released)")
        self.spin = QSpinBox()
        self.spin.setToolTip("Code index in this layer's codebook")
        self.spin.setKeyboardTracking(False)
        self.slider.valueChanged.connect(self._slider_moved)
        self.slider.sliderReleased.connect(lambda: self._apply(self.slider.value()))
        self.spin.valueChanged.connect(self._apply)
        code_row = QHBoxLayout()
        code_row.addWidget(QLabel("Code"))
        code_row.addWidget(self.swatch)
        code_row.addWidget(self.slider, 1)
        code_row.addWidget(self.spin)
        return code_row

    def _build_nearest_chips(self) -> QGroupBox:
        """The chips of the nearest codes: a click picks one, resting on one previews it."""
        self.nearest_box = QGroupBox()
        self.nearest_box.setToolTip(
            "The codes whose vectors lie closest to the cell's code when it was selected: small, local "
            "changes. The list stays while you try them; the highlighted chip is the current code."
        )
        self.nearest_layout = QFlowLayout(self.nearest_box)
        self.nearest_buttons: list[QToolButton] = []
        for _ in range(NEAREST):
            button = QToolButton()
            button.setMinimumWidth(44)
            button.setCheckable(True)
            button.clicked.connect(lambda _checked=False, b=button: self._pick(b))
            button.installEventFilter(self)
            self.nearest_layout.addWidget(button)
            self.nearest_buttons.append(button)
        return self.nearest_box

    def _build_edit_buttons(self, actions: Sequence[QAction]) -> QGroupBox:
        edit_box = QGroupBox("Edit")
        grid = QGridLayout(edit_box)
        for i, action in enumerate(actions):
            button = QToolButton()
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            grid.addWidget(button, i // 2, i % 2)
        return edit_box

    def refresh(self) -> None:
        """Show the selected cell (or say how to select one) and its neighbours."""
        recon, selection, code = (
            self.session.reconstruction,
            self.session.selection,
            self.session.selected_code(),
        )
        enabled = recon is not None and selection is not None and code is not None
        for widget in (self.slider, self.spin, self.nearest_box):
            widget.setEnabled(enabled)
        if not enabled:
            self.title.setText("No token selected")
            self.info.setText(
                "Click a cell in the timeline to select a token; Shift+click or drag selects a range of steps."
                if recon is not None
                else "Open a clip and a checkpoint that fits it to see and edit its tokens."
            )
            self.swatch.setStyleSheet("")
            self.spin.setSpecialValueText(" ")  # no code to show: the spin box's -1 reads blank
            for widget in (self.slider, self.spin):
                widget.blockSignals(True)
                widget.setRange(-1, -1)
                widget.blockSignals(False)
            self._listed_for = None
            self.nearest_box.setTitle("Nearest codes")
            for button in self.nearest_buttons:
                button.hide()
            return
        nb_code = self.session.checkpoint.config.nb_code
        self.spin.setSpecialValueText("")  # code 0 is a code, not "none"
        for widget in (self.slider, self.spin):
            widget.blockSignals(True)
            widget.setRange(0, nb_code - 1)
            widget.setValue(code)
            widget.blockSignals(False)
        start, stop = recon.frames_of_step(selection.step)
        reach = recon.reach_of_step(selection.step)
        steps = selection.stop - selection.start
        self.title.setText(f"Layer {selection.layer + 1} · step {selection.step}")
        original = int(self.session.editor.original[selection.step, selection.layer])
        moves_root = self.session.checkpoint.representation.moves_later_frames()
        lines = [
            f"Covers frames {start}–{stop - 1}; an edit here can change the poses of frames "
            f"{reach[0]}–{reach[1] - 1}"
            + (" and shift the path of every later frame." if moves_root else "."),
            f"Code {code} is used {recon.code_count(selection.layer, code)}× in this clip"
            + (f" (the encoder chose {original})." if original != code else "."),
        ]
        if steps > 1:
            lines.append(f"Selected range: steps {selection.start}–{selection.stop - 1} ({steps} steps).")
        if selection.layer >= self.session.layers_used:
            lines.append(
                f"Layer {selection.layer + 1} is off ({self.session.layers_used} layers used): "
                "raise the layers slider to see edits here."
            )
        self.info.setText("\n".join(lines))
        self._show_swatch(code)
        self._list_nearest(recon, selection.step, selection.layer, code)
        for button, near in zip(self.nearest_buttons, self._listed, strict=False):
            button.setChecked(near == code)
            button.setToolTip(
                f"Set code {near} (used {recon.code_count(selection.layer, near)}× in this clip)"
            )

    def _list_nearest(self, recon: Reconstruction, step: int, layer: int, code: int) -> None:
        """List the neighbours of the cell's code as it was when selected. Picking one of them, or
        undoing back, keeps the list: a chip never moves under the pointer."""
        old = self._listed_for
        if (
            old is not None
            and old[0] is recon
            and old[1:3] == (step, layer)
            and code in (old[3], *self._listed)
        ):
            return
        self._listed_for = (recon, step, layer, code)
        self._listed = recon.nearest_codes(layer, code, k=NEAREST)
        self.nearest_box.setTitle(f"Nearest codes to {code}")
        for button in self.nearest_buttons[len(self._listed) :]:
            button.hide()
        for button, near in zip(self.nearest_buttons, self._listed, strict=False):
            button.setText(str(near))
            button.setProperty("code", near)
            button.setStyleSheet(
                f"QToolButton {{ border-left: 6px solid {code_color(near).name()}; padding: 2px 6px; }}"
            )
            button.show()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """A chip hovered: preview its code after a short rest; left: back to the grid's code."""
        if watched in self.nearest_buttons:
            if event.type() == QEvent.Type.Enter and watched.isEnabled():
                self._hovered = watched
                self._preview_timer.start()
            elif event.type() == QEvent.Type.Leave:
                self.end_preview()
        return False

    def _preview_hovered(self) -> None:
        button = self._hovered
        if button is not None and button.isVisible() and button.property("code") is not None:
            with self.reporter.guard("Could not preview the code"):
                self.session.preview_code(int(button.property("code")))

    def end_preview(self) -> None:
        self._hovered = None
        self._preview_timer.stop()
        self.session.end_preview()

    def _pick(self, button: QToolButton) -> None:
        """Apply a chip's code. The click toggled the chip; it stays checked only if it is the code
        now (clicking the current chip again must not uncheck it, a failed edit must not check it)."""
        code = int(button.property("code"))
        self._preview_timer.stop()
        self.session.end_preview()
        self._apply(code)
        button.setChecked(self.session.selected_code() == code)

    def _show_swatch(self, code: int) -> None:
        self.swatch.setStyleSheet(f"background: {code_color(code).name()}; border-radius: 3px;")

    def _slider_moved(self, value: int) -> None:
        """While dragging only preview the index and colour; keyboard steps apply at once."""
        self.spin.blockSignals(True)
        self.spin.setValue(value)
        self.spin.blockSignals(False)
        self._show_swatch(value)
        if not self.slider.isSliderDown():
            self._apply(value)

    def _apply(self, code: int) -> None:
        if self.session.selected_code() is None or code == self.session.selected_code():
            return
        with self.reporter.guard("Could not change the code"):
            self.session.set_code(code)

    def _clipboard_changed(self) -> None:
        clip = self.session.clipboard
        self.clipboard_label.setText(
            "Clipboard: empty (Ctrl+C copies the selected steps; it survives opening another clip)"
            if clip is None
            else f"Clipboard: {clip.shape[0]} steps × {clip.shape[1]} layers"
            + (f" from {self.session.clipboard_source}" if self.session.clipboard_source else "")
        )
