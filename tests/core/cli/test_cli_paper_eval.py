"""`rvq-motion eval --evaluator`: the figures papers report, from the command line, on MoMask's own
tokenizer imported with `rvq-motion import` (../shared/eval_reference holds what MoMask's code gives)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.cli.main import main
from tests.helpers.paths import DEMO_CHECKPOINT, SHARED

REFERENCE = SHARED / "eval_reference" / "momask_t2m"
TOKENIZER = SHARED / "peer_tokenizers" / "momask" / "t2m" / "rvq_small_w128_dc64_nc128"
EVALUATOR = REFERENCE / "evaluator" / "t2m"


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not REFERENCE.is_dir() or not TOKENIZER.is_dir():
        pytest.skip(f"MoMask's evaluation reference not found at {REFERENCE}")
    out = tmp_path_factory.mktemp("momask") / "ckpt"
    assert main(["import", str(TOKENIZER), "--out", str(out)]) == 0
    return out


def eval_args(imported: Path, data_dir: Path, *extra: str) -> list[str]:
    return [
        "eval",
        "--checkpoint",
        str(imported),
        "--data",
        str(data_dir / "humanml3d" / "new_joint_vecs"),
        *extra,
    ]


def test_eval_with_the_evaluator_and_fixed_crops_reproduces_momasks_numbers_for_every_number_of_layers(
    imported: Path, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "eval.json"
    args = ["--evaluator", str(EVALUATOR), "--crops", str(REFERENCE / "items.json")]
    args += ["--pairs", str(REFERENCE / "reference" / "diversity_indices.npy"), "--json", str(out)]
    assert main(eval_args(imported, data_dir, *args)) == 0
    expected = json.loads((REFERENCE / "reference" / "README.json").read_text())["metrics"]
    figures = json.loads(out.read_text())["evaluator"]
    for k in range(1, 7):
        layer = figures["layers"][str(k)]
        assert layer["fid"] == pytest.approx(expected["fid_by_layers"][k - 1], rel=1e-3)
        assert layer["mpjpe_mm"] == pytest.approx(expected["mpjpe_mm_by_layers"][k - 1], rel=1e-3)
        assert layer["diversity"] == pytest.approx(expected["diversity_by_layers"][k - 1], rel=1e-6)
    assert figures["diversity_real"] == pytest.approx(expected["diversity_real"], rel=1e-6)
    assert figures["repeats"] == 1 and figures["intervals"] is None and len(figures["crops"]) == 128
    assert figures["normalisation"] == "shared" and figures["poses"] == expected["poses"]
    printed = capsys.readouterr().out
    assert "share one normalisation" in printed and "real data diversity 3.6066" in printed
    assert "foot skating" in printed


def test_the_report_names_the_evaluator_by_hash_and_lists_the_crops(
    imported: Path, data_dir: Path, tmp_path: Path
) -> None:
    report = tmp_path / "report.html"
    crops = tmp_path / "crops.json"
    crops.write_text(
        json.dumps(
            [{"clip": "012314", "start": 0, "length": 64}, {"clip": "000612", "start": 4, "length": 96}]
        )
    )
    args = ["--evaluator", str(EVALUATOR), "--crops", str(crops), "--report", str(report)]
    assert main(eval_args(imported, data_dir, *args)) == 0
    html = report.read_text()
    assert "finest.tar SHA-256" in html and "2 fixed crops" in html and "012314 [0, 64)" in html
    assert "Physical plausibility" in html


def test_an_evaluator_folder_missing_files_exits_2_naming_them(
    imported: Path, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(eval_args(imported, data_dir, "--evaluator", str(tmp_path))) == 2
    error = capsys.readouterr().err
    assert "not a T2M evaluator folder: missing text_mot_match/model/finest.tar" in error
    assert "Comp_v6_KLD005/meta/mean.npy" in error


def test_a_rotation_tokenizer_with_the_evaluator_is_refused_before_the_dataset_is_evaluated(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if not EVALUATOR.is_dir():
        pytest.skip(f"the evaluator reference is not at {EVALUATOR}")
    args = ["eval", "--checkpoint", str(DEMO_CHECKPOINT), "--data", str(data_dir / "bandai" / "dataset-2")]
    assert main([*args, "--evaluator", str(EVALUATOR)]) == 2
    captured = capsys.readouterr()
    assert "HumanML3D" in captured.err and not captured.out, "no evaluation ran"


def test_crops_without_an_evaluator_are_refused(
    imported: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(eval_args(imported, data_dir, "--crops", str(REFERENCE / "items.json"))) == 2
    assert "--crops need --evaluator DIR" in capsys.readouterr().err
