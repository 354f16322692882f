"""rvq-motion train / eval / tokenize / decode, run as a user would."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import torch

from core.cli.main import main
from core.formats import load_motion
from core.model.checkpoint import load_checkpoint, read_checkpoint_meta

WALK = ("bandai", "dataset-1", "dataset-1_walk_normal_001.bvh")


def _tokenize(checkpoint, clip, out) -> int:
    return main(["tokenize", "--checkpoint", str(checkpoint), str(clip), "--out", str(out)])


def test_eval_prints_a_table_and_writes_the_documented_json(tiny_checkpoint, data_dir, tmp_path, capsys):
    out = tmp_path / "eval.json"
    assert (
        main(
            [
                "eval",
                "--checkpoint",
                str(tiny_checkpoint),
                "--data",
                str(data_dir.joinpath(*WALK)),
                "--json",
                str(out),
            ]
        )
        == 0
    )
    assert "MPJPE" in capsys.readouterr().out
    report = json.loads(out.read_text())
    assert set(report["layers"]) == {"1", "2", "3"}
    assert set(report["layers"]["3"]) >= {"mpjpe_mm", "mpjpe_root_aligned_mm", "accel_error"}
    assert len(report["codebook_usage"]) == len(report["perplexity"]) == 3
    assert report["clips"] == 1 and report["frames"] == load_motion(data_dir.joinpath(*WALK)).num_frames


def test_eval_markdown_prints_one_row_per_layer_count_and_one_column_per_layer(
    tiny_checkpoint, data_dir, capsys
):
    clip = str(data_dir.joinpath(*WALK))
    assert main(["eval", "--checkpoint", str(tiny_checkpoint), "--data", clip, "--markdown"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("|")]
    assert [r.split("|")[1].strip() for r in rows[2:5]] == ["1", "2", "3"]
    assert rows[5] == "| layer | 1 | 2 | 3 |" and rows[7].startswith("| codebook usage | ")
    assert rows[7].count("%") == 3


def test_tokenize_then_decode_gives_back_a_clip_of_the_same_length(tiny_checkpoint, data_dir, tmp_path):
    tokens, clip = tmp_path / "walk.npy", tmp_path / "walk.bvh"
    assert _tokenize(tiny_checkpoint, data_dir.joinpath(*WALK), tokens) == 0
    grid = np.load(tokens)
    original = load_motion(data_dir.joinpath(*WALK))
    assert grid.shape == (-(-original.num_frames // 4), 3)
    assert (
        main(
            ["decode", "--checkpoint", str(tiny_checkpoint), str(tokens), "--out", str(clip), "--layers", "2"]
        )
        == 0
    )
    decoded = load_motion(clip)
    assert decoded.num_frames == original.num_frames
    np.testing.assert_allclose(
        decoded.root_translation[0, [0, 2]], original.root_translation[0, [0, 2]], atol=0.05
    )


def test_decode_refuses_tokens_made_by_another_checkpoint(tiny_checkpoint, data_dir, tmp_path, capsys):
    tokens = tmp_path / "walk.npy"
    assert _tokenize(tiny_checkpoint, data_dir.joinpath(*WALK), tokens) == 0
    sidecar = json.loads(tokens.with_suffix(".json").read_text())
    sidecar["checkpoint_sha256"] = "0" * 64
    tokens.with_suffix(".json").write_text(json.dumps(sidecar))
    assert (
        main(["decode", "--checkpoint", str(tiny_checkpoint), str(tokens), "--out", str(tmp_path / "x.bvh")])
        == 2
    )
    assert "belong to checkpoint 000000000000" in capsys.readouterr().err


def test_tokenize_refuses_a_clip_of_another_skeleton(tiny_checkpoint, data_dir, tmp_path, capsys):
    clip = data_dir / "beat2" / "2_scott_0_1_1.npz"
    assert _tokenize(tiny_checkpoint, clip, tmp_path / "t.npy") == 2
    assert "does not match the checkpoint" in capsys.readouterr().err


@pytest.mark.slow
def test_ctrl_c_stops_training_with_a_checkpoint_that_resume_continues(data_dir, tmp_path):
    run_dir = tmp_path / "run"
    base = [
        sys.executable,
        "-m",
        "core.cli",
        "train",
        "--data",
        str(data_dir.joinpath(*WALK)),
        "--out",
        str(run_dir),
        "--preset",
        "small",
        "--batch-size",
        "4",
        "--window",
        "16",
        "--log-every",
        "1",
        "--no-tensorboard",
    ]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen(
        [*base, "--steps", "100000"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    metrics = run_dir / "metrics.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not metrics.exists() or metrics.read_text().count('"step"') < 3):
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err.decode()[-1000:]
    stopped = load_checkpoint(run_dir).step
    assert stopped >= 3
    resumed = subprocess.run(
        [*base, "--resume", "--steps", str(stopped + 2)], env=env, capture_output=True, text=True, timeout=120
    )
    assert resumed.returncode == 0, resumed.stderr[-1000:]
    assert load_checkpoint(run_dir).step == stopped + 2


def test_train_takes_the_number_of_codes_per_layer(data_dir, tmp_path):
    run = tmp_path / "run"
    args = ["train", "--data", str(data_dir.joinpath(*WALK)), "--out", str(run), "--preset", "small"]
    args += ["--codes", "16", "--steps", "1", "--batch-size", "2", "--no-tensorboard"]
    assert main(args) == 0
    assert load_checkpoint(run).config.nb_code == 16


def test_resumed_training_takes_new_learning_rate_milestones(data_dir, tmp_path):
    run = tmp_path / "run"
    args = ["train", "--data", str(data_dir.joinpath(*WALK)), "--out", str(run), "--preset", "small"]
    args += ["--codes", "16", "--batch-size", "2", "--window", "16", "--no-tensorboard"]
    assert main([*args, "--steps", "2"]) == 0
    assert main([*args, "--resume", "--steps", "3", "--lr-milestones", "5", "8"]) == 0
    _, meta = read_checkpoint_meta(run)
    assert meta["train"]["lr_milestones"] == [5, 8]
    assert load_checkpoint(run).step == 3


def test_train_takes_a_random_speed_jitter(data_dir, tmp_path):
    run = tmp_path / "run"
    args = ["train", "--data", str(data_dir.joinpath(*WALK)), "--out", str(run), "--preset", "small"]
    args += ["--random-speed", "0.2", "--steps", "1", "--batch-size", "2", "--no-tensorboard"]
    assert main(args) == 0
    _, meta = read_checkpoint_meta(run)
    assert meta["train"]["random_speed"] == 0.2


def test_train_on_a_folder_without_clips_exits_2_naming_the_folder(tmp_path, capsys):
    empty = tmp_path / "no_clips"
    empty.mkdir()
    assert main(["train", "--data", str(empty), "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"rvq-motion: error: {empty}: no motion clips") and err.count("\n") == 1
    assert not (tmp_path / "run").exists()


def test_train_with_a_broken_split_file_exits_2_naming_it(data_dir, tmp_path, capsys):
    split = tmp_path / "split.json"
    split.write_text("{not json")
    args = ["train", "--data", str(data_dir.joinpath(*WALK)), "--out", str(tmp_path / "run")]
    assert main([*args, "--holdout", str(split)]) == 2
    assert capsys.readouterr().err.startswith(f"rvq-motion: error: {split}: not a split file")


def test_train_with_a_window_the_model_cannot_take_exits_2_saying_why(data_dir, tmp_path, capsys):
    args = ["train", "--data", str(data_dir.joinpath(*WALK)), "--out", str(tmp_path / "run")]
    assert main([*args, "--window", "10"]) == 2
    assert capsys.readouterr().err == (
        "rvq-motion: error: window 10 must be a positive multiple of the model's downsampling 4\n"
    )


def test_a_training_run_that_cannot_go_on_exits_1_saying_why(data_dir, tmp_path, capsys):
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    args = ["train", "--data", str(data_dir.joinpath(*WALK)), "--out", str(tmp_path / "run")]
    assert main([*args, "--device", "cuda", "--no-tensorboard"]) == 1
    assert capsys.readouterr().err == (
        "rvq-motion: error: CUDA was requested but no GPU is available; use --device cpu or auto\n"
    )


def test_tokenize_with_refine_writes_codes_that_decode_closer(tiny_checkpoint, data_dir, tmp_path, capsys):
    plain, refined = tmp_path / "plain.npy", tmp_path / "refined.npy"
    clip = str(data_dir.joinpath(*WALK))
    assert _tokenize(tiny_checkpoint, clip, plain) == 0
    args = ["tokenize", "--checkpoint", str(tiny_checkpoint), clip, "--out", str(refined), "--refine", "10"]
    assert main(args) == 0
    before, after = capsys.readouterr().out.split("refined: loss ")[1].split()[0:3:2]
    assert float(after) < float(before)
    assert np.load(refined).shape == np.load(plain).shape
    assert (np.load(refined) != np.load(plain)).any()


def test_eval_with_refine_says_so_in_the_table_and_the_json(tiny_checkpoint, data_dir, tmp_path, capsys):
    out = tmp_path / "eval.json"
    clip = str(data_dir.joinpath(*WALK))
    args = ["eval", "--checkpoint", str(tiny_checkpoint), "--data", clip, "--refine", "3", "--json", str(out)]
    assert main(args) == 0
    assert "codes refined 3 steps" in capsys.readouterr().out
    assert json.loads(out.read_text())["refine"]["steps"] == 3


def test_refine_takes_no_negative_step_count(tiny_checkpoint, data_dir, capsys):
    clip = str(data_dir.joinpath(*WALK))
    with pytest.raises(SystemExit):
        main(["eval", "--checkpoint", str(tiny_checkpoint), "--data", clip, "--refine", "-1"])
    assert "--refine: must be 0 or more" in capsys.readouterr().err
