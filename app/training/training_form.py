"""The Training dock's setup: the data, preset, device and split file, and the settings form made
from :data:`core.train.overrides.FIELDS`.

Every setting with a label gets a widget (a check box for a switch, a spin box as the table
describes for a number, a list for a text setting with choices); the form shows a config and reads back the :class:`TrainOverrides` a
run is started with, so a setting added to the table appears here with no code of its own.
"""

from __future__ import annotations

import gc
from pathlib import Path

import torch
from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QWidget,
)
from superqt.utils import create_worker

from app.style import theme
from core.errors import ConfigError, MotionFileError, describe
from core.formats.discovery import read_holdout
from core.train.config import PRESETS, TrainConfig, preset
from core.train.overrides import FIELDS, OverrideField, Spin, TrainOverrides
from core.train.survey import DataSurvey, survey_data

PRESET_TIPS = {
    "seed": "The design documents' model (width 512, 1024 codes, 6 layers): sized for a GPU",
    "small": "A narrower model with 64 codes, 64-frame windows, a joint-position loss and mirrored clips "
    "that trains on a CPU",
    "motion-s": "The Motion-S model of the design documents on HumanML3D's 263 features: plain convs with "
    "BatchNorm, 6 x 512 codes, batches of whole clips",
}
DEVICES = (("Auto", "auto"), ("CPU", "cpu"), ("CUDA", "cuda"))
SURVEYED = ("window", "whole_clips", "representation", "body_part")
"""Settings that change which clips a run can use (see :func:`core.train.survey.survey_data`)."""


def _tip(setting: OverrideField) -> str:
    return setting.help[:1].upper() + setting.help[1:]


class _Switch:
    """A check box for a setting that is on or off."""

    def __init__(self, setting: OverrideField) -> None:
        self.widget = QCheckBox(setting.label)
        self.widget.setToolTip(_tip(setting))

    def show(self, value: bool, config: TrainConfig) -> None:
        self.widget.setChecked(value)

    def value(self) -> bool:
        return self.widget.isChecked()


class _Number:
    """A spin box as the setting's :class:`Spin` describes: whole numbers unless it has decimals."""

    def __init__(self, setting: OverrideField, spin: Spin) -> None:
        self.kind, self.spin = setting.kind, spin
        self.widget: QSpinBox | QDoubleSpinBox
        if spin.decimals:
            self.widget = QDoubleSpinBox()
            self.widget.setDecimals(spin.decimals)
            self.widget.setRange(spin.minimum, spin.maximum)
        else:
            self.widget = QSpinBox()
            self.widget.setRange(int(spin.minimum), int(spin.maximum))
        if not callable(spin.step):
            self.widget.setSingleStep(spin.step)
        self.widget.setPrefix(spin.prefix)
        self.widget.setSuffix(spin.suffix)
        self.widget.setSpecialValueText(spin.off_text)
        self.widget.setToolTip(_tip(setting))

    def show(self, value: float, config: TrainConfig) -> None:
        if callable(self.spin.step):
            self.widget.setSingleStep(self.spin.step(config))
        shown = value * self.spin.scale
        self.widget.setValue(shown if isinstance(self.widget, QDoubleSpinBox) else round(shown))

    def value(self) -> float:
        value = self.widget.value() / self.spin.scale
        return round(value) if self.kind == "int" else value


class _Choice:
    """A list of the setting's values; the empty value (a body part's "whole body") shown as ``blank``."""

    def __init__(self, setting: OverrideField, blank: str = "whole body") -> None:
        self.widget = QComboBox()
        self.widget.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.widget.setMinimumContentsLength(8)  # narrow docks: the list opens wide enough anyway
        for choice in setting.choices:
            self.widget.addItem(choice or blank, choice)
        self.widget.setToolTip(_tip(setting))

    def show(self, value: str, config: TrainConfig) -> None:
        index = self.widget.findData(value)
        if index < 0:  # a value off the list (joint names from the command line): shown as it is
            self.widget.addItem(value, value)
            index = self.widget.count() - 1
        self.widget.setCurrentIndex(index)

    def value(self) -> str:
        return self.widget.currentData()


def _editor(setting: OverrideField) -> _Switch | _Number | _Choice:
    if setting.choices:
        return _Choice(setting)
    return _Switch(setting) if setting.spin is None else _Number(setting, setting.spin)


