"""Help > Keyboard shortcuts and Help > About. The shortcut list is read from the window's menus,
so it always shows what is actually bound."""

from __future__ import annotations

from importlib import metadata

import PySide6
import torch
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMainWindow,
    QMessageBox,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

MOUSE_AND_EXTRA_KEYS = (
    ("View: use the first k quantizer layers", "1 … 9"),
    ("Timeline: select a range", "Shift+click or drag"),
    ("Timeline: zoom", "Ctrl+wheel"),
    ("3D view: orbit / pan / zoom", "Left drag / middle or Ctrl+left drag / wheel"),
)


def shortcut_table(window: QMainWindow) -> list[tuple[str, str]]:
    """("Menu: action", keys) for every menu action with a shortcut, then the mouse gestures."""
    rows = []
    for menu_action in window.menuBar().actions():
        for action in menu_action.menu().actions():
            if not action.shortcut().isEmpty():
                keys = " or ".join(
                    k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts()
                )
                rows.append((f"{menu_action.text().replace('&', '')}: {action.text()}", keys))
    return rows + list(MOUSE_AND_EXTRA_KEYS)


def show_shortcuts(window: QMainWindow) -> QDialog:
    dialog = QDialog(window)
    dialog.setObjectName("shortcutsDialog")
    dialog.setWindowTitle("Keyboard shortcuts")
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    rows = shortcut_table(window)
    table = QTableWidget(len(rows), 2)
    table.setHorizontalHeaderLabels(["Action", "Keys"])
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(24)
    table.setAlternatingRowColors(True)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    for row, (name, keys) in enumerate(rows):
        table.setItem(row, 0, QTableWidgetItem(name))
        table.setItem(row, 1, QTableWidgetItem(keys))
    for column in (0, 1):  # every row whole: the dialog grows to the longest, not the rows shrink
        table.horizontalHeader().setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(table)
    layout.addWidget(buttons)
    width = sum(table.columnWidth(c) for c in (0, 1)) + 60
    dialog.resize(min(max(width, 560), window.screen().availableGeometry().width() - 40), 620)
    dialog.open()
    return dialog


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"


def _device() -> str:
    """What training and decoding run on when left to choose."""
    return f"CUDA ({torch.cuda.get_device_name(0)})" if torch.cuda.is_available() else "the CPU"


def show_about(window: QMainWindow) -> QMessageBox:
    box = QMessageBox(window)
    box.setObjectName("aboutDialog")
    box.setWindowTitle("About RVQ Motion Studio")
    box.setIconPixmap(window.style().standardIcon(QStyle.StandardPixmap.SP_ComputerIcon).pixmap(48, 48))
    box.setText(
        "<h3>RVQ Motion Studio</h3>"
        "<p>Train residual-vector-quantized motion tokenizers (RVQ-VAE) and see what their tokens "
        "do to a motion: compare the reconstruction with the original, truncate quantizer layers, "
        "and edit tokens with an immediate preview.</p>"
        f"<p>Version {_version('rvq-motion-studio')} · PyTorch {torch.__version__} · "
        f"Qt {qVersion()} (PySide6 {PySide6.__version__}) · computing on {_device()}</p>"
        "<p>Built on PySide6, pyqtgraph and PyTorch. MIT license.</p>"
        "<p>The demo clip comes from the Bandai Namco Research Motion Dataset "
        "(© Bandai Namco Research Inc., CC BY-NC 4.0, non-commercial use only).</p>"
    )
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
