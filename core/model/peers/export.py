"""Hand a tokenizer trained here back to a peer codebase, in the container its generation pipeline loads.

Facts about every peer file: ../shared/docs/peer-tokenizers.md (sections 2.1-2.3, 3, 4).

* ``momask``: a run folder ``PATH/`` laid out as MoMask's ``checkpoints/t2m/<name>/``:
  ``model/net_best_fid.tar`` = ``{"vq_model": state_dict, "ep": step}`` (what ``gen_t2m.py`` and the
  transformer trainers load; ``latest.tar`` is left out, only resuming the VQ training reads it),
  ``opt.txt`` in the format ``options/vq_option.py`` writes and ``utils/get_opt.py`` reads back (sorted
  ``key: value`` lines between its two banner lines, every value written so get_opt's parsing gives it
  back with its type), and ``meta/{mean,std}.npy``. HumanML3D (``dataset_name: t2m``) or KIT-ML (``kit``).
  The statistics are this checkpoint's normaliser **verbatim**: MoMask's own ``meta/std.npy`` has the
  root (0-3) and foot-contact (259-262) std divided by ``feat_bias`` because its training normalised
  that way; this model was trained with its own statistics, and MoMask de-normalises with ``meta/``.
* ``syntalker``: ``PATH`` = ``{"net": state_dict}``, as ``rvq_beatx_train.py`` saves; no sidecar (the
  peer builds the model from constants in its code, so the export prints the constructor arguments,
  and the slice of BEAT2's statistics the peer normalises with).
* ``gesturelsm``: the same, plus ``quantizer.layers.{q}.embedding_proj`` set to the identity (weight
  ``I``, bias 0): GestureLSM's tokens are defined by the projected codebook, which then equals ours, and
  its raw-codebook ``forward_decoder`` agrees with its projected ``forward``.

The state dict is the project's minus the EMA buffers the peers never save (``code_sum``,
``code_count``, ``initialized``), in the peers' order (encoder, decoder, quantizer) with their names and
shapes, ``quantizer.layers.{q}.codebook`` for every layer even with a shared codebook (one tensor under
Q names, as MoMask's repeated module writes it), float32 on the CPU, saved with ``torch.save``'s zip
format. Everything is written under a temporary name beside the target and renamed into place; an
existing target is never replaced.

Refused with a :class:`MotionFileError` naming the checkpoint: the Motion-S network, ``stride_t != 2``
(the peers' decoders upsample by 2 whatever the stride), norms or activations the peers' modules lack,
and features the peer does not read. The peers do not pad a clip: they crop it to a multiple of
``2 ** down_t`` frames, where the project repeats the last frame; tokens agree on the cropped frames.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import Tensor

from core.errors import MotionFileError
from core.features.body_part import SMPLX_JOINTS, BodyPart
from core.features.humanml3d import HumanML3D
from core.features.smplx_parts import PARTS
from core.files import as_umask_allows
from core.formats.humanml3d_bodies import KIT
from core.model.checkpoint import Checkpoint, load_checkpoint
from core.model.config import RVQVAEConfig
from core.model.peers import momask_opt
from core.model.peers.names import EMA_BUFFERS, EXPORT_FAMILIES, PEER_NAMES
from core.model.rvqvae import RVQVAE

PEER_NORMS = (None, "LN", "GN", "BN")
"""``ResConv1DBlock`` norms of MoMask's ``models/vq/resnet.py`` (SynTalker, GestureLSM copy it)."""
PEER_ACTIVATIONS = ("relu", "silu", "gelu")
MOMASK_WEIGHTS = Path("model", "net_best_fid.tar")
MOMASK_CHECKPOINTS_DIR = "./checkpoints"
MOMASK_FRAMES_PER_TOKEN = 4
"""``gen_t2m.py`` asks the transformers for ``m_length // 4`` tokens."""
BEAT2_FPS = 30.0
BEAT2_POSE_COLUMNS = 6 * SMPLX_JOINTS
RELEASE_CONSTANTS = {
    "syntalker": dict(
        nb_code=512, code_dim=512, down_t=2, width=512, depth=3, dilation_growth_rate=3, num_quantizers=6
    ),
    "gesturelsm": dict(
        nb_code=1024, code_dim=128, down_t=2, width=512, depth=3, dilation_growth_rate=3, num_quantizers=6
    ),
}
"""What the peers' inference code hard-codes (besides stride_t 2, relu, no norm)."""
PEER_LOADERS = {
    "syntalker": "diffusion_rvqvae_trainer.py and demo.py",
    "gesturelsm": "trainer/generative_trainer.py and demo.py",
}
RELEASE_FILES = {
    "syntalker": "ckpt/beatx2_rvqvae/RVQVAE_{part}/net_300000.pth",
    "gesturelsm": "ckpt/net_300000_{part}.pth",
}
"""Where the peers' released per-part tokenizers sit (GestureLSM calls its lower_trans model 'lower')."""


