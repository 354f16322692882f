"""Bring your own tokenizer: a MoMask, SynTalker, GestureLSM or T2M-GPT checkpoint as a project checkpoint.

Two steps, so the app can show what it is about to do and let the user correct it:

* :func:`plan_import` reads the file (through :func:`core.model.peers.safe_load.load_peer_pickle`),
  infers all it can from the tensors, reads the sidecars, picks the representation and statistics and
  checks that the weights fill the project's model exactly. The :class:`ImportPlan` lists every field
  with its source ("inferred from shapes", "opt.txt", "run.log", "meta/", "option" or "assumed (why)");
  the ones the tensors cannot fix are editable (:meth:`ImportPlan.with_values`).
* :func:`write_import` writes a normal checkpoint folder (safetensors + JSON) that every command and
  the app open as they open their own, with ``extra["imported_from"]`` saying where it came from.

Facts: ../shared/docs/peer-tokenizers.md. The models reproduce the peers' tokens exactly (tests/
test_peer_import.py); lengths differ only where a clip is not a multiple of ``2**down_t`` frames (the
project pads its end by repetition where the peers crop or floor).
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

import torch

from core.errors import MotionFileError
from core.features.body_part import BodyPart
from core.features.humanml3d import HumanML3D
from core.features.representation import Normalizer
from core.files import file_sha256
from core.model.checkpoint import save_checkpoint
from core.model.config import ACTIVATIONS, RVQVAEConfig
from core.model.peers.ema import imported_ema_buffers
from core.model.peers.families import project_state_dict, read_weights
from core.model.peers.names import EMA_BUFFERS, IMPORT_FAMILIES
from core.model.peers.plan import OPTION, SHAPES, ImportField, ImportPlan, settings_fields
from core.model.peers.safe_load import load_peer_pickle
from core.model.peers.sidecars import find_meta, find_sidecar
from core.model.peers.target import (
    MissingStatisticsError,
    Target,
    choose_target,
    missing_statistics,
    normalizer_from_files,
    normalizer_from_meta,
    statistics_files,
)
from core.model.rvqvae import RVQVAE

__all__ = [
    "ImportField",
    "ImportPlan",
    "MissingStatisticsError",
    "is_peer_checkpoint",
    "plan_import",
    "write_import",
]

PEER_SUFFIXES = (".tar", ".pth", ".pt")


def is_peer_checkpoint(path: str | PathLike[str]) -> bool:
    """Whether File > Open checkpoint should import ``path``: a ``.tar``/``.pth``/``.pt`` file, or a
    MoMask run folder (``opt.txt`` and ``model/*.tar``). Nothing is read."""
    p = Path(path)
    try:
        if p.is_file():
            return p.suffix.lower() in PEER_SUFFIXES
        return p.is_dir() and (p / "opt.txt").is_file() and any((p / "model").glob("*.tar"))
    except OSError:
        return False


def _checkpoint_file(src: Path) -> tuple[Path, ImportField | None]:
    """The file to read: ``src`` itself, or the checkpoint of a MoMask run folder."""
    try:
        if not src.is_dir():
            return src, None
        candidates = [src / "model" / "net_best_fid.tar", src / "model" / "latest.tar"]
        found = [c for c in candidates if c.is_file()] or sorted((src / "model").glob("*.tar"))
    except OSError as exc:
        raise MotionFileError(src, f"cannot read it: {exc.strerror or exc}") from None
    if not found:
        raise MotionFileError(src, "a folder is imported as a MoMask run folder, but it has no model/*.tar")
    why = (
        "assumed (MoMask's generators read net_best_fid.tar)"
        if found[0].name == "net_best_fid.tar"
        else "assumed (the run folder's first checkpoint)"
    )
    return found[0], ImportField("checkpoint", f"model/{found[0].name}", why, False)


def plan_import(
    src: str | PathLike[str],
    family: str | None = None,
    body_part: str | None = None,
    stats: tuple[str | PathLike[str], ...] = (),
    dilation_growth_rate: int | None = None,
    activation: str | None = None,
    allow_missing_statistics: bool = False,
) -> ImportPlan:
    """Read a peer checkpoint (file or MoMask run folder) and say how it will be imported; anything
    wrong with it is a MotionFileError naming the file (see the module docstring). Statistics that
    are needed and not given are a :class:`MissingStatisticsError`, or, with
    ``allow_missing_statistics`` (a dialog that asks for them), a plan whose ``missing`` says so."""
    given = Path(src)
    if family is not None and family not in IMPORT_FAMILIES:
        raise MotionFileError(given, f"unknown family {family!r}; choose one of {', '.join(IMPORT_FAMILIES)}")
    if activation is not None and activation not in ACTIVATIONS:
        raise MotionFileError(given, f"--activation {activation}: choose one of {', '.join(ACTIVATIONS)}")
    if dilation_growth_rate is not None and (
        isinstance(dilation_growth_rate, bool) or dilation_growth_rate < 1
    ):
        raise MotionFileError(given, f"--dilation-growth-rate {dilation_growth_rate}: must be at least 1")
    path, chosen = _checkpoint_file(given)
    weights = read_weights(path, load_peer_pickle(path), family)
    sha = file_sha256(path)
    sidecar = find_sidecar(weights.family, path)
    fields = [ImportField("family", weights.family, OPTION if family else SHAPES, False)]
    if chosen is not None:
        fields.append(chosen)
    container = weights.container or "(bare state dict)"
    fields.append(
        ImportField(
            "container", container + (f", prefix {weights.prefix}" if weights.prefix else ""), SHAPES, False
        )
    )
    quantizer = {
        "gesturelsm": "codebooks folded through embedding_proj (codebook @ W.T + b)",
        "t2mgpt": "one codebook",
    }.get(weights.family, "one codebook per layer")
    fields.append(ImportField("quantizer", quantizer, SHAPES, False))
    fields += [ImportField(name, value, SHAPES, False) for name, value in weights.shape_config.items()]
    fields += settings_fields(weights, sidecar, dilation_growth_rate, activation)
    target = choose_target(path, weights.shape_config["input_dim"], body_part)
    rep = target.representation
    fields.append(ImportField("representation", rep.kind, target.source, False))
    if isinstance(rep, BodyPart):
        fields.append(
            ImportField("body_part", rep.name if rep.name != "custom" else body_part, target.source, False)
        )
    fields.append(
        ImportField(
            "skeleton",
            f"{target.skeleton.name} ({target.skeleton.num_joints} joints)",
            "assumed (the representation's skeleton)",
            False,
        )
    )
    dataset = rep.body.dataset if isinstance(rep, HumanML3D) else "BEAT2"
    fields.append(ImportField("fps", target.fps, f"assumed ({dataset} is {target.fps:g} fps)", True))
    normalizer, stats_field, missing = _normalisation(
        path, weights.family, target, stats, allow_missing_statistics
    )
    fields.append(stats_field)
    wanted = statistics_files(rep) if stats or find_meta(weights.family, path) is None else ()
    plan = ImportPlan(
        weights.family, path, tuple(fields), sha, rep, target.skeleton, normalizer, wanted, missing
    )
    try:
        config = plan.model_config()
    except ValueError as exc:
        raise MotionFileError(path, f"the project's model cannot take these weights: {exc}") from None
    _check_fits(path, project_state_dict(path, weights, config.shared_codebook), config)
    return plan


def _normalisation(
    path: Path, family: str, target: Target, stats: tuple[str | PathLike[str], ...], allow_missing: bool
) -> tuple[Normalizer | None, ImportField, str]:
    """The statistics the plan normalises with, their field, and what is missing ("" when nothing):
    the files given, else the checkpoint's ``meta/``, else none (an error unless ``allow_missing``)."""
    rep = target.representation
    meta = find_meta(family, path)
    try:
        if stats:
            files = tuple(Path(s) for s in stats)
            normalizer = normalizer_from_files(path, target, files)
            return (
                normalizer,
                ImportField("normalisation", ", ".join(str(f) for f in files), OPTION, False),
                "",
            )
        if meta is not None:
            normalizer = normalizer_from_meta(*meta, rep.dim)
            return (
                normalizer,
                ImportField("normalisation", "meta/mean.npy, meta/std.npy (verbatim)", "meta/", False),
                "",
            )
        raise missing_statistics(path, family, rep)
    except MissingStatisticsError as exc:
        if not allow_missing:
            raise
        return (
            None,
            ImportField("normalisation", "(not given)", "needed: the file does not carry them", False),
            exc.reason,
        )


def _check_fits(path: Path, state: dict[str, torch.Tensor], config: RVQVAEConfig) -> None:
    """Every tensor the project's model has (less the EMA buffers) is there, with its shape, and no other."""
    try:
        with torch.device("meta"):
            expected = {
                k: tuple(v.shape)
                for k, v in RVQVAE(config).state_dict().items()
                if not k.endswith(EMA_BUFFERS)
            }
    except RuntimeError as exc:
        raise MotionFileError(path, f"the project's model cannot take these weights ({exc})") from None
    stored = {k: tuple(v.shape) for k, v in state.items()}
    differing = sorted(k for k in expected.keys() | stored.keys() if expected.get(k) != stored.get(k))
    if differing:
        name = differing[0]
        raise MotionFileError(
            path,
            f"weights do not fit one {config.num_quantizers}-layer RVQ-VAE ({len(differing)} tensors differ, e.g. "
            f"{name}: {stored.get(name, 'missing')} in the file, {expected.get(name, 'absent')} expected)",
        )


def write_import(plan: ImportPlan, out: str | PathLike[str]) -> Path:
    """Write the checkpoint folder ``out`` the plan describes (a new folder) and return it."""
    path, target = plan.source, Path(out)
    if plan.missing:
        raise MotionFileError(path, plan.missing)
    if plan.representation is None or plan.skeleton is None or plan.normalizer is None:
        raise ValueError("an ImportPlan made by plan_import is needed")
    if file_sha256(path) != plan.sha256:
        raise MotionFileError(path, "the file changed since the import was planned; plan it again")
    config = plan.model_config()
    weights = read_weights(path, load_peer_pickle(path), plan.family)
    state = project_state_dict(path, weights, config.shared_codebook)
    _check_fits(path, state, config)
    model = RVQVAE(config)
    missing, unexpected = model.load_state_dict(state, strict=False)
    if unexpected or any(not k.endswith(EMA_BUFFERS) for k in missing):
        raise MotionFileError(path, f"weights do not fit the model ({(unexpected or missing)[0]})")
    imported_ema_buffers(model)
    model.eval()
    record = {
        "family": plan.family,
        "file": str(path),
        "sha256": plan.sha256,
        "fields": {f.name: [f.value, f.source] for f in plan.fields},
    }
    try:
        return save_checkpoint(
            target,
            model,
            plan.skeleton,
            plan.representation,
            plan.normalizer,
            float(plan.value("fps")),  # type: ignore[arg-type]
            step=0,
            extra={"imported_from": record},
        )
    except FileExistsError:
        raise MotionFileError(target, "already exists; an import is written to a new folder") from None
