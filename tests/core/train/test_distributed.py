"""Multi-process training through torchrun and DistributedDataParallel (gloo, on the CPU)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from core.model.checkpoint import load_checkpoint


@pytest.mark.slow
def test_two_gloo_processes_train_one_model_that_rank_zero_checkpoints(data_dir, tmp_path):
    clips = [
        str(data_dir / "bandai" / "dataset-1" / n)
        for n in ("dataset-1_walk_normal_001.bvh", "dataset-1_kick_normal_001.bvh")
    ]
    run_dir = tmp_path / "run"
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc_per_node",
        "2",
        "-m",
        "core.cli",
        "train",
        "--data",
        *clips,
        "--out",
        str(run_dir),
        "--preset",
        "small",
        "--steps",
        "4",
        "--batch-size",
        "4",
        "--window",
        "16",
        "--log-every",
        "2",
        "--device",
        "cpu",
        "--no-tensorboard",
    ]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    events = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    assert any("2 processes" in e.get("text", "") for e in events)
    assert [e["step"] for e in events if e["event"] == "step"] == [2, 4]
    assert events[-1] == {
        "event": "finished",
        "step": 4,
        "reason": "completed",
        "checkpoint": str(run_dir / "checkpoints" / "step-0000004"),
    }
    assert load_checkpoint(run_dir).step == 4
