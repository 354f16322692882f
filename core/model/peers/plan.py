"""What an import will write, field by field, and the settings the tensors cannot fix.

An :class:`ImportPlan` lists every :class:`ImportField` with its value and source: "inferred from
shapes", "opt.txt", "run.log", "meta/", "option" (given by the user) or "assumed (why)". The
dilation growth rate, activation, LayerNorm-vs-GroupNorm, EMA decay and the training-only settings
are not in the weights (docs section 3.1): :func:`settings_fields` takes them from the options, else
the sidecar, else what the peers' released models use, and they stay editable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path

from core.errors import MotionFileError
from core.features.representation import Normalizer, Representation
from core.model.config import ACTIVATIONS, TRAINING_ONLY_FIELDS, RVQVAEConfig
from core.model.peers.families import PeerWeights
from core.model.peers.field_words import field_explanation, field_title
from core.model.peers.sidecars import Sidecar
from core.model.peers.target import StatisticsFile
from core.motion.skeleton import Skeleton

SHAPES = "inferred from shapes"
OPTION = "option"
EDITABLE = {
    "dilation_growth_rate": int,
    "activation": str,
    "norm": str,
    "mu": float,
    "quantize_dropout_prob": float,
    "sample_codebook_temp": float,
    "dropout": float,
    "fps": float,
}
"""Fields the tensors cannot fix, and the type a new value must have."""
_CONFIG_FIELDS = (
    "input_dim",
    "width",
    "down_t",
    "stride_t",
    "depth",
    "code_dim",
    "nb_code",
    "num_quantizers",
    "shared_codebook",
    "norm",
    "dilation_growth_rate",
    "activation",
    "mu",
    "quantize_dropout_prob",
    "sample_codebook_temp",
    "dropout",
)


@dataclass(frozen=True)
class ImportField:
    """One setting of an import, its value, where the value came from, and whether the user may change it."""

    name: str
    value: object
    source: str
    editable: bool

    @property
    def title(self) -> str:
        """The field in words with its raw name: "Codes per layer (nb_code)"."""
        return field_title(self.name)

    @property
    def explanation(self) -> str:
        return field_explanation(self.name)

    @property
    def training_only(self) -> bool:
        """Whether only training reads it (encoding and decoding are the same whatever its value)."""
        return self.name in TRAINING_ONLY_FIELDS


@dataclass(frozen=True)
class ImportPlan:
    """Everything :func:`write_import` will write, field by field (see the module docstring).

    ``representation``, ``skeleton`` and ``normalizer`` are the objects the fields of those names
    describe; ``sha256`` is the file's, checked again when writing. ``statistics`` are the files of
    normalisation statistics the user gives for this checkpoint (empty when they come from ``meta/``);
    ``missing`` says why the plan cannot be written yet (statistics not given), "" when it can.
    """

    family: str
    source: Path
    fields: tuple[ImportField, ...]
    sha256: str = field(default="", repr=False)
    representation: Representation | None = field(default=None, repr=False, compare=False)
    skeleton: Skeleton | None = field(default=None, repr=False, compare=False)
    normalizer: Normalizer | None = field(default=None, repr=False, compare=False)
    statistics: tuple[StatisticsFile, ...] = ()
    missing: str = ""

    def get(self, name: str) -> ImportField:
        for item in self.fields:
            if item.name == name:
                return item
        raise KeyError(name)

    def value(self, name: str) -> object:
        return self.get(name).value

    def with_values(self, **values: object) -> ImportPlan:
        """A copy with editable fields replaced (source "option"); a field that is not editable, a value
        of the wrong type or one the model cannot take raises ValueError."""
        for name, value in values.items():
            try:
                item = self.get(name)
            except KeyError:
                raise ValueError(f"an import has no field {name!r}") from None
            if not item.editable:
                raise ValueError(f"{name} is {item.source} and cannot be changed")
            kind = EDITABLE[name]
            accepted = {int: (int,), float: (int, float), str: (str,)}[kind]
            if isinstance(value, bool) or not isinstance(value, accepted):
                raise ValueError(f"{name} must be a {kind.__name__}, got {value!r}")
            if name == "norm" and value not in ("LN", "GN"):
                raise ValueError(f"norm weights without running statistics are LN or GN, not {value!r}")
        fields = tuple(
            replace(f, value=EDITABLE[f.name](values[f.name]), source=OPTION) if f.name in values else f
            for f in self.fields
        )
        plan = replace(self, fields=fields)
        plan.model_config()  # the config's own checks
        fps = float(plan.value("fps"))  # type: ignore[arg-type]
        if not (math.isfinite(fps) and fps > 0):
            raise ValueError(f"fps must be a positive number, got {fps}")
        return plan

    def model_config(self) -> RVQVAEConfig:
        """The project's model config the fields describe (ValueError if they do not make one)."""
        values = {name: self.value(name) for name in _CONFIG_FIELDS}
        return RVQVAEConfig(**values)  # type: ignore[arg-type]


