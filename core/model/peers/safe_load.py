"""The one place a pickle is read: checkpoints written by other projects' ``torch.save``.

A ``.tar``/``.pth`` file from MoMask, SynTalker, GestureLSM or T2M-GPT is a pickle in a zip archive.
Unpickling runs whatever the file names, so it is read only after these checks, each refusing with a
:class:`MotionFileError` naming the file:

1. size: at most :data:`MAX_BYTES` (4 GiB; released tokenizers are tens of megabytes);
2. container: a zip archive (the format of ``torch.save`` since torch 1.6; the legacy format is refused,
   never unpickled) with exactly one ``<folder>/data.pkl`` member, whose members are all stored
   uncompressed (``torch.save`` never compresses, so a compressed member can only be a zip bomb) and
   together no larger than the archive;
3. globals: the pickle's globals, listed statically before anything runs, are torch's own
   (tensors, storages, ``OrderedDict``) or in :data:`ALLOWED_GLOBALS` (``argparse.Namespace``, which
   some trainers save their options as, and what NumPy arrays and scalars reconstruct from); any other
   is refused by name;
4. ``torch.load(..., weights_only=True, map_location="cpu")`` with exactly that allowlist, so even a
   global the static listing missed cannot run.

Any exception on the way becomes a MotionFileError; the result must be a dict.
"""

from __future__ import annotations

import argparse
import warnings
import zipfile
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import torch

from core.errors import MotionFileError, require_file

MAX_BYTES = 4 * 2**30
"""Largest file accepted: far beyond any released motion tokenizer (MoMask's is about 80 MB)."""


def _numpy_globals() -> dict[str, Any]:
    multiarray = np._core.multiarray if hasattr(np, "_core") else np.core.multiarray
    names: dict[str, Any] = {"numpy.ndarray": np.ndarray, "numpy.dtype": np.dtype}
    for module in ("numpy.core.multiarray", "numpy._core.multiarray"):  # NumPy 1 and 2 pickles
        names[f"{module}._reconstruct"] = multiarray._reconstruct
        names[f"{module}.scalar"] = multiarray.scalar
    for kind in (
        np.float16,
        np.float32,
        np.float64,
        np.int8,
        np.int16,
        np.int32,
        np.int64,
        np.uint8,
        np.bool_,
    ):
        dtype_class = type(np.dtype(kind))
        names[f"numpy.dtypes.{dtype_class.__name__}"] = dtype_class
    return names


ALLOWED_GLOBALS: dict[str, Any] = {"argparse.Namespace": argparse.Namespace, **_numpy_globals()}
"""Globals a peer checkpoint may name beyond torch's own, by the name the pickle uses."""


def _check_container(path: Path, size: int) -> None:
    if size > MAX_BYTES:
        raise MotionFileError(
            path, f"file is {size / 2**30:.1f} GiB; a tokenizer checkpoint is at most 4 GiB"
        )
    if not zipfile.is_zipfile(path):
        with path.open("rb") as fh:
            legacy = fh.read(2) == b"\x80\x02"  # a bare pickle: torch's format before 1.6
        if legacy:
            raise MotionFileError(
                path,
                "saved in torch's legacy (pre-1.6, non-zip) format, which cannot be read without running "
                "it; load it in the project that wrote it and save it again with a current torch.save",
            )
        raise MotionFileError(path, "not a torch.save checkpoint (no zip archive)")
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
    pickles = [m.filename for m in members if m.filename.endswith("/data.pkl")]
    if len(pickles) != 1:
        raise MotionFileError(
            path, f"not a torch.save checkpoint: expected one <folder>/data.pkl member, found {len(pickles)}"
        )
    packed = [m.filename for m in members if m.compress_type != zipfile.ZIP_STORED]
    if packed:
        raise MotionFileError(path, f"member {packed[0]} is compressed, which torch.save never does")
    if sum(m.file_size for m in members) > size:
        raise MotionFileError(path, "the archive's members claim more bytes than the file holds")


def load_peer_pickle(path: str | PathLike[str]) -> dict:
    """The dict a peer project saved with ``torch.save`` (tensors on the CPU), read as the module
    docstring says; anything else is a MotionFileError naming ``path``."""
    p = require_file(path)
    try:
        _check_container(p, p.stat().st_size)
        unsafe = sorted(
            set(torch.serialization.get_unsafe_globals_in_checkpoint(str(p))) - set(ALLOWED_GLOBALS)
        )
        if unsafe:
            raise MotionFileError(
                p,
                f"refusing to unpickle: the file names {', '.join(unsafe[:3])}"
                f"{' and more' if len(unsafe) > 3 else ''}, which a tokenizer checkpoint does not need "
                "(only tensors, argparse.Namespace and NumPy arrays are allowed)",
            )
        allowed = [(obj, name) for name, obj in ALLOWED_GLOBALS.items()]
        with torch.serialization.safe_globals(allowed), warnings.catch_warnings():
            # what torch says of a damaged pickle on its way to failing; the failure is reported instead
            warnings.filterwarnings("ignore", message="Detected pickle protocol")
            warnings.filterwarnings("ignore", message="TypedStorage is deprecated")
            data = torch.load(p, map_location="cpu", weights_only=True)
    except MotionFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - the promise: any failure to read it names the file
        # torch's refusals start with advice to load unsafely; only the cause is worth showing
        reason = " ".join(str(exc).split("WeightsUnpickler error:")[-1].split())[:300] or type(exc).__name__
        raise MotionFileError(p, f"unreadable torch checkpoint ({type(exc).__name__}: {reason})") from exc
    if not isinstance(data, dict):
        raise MotionFileError(p, f"holds a {type(data).__name__}, not the dict a tokenizer checkpoint is")
    return data