@dataclass(frozen=True)
class PeerExport:
    """What :func:`export_for_peer` wrote, and what the user must know to use it in the peer's code."""

    family: str
    path: Path
    files: tuple[Path, ...]
    notes: tuple[str, ...]


def check_exportable(ckpt: Checkpoint, family: str) -> None:
    """Raise a MotionFileError naming the checkpoint when ``family``'s code cannot run this tokenizer."""
    _check_family(family)
    peer, c = PEER_NAMES[family], ckpt.config

    def refuse(reason: str) -> None:
        raise MotionFileError(ckpt.path, f"cannot export for {peer}: {reason}")

    if c.arch != "resnet":
        refuse(
            f"the {c.arch} network has no counterpart in {peer}'s models/vq (dilated residual conv stacks); "
            "only checkpoints of arch 'resnet' export"
        )
    if c.pad_mode != "zeros":
        refuse(
            f"{peer}'s convolutions pad with zeros, and this model's repeat the edge frames (pad_mode {c.pad_mode!r})"
        )
    if c.stride_t != 2:
        refuse(
            f"{peer}'s decoder upsamples by 2 at every level whatever stride_t is, so a model with "
            f"stride_t={c.stride_t} would decode to the wrong length there"
        )
    if c.norm not in PEER_NORMS:
        refuse(f"norm {c.norm!r} is not one of {peer}'s ({', '.join(map(str, PEER_NORMS))})")
    if c.activation not in PEER_ACTIVATIONS:
        refuse(f"activation {c.activation!r} is not one of {peer}'s ({', '.join(PEER_ACTIVATIONS)})")
    rep = ckpt.representation
    if family == "momask":
        if not isinstance(rep, HumanML3D):
            refuse(
                f"MoMask's t2m and kit models read HumanML3D's 263 or KIT-ML's 251 features, and this "
                f"checkpoint's are {rep.describe()}; train with --representation humanml3d"
            )
        return
    if not isinstance(rep, BodyPart) or rep.num_joints != SMPLX_JOINTS:
        refuse(
            f"{peer} tokenizes a body part of BEAT2's SMPL-X features, and this checkpoint's features are "
            f"{rep.describe()}; train with --body-part"
        )
    if peer_part(rep) is None:
        refuse(
            f"{peer} selects features by part name ({', '.join(PARTS)}), and this checkpoint's joints "
            f"{list(rep.joints)}{' + root path' if rep.trans else ''} are none of them"
        )


def peer_part(rep: BodyPart) -> str | None:
    """SynTalker's name for the part ``rep`` holds (same joints and root channels), or None."""
    for name, (joints, trans) in PARTS.items():
        if tuple(rep.joints) == joints and rep.trans == trans and rep.num_joints == SMPLX_JOINTS:
            return name
    return None


def peer_state_dict(model: RVQVAE, family: str) -> OrderedDict[str, Tensor]:
    """The state dict ``family``'s ``RVQVAE`` of the same sizes has: same keys, order and shapes.

    Encoder and decoder tensors copy one to one; every layer gets a ``codebook`` key (a shared codebook
    is one tensor under every name); GestureLSM layers also get an identity ``embedding_proj``.
    Floating tensors are float32 copies on the CPU (BatchNorm's ``num_batches_tracked`` stays int64).
    """
    _check_family(family)
    config: RVQVAEConfig = model.config
    state = model.state_dict()
    out: OrderedDict[str, Tensor] = OrderedDict()
    for prefix in ("encoder.", "decoder."):
        out.update((k, _plain(v)) for k, v in state.items() if k.startswith(prefix))
    books, projections = {}, {}
    for q in range(config.num_quantizers):
        source = 0 if config.shared_codebook else q
        if source not in books:
            books[source] = _plain(state[f"quantizer.layers.{source}.codebook"])
            projections[source] = (torch.eye(config.code_dim), torch.zeros(config.code_dim))
        out[f"quantizer.layers.{q}.codebook"] = books[source]
        if family == "gesturelsm":
            out[f"quantizer.layers.{q}.embedding_proj.weight"] = projections[source][0]
            out[f"quantizer.layers.{q}.embedding_proj.bias"] = projections[source][1]
    quantizer_keys = {f"quantizer.layers.{i}.{b}" for i in books for b in ("codebook", *EMA_BUFFERS)}
    unexpected = sorted(k for k in state if k not in out and k not in quantizer_keys)
    if unexpected:  # a module the peers lack; check_exportable refuses the known cases first
        raise ValueError(f"{PEER_NAMES[family]} has no place for {', '.join(unexpected[:3])}")
    return out


