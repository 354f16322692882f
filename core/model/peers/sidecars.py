"""The files beside a peer checkpoint that say what its tensors cannot (docs section 2):

* MoMask's run folder ``<run>/opt.txt`` (one ``key: value`` line per option, read back as MoMask's
  ``get_opt`` does: ``True``/``False`` to bools, ``1.5`` to floats, digits to ints, anything else a
  string, so ``vq_norm: None`` is the string "None"; unknown keys and odd lines are ignored) and
  ``<run>/meta/{mean,std}.npy`` (the statistics training used, std already divided for the root and
  foot-contact channels: taken verbatim, never recomputed);
* ``run.log`` beside a SynTalker, GestureLSM or T2M-GPT checkpoint: the training arguments logged once
  as indented JSON after a time stamp.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.errors import MotionFileError
from core.formats.numpy_files import read_npy
from core.model.peers import momask_opt

MAX_SIDECAR_BYTES = 1 << 20
"""Sidecars are read up to this size (real ones are a few kilobytes; a run.log may grow, its arguments
come first)."""


@dataclass(frozen=True)
class Sidecar:
    """Options read from one sidecar, and its name as a field source ("opt.txt" or "run.log")."""

    source: str
    path: Path
    options: dict


def _read_text(path: Path) -> str:
    try:
        with path.open("rb") as fh:
            return fh.read(MAX_SIDECAR_BYTES).decode("utf-8", errors="replace")
    except OSError as exc:
        raise MotionFileError(path, f"cannot read it: {exc.strerror or exc}") from None


def parse_opt_txt(path: Path) -> dict:
    """MoMask's ``opt.txt`` as ``get_opt`` reads it, but tolerant: lines without ``": "`` are skipped."""
    return momask_opt.parse(_read_text(path))


def parse_run_log(path: Path) -> dict:
    """The first JSON object in ``run.log`` (the arguments, logged after ``"<time> INFO "``); {} if none."""
    text = _read_text(path)
    decoder = json.JSONDecoder()
    start = text.find("{")
    while start != -1:
        try:
            value, _ = decoder.raw_decode(text, start)
        except (ValueError, RecursionError):
            start = text.find("{", start + 1)
            continue
        return value if isinstance(value, dict) else {}
    return {}


def momask_run_folder(checkpoint: Path) -> Path:
    """The run folder of a MoMask checkpoint: ``<run>/model/<name>.tar`` -> ``<run>``."""
    return checkpoint.parent.parent if checkpoint.parent.name == "model" else checkpoint.parent


def find_sidecar(family: str, checkpoint: Path) -> Sidecar | None:
    """``opt.txt`` of a MoMask run, or ``run.log`` beside the other families' checkpoints, when present."""
    if family == "momask":
        for folder in (momask_run_folder(checkpoint), checkpoint.parent):
            if (folder / "opt.txt").is_file():
                return Sidecar("opt.txt", folder / "opt.txt", parse_opt_txt(folder / "opt.txt"))
        return None
    log = checkpoint.parent / "run.log"
    if log.is_file():
        return Sidecar("run.log", log, parse_run_log(log))
    return None


def find_meta(family: str, checkpoint: Path) -> tuple[Path, Path] | None:
    """``meta/mean.npy`` and ``meta/std.npy`` of a MoMask run folder, or beside a T2M-GPT checkpoint."""
    if family not in ("momask", "t2mgpt"):
        return None
    folders = (
        [momask_run_folder(checkpoint), checkpoint.parent] if family == "momask" else [checkpoint.parent]
    )
    for folder in folders:
        mean, std = folder / "meta" / "mean.npy", folder / "meta" / "std.npy"
        if mean.is_file() and std.is_file():
            return mean, std
    return None


def read_vector(path: Path) -> np.ndarray:
    """A 1-D float statistics file (``(D,)`` or ``(1, D)``), finite; float64."""
    array = read_npy(path)
    if not np.issubdtype(array.dtype, np.floating) and not np.issubdtype(array.dtype, np.integer):
        raise MotionFileError(path, f"statistics have dtype {array.dtype}; expected numbers")
    if array.ndim not in (1, 2) or (array.ndim == 2 and array.shape[0] != 1) or array.size == 0:
        raise MotionFileError(path, f"statistics have shape {array.shape}; expected one value per feature")
    vector = array.astype(np.float64).reshape(-1)
    if not np.all(np.isfinite(vector)):
        raise MotionFileError(path, "statistics hold NaN or infinite values")
    return vector
