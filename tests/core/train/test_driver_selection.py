"""run_training on dataset roots: it trains on exactly the clips the split and speakers choose, and says so first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.errors import ConfigError, MotionFileError
from core.train.driver import TrainingRequest, run_training
from core.train.events import MessageEvent
from core.train.overrides import TrainOverrides
from tests.helpers.dataset_roots import beat2_root, humanml3d_root

QUICK = TrainOverrides(
    steps=2, batch_size=2, window=16, nb_code=16, log_every=1, checkpoint_every=2, mirror=False
)
WALK = Path("bandai", "dataset-1", "dataset-1_walk_normal_001.bvh")
KICK = Path("bandai", "dataset-1", "dataset-1_kick_normal_001.bvh")


def _messages(paths, run_dir: Path, **changes) -> list[str]:
    request = TrainingRequest(
        data_paths=tuple(paths), run_dir=run_dir, overrides=QUICK, device="cpu", tensorboard=False, **changes
    )
    return [e.text for e in run_training(request) if isinstance(e, MessageEvent)]


def test_a_split_of_a_humanml3d_root_trains_on_exactly_its_ids_and_says_so(data_dir: Path, tmp_path: Path):
    root = humanml3d_root(data_dir, tmp_path / "h3d", {"train": ["012314", "M012314"], "test": ["000612"]})
    messages = _messages([root], tmp_path / "run", split="train")
    assert messages[:2] == [
        f"loading HumanML3D root {root}: split train selects 2 of 3 clips",
        "using 2 of 2 clips",
    ]


def test_split_ids_that_are_missing_are_warned_about_before_training(data_dir: Path, tmp_path: Path):
    root = humanml3d_root(data_dir, tmp_path / "h3d", {"train": ["012314", "004000"]})
    messages = _messages([root], tmp_path / "run", split="train")
    assert messages[1].startswith("warning: the train split of HumanML3D root") and "004000" in messages[1]


def test_speakers_of_a_beat2_root_choose_the_clips(data_dir: Path, tmp_path: Path):
    types = {"2_scott_0_1_1": "train", "4_lawrence_0_1_1": "train", "6_carla_0_1_1": "test"}
    root = beat2_root(data_dir, tmp_path / "beat2", types)
    messages = _messages([root], tmp_path / "run", split="train", speakers=(2,))
    assert messages[:2] == [
        f"loading BEAT2 root {root}: split train and speakers 2 select 1 of 3 clips",
        "using 1 of 1 clips",
    ]


def test_a_json_split_given_as_split_is_the_holdout_split(data_dir: Path, tmp_path: Path):
    split = tmp_path / "split.json"
    split.write_text(json.dumps({"holdout": [KICK.name]}))
    messages = _messages([data_dir / WALK, data_dir / KICK], tmp_path / "run", split=str(split))
    assert "using 1 of 1 clips" in messages and "held-out MPJPE on 1 clips (358 frames)" in messages


def test_a_split_and_a_holdout_json_at_once_are_refused(data_dir: Path, tmp_path: Path):
    split = tmp_path / "split.json"
    split.write_text(json.dumps({"holdout": [KICK.name]}))
    with pytest.raises(ConfigError, match="two holdout splits"):
        _messages([data_dir / WALK], tmp_path / "run", split=str(split), holdout=split)


def test_a_split_a_folder_does_not_ship_fails_before_the_run_folder_exists(data_dir: Path, tmp_path: Path):
    with pytest.raises(MotionFileError, match="not a dataset root"):
        _messages([data_dir / WALK.parent], tmp_path / "run", split="train")
    assert not (tmp_path / "run").exists()
