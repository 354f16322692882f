"""The Training dock's setup: the data (folders, split, speakers), the held-out clips and the T2M evaluator,
preset and device, the settings form, and what the chosen clips hold.

One column of labelled rows (a label goes above its field when the dock is too narrow for both), so the
setup reads whole in a 1024x700 window and only ever scrolls up and down. The survey of the clips
(:mod:`app.training.survey_job`) is redone shortly after a burst of edits that may change the clips a run
would use: the data, split, speakers, hold-out file, preset or a setting in :data:`SURVEYED`.
"""

from __future__ import annotations

import html
from pathlib import Path

import torch
from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from app.style import theme
from app.training.data_choice import DataChoice
from app.training.evaluator_field import EvaluatorField
from app.training.survey_job import SurveyJob, SurveyRequest
from app.training.training_form import TrainingForm
from core.datasets.progress import ReadProgress
from core.errors import describe
from core.train.config import PRESETS, TrainConfig, preset
from core.train.survey import DataSurvey

PRESET_TIPS = {
    "seed": "The design documents' model (width 512, 1024 codes, 6 layers): sized for a GPU",
    "small": "A narrower model with 64 codes, 64-frame windows, a joint-position loss and mirrored clips "
    "that trains on a CPU",
    "motion-s": "The Motion-S model of the design documents on HumanML3D's 263 features: plain convs with "
    "BatchNorm, 6 x 512 codes, batches of whole clips",
}
DEVICES = (("Auto", "auto"), ("CPU", "cpu"), ("CUDA", "cuda"))
SURVEYED = ("window", "whole_clips", "representation", "body_part")
"""Settings that change which clips a run can use (see :func:`core.train.survey.scan_data`)."""


def breakable(text: str) -> str:
    """``text`` escaped for a rich-text label, its paths breakable after each ``/`` (a long path would
    otherwise widen the label past the dock)."""
    return html.escape(text).replace("/", "/\u200b")


def _colored(text: str, color: str) -> str:
    return f"<span style='color:{color}'>{breakable(text)}</span>"


def _wrapping_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    label.setMinimumWidth(1)  # wraps to the dock's width instead of widening it
    return label