class TrainingForm:
    """An editor per setting the app offers; ``form["steps"]`` is the widget of a setting."""

    def __init__(self) -> None:
        self.settings = tuple(setting for setting in FIELDS if setting.label)
        self._editors = {s.name: _editor(s) for s in self.settings}

    def __getitem__(self, name: str) -> QWidget:
        return self._editors[name].widget

    def place(self, grid: QGridLayout, row: int) -> int:
        """Lay the editors into a four-column grid from ``row``, one to a row (a dock is narrow): numbers
        and lists beside their labels, then the switches under "Options"; returns the next free row."""
        for setting in (s for s in self.settings if s.spin is not None or s.choices):
            grid.addWidget(QLabel(setting.label), row, 0)
            grid.addWidget(self[setting.name], row, 1, 1, 3)
            row += 1
        switches = [s for s in self.settings if s.spin is None and not s.choices]
        if switches:
            grid.addWidget(QLabel("Options"), row, 0)
        for i, setting in enumerate(switches):
            grid.addWidget(self[setting.name], row + i, 1, 1, 3)
        return row + len(switches)

    def show(self, config: TrainConfig) -> None:
        """Fill every editor with ``config``'s value (and a step that fits it, where that depends)."""
        values = TrainOverrides.of(config)
        for name, editor in self._editors.items():
            editor.show(getattr(values, name), config)

    def overrides(self) -> TrainOverrides:
        """What the editors hold, as the overrides a run starts with."""
        return TrainOverrides(**{name: editor.value() for name, editor in self._editors.items()})

    def set_enabled(self, enabled: bool) -> None:
        for editor in self._editors.values():
            editor.widget.setEnabled(enabled)


def _survey(
    generation: int, paths: list[Path], config: TrainConfig, holdout: set[str]
) -> tuple[int, DataSurvey | str]:
    """A survey on a pool thread, tagged with the request it answers; unreadable input is its wording."""
    try:
        return generation, survey_data(paths, config, holdout)
    except (MotionFileError, ConfigError, OSError) as exc:
        return generation, describe(exc)


