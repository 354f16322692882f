"""A preset supplies defaults: for features that are not 6D rotations of a whole skeleton (a body part,
HumanML3D rows) a run turns off the preset's whole-body settings and says so in one line; only a
setting the user set is refused. The CLI and the app's form (through TrainOverrides.changed_from) get
the same rule from core."""

from __future__ import annotations

import pytest

from core.cli.main import main
from core.errors import ConfigError
from core.model.checkpoint import load_checkpoint
from core.train.config import preset
from core.train.driver import TrainingRequest, run_training
from core.train.events import MessageEvent
from core.train.overrides import TrainOverrides
from core.train.run_config import fit_to_features

QUICK = dict(steps=2, batch_size=2, window=16, nb_code=16, log_every=1, checkpoint_every=2)


def test_a_body_part_turns_off_the_presets_whole_body_settings_in_one_line():
    overrides = TrainOverrides(body_part="upper")
    config, note = fit_to_features(overrides.applied_to(preset("small")), overrides)
    assert not config.mirror and config.position_weight == 0 and not config.root_channels
    assert (
        note
        == "the upper body part cannot use the preset's --mirror --position-weight 1 --root-channels: turned off"
    )


def test_the_rest_of_the_preset_is_kept():
    overrides = TrainOverrides(body_part="upper")
    config, _ = fit_to_features(overrides.applied_to(preset("small")), overrides)
    small = preset("small")
    assert (config.model, config.steps, config.lr, config.window) == (
        small.model,
        small.steps,
        small.lr,
        small.window,
    )


def test_humanml3d_features_follow_the_same_rule():
    overrides = TrainOverrides(representation="humanml3d")
    config, note = fit_to_features(overrides.applied_to(preset("small")), overrides)
    assert not config.mirror and not config.root_channels and note.startswith("HumanML3D features cannot use")


def test_whole_body_features_keep_every_setting():
    config, note = fit_to_features(preset("small"), TrainOverrides())
    assert config == preset("small") and note == ""


def test_a_whole_body_setting_the_user_set_is_refused_naming_it():
    overrides = TrainOverrides(body_part="upper", mirror=True, position_weight=2.0)
    with pytest.raises(ConfigError, match=r"upper body part cannot use --mirror --position-weight 2\b"):
        fit_to_features(overrides.applied_to(preset("small")), overrides)


def test_a_whole_body_setting_the_user_turned_off_is_no_conflict():
    overrides = TrainOverrides(body_part="upper", mirror=False, position_weight=0.0)
    config, note = fit_to_features(overrides.applied_to(preset("small")), overrides)
    assert not config.root_channels and note.endswith("--root-channels: turned off")


def test_a_forms_edits_are_the_settings_the_user_set():
    form = TrainOverrides.of(preset("small"))  # what the form shows for the preset
    edited = TrainOverrides(**{**form.changes(), "body_part": "upper", "steps": 50})
    assert edited.changed_from(preset("small")) == TrainOverrides(body_part="upper", steps=50)


def test_train_with_a_preset_and_a_body_part_runs_and_says_what_it_turned_off(data_dir, tmp_path, capsys):
    run = tmp_path / "run"
    args = ["train", "--data", str(data_dir / "beat2" / "2_scott_0_1_1.npz"), "--out", str(run)]
    args += ["--preset", "small", "--body-part", "upper", "--no-tensorboard"]
    for name, value in QUICK.items():
        args += ["--codes" if name == "nb_code" else "--" + name.replace("_", "-"), str(value)]
    assert main(args) == 0
    assert capsys.readouterr().out.count("cannot use the preset's") == 1
    ckpt = load_checkpoint(run)
    assert ckpt.config.input_dim == 78  # the upper body's 13 joints, no root channels
    trained = ckpt.train_config
    assert not trained["mirror"] and trained["position_weight"] == 0 and not trained["root_channels"]


def test_the_apps_request_built_from_a_form_gets_the_same_rule(data_dir, tmp_path):
    form = TrainOverrides(**{**TrainOverrides.of(preset("small")).changes(), "body_part": "upper", **QUICK})
    request = TrainingRequest(
        data_paths=(data_dir / "beat2" / "2_scott_0_1_1.npz",),
        run_dir=tmp_path / "run",
        preset="small",
        overrides=form.changed_from(preset("small")),
        device="cpu",
        tensorboard=False,
    )
    messages = [e.text for e in run_training(request) if isinstance(e, MessageEvent)]
    assert messages[0].startswith("the upper body part cannot use the preset's --mirror")
