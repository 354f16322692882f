"""describe_dataset: a dataset's clips, frames and hours in all and per split, its skeleton and frame rate,
counted from file headers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.datasets.inventory import clip_header, describe_dataset
from core.errors import MotionFileError
from core.formats import load_motion
from tests.helpers.dataset_roots import BEAT2_FRAMES, HUMANML3D_FRAMES, amass_root, beat2_root, humanml3d_root
from tests.helpers.synthetic_kit import write_kit_root


def test_a_humanml3d_root_is_counted_per_split(data_dir: Path, tmp_path: Path):
    root = humanml3d_root(
        data_dir, tmp_path / "h3d", {"train": ["012314", "M012314", "gone"], "test": ["000612"]}
    )
    info = describe_dataset(root)
    assert (info.layout, info.skeletons, info.frame_rates) == (
        "HumanML3D root",
        (("humanml3d_t2m22", 22),),
        (20.0,),
    )
    assert (
        info.total.clips == 3
        and info.total.frames == HUMANML3D_FRAMES["000612"] + 2 * HUMANML3D_FRAMES["012314"]
    )
    train, test = info.splits
    assert (train.name, train.clips, train.frames, train.missing) == ("train", 2, 2 * 170, 1)
    assert (test.clips, test.frames, test.missing) == (1, 199, 0)
    assert test.hours == pytest.approx(199 / 20 / 3600)
    assert info.statistics == (root / "Mean.npy", root / "Std.npy")


def test_a_kit_root_has_the_kit_skeleton_and_rate(tmp_path: Path):
    root = write_kit_root(tmp_path / "kit", {"00001": 26, "00002": 51}, {"train": ["00001", "00002"]})
    info = describe_dataset(root)
    assert (
        info.layout == "KIT-ML root"
        and info.skeletons == (("kit_mmm21", 21),)
        and info.frame_rates == (12.5,)
    )
    assert info.splits[0].frames == 25 + 50 and info.splits[0].seconds == pytest.approx(75 / 12.5)


def test_a_beat2_root_is_counted_per_type(data_dir: Path, tmp_path: Path):
    root = beat2_root(data_dir, tmp_path / "beat2", {"2_scott_0_1_1": "train", "4_x_0_1_1": "test"})
    info = describe_dataset(root)
    assert info.skeletons == (("smplx55", 55),) and info.frame_rates == (30.0,)
    assert [(s.name, s.frames) for s in info.splits] == [("train", BEAT2_FRAMES), ("test", BEAT2_FRAMES)]


def test_an_amass_root_has_no_splits(data_dir: Path, tmp_path: Path):
    info = describe_dataset(amass_root(data_dir, tmp_path / "amass"))
    assert info.layout == "AMASS root" and info.total.clips == 2 and info.splits == ()


@pytest.mark.parametrize(
    "clip",
    [
        "beat2/2_scott_0_1_1.npz",
        "humanml3d/new_joint_vecs/012314.npy",
        "bandai/dataset-1/dataset-1_walk_normal_001.bvh",
    ],
)
def test_header_lengths_are_the_loaded_clips_lengths(data_dir: Path, clip: str):
    header, motion = clip_header(data_dir / clip), load_motion(data_dir / clip)
    assert (header.frames, header.fps, header.joints) == (
        motion.num_frames,
        motion.fps,
        motion.skeleton.num_joints,
    )


def test_unreadable_files_are_listed_and_the_rest_counted(data_dir: Path, tmp_path: Path):
    root = humanml3d_root(data_dir, tmp_path / "h3d", {})
    (root / "new_joint_vecs" / "broken.npy").write_bytes(b"\x93NUMPY garbage")
    np.save(root / "new_joint_vecs" / "wide.npy", np.zeros((5, 300), dtype=np.float32))
    info = describe_dataset(root)
    assert info.total.clips == 3
    assert sorted(p.name for p, _ in info.unreadable) == ["broken.npy", "wide.npy"]
    with pytest.raises(MotionFileError, match="expected HumanML3D or KIT-ML rows"):
        clip_header(root / "new_joint_vecs" / "wide.npy")