def momask_options(
    config: RVQVAEConfig, name: str, checkpoints_dir: str = MOMASK_CHECKPOINTS_DIR, dataset_name: str = "t2m"
) -> dict[str, object]:
    """The options MoMask's ``get_opt`` and ``RVQVAE`` construction read, as ``opt.txt`` values.

    ``checkpoints_dir``, ``dataset_name`` and ``name`` locate the run folder (``get_opt`` joins them);
    the rest are ``load_vq_model``'s constructor arguments and the quantizer's ``args`` fields.
    """
    return {
        "checkpoints_dir": checkpoints_dir,
        "code_dim": config.code_dim,
        "dataset_name": dataset_name,
        "depth": config.depth,
        "dilation_growth_rate": config.dilation_growth_rate,
        "down_t": config.down_t,
        "mu": config.mu,
        "name": name,
        "nb_code": config.nb_code,
        "num_quantizers": config.num_quantizers,
        "output_emb_width": config.code_dim,
        "quantize_dropout_prob": config.quantize_dropout_prob,
        "shared_codebook": config.shared_codebook,
        "stride_t": config.stride_t,
        "vq_act": config.activation,
        "vq_norm": config.norm,
        "width": config.width,
    }


def export_for_peer(
    checkpoint: Checkpoint | str | os.PathLike[str],
    family: str,
    out: str | os.PathLike[str],
    checkpoints_dir: str = MOMASK_CHECKPOINTS_DIR,
) -> PeerExport:
    """Write ``checkpoint`` in ``family``'s container at ``out`` (a run folder for MoMask, a ``.pth``
    file otherwise); see the module docstring. ``checkpoints_dir`` goes into MoMask's ``opt.txt``."""
    _check_family(family)
    ckpt = checkpoint if isinstance(checkpoint, Checkpoint) else load_checkpoint(checkpoint)
    check_exportable(ckpt, family)
    target = Path(out)
    if target.exists() or target.is_symlink():
        raise MotionFileError(target, "already exists; exports are written to a new path")
    state = peer_state_dict(ckpt.model, family)
    if family == "momask":
        name = target.resolve().name
        dataset = "kit" if ckpt.representation.dim == KIT.feature_width else "t2m"  # HumanML3D-layout rows
        try:
            opt_text = momask_opt.format_options(momask_options(ckpt.config, name, checkpoints_dir, dataset))
        except ValueError as exc:
            raise MotionFileError(target, f"not usable as a MoMask run name: {exc}") from None
        files = _write_momask_folder(target, state, ckpt, opt_text)
        notes = _momask_notes(ckpt, name, checkpoints_dir, dataset)
    else:
        files = (_write_file(target, {"net": state}),)
        notes = _beat2_notes(ckpt, family)
    return PeerExport(family=family, path=target, files=files, notes=notes)


def _check_family(family: str) -> None:
    if family not in EXPORT_FAMILIES:
        raise ValueError(f"unknown peer family {family!r}; choose one of {', '.join(EXPORT_FAMILIES)}")


def _plain(tensor: Tensor) -> Tensor:
    t = tensor.detach().to("cpu")
    return (t.float() if t.is_floating_point() else t).contiguous().clone()


