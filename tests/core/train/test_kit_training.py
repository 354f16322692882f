"""A KIT-ML tokenizer (251-dim rows, 21 joints) trains on a KIT-ML root's train split, evaluates on its test
split and opens a KIT clip as a HumanML3D one does.

The root is synthetic (tests/synthetic_kit.py: KIT walks featurised by the project's own KIT feature maker):
no KIT-ML file is on the development machine.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from core.cli.main import main
from core.features.humanml3d import HumanML3D
from core.model.checkpoint import load_checkpoint
from core.session.edit_session import EditSession
from tests.helpers.synthetic_kit import write_kit_root

IDS = [f"{n:05d}" for n in range(1, 7)]
LENGTHS = {clip: 24 + 6 * n for n, clip in enumerate(IDS)}
TINY = ["--steps", "3", "--batch-size", "2", "--codes", "16", "--no-tensorboard"]


@pytest.fixture(scope="module")
def kit_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_kit_root(
        tmp_path_factory.mktemp("data") / "KIT-ML", LENGTHS, {"train": IDS[:4], "test": IDS[4:]}
    )


@pytest.fixture(scope="module")
def kit_run(kit_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    run = tmp_path_factory.mktemp("kit-run")
    stats = [str(kit_root / "Mean.npy"), str(kit_root / "Std.npy")]
    args = ["train", "--data", str(kit_root), "--split", "train", "--out", str(run), "--preset", "motion-s"]
    assert main([*args, "--stats", *stats, *TINY]) == 0
    return run


def test_a_kit_tokenizer_trains_on_the_train_ids_of_a_kit_root(kit_root: Path, kit_run: Path):
    ckpt = load_checkpoint(kit_run)
    assert ckpt.representation == HumanML3D(num_joints=21) and ckpt.config.input_dim == 251
    assert (ckpt.skeleton.name, ckpt.skeleton.num_joints, ckpt.fps) == ("kit_mmm21", 21, 12.5)
    np.testing.assert_allclose(ckpt.normalizer.mean, np.load(kit_root / "Mean.npy"), rtol=1e-6)
    assert '"using 4 of 4 clips"' in (kit_run / "metrics.jsonl").read_text()


def test_eval_on_the_test_split_measures_exactly_the_test_ids(
    kit_root: Path, kit_run: Path, tmp_path: Path, capsys
):
    out = tmp_path / "eval.json"
    args = [
        "eval",
        "--checkpoint",
        str(kit_run),
        "--data",
        str(kit_root),
        "--split",
        "test",
        "--json",
        str(out),
    ]
    assert main(args) == 0
    report = json.loads(out.read_text())
    assert report["clips"] == 2 and report["frames"] == sum(LENGTHS[c] - 1 for c in IDS[4:])
    assert f"KIT-ML root {kit_root}: split test selects 2 of 6 clips" in capsys.readouterr().err


def test_a_kit_clip_opens_with_the_kit_checkpoint(kit_root: Path, kit_run: Path):
    session = EditSession()
    session.open_checkpoint(kit_run)
    session.open_clip(kit_root / "new_joint_vecs" / f"{IDS[5]}.npy")
    assert session.reconstruction is not None, session.mismatch
    assert session.motion.skeleton.num_joints == 21 and session.motion.fps == 12.5
    assert session.reconstruction.positions(6).shape == session.original_positions.shape
    assert np.isfinite(session.reconstruction.mpjpe_mm(6))
