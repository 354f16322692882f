"""Dataset roots are recognised from the folder: HumanML3D, KIT-ML, BEAT2 and AMASS as they ship; plain folders of
clips are read exactly as before."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.datasets.amass_root import AmassRoot
from core.datasets.beat2_root import Beat2Root, parse_speakers, speaker_of
from core.datasets.folder import ClipFile, PlainFolder
from core.datasets.humanml3d_root import HumanML3DRoot
from core.datasets.selection import recognise, select_clips
from core.errors import MotionFileError
from core.formats.discovery import find_motion_files
from core.formats.humanml3d_bodies import KIT, T2M
from tests.helpers.dataset_roots import amass_root, beat2_root, humanml3d_root
from tests.helpers.synthetic_kit import write_kit_root


def test_a_humanml3d_root_is_recognised_with_its_clips_splits_and_statistics(data_dir: Path, tmp_path: Path):
    root = humanml3d_root(data_dir, tmp_path / "HumanML3D", {"train": ["012314"], "test": ["000612"]})
    source = recognise(root)
    assert isinstance(source, HumanML3DRoot) and source.body is T2M and source.layout == "HumanML3D"
    assert list(source.clips) == ["000612", "012314", "M012314"]
    assert source.split_names() == ("train", "test")
    assert source.statistics == (root / "Mean.npy", root / "Std.npy")


def test_its_new_joint_vecs_folder_names_the_same_root(data_dir: Path, tmp_path: Path):
    root = humanml3d_root(data_dir, tmp_path / "HumanML3D", {"train": ["012314"]})
    source = recognise(root / "new_joint_vecs")
    assert isinstance(source, HumanML3DRoot) and source.path == root


def test_a_kit_root_is_told_apart_by_the_width_of_its_rows(tmp_path: Path):
    root = write_kit_root(tmp_path / "KIT-ML", {"00001": 30, "00002": 40}, {"train": ["00001"]})
    source = recognise(root)
    assert isinstance(source, HumanML3DRoot) and source.body is KIT and source.layout == "KIT-ML"
    assert source.describe() == f"KIT-ML root {root}"


def test_a_beat2_root_is_recognised_with_the_types_of_its_split_table(data_dir: Path, tmp_path: Path):
    types = {"2_scott_0_1_1": "train", "2_scott_0_2_2": "test", "4_lawrence_0_1_1": "additional"}
    root = beat2_root(data_dir, tmp_path / "beat_english_v2.0.0", types)
    source = recognise(root)
    assert isinstance(source, Beat2Root) and source.layout == "BEAT2" and source.speakers
    assert source.split_names() == ("train", "test", "additional")
    assert source.split_ids("additional") == ["4_lawrence_0_1_1"]
    assert isinstance(recognise(root / "smplxflame_30"), Beat2Root)


def test_an_amass_root_holds_only_its_motion_files(data_dir: Path, tmp_path: Path):
    root = amass_root(data_dir, tmp_path / "AMASS")
    source = recognise(root)
    assert isinstance(source, AmassRoot) and source.layout == "AMASS"
    assert list(source.clips) == ["CMU/01/01_01_poses", "KIT/3/walk_stageii"]  # no shape.npz, no stagei


def test_a_plain_folder_is_read_exactly_as_before(data_dir: Path):
    folder = data_dir / "bandai" / "dataset-2"
    source = recognise(folder)
    assert type(source) is PlainFolder and source.layout == "folder"
    assert list(select_clips([folder]).files) == find_motion_files([folder])


def test_a_file_is_a_source_of_one_clip(data_dir: Path):
    clip = data_dir / "beat2" / "2_scott_0_1_1.npz"
    assert isinstance(recognise(clip), ClipFile) and select_clips([clip]).files == (clip,)


def test_a_missing_path_is_an_error_naming_it(tmp_path: Path):
    with pytest.raises(MotionFileError) as caught:
        recognise(tmp_path / "nowhere")
    assert caught.value.path == str(tmp_path / "nowhere") and "no such file or folder" in caught.value.reason


def test_speakers_are_the_number_before_the_first_underscore():
    assert speaker_of("2_scott_0_1_1.npz") == 2 and speaker_of("12_x") == 12 and speaker_of("scott_2") is None
    assert parse_speakers("2") == (2,) and parse_speakers("4, 2,4") == (2, 4)
    with pytest.raises(ValueError, match="numbers separated by commas"):
        parse_speakers("scott")