class TrainingSetup(QWidget):
    """What a run is started with, and what the chosen clips hold (a :class:`DataSurvey` shown under the
    data); ``surveyed`` carries each survey (or why the clips could not be surveyed), ``progressed``
    the reading progress of one in progress."""

    surveyed = Signal(object)
    progressed = Signal(str)

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.survey: DataSurvey | None = None
        self._survey_cut = False
        self._changed = QTimer(self, singleShot=True, interval=250)
        self._changed.timeout.connect(self.refresh_survey)
        self.survey_job = SurveyJob(self)
        self.data = DataChoice(settings)
        self.data_list = self.data.data_list
        self.survey_label = _wrapping_label()
        self.holdout_edit = QLineEdit(settings.value("training/holdout", "", type=str))
        self.holdout_edit.setPlaceholderText("none")
        self.holdout_edit.setToolTip(
            'A split file (JSON, a "holdout" list of clip names) left out of training and measured '
            "as it trains (held-out MPJPE)"
        )
        self.evaluator = EvaluatorField(settings)
        self.preset_box = QComboBox()
        for name in PRESETS:
            self.preset_box.addItem(name)
            self.preset_box.setItemData(
                self.preset_box.count() - 1, PRESET_TIPS.get(name, ""), Qt.ItemDataRole.ToolTipRole
            )
        self.device_box = QComboBox()
        for label, value in DEVICES:
            self.device_box.addItem(label, value)
        if not torch.cuda.is_available():
            self.device_box.model().item(2).setEnabled(False)
            self.device_box.setItemData(2, "No CUDA GPU is available", Qt.ItemDataRole.ToolTipRole)
        self.form = TrainingForm()
        self.rows = self._lay_out()
        self.preset_box.currentTextChanged.connect(lambda name: self.form.show(preset(name)))
        self.preset_box.setCurrentText("small")
        self.form.show(preset("small"))
        self._connect()

    def _lay_out(self) -> QFormLayout:
        rows = QFormLayout(self)
        rows.setContentsMargins(6, 2, 6, 6)
        rows.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        rows.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        rows.addRow(QLabel("Data"))
        rows.addRow(self.data)
        rows.addRow("Split", self.data.split_box)
        rows.addRow("Speakers", self.data.speakers_edit)
        rows.setRowVisible(self.data.speakers_edit, False)
        holdout = QWidget()
        line = QHBoxLayout(holdout)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.holdout_edit, 1)
        browse = QToolButton()
        browse.setText("…")
        browse.setToolTip("Choose a split file of held-out clips")
        browse.clicked.connect(self._browse_holdout)
        line.addWidget(browse)
        rows.addRow("Hold out", holdout)
        rows.addRow("T2M evaluator", self.evaluator)
        rows.addRow(self.evaluator.status)
        rows.addRow(self.survey_label)
        rows.addRow("Preset", self.preset_box)
        rows.addRow("Device", self.device_box)
        self.form.place(rows)
        return rows

    def _connect(self) -> None:
        self.data.changed.connect(self._changed.start)
        self.data.holdoutChosen.connect(self._use_holdout_file)
        self.data.speakersOffered.connect(
            lambda shown: self.rows.setRowVisible(self.data.speakers_edit, shown)
        )
        self.holdout_edit.editingFinished.connect(self._changed.start)
        self.preset_box.currentTextChanged.connect(self._changed.start)
        self.form["window"].valueChanged.connect(self._changed.start)
        self.form["whole_clips"].toggled.connect(self._changed.start)
        for name in ("representation", "body_part"):
            self.form[name].currentIndexChanged.connect(self._changed.start)
        self.survey_job.offered.connect(self.data.offer)
        self.survey_job.progressed.connect(self._progressed)
        self.survey_job.surveyed.connect(self._show_survey)

    # ----- what a run starts with -------------------------------------------------------------

    def data_paths(self) -> list[Path]:
        return self.data.data_paths()

    def set_data_paths(self, paths: list[Path | str]) -> None:
        self.data.set_data_paths(paths)

    def holdout_file(self) -> Path | None:
        text = self.holdout_edit.text().strip()
        return Path(text).expanduser() if text else None

    def config(self) -> TrainConfig:
        """The preset with the form laid over it (a ValueError says what does not fit together)."""
        return self.form.overrides().applied_to(preset(self.preset_box.currentText()))

    def remember(self, settings: QSettings) -> None:
        self.data.remember(settings)
        settings.setValue("training/holdout", self.holdout_edit.text().strip())

    def set_enabled(self, enabled: bool) -> None:
        self.form.set_enabled(enabled)
        self.data.set_enabled(enabled)
        for widget in (self.preset_box, self.holdout_edit, self.device_box, self.evaluator):
            widget.setEnabled(enabled)

    def _browse_holdout(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a split file", "", "Split files (*.json)")
        if path:
            self._use_holdout_file(path)

    def _use_holdout_file(self, path: str) -> None:
        self.holdout_edit.setText(path)
        self._changed.start()

    # ----- the survey -------------------------------------------------------------------------

    def refresh_survey(self) -> None:
        """Survey the data as the form would train on it, in the background; ``surveyed`` tells the result."""
        self._changed.stop()
        paths = self.data_paths()
        if not paths:
            self.survey_job.cancel()
            self._show_survey("Add a dataset root or a folder of clips under Data")
            return
        try:
            request = SurveyRequest(
                tuple(paths), self.config(), self.holdout_file(), self.data.split(), self.data.speakers()
            )
        except ValueError as exc:
            self.survey_job.cancel()
            self._show_survey(describe(exc))
            return
        self.survey_label.setText(_colored("Looking at the clips…", theme.DIM_TEXT.name()))
        self.survey_job.start(request)

    def stop_survey(self) -> None:
        """No survey now (a run is starting: it reads the clips itself); one that was due or under way is
        done again by :meth:`resume_survey`, so what the setup says is never of other clips."""
        self._survey_cut = self._changed.isActive() or self.survey_job.running
        self._changed.stop()
        self.survey_job.cancel()
        if self._survey_cut:
            self.survey_label.setText(_colored("Surveyed again once the run ends", theme.DIM_TEXT.name()))

    def resume_survey(self) -> None:
        """The survey :meth:`stop_survey` cut short, now (quick: the run has filled the cache)."""
        if self._survey_cut:
            self._survey_cut = False
            self.refresh_survey()

    def _progressed(self, progress: ReadProgress) -> None:
        line = progress.status()
        self.survey_label.setText(_colored(line, theme.DIM_TEXT.name()))
        self.progressed.emit(line)

    def _show_survey(self, survey: DataSurvey | str) -> None:
        self.survey = survey if isinstance(survey, DataSurvey) else None
        warn = theme.ERROR_COLORS[1].name()
        if isinstance(survey, str):
            self.survey_label.setText(_colored(survey, theme.FAILURE.name()))
            self.survey_label.setToolTip(survey)
        else:
            lines = [_colored(survey.selection, theme.DIM_TEXT.name())] if survey.selection else []
            lines += [f"<b>{breakable(survey.headline())}</b>", breakable(survey.data_line())]
            lines += [_colored(text, warn) for text in (survey.skipped_line(), *survey.warnings) if text]
            self.survey_label.setText("<br>".join(lines))
            self.survey_label.setToolTip(survey.details())
        self.surveyed.emit(survey)
