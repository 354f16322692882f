"""The benchmark scripts run on a CPU-only machine and write the figures scripts rely on."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.helpers.paths import REPO_ROOT as REPO


def _run(script: str, *args: str, timeout: int = 600) -> None:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / script), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.mark.slow
def test_train_throughput_runs_on_the_cpu_and_writes_its_figures(data_dir, tmp_path):
    out = tmp_path / "train.json"
    _run("train_throughput.py", "--steps", "2", "--batch-size", "4", "--json", str(out))
    figures = json.loads(out.read_text())
    assert figures["steps_per_s"] > 0 and figures["frames_per_s"] == pytest.approx(
        figures["steps_per_s"] * 4 * 64
    )
    assert figures["device"].startswith("CPU") and figures["mfu"] is None and figures["peak_mem_gb"] > 0


@pytest.mark.slow
def test_interactive_benchmark_writes_the_medians_scripts_read(data_dir, tmp_path):
    out = tmp_path / "interactive.json"
    _run("interactive.py", "--no-render", "--json", str(out))
    figures = json.loads(out.read_text())
    for key in ("edit_preview_ms", "layer_switch_ms", "fk_ms", "full_decode_ms", "load_ms"):
        assert figures[key] > 0


@pytest.mark.slow
def test_refine_benchmark_times_every_clip_length(data_dir, tmp_path):
    out = tmp_path / "refine.json"
    _run("refine.py", "--steps", "2", "--stops", "2", "--json", str(out))
    rows = json.loads(out.read_text())
    assert [row["frames"] for row in rows] == [224, 900, 1800]
    assert all(row["step_ms"] > 0 and row["default_refine_s"] > 0 for row in rows)
    assert all(0 < row["stop_ms_median"] <= row["stop_ms_max"] for row in rows)


@pytest.mark.slow
def test_dataset_scale_benchmark_times_a_cold_and_a_warm_start(data_dir, tmp_path):
    out = tmp_path / "scale.json"
    _run(
        "dataset_scale.py",
        "--sizes",
        "12",
        "24",
        "--kinds",
        "humanml3d",
        "--where",
        str(tmp_path),
        "--json",
        str(out),
    )
    rows = json.loads(out.read_text())
    assert [row["clips"] for row in rows] == [12, 24]
    for row in rows:
        assert 0 < row["cold"]["loading_s"] < row["cold"]["step0_s"] and row["warm"]["step0_s"] > 0
        assert row["cold"]["peak_mb"] >= row["cold"]["base_mb"] > 0


def test_atlas_benchmark_times_the_build_and_the_previews_per_size(data_dir, tmp_path):
    out = tmp_path / "atlas.json"
    _run("atlas.py", "--clips", "3", "6", "--workers", "1", "--json", str(out))
    rows = json.loads(out.read_text())
    assert [row["clips"] for row in rows] == [3, 6]
    assert all(row["build_s"] > 0 and row["preview_ms_per_code"] > 0 for row in rows)
    assert rows[0]["per_code_mb"] == rows[1]["per_code_mb"] > 0  # sized by the codes, not the clips


def test_clip_edges_prints_the_ends_against_the_middle(data_dir):
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "clip_edges.py"), "--subset", "dataset-2", "--limit", "2"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "| 6 |" in done.stdout and "as a first frame" in done.stdout and "of 2 |" in done.stdout
