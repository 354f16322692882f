"""``rvq-motion cache info|clear`` show and empty the feature cache a training run filled."""

from __future__ import annotations

from core.cli.main import main


def test_cache_info_counts_what_a_run_stored_and_clear_empties_it(data_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("RVQ_MOTION_CACHE", str(tmp_path / "cache"))
    clip = data_dir / "humanml3d" / "new_joint_vecs" / "012314.npy"
    run = ["train", "--data", str(clip), "--out", str(tmp_path / "run"), "--preset", "motion-s"]
    assert main([*run, "--steps", "1", "--batch-size", "2", "--codes", "16", "--no-tensorboard"]) == 0
    capsys.readouterr()
    assert main(["cache", "info"]) == 0
    out = capsys.readouterr().out
    # the clip's record, its features, and the run's training set (core/train/training_set.py)
    assert str(tmp_path / "cache") in out and "3 entries (2 feature arrays)" in out
    assert main(["cache", "clear"]) == 0
    assert "removed 3 entries" in capsys.readouterr().out
    assert main(["cache", "info"]) == 0
    assert "0 entries" in capsys.readouterr().out


def test_a_run_without_the_cache_leaves_it_empty(data_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("RVQ_MOTION_CACHE", str(tmp_path / "cache"))
    clip = data_dir / "humanml3d" / "new_joint_vecs" / "012314.npy"
    run = ["train", "--data", str(clip), "--out", str(tmp_path / "run"), "--preset", "motion-s", "--no-cache"]
    assert main([*run, "--steps", "1", "--batch-size", "2", "--codes", "16", "--no-tensorboard"]) == 0
    assert not (tmp_path / "cache").exists()