def _write_momask_folder(
    target: Path, state: Mapping[str, Tensor], ckpt: Checkpoint, opt: str
) -> tuple[Path, ...]:
    """The run folder, made under its final name inside a temporary sibling folder, then renamed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        run = tmp / target.name
        (run / "model").mkdir(parents=True)
        (run / "meta").mkdir()
        torch.save({"vq_model": state, "ep": int(ckpt.step)}, run / MOMASK_WEIGHTS)
        (run / "opt.txt").write_text(opt)
        np.save(run / "meta" / "mean.npy", np.asarray(ckpt.normalizer.mean, dtype=np.float32))
        np.save(run / "meta" / "std.npy", np.asarray(ckpt.normalizer.std, dtype=np.float32))
        written = sorted(p.relative_to(run) for p in run.rglob("*") if p.is_file())
        as_umask_allows(run)
        os.replace(run, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return tuple(target / p for p in written)


def _write_file(target: Path, container: dict) -> Path:
    """``torch.save`` under the final file name (the zip's top folder is the file's stem, as the peers'
    files have), inside a temporary sibling folder, then renamed into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        torch.save(container, tmp / target.name)
        as_umask_allows(tmp / target.name)
        os.replace(tmp / target.name, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def _momask_notes(ckpt: Checkpoint, name: str, checkpoints_dir: str, dataset: str) -> tuple[str, ...]:
    notes = [
        f"MoMask finds this run as {checkpoints_dir}/{dataset}/{name}/ (opt.txt's checkpoints_dir, dataset_name "
        f"and name): put the folder there in the momask-codes checkout and train MoMask's transformers on "
        f"its tokens with --vq_name {name} (the released transformers were trained on other codes).",
        "meta/mean.npy and meta/std.npy are this checkpoint's statistics verbatim, the ones the model was "
        "trained with (MoMask's own runs divide the root and foot-contact std by feat_bias; not done here).",
    ]
    if (factor := ckpt.config.downsample_factor) != MOMASK_FRAMES_PER_TOKEN:
        notes.append(
            f"warning: MoMask's generation asks for m_length // {MOMASK_FRAMES_PER_TOKEN} tokens, and this "
            f"tokenizer makes one per {factor} frames (down_t={ckpt.config.down_t}): change those divisions."
        )
    return tuple(notes)


def _beat2_notes(ckpt: Checkpoint, family: str) -> tuple[str, ...]:
    peer, c, rep = PEER_NAMES[family], ckpt.config, ckpt.representation
    if not isinstance(rep, BodyPart):  # check_exportable refused it already
        raise TypeError(f"{peer} exports need a body part, got {rep.describe()}")
    part = peer_part(rep)
    args = (
        f"RVQVAE(args, input_width={c.input_dim}, nb_code={c.nb_code}, code_dim={c.code_dim}, "
        f"output_emb_width={c.code_dim}, down_t={c.down_t}, stride_t={c.stride_t}, width={c.width}, "
        f"depth={c.depth}, dilation_growth_rate={c.dilation_growth_rate}, activation='{c.activation}', "
        f"norm={c.norm!r}) with args.num_quantizers={c.num_quantizers}, "
        f"args.shared_codebook={c.shared_codebook}"
    )
    release = RELEASE_CONSTANTS[family]
    differ = [f"{k} {v}" for k, v in release.items() if getattr(c, k) != v]
    if c.activation != "relu" or c.norm is not None:
        differ.append("relu, no norm")
    release_part = "lower" if family == "gesturelsm" and part == "lower_trans" else part
    where = (
        f"{peer}'s '{release_part}' part: {len(rep.joints)} SMPL-X joints x 6D"
        f"{' + (dx, y, dz)' if rep.trans else ''} = {rep.dim} columns at {BEAT2_FPS:g} fps; it takes the "
        f"place of {RELEASE_FILES[family].format(part=release_part)}"
    )
    trans_stats = " and appends beatx_2_trans_{mean,std}.npy (dx, y, dz)" if rep.trans else ""
    notes = [
        f"{peer} builds its tokenizer from constants in {PEER_LOADERS[family]} (no sidecar) and loads "
        f"torch.load(path)['net']: build it as {args}."
        + (f" Its release constants differ here: {', '.join(differ)}." if differ else ""),
        f"features: {where}.",
        f"normalisation: {peer} slices mean_std/beatx_2_330_{{mean,std}}.npy to columns "
        f"{_ranges(rep.feature_columns())}{trans_stats}.",
    ]
    if family == "gesturelsm":
        notes.append(
            "embedding_proj of every layer is the identity, so GestureLSM's projected codebook is this "
            "codebook (its forward and forward_decoder give the same motion)."
        )
    listed = (ckpt.train_config or {}).get("stats")
    stats = [Path(str(s)).name for s in listed] if isinstance(listed, list | tuple) else []
    if stats:
        notes.append(f"this model was trained with --stats {' '.join(stats)}: those must be BEAT2's files.")
    else:
        files = "beatx_2_330_mean.npy beatx_2_330_std.npy"
        if rep.trans:
            files += " beatx_2_trans_mean.npy beatx_2_trans_std.npy"
        notes.append(
            f"warning: this model's statistics were fitted on its training clips, not BEAT2's, so {peer} "
            f"would normalise its input differently; retrain with --stats {files} for a drop-in."
        )
    if abs(ckpt.fps - BEAT2_FPS) > 1e-6:
        notes.append(f"warning: the model was trained at {ckpt.fps:g} fps; {peer}'s BEAT2 data runs at 30.")
    return tuple(notes)


def _ranges(columns: np.ndarray) -> str:
    """``18-23, 36-41, 72-131`` for the pose columns (below 330) of a part."""
    cols = [int(c) for c in columns if c < BEAT2_POSE_COLUMNS]
    spans: list[list[int]] = []
    for col in cols:
        if spans and col == spans[-1][1] + 1:
            spans[-1][1] = col
        else:
            spans.append([col, col])
    return ", ".join(f"{a}-{b}" if a != b else f"{a}" for a, b in spans)