def _from_sidecar(
    sidecar: Sidecar | None, keys: tuple[str, ...], check: type | tuple, valid: tuple | None = None
) -> tuple[object, str] | None:
    """A value of the first of ``keys`` the sidecar has, and the sidecar's name; a value the model
    cannot take is an error naming the sidecar."""
    if sidecar is None:
        return None
    for key in keys:
        if key not in sidecar.options:
            continue
        value = sidecar.options[key]
        ok = isinstance(value, check) and not isinstance(value, bool)
        if ok and valid is not None:
            ok = value in valid
        if not ok:
            raise MotionFileError(sidecar.path, f"{key} is {value!r}, which the project's model cannot take")
        return value, sidecar.source
    return None


@dataclass(frozen=True)
class _Setting:
    """A hyperparameter the tensors do not fix: where a sidecar names it, what it may be, and what
    the peers use when nothing says (with why)."""

    name: str
    keys: tuple[str, ...]
    check: type | tuple
    valid: tuple | None
    default: object
    why: str


_SETTINGS = (
    _Setting(
        "dilation_growth_rate",
        ("dilation_growth_rate",),
        int,
        None,
        3,
        "not in the weights; every released model uses 3",
    ),
    _Setting(
        "activation",
        ("vq_act",),
        str,
        ACTIVATIONS,
        "relu",
        "not in the weights; every released model uses relu",
    ),
    _Setting("norm", ("vq_norm",), str, ("LN", "GN"), "LN", "LayerNorm and GroupNorm weights look alike"),
    _Setting("mu", ("mu",), (int, float), None, 0.99, "the peers' EMA decay"),
    _Setting(
        "quantize_dropout_prob",
        ("quantize_dropout_prob",),
        (int, float),
        None,
        0.2,
        "MoMask's training default",
    ),
)


def _fixed_settings(weights: PeerWeights) -> dict[str, ImportField]:
    """What the weights or the family settle without a sidecar."""
    t2m = weights.family == "t2mgpt"
    fixed = {
        "sample_codebook_temp": ImportField(
            "sample_codebook_temp",
            0.0 if t2m else 0.5,
            "assumed (T2M-GPT picks the nearest code)"
            if t2m
            else "assumed (MoMask's training samples codes at 0.5)",
            True,
        ),
        "dropout": ImportField(
            "dropout",
            0.0 if t2m else 0.2,
            "assumed (T2M-GPT's residual blocks have no dropout)"
            if t2m
            else "assumed (the project's default)",
            True,
        ),
    }
    if weights.norm_kind != "LN/GN":
        fixed["norm"] = ImportField("norm", weights.norm_kind, SHAPES, False)
    if weights.shape_config["num_quantizers"] == 1:
        fixed["quantize_dropout_prob"] = ImportField(
            "quantize_dropout_prob", 0.0, "assumed (one codebook: no layer to drop)", True
        )
    return fixed


def settings_fields(
    weights: PeerWeights, sidecar: Sidecar | None, dilation: int | None, activation: str | None
) -> list[ImportField]:
    """The hyperparameters the tensors do not fix: option, else sidecar, else what the peers use."""
    options = {"dilation_growth_rate": dilation, "activation": activation}
    fixed = _fixed_settings(weights)
    out = []
    for setting in _SETTINGS:
        if setting.name in fixed:
            out.append(fixed.pop(setting.name))
        elif options.get(setting.name) is not None:
            out.append(ImportField(setting.name, options[setting.name], OPTION, True))
        else:
            found = _from_sidecar(sidecar, setting.keys, setting.check, setting.valid)
            value, source = found if found is not None else (setting.default, f"assumed ({setting.why})")
            out.append(ImportField(setting.name, value, source, True))
    return out + list(fixed.values())
