"""Which features a run trains on, and the statistics it normalises them with, from its config.

The 6D-rotation features of every joint are the default; ``representation = "humanml3d"`` trains on
HumanML3D's 263 rows (SMPL-X clips converted) or, on KIT-ML clips, KIT's 251; ``body_part`` on a part
of SMPL-X clips. The augmentations and the joint-position loss are written for 6D rotations of the
whole skeleton: a run turns a preset's off for other features
(:func:`core.train.run_config.fit_to_features`), and a config that still holds them here is refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np

from core.errors import ConfigError, MotionFileError
from core.features.body_part import BodyPart
from core.features.humanml3d import HumanML3D
from core.features.representation import Normalizer, Representation
from core.features.rot6d import Rot6D
from core.features.smplx_parts import PARTS
from core.formats.humanml3d_bodies import KIT
from core.formats.numpy_files import read_npy
from core.motion.skeleton import Skeleton, describe_difference
from core.train.config import TrainConfig, whole_body_settings_on


def representation_for(config: TrainConfig, skeleton: Skeleton) -> Representation:
    """The representation ``config`` asks for, on clips of ``skeleton`` (the first training clip's)."""
    if config.body_part:
        if config.body_part in PARTS:
            if skeleton.num_joints != 55:
                raise ConfigError(
                    f"the {config.body_part} body part is a part of SMPL-X clips (55 joints); these clips "
                    f"have {skeleton.num_joints}: give joint names instead"
                )
            rep: Representation = BodyPart.named(config.body_part)
        else:
            names = [n.strip() for n in config.body_part.split(",") if n.strip()]
            try:
                rep = BodyPart.of_joints(names, skeleton)
            except ValueError as exc:
                raise ConfigError(str(exc)) from None
    elif config.representation == "humanml3d":
        kit = describe_difference(skeleton, KIT.topology()) is None
        rep = HumanML3D.of_body(KIT) if kit else HumanML3D()
    else:
        return Rot6D(num_joints=skeleton.num_joints, root_channels=config.root_channels)
    on = whole_body_settings_on(config)
    if on:
        raise ConfigError(
            f"{rep.describe()} cannot use {', '.join(on)}: those settings are written for 6D rotations of a "
            "whole skeleton"
        )
    return rep


def normalizer_for(config: TrainConfig, rep: Representation, raw: Iterable[np.ndarray]) -> Normalizer:
    """The statistics files ``config.stats`` names (used verbatim, unfloored, as their datasets do), or
    statistics fitted over ``raw``."""
    if not config.stats:
        return Normalizer.fit(raw)
    arrays = [read_npy(Path(path)).astype(np.float64).reshape(-1) for path in config.stats]
    if isinstance(rep, BodyPart) and arrays[0].shape[0] == 6 * rep.num_joints:
        trans = arrays[2:] if len(arrays) == 4 else [None, None]
        try:
            return rep.normalizer_from(arrays[0], arrays[1], *trans)
        except ValueError as exc:
            raise MotionFileError(config.stats[0], str(exc)) from None
    if arrays[0].shape != (rep.dim,) or arrays[1].shape != (rep.dim,):
        raise MotionFileError(
            config.stats[0], f"statistics of width {arrays[0].shape[0]} do not fit {rep.dim}-dim features"
        )
    try:
        return Normalizer.from_dict({"mean": arrays[0].tolist(), "std": arrays[1].tolist()})
    except ValueError as exc:
        raise MotionFileError(config.stats[1], str(exc)) from None
