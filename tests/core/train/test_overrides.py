"""The table of overridable training settings: one declaration each, read by the CLI, the app and run_config."""

from __future__ import annotations

import argparse
import subprocess
import sys
from dataclasses import fields

import pytest

from core.cli.train import add_override_flags, overrides_from_args
from core.errors import ConfigError
from core.train.config import TrainConfig, preset
from core.train.overrides import FIELDS, TrainOverrides
from core.train.run_config import run_config


def _parse(*argv: str) -> TrainOverrides:
    parser = argparse.ArgumentParser()
    add_override_flags(parser)
    return overrides_from_args(parser.parse_args(argv))


def test_every_field_of_the_overrides_is_in_the_table_once_with_its_own_flag():
    assert [f.name for f in FIELDS] == [f.name for f in fields(TrainOverrides)]
    assert len({f.flag for f in FIELDS}) == len(FIELDS)


def test_every_setting_names_a_training_or_model_field():
    config = TrainConfig()
    assert all(hasattr(config, f.name) or hasattr(config.model, f.name) for f in FIELDS)


def test_the_flags_keep_the_names_the_readme_documents():
    assert {f.flag for f in FIELDS} == {
        "--steps",
        "--batch-size",
        "--window",
        "--lr",
        "--lr-milestones",
        "--seed",
        "--codes",
        "--position-weight",
        "--root-channels",
        "--mirror",
        "--random-heading",
        "--random-speed",
        "--log-every",
        "--checkpoint-every",
        "--arch",
        "--whole-clips",
        "--representation",
        "--body-part",
        "--stats",
        "--eval-every",
        "--strict-joint-names",
        "--pad-mode",
        "--window-sampling",
    }


def test_kinds_follow_the_annotations():
    kinds = {f.name: f.kind for f in FIELDS}
    assert kinds["steps"] == "int" and kinds["lr"] == "float"
    assert kinds["mirror"] == "bool" and kinds["lr_milestones"] == "int-list"


def test_every_setting_the_app_shows_as_a_number_has_a_spin_box():
    shown = [f for f in FIELDS if f.label]
    assert all(f.spin is not None for f in shown if f.kind in ("int", "float"))
    assert {f.name for f in shown} >= {"steps", "batch_size", "window", "lr", "mirror", "random_speed"}


def test_nothing_is_overridden_by_default():
    assert TrainOverrides().changes() == {}
    assert TrainOverrides().applied_to(preset("small")) == preset("small")


def test_a_model_setting_changes_the_model_config_and_keeps_the_rest():
    config = TrainOverrides(nb_code=16, steps=5).applied_to(preset("small"))
    assert config.model.nb_code == 16 and config.steps == 5
    assert config.model.width == preset("small").model.width


def test_the_settings_read_from_a_config_carry_over_to_another_preset():
    shown = TrainOverrides.of(preset("small"))
    assert shown.changes().keys() == {f.name for f in FIELDS}
    assert TrainOverrides.of(shown.applied_to(preset("seed"))) == shown


def test_cli_flags_unset_override_nothing():
    assert _parse() == TrainOverrides()


def test_cli_flags_become_typed_overrides():
    overrides = _parse("--codes", "16", "--lr", "0.001", "--lr-milestones", "5", "8", "--no-mirror")
    assert overrides == TrainOverrides(nb_code=16, lr=0.001, lr_milestones=(5, 8), mirror=False)


def test_a_switch_turns_a_setting_on_and_its_no_form_off():
    assert _parse("--random-heading").random_heading is True
    assert _parse("--no-random-heading").random_heading is False


def test_the_train_help_lists_every_flag_with_its_help():
    help_text = subprocess.run(
        [sys.executable, "-m", "core.cli", "train", "--help"], capture_output=True, text=True, check=True
    ).stdout
    for f in FIELDS:
        assert f.flag in help_text
    assert "--no-mirror" in help_text and "codes per quantizer layer" in help_text


def test_a_setting_out_of_range_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="window 10 must be a positive multiple"):
        run_config("small", tmp_path, resume=False, overrides=TrainOverrides(window=10))
    with pytest.raises(ConfigError, match="nb_code must be >= 2"):
        run_config("small", tmp_path, resume=False, overrides=TrainOverrides(nb_code=1))


def test_an_unknown_preset_is_a_config_error_listing_the_presets(tmp_path):
    with pytest.raises(ConfigError, match="choose one of seed, small"):
        run_config("huge", tmp_path, resume=False, overrides=TrainOverrides())
