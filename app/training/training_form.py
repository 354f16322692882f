"""The Training dock's settings form, made from :data:`core.train.overrides.FIELDS`.

Every setting with a label gets a widget (a check box for a switch, a spin box as the table
describes for a number, a list for a text setting with choices); the form shows a config and reads
back the :class:`TrainOverrides` a run is started with, so a setting added to the table appears here with no code of its own.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from core.train.config import TrainConfig
from core.train.overrides import FIELDS, OverrideField, Spin, TrainOverrides


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
        self.shown: TrainConfig | None = None
        """The config the editors were last filled with (a preset, or a run's own)."""

    def __getitem__(self, name: str) -> QWidget:
        return self._editors[name].widget

    def place(self, form: QFormLayout) -> None:
        """Add a row per number or list, beside its label, then the switches under "Options"."""
        for setting in (s for s in self.settings if s.spin is not None or s.choices):
            form.addRow(setting.label, self[setting.name])
        switches = [s for s in self.settings if s.spin is None and not s.choices]
        if switches:
            box = QWidget()
            column = QVBoxLayout(box)
            column.setContentsMargins(0, 0, 0, 0)
            for setting in switches:
                column.addWidget(self[setting.name])
            form.addRow("Options", box)

    def show(self, config: TrainConfig) -> None:
        """Fill every editor with ``config``'s value (and a step that fits it, where that depends)."""
        self.shown = config
        values = TrainOverrides.of(config)
        for name, editor in self._editors.items():
            editor.show(getattr(values, name), config)

    def overrides(self) -> TrainOverrides:
        """What the editors hold, as the overrides a run starts with."""
        return TrainOverrides(**{name: editor.value() for name, editor in self._editors.items()})

    def edits(self) -> TrainOverrides:
        """Only what the user changed from the config shown: a run takes the rest as the preset's own,
        so it may turn off a whole-body setting a body part cannot use instead of refusing it."""
        values = self.overrides()
        return values if self.shown is None else values.changed_from(self.shown)

    def set_enabled(self, enabled: bool) -> None:
        for editor in self._editors.values():
            editor.widget.setEnabled(enabled)
