"""KIT-ML tokenizers of MoMask and T2M-GPT (``dataset_name kit``, ``dim_pose`` 251) import as KIT checkpoints,
and a KIT checkpoint exports to MoMask as a ``kit`` run.

No KIT release is on the development machine: the KIT checkpoints are the peers' own HumanML3D fixtures
(../shared/peer_tokenizers, saved by their code) cut to 251 input and output channels, with KIT statistics
beside them; the clip is a synthetic KIT walk (tests/synthetic_kit.py).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from core.features.humanml3d import HumanML3D
from core.formats.humanml3d import humanml3d_motion
from core.model.checkpoint import load_checkpoint
from core.model.peers.export import export_for_peer
from core.model.peers.importer import plan_import, write_import
from core.model.peers.safe_load import load_peer_pickle
from core.model.peers.sidecars import parse_opt_txt
from core.tokens.codec import decode_features, tokenize
from tests.helpers.paths import PEERS
from tests.helpers.synthetic_kit import kit_rows

MOMASK_RUN = PEERS / "momask" / "t2m" / "rvq_small_w128_dc64_nc128"
T2MGPT = PEERS / "t2mgpt" / "vq" / "net_last.pth"


@pytest.fixture(scope="module")
def peers() -> Path:
    if not PEERS.is_dir():
        pytest.skip(f"peer tokenizer fixtures not found at {PEERS}")
    return PEERS


def _cut_to_kit(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Every 263-wide dimension (the first conv's input, the last conv's output) cut to KIT's 251."""
    return {
        key: value[tuple(slice(0, 251) if n == 263 else slice(None) for n in value.shape)].clone()
        for key, value in state.items()
    }


def _kit_statistics(folder: Path) -> None:
    rows = kit_rows(80).astype(np.float64)
    folder.mkdir(parents=True)
    np.save(folder / "mean.npy", rows.mean(0).astype(np.float32))
    np.save(folder / "std.npy", np.maximum(rows.std(0), 1e-3).astype(np.float32))


def _momask_kit_run(root: Path) -> Path:
    run = root / "kit" / "rvq_kit"
    (run / "model").mkdir(parents=True)
    state = load_peer_pickle(MOMASK_RUN / "model" / "net_best_fid.tar")["vq_model"]
    torch.save({"vq_model": _cut_to_kit(state), "ep": 7}, run / "model" / "net_best_fid.tar")
    opt = (MOMASK_RUN / "opt.txt").read_text().replace("dataset_name: t2m", "dataset_name: kit")
    (run / "opt.txt").write_text(opt.replace("name: rvq_small_w128_dc64_nc128", "name: rvq_kit"))
    _kit_statistics(run / "meta")
    return run / "model" / "net_best_fid.tar"


def _t2mgpt_kit_file(root: Path) -> Path:
    folder = root / "VQVAE_kit"
    folder.mkdir(parents=True)
    torch.save({"net": _cut_to_kit(load_peer_pickle(T2MGPT)["net"])}, folder / "net_last.pth")
    _kit_statistics(folder / "meta")
    return folder / "net_last.pth"


@pytest.mark.parametrize("make", [_momask_kit_run, _t2mgpt_kit_file], ids=["momask", "t2mgpt"])
def test_a_251_wide_peer_tokenizer_imports_as_kit(peers: Path, tmp_path: Path, make):
    plan = plan_import(make(tmp_path))
    assert plan.representation == HumanML3D(num_joints=21)
    assert plan.skeleton.name == "kit_mmm21" and plan.skeleton.num_joints == 21
    assert plan.value("fps") == 12.5 and "KIT-ML is 12.5 fps" in plan.get("fps").source
    ckpt = load_checkpoint(write_import(plan, tmp_path / "imported"))
    clip = humanml3d_motion(kit_rows(40))
    codes = tokenize(ckpt, clip)
    decoded = decode_features(ckpt, codes, frames=clip.num_frames)
    assert decoded.shape == (39, 251)
    assert ckpt.representation.positions(decoded, clip).shape == (39, 21, 3)


def test_a_kit_checkpoint_exports_to_momask_as_a_kit_run(peers: Path, tmp_path: Path):
    imported = write_import(plan_import(_momask_kit_run(tmp_path / "peer")), tmp_path / "imported")
    export = export_for_peer(imported, "momask", tmp_path / "out" / "rvq_ours")
    opt = parse_opt_txt(export.path / "opt.txt")
    assert opt["dataset_name"] == "kit" and "/kit/rvq_ours/" in export.notes[0]
