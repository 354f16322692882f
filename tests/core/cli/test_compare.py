"""`rvq-motion compare A B` and the dataset side of `rvq-motion eval` (skipped clips, --report), run as
a user would on the demo checkpoint, a tiny trained one and real Bandai clips."""

from __future__ import annotations

import json
from pathlib import Path

from core.cli.main import main
from tests.helpers.paths import DEMO_CHECKPOINT as _DEMO_CHECKPOINT

DEMO_CHECKPOINT = str(_DEMO_CHECKPOINT)
WALK = ("bandai", "dataset-1", "dataset-1_walk_normal_001.bvh")
BOW = ("bandai", "dataset-1", "dataset-1_bow_active_001.bvh")


def test_compare_prints_both_summaries_and_b_minus_a_and_writes_every_clip_as_json(
    tiny_checkpoint, data_dir, tmp_path, capsys
):
    out = tmp_path / "compare.json"
    clips = [str(data_dir.joinpath(*WALK)), str(data_dir.joinpath(*BOW))]
    assert main(["compare", DEMO_CHECKPOINT, str(tiny_checkpoint), "--data", *clips, "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert "B - A" in text and "dataset-1_walk_normal_001.bvh" in text
    report = json.loads(out.read_text())
    assert [Path(c["path"]).name for c in report["clips"]] == sorted(Path(c).name for c in clips)
    for clip in report["clips"]:
        assert (
            clip["difference_mm"] == clip["b_mpjpe_root_aligned_mm"][-1] - clip["a_mpjpe_root_aligned_mm"][-1]
        )
    assert set(report["layer_differences_mm"]) == {"1", "2", "3"}
    assert len(report["a"]["summary"]["layers"]) == 6 and len(report["b"]["summary"]["layers"]) == 3


def test_compare_reads_a_split_file(data_dir, tmp_path):
    split, out = tmp_path / "split.json", tmp_path / "compare.json"
    split.write_text(json.dumps({"holdout": [WALK[-1]]}))
    folder = str(data_dir / "bandai" / "dataset-1")
    args = ["compare", DEMO_CHECKPOINT, DEMO_CHECKPOINT, "--data", folder, "--split", str(split)]
    assert main([*args, "--json", str(out)]) == 0
    clips = json.loads(out.read_text())["clips"]
    assert [Path(c["path"]).name for c in clips] == [WALK[-1]] and clips[0]["difference_mm"] == 0.0


def test_compare_on_clips_no_checkpoint_fits_exits_2_with_one_error_line(data_dir, capsys):
    cmu = str(min((data_dir / "cmu_iclone").rglob("*.bvh"), key=lambda f: f.stat().st_size))
    assert main(["compare", DEMO_CHECKPOINT, DEMO_CHECKPOINT, "--data", cmu]) == 2
    assert "rvq-motion: error:" in capsys.readouterr().err


def test_eval_skips_a_clip_on_another_skeleton_naming_it_and_evaluates_the_rest(data_dir, capsys):
    cmu = str(min((data_dir / "cmu_iclone").rglob("*.bvh"), key=lambda f: f.stat().st_size))
    assert main(["eval", "--checkpoint", DEMO_CHECKPOINT, "--data", cmu, str(data_dir.joinpath(*WALK))]) == 0
    captured = capsys.readouterr()
    assert f"skipped {cmu}: this clip's skeleton does not match" in captured.err
    assert captured.out.startswith("1 clips,")


def test_eval_report_writes_one_html_file(data_dir, tmp_path, capsys):
    report = tmp_path / "report.html"
    args = ["eval", "--checkpoint", DEMO_CHECKPOINT, "--data", str(data_dir.joinpath(*WALK))]
    assert main([*args, "--report", str(report)]) == 0
    html = report.read_text()
    assert html.startswith("<!DOCTYPE html>") and "dataset-1_walk_normal_001.bvh" in html
    assert html.count("<svg") == 6 + 1  # a usage histogram per layer, the one clip's error over time