class TrainingSetup(QWidget):
    """What a run is started with: clip folders, preset, device, the settings form and a split file,
    and what the folders hold (a :class:`DataSurvey` shown under them). The survey is redone, shortly
    after a burst of edits, when the clips a run would use may have changed: the data, the split file,
    the preset or a setting in :data:`SURVEYED`; ``surveyed`` carries each survey (or the wording of
    why the folders could not be read)."""

    surveyed = Signal(object)

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.survey: DataSurvey | None = None
        self._survey_generation = 0
        self._changed = QTimer(self, singleShot=True, interval=250)
        self._changed.timeout.connect(self.refresh_survey)
        self.survey_label = QLabel()
        self.survey_label.setWordWrap(True)
        self.survey_label.setTextFormat(Qt.TextFormat.RichText)
        self.data_list = QListWidget()
        self.data_list.setToolTip("Folders (searched recursively) or files of clips to train on")
        self.data_list.setMaximumHeight(60)
        self.set_data_paths(settings.value("training/data", [], type=list))
        add_folder = QPushButton("Add folder…")
        add_folder.clicked.connect(self._add_folder)
        remove = QPushButton("Remove")
        remove.clicked.connect(self._remove_selected)
        data_buttons = QHBoxLayout()
        data_buttons.addWidget(add_folder)
        data_buttons.addWidget(remove)
        data_buttons.addStretch(1)

        self.preset_box = QComboBox()
        for name in PRESETS:
            self.preset_box.addItem(name)
            self.preset_box.setItemData(
                self.preset_box.count() - 1, PRESET_TIPS.get(name, ""), Qt.ItemDataRole.ToolTipRole
            )
        self.form = TrainingForm()
        self.holdout_edit = QLineEdit(settings.value("training/holdout", "", type=str))
        self.holdout_edit.setPlaceholderText("none (every clip)")
        self.holdout_edit.setToolTip(
            'A split file (JSON, a "holdout" list of clip names) left out of training and measured '
            "as it trains (held-out MPJPE)"
        )
        holdout_browse = QPushButton("…")
        holdout_browse.setToolTip("Choose a split file of held-out clips")
        holdout_browse.clicked.connect(self._browse_holdout)
        self.device_box = QComboBox()
        for label, value in DEVICES:
            self.device_box.addItem(label, value)
        if not torch.cuda.is_available():
            self.device_box.model().item(2).setEnabled(False)
            self.device_box.setItemData(2, "No CUDA GPU is available", Qt.ItemDataRole.ToolTipRole)

        grid = QGridLayout(self)
        grid.setContentsMargins(4, 0, 4, 0)
        grid.addWidget(QLabel("Data"), 0, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.data_list, 0, 1, 1, 3)
        grid.addLayout(data_buttons, 1, 1, 1, 3)
        grid.addWidget(QLabel("Hold out"), 2, 0)
        grid.addWidget(self.holdout_edit, 2, 1, 1, 2)
        grid.addWidget(holdout_browse, 2, 3)
        grid.addWidget(self.survey_label, 3, 0, 1, 4)
        grid.addWidget(QLabel("Preset"), 4, 0)
        grid.addWidget(self.preset_box, 4, 1, 1, 3)
        grid.addWidget(QLabel("Device"), 5, 0)
        grid.addWidget(self.device_box, 5, 1, 1, 3)
        self.form.place(grid, 6)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)

        self.preset_box.currentTextChanged.connect(lambda name: self.form.show(preset(name)))
        self.preset_box.setCurrentText("small")
        self.form.show(preset("small"))
        model = self.data_list.model()
        for signal in (model.rowsInserted, model.rowsRemoved, model.modelReset):
            signal.connect(self._changed.start)
        self.holdout_edit.editingFinished.connect(self._changed.start)
        self.preset_box.currentTextChanged.connect(self._changed.start)
        self.form["window"].valueChanged.connect(self._changed.start)
        self.form["whole_clips"].toggled.connect(self._changed.start)
        for name in ("representation", "body_part"):
            self.form[name].currentIndexChanged.connect(self._changed.start)

    def data_paths(self) -> list[Path]:
        return [Path(self.data_list.item(i).text()) for i in range(self.data_list.count())]

    def set_data_paths(self, paths: list[Path | str]) -> None:
        self.data_list.clear()
        for path in paths:
            self.data_list.addItem(str(path))

    def holdout_file(self) -> Path | None:
        text = self.holdout_edit.text().strip()
        return Path(text).expanduser() if text else None

    def config(self) -> TrainConfig:
        """The preset with the form laid over it (a ValueError says what does not fit together)."""
        return self.form.overrides().applied_to(preset(self.preset_box.currentText()))

    def set_enabled(self, enabled: bool) -> None:
        self.form.set_enabled(enabled)
        for widget in (self.preset_box, self.holdout_edit, self.device_box, self.data_list):
            widget.setEnabled(enabled)

    def _add_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a folder of clips")
        if folder:
            self.data_list.addItem(folder)

    def _remove_selected(self) -> None:
        for item in self.data_list.selectedItems():
            self.data_list.takeItem(self.data_list.row(item))

    def _browse_holdout(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a split file", "", "Split files (*.json)")
        if path:
            self.holdout_edit.setText(path)
            self._changed.start()

    def refresh_survey(self) -> None:
        """Survey the data as the form would train on it, on a pool thread; ``surveyed`` tells the result."""
        paths = self.data_paths()
        self._survey_generation += 1
        generation = self._survey_generation
        if not paths:
            self._show_survey(generation, "Add a folder of clips under Data")
            return
        try:
            config = self.config()
            holdout_file = self.holdout_file()
            holdout = read_holdout(holdout_file) if holdout_file else set()
        except (ValueError, MotionFileError) as exc:
            self._show_survey(generation, describe(exc))
            return
        self.survey_label.setText(f"<span style='color:{theme.DIM_TEXT.name()}'>Looking at the clips…</span>")
        gc.collect()  # in the GUI thread, not the worker's (see app.state.background_job)
        worker = create_worker(_survey, generation, paths, config, holdout, _start_thread=False)
        worker.returned.connect(self._surveyed)
        worker.start()

    def _surveyed(self, result: tuple[int, DataSurvey | str]) -> None:
        self._show_survey(*result)

    def _show_survey(self, generation: int, survey: DataSurvey | str) -> None:
        if generation != self._survey_generation:
            return  # an older survey, overtaken by a later change
        self.survey = survey if isinstance(survey, DataSurvey) else None
        if isinstance(survey, str):
            self.survey_label.setText(f"<span style='color:{theme.ERROR_COLORS[1].name()}'>{survey}</span>")
            self.survey_label.setToolTip(survey)
        else:
            skipped = survey.skipped_line()
            warn = theme.ERROR_COLORS[1].name()
            self.survey_label.setText(
                f"<b>{survey.headline()}</b><br>{survey.data_line()}"
                + (f"<br><span style='color:{warn}'>{skipped}</span>" if skipped else "")
            )
            self.survey_label.setToolTip(survey.details())
        self.surveyed.emit(survey)
