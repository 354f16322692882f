"""The training settings a user may override, each declared once, as a field of :class:`TrainOverrides`.

A field's metadata says how it is offered: its ``rvq-motion train`` flag and help, and for the app a
label and, for numbers, the spin box that edits it. The CLI's flags, the app's form and the overrides
laid over a preset are all made from :data:`FIELDS`, so a new setting is one field here.
Imports no torch: ``rvq-motion --help`` builds its flags from this module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any, Literal, get_args, get_type_hints

from core.features.smplx_parts import PARTS
from core.model.config import PAD_MODES
from core.train.config import WINDOW_SAMPLING

if TYPE_CHECKING:
    from core.train.config import TrainConfig

Kind = Literal["int", "float", "bool", "str", "int-list", "str-list"]


@dataclass(frozen=True)
class Spin:
    """The app's spin box for a number. Range and step are in shown units: ``scale`` per unit of the
    setting (100 shows a fraction as a percentage); ``off_text`` is shown at the minimum."""

    minimum: float
    maximum: float
    step: float | Callable[[TrainConfig], float] = 1
    """A fixed step, or one read from the config shown (a window steps by the model's downsampling)."""
    decimals: int = 0
    scale: float = 1
    prefix: str = ""
    suffix: str = ""
    off_text: str = ""


@dataclass(frozen=True)
class OverrideField:
    """One overridable setting: a TrainConfig field, or a model field when ``name`` is one of those."""

    name: str
    kind: Kind
    flag: str
    help: str
    metavar: str | None = None
    label: str = ""
    """The app's label (a check box's text); empty for a setting only the CLI offers."""
    spin: Spin | None = None
    choices: tuple[str, ...] = ()
    """For a text setting the app offers as a list: the values, the first one shown for "not set"."""
    empty: str = "none"
    """How a preset's empty value (no body part, no statistics files) reads in the help."""


def _setting(
    flag: str,
    help: str,
    metavar: str | None = None,
    label: str = "",
    spin: Spin | None = None,
    choices: tuple[str, ...] = (),
    empty: str = "none",
) -> Any:
    """A TrainOverrides field, unset (None) by default, and how the CLI and the app offer it."""
    metadata = {
        "flag": flag,
        "help": help,
        "metavar": metavar,
        "label": label,
        "spin": spin,
        "choices": choices,
        "empty": empty,
    }
    return field(default=None, metadata=metadata)


def _downsampling(config: TrainConfig) -> float:
    return config.model.downsample_factor


@dataclass(frozen=True)
class TrainOverrides:
    """Settings the user set, laid over a preset (or a resumed run's config); None keeps the value
    underneath."""

    steps: int | None = _setting(
        "--steps", "total optimisation steps", label="Steps", spin=Spin(1, 10_000_000, step=100)
    )
    batch_size: int | None = _setting(
        "--batch-size", "training windows per optimisation step", label="Batch", spin=Spin(1, 8192)
    )
    window: int | None = _setting(
        "--window",
        "frames per training window; a multiple of the model's downsampling",
        label="Window",
        spin=Spin(4, 4096, step=_downsampling),
    )
    lr: float | None = _setting(
        "--lr", "peak learning rate", label="LR", spin=Spin(1e-6, 1.0, step=1e-4, decimals=6)
    )
    lr_milestones: tuple[int, ...] | None = _setting(
        "--lr-milestones",
        "steps at which the learning rate drops tenfold (to extend a run, move them past its step)",
        metavar="STEP",
    )
    seed: int | None = _setting("--seed", "seed of the initial weights and of the sampled windows")
    arch: str | None = _setting(
        "--arch",
        "model architecture: resnet (the seed's dilated residual convs) or motion-s (plain convs with "
        "BatchNorm); the preset's widths and codebooks are kept",
        metavar="ARCH",
        label="Architecture",
        choices=("resnet", "motion-s"),
    )
    representation: str | None = _setting(
        "--representation",
        "the features: rot6d (6D rotations of every joint) or humanml3d (HumanML3D's 263-dim rows; "
        "SMPL-X clips are converted)",
        metavar="KIND",
        label="Features",
        choices=("rot6d", "humanml3d"),
    )
    body_part: str | None = _setting(
        "--body-part",
        "train on a part of SMPL-X clips, as SynTalker and GestureLSM do: upper, hands, lower, lower_trans, "
        "whole_trans, or joint names separated by commas",
        metavar="PART",
        label="Body part",
        choices=("", *PARTS),
        empty="the whole body",
    )
    stats: tuple[str, ...] | None = _setting(
        "--stats",
        "normalise with these statistics instead of fitting them: MEAN.npy STD.npy (a dataset's own, e.g. "
        "HumanML3D's Mean.npy Std.npy), plus TRANS_MEAN.npy TRANS_STD.npy for a body part with root "
        "channels (BEAT2's 330-dim statistics are sliced to the part)",
        metavar="FILE",
        empty="fitted to the training clips",
    )
    nb_code: int | None = _setting("--codes", "codes per quantizer layer", metavar="N")
    pad_mode: str | None = _setting(
        "--pad-mode",
        "what the resnet model's convolutions read past a clip's ends: zeros (the seed's and the peers' "
        "models) or replicate (the edge frame repeated)",
        metavar="MODE",
        choices=PAD_MODES,
    )
    window_sampling: str | None = _setting(
        "--window-sampling",
        "where training windows start: starts (every start inside a clip equally likely, so a clip's first "
        "and last frames are rarely trained) or frames (every frame, first and last included, in at least "
        "as many windows as a middle frame)",
        metavar="HOW",
        choices=WINDOW_SAMPLING,
    )
    position_weight: float | None = _setting(
        "--position-weight",
        "weight of the joint-position loss after forward kinematics (0 turns it off)",
        label="Position loss",
        spin=Spin(0.0, 100.0, step=0.5, decimals=2),
    )
    random_speed: float | None = _setting(
        "--random-speed",
        "play each training window at a random speed, up to this much faster or slower "
        "(between 1/(1+JITTER) and 1+JITTER times; 0 turns it off)",
        metavar="JITTER",
        label="Speed",
        spin=Spin(0, 100, step=5, scale=100, prefix="± ", suffix=" %", off_text="off"),
    )
    root_channels: bool | None = _setting(
        "--root-channels",
        "add the root trajectory (3 channels: ground motion and height) to the rotation features",
        label="Root trajectory channels",
    )
    whole_clips: bool | None = _setting(
        "--whole-clips",
        "train on batches of whole clips (up to the window's length, padded and masked out of the loss) "
        "instead of fixed-length windows",
        label="Whole clips",
    )
    mirror: bool | None = _setting(
        "--mirror", "also train on every clip mirrored left-right (twice the data)", label="Mirror clips"
    )
    random_heading: bool | None = _setting(
        "--random-heading",
        "turn each training window to a random heading about the vertical axis",
        label="Random heading",
    )
    strict_joint_names: bool | None = _setting(
        "--strict-joint-names",
        "skip clips whose joints are named otherwise than the first clip's instead of matching them by "
        "position where the trees have the same shape in the same order (two converters of one dataset)",
        label="Match joints by name only",
    )
    log_every: int | None = _setting("--log-every", "steps between progress reports")
    checkpoint_every: int | None = _setting("--checkpoint-every", "steps between checkpoints")
    eval_every: int | None = _setting(
        "--eval-every",
        "steps between held-out MPJPE evaluations (of the clips --holdout names; 0 turns them off)",
        metavar="STEPS",
        label="Held-out MPJPE every",
        spin=Spin(0, 1_000_000, step=100, suffix=" steps", off_text="never"),
    )

    def changes(self) -> dict[str, Any]:
        """The settings that are set, by field name."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}

    def applied_to(self, config: TrainConfig) -> TrainConfig:
        """``config`` with every set field replaced; a model field changes the model config."""
        changes = self.changes()
        model_changes = {name: changes.pop(name) for name in list(changes) if _is_model_field(config, name)}
        if model_changes:
            changes["model"] = replace(config.model, **model_changes)
        return replace(config, **changes)

    def changed_from(self, config: TrainConfig) -> TrainOverrides:
        """Only the settings that differ from ``config``'s: what a form that showed ``config`` (a preset)
        holds after the user's edits, as the settings the user set. A run treats the rest as the preset's
        own (and may turn those off where its features cannot use them), as the CLI does unset flags."""
        shown = TrainOverrides.of(config)
        return TrainOverrides(
            **{name: value for name, value in self.changes().items() if getattr(shown, name) != value}
        )

    @classmethod
    def of(cls, config: TrainConfig) -> TrainOverrides:
        """Every overridable setting's value in ``config`` (what a form shows for it)."""
        return cls(
            **{
                f.name: getattr(config.model if _is_model_field(config, f.name) else config, f.name)
                for f in FIELDS
            }
        )


def _is_model_field(config: TrainConfig, name: str) -> bool:
    return name in {f.name for f in fields(config.model)}


def _kind(hint: object) -> Kind:
    """The kind of a field from its annotation (``int | None`` is "int", ``tuple[int, ...]`` "int-list")."""
    value = next(arg for arg in get_args(hint) if arg is not type(None))
    if get_args(value) == (int, ...):
        return "int-list"
    if get_args(value) == (str, ...):
        return "str-list"
    kinds: dict[object, Kind] = {int: "int", float: "float", bool: "bool", str: "str"}
    return kinds[value]


_HINTS = get_type_hints(TrainOverrides)
FIELDS: tuple[OverrideField, ...] = tuple(
    OverrideField(name=f.name, kind=_kind(_HINTS[f.name]), **f.metadata) for f in fields(TrainOverrides)
)
"""Every overridable setting, in the order the CLI's help and the app's form list them."""


def preset_defaults(setting: OverrideField) -> str:
    """What ``setting`` is when no override sets it, in words: the value every preset shares, or each
    preset's ("9000 in small; 100000 in seed, motion-s"). Imports the presets (and so torch) when asked."""
    from core.train.config import PRESETS

    presets_by_value: dict[str, list[str]] = {}
    for name, config in PRESETS.items():
        value = getattr(config.model if _is_model_field(config, setting.name) else config, setting.name)
        presets_by_value.setdefault(_in_words(value, setting.empty), []).append(name)
    if len(presets_by_value) == 1:
        return next(iter(presets_by_value))
    return "; ".join(f"{value} in {', '.join(names)}" for value, names in presets_by_value.items())


def _in_words(value: object, empty: str) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, tuple):
        return " ".join(str(v) for v in value) or empty
    if isinstance(value, float):
        return f"{value:g}"
    return str(value) if value != "" else empty
