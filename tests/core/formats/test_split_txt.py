"""Split files: HumanML3D's own test.txt (clip names without extension, one per line) selects the same
clips as the project's JSON split files."""

from __future__ import annotations

import json
from pathlib import Path

from core.analysis.dataset import dataset_files


def test_humanml3d_test_txt_selects_its_clips_as_a_json_split_does(data_dir: Path, tmp_path: Path) -> None:
    folder = data_dir / "humanml3d" / "new_joint_vecs"
    txt = tmp_path / "test.txt"
    txt.write_text("012314\nM999999\n")
    split = tmp_path / "split.json"
    split.write_text(json.dumps({"holdout": ["012314.npy"]}))
    assert dataset_files([folder], txt) == dataset_files([folder], split) == [folder / "012314.npy"]
