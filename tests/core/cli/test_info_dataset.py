"""``rvq-motion info DIR``: a dataset root's layout, splits, frames, hours, skeleton and frame rate, as a table
or JSON, quickly (no torch)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from core.cli.main import main
from tests.helpers.dataset_roots import humanml3d_root


def test_info_on_a_root_prints_its_layout_splits_skeleton_and_rate(data_dir: Path, tmp_path: Path, capsys):
    root = humanml3d_root(data_dir, tmp_path / "h3d", {"train": ["012314", "M012314"], "test": ["000612"]})
    assert main(["info", str(root)]) == 0
    out = capsys.readouterr().out
    assert (
        "layout      HumanML3D root" in out
        and "humanml3d_t2m22 (22 joints)" in out
        and "fps         20" in out
    )
    assert "clips       3 · 539 frames" in out
    train = next(line for line in out.splitlines() if line.startswith("train"))
    assert train.split() == ["train", "2", "340", "0.00", "0"]


def test_info_json_on_a_root(data_dir: Path, tmp_path: Path, capsys):
    root = humanml3d_root(data_dir, tmp_path / "h3d", {"test": ["000612", "missing"]})
    assert main(["info", str(root), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert (
        info["layout"] == "HumanML3D root" and info["skeleton"] == "humanml3d_t2m22" and info["fps"] == [20.0]
    )
    assert info["splits"]["test"] == {
        "clips": 1,
        "frames": 199,
        "hours": round(199 / 20 / 3600, 4),
        "missing": 1,
    }


def test_info_on_a_dataset_never_imports_torch(data_dir: Path, tmp_path: Path):
    root = humanml3d_root(data_dir, tmp_path / "h3d", {"train": ["012314"]})
    code = f"import sys; from core.cli.main import main; code = main(['info', {str(root)!r}]); print(code, 'torch' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "0 False"
