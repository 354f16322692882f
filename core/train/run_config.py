"""The configuration a run trains with: a preset or a resumed run's config, the user's overrides laid
over it, and (for a fine-tune) the model, features and normalisation of the checkpoint it starts from."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from core.errors import ConfigError
from core.features.body_part import BodyPart
from core.features.humanml3d import HumanML3D
from core.features.representation import Normalizer
from core.features.rot6d import Rot6D
from core.model.checkpoint import load_checkpoint, read_checkpoint_meta
from core.train.config import TrainConfig, preset, whole_body_features, whole_body_settings_on
from core.train.overrides import FIELDS, TrainOverrides


def run_config(
    preset_name: str, run_dir: str | Path, resume: bool, overrides: TrainOverrides
) -> tuple[TrainConfig, Normalizer | None]:
    """The config a run trains with, and the normaliser it must keep.

    A new run starts from the named preset; a resumed run from the config and normalisation stored
    in its latest checkpoint. The overrides that are set are laid over either. A setting out of range,
    or one the resumed run cannot take, raises ConfigError.
    """
    if resume:
        _, meta = read_checkpoint_meta(run_dir)
        base, normalizer = TrainConfig.from_dict(meta["train"]), load_checkpoint(run_dir).normalizer
    else:
        base, normalizer = preset(preset_name), None
    if resume and overrides.random_heading and not base.random_heading:
        raise ConfigError(
            f"{run_dir} was trained without random heading; its normalisation does not fit turned "
            "windows, so random heading cannot be turned on when resuming it"
        )
    try:
        return overrides.applied_to(base), normalizer
    except ValueError as exc:  # the configs' own checks: a value out of range, a window that does not fit
        raise ConfigError(str(exc)) from exc


def config_from_checkpoint(config: TrainConfig, path: str | Path) -> tuple[TrainConfig, Normalizer]:
    """``config`` made to continue from the checkpoint at ``path`` (one trained here or imported from
    another codebase): its model (the training-only settings stay ``config``'s), its features and its
    normalisation, so a fine-tune starts from exactly the tokenizer it names."""
    ckpt = load_checkpoint(path)
    model = ckpt.config.with_training_settings(config.model)
    rep = ckpt.representation
    if isinstance(rep, BodyPart):
        part = (
            rep.name if rep.name != "custom" else ",".join(ckpt.skeleton.joint_names[j] for j in rep.joints)
        )
        features = {"representation": "rot6d", "body_part": part, "root_channels": False}
    elif isinstance(rep, HumanML3D):
        features = {"representation": "humanml3d", "body_part": "", "root_channels": False}
    elif isinstance(rep, Rot6D):
        features = {"representation": "rot6d", "body_part": "", "root_channels": rep.root_channels}
    else:
        raise ConfigError(f"{path}: cannot train on {rep.describe()}")
    try:
        return replace(config, model=model, **features), ckpt.normalizer
    except ValueError as exc:
        raise ConfigError(f"{path}: {exc}") from exc


def fit_to_features(config: TrainConfig, overrides: TrainOverrides) -> tuple[TrainConfig, str]:
    """``config`` with the whole-body settings its features cannot use turned off, and one line saying
    which ("" when none were). Only settings that came from underneath (a preset) are turned off: one
    the user set (``overrides``) is theirs, and a ConfigError asks them to drop it."""
    on = [] if whole_body_features(config) else whole_body_settings_on(config)
    if not on:
        return config, ""
    features = f"the {config.body_part} body part" if config.body_part else "HumanML3D features"
    typed = [name for name in on if getattr(overrides, name) is not None]
    if typed:
        raise ConfigError(
            f"{features} cannot use {_listed(typed, config)}, written for 6D rotations of a whole skeleton: "
            "leave them out"
        )
    note = f"{features} cannot use the preset's {_listed(on, config)}: turned off"
    return replace(config, **{name: type(getattr(config, name))(0) for name in on}), note


def _listed(names: list[str], config: TrainConfig) -> str:
    """Settings as the flags that set them to ``config``'s values: ``--mirror --position-weight 1``."""
    flags = {setting.name: setting.flag for setting in FIELDS}
    shown = []
    for name in names:
        value = getattr(config, name)
        shown.append(flags[name] if isinstance(value, bool) else f"{flags[name]} {value:g}")
    return " ".join(shown)
