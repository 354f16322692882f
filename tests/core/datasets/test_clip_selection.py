"""select_clips: a split selects exactly the clips it lists, speakers keep theirs, and what cannot be found or
asked of a folder is said (a warning with the count and the first names, or an error naming the folder)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.datasets.selection import SourceChoices, select_clips, source_choices
from core.errors import MotionFileError
from tests.helpers.dataset_roots import amass_root, beat2_root, humanml3d_root

BEAT2_TYPES = {
    "2_scott_0_1_1": "train",
    "2_scott_0_2_2": "val",
    "2_scott_0_3_3": "test",
    "4_lawrence_0_1_1": "train",
    "4_lawrence_0_2_2": "test",
    "10_kieks_0_1_1": "train",
}


@pytest.fixture
def h3d(data_dir: Path, tmp_path: Path) -> Path:
    splits = {"train": ["012314", "M012314"], "test": ["000612"], "val": ["012314"]}
    return humanml3d_root(data_dir, tmp_path / "HumanML3D", splits)


@pytest.fixture
def beat2(data_dir: Path, tmp_path: Path) -> Path:
    return beat2_root(data_dir, tmp_path / "beat_english_v2.0.0", BEAT2_TYPES)


def _names(selection) -> list[str]:
    return [f.name for f in selection.files]


def test_a_named_split_selects_exactly_its_ids_mirrored_ones_included(h3d: Path):
    train = select_clips([h3d], "train")
    assert _names(train) == ["012314.npy", "M012314.npy"] and not train.warnings
    assert _names(select_clips([h3d], "val")) == ["012314.npy"]  # M012314 only when listed
    assert _names(select_clips([h3d], "test")) == ["000612.npy"]


def test_the_selection_says_what_it_chose(h3d: Path):
    train = select_clips([h3d], "train")
    assert train.summary() == f"HumanML3D root {h3d}: split train selects 2 of 3 clips"
    assert (train.layout, train.split, train.found) == ("HumanML3D", "train", 3)
    assert select_clips([h3d]).summary() == f"HumanML3D root {h3d}: 3 clips"


def test_without_a_split_a_root_gives_its_clips_and_not_its_statistics(h3d: Path):
    assert _names(select_clips([h3d])) == ["000612.npy", "012314.npy", "M012314.npy"]


def test_ids_a_split_lists_that_are_missing_are_a_warning_with_count_and_first_names(h3d: Path):
    listed = ["012314", *(f"9{n:05d}" for n in range(7))]
    (h3d / "train.txt").write_text("\n".join(listed) + "\n")
    train = select_clips([h3d], "train")
    assert _names(train) == ["012314.npy"]
    (warning,) = train.warnings
    assert "lists 7 clips not found there" in warning
    assert "900000, 900001, 900002, 900003, 900004 and 2 more" in warning


def test_a_split_the_root_does_not_ship_names_the_file_it_expected(data_dir: Path, tmp_path: Path):
    root = humanml3d_root(data_dir, tmp_path / "HumanML3D", {"train": ["012314"]})
    with pytest.raises(MotionFileError) as caught:
        select_clips([root], "test")
    assert caught.value.path == str(root) and "no test.txt (found train.txt)" in caught.value.reason


def test_a_named_split_of_a_plain_folder_says_which_files_a_root_needs(data_dir: Path):
    folder = data_dir / "bandai" / "dataset-2"
    with pytest.raises(MotionFileError) as caught:
        select_clips([folder], "train")
    assert caught.value.path == str(folder)
    assert "new_joint_vecs/ and <split>.txt" in caught.value.reason
    assert "train_test_split.csv" in caught.value.reason


def test_a_split_that_selects_nothing_is_an_error(h3d: Path):
    (h3d / "train.txt").write_text("999999\n")
    with pytest.raises(MotionFileError, match="split train selects none of its 3 clips"):
        select_clips([h3d], "train")


def test_a_beat2_split_is_the_rows_of_that_type(beat2: Path):
    assert _names(select_clips([beat2], "train")) == [
        "10_kieks_0_1_1.npz",
        "2_scott_0_1_1.npz",
        "4_lawrence_0_1_1.npz",
    ]


@pytest.mark.parametrize(
    ("speakers", "expected"),
    [((2,), ["2_scott_0_1_1.npz"]), ((2, 4), ["2_scott_0_1_1.npz", "4_lawrence_0_1_1.npz"])],
)
def test_speakers_keep_their_clips_of_the_split(beat2: Path, speakers, expected):
    selection = select_clips([beat2], "train", speakers)
    assert _names(selection) == expected
    assert "and speakers" in selection.summary() and f"of {len(BEAT2_TYPES)} clips" in selection.summary()


def test_speakers_alone_keep_every_split(beat2: Path):
    assert len(select_clips([beat2], speakers=(4,)).files) == 2


def test_speakers_are_refused_for_data_that_has_none(h3d: Path):
    with pytest.raises(MotionFileError) as caught:
        select_clips([h3d], speakers=(2,))
    assert caught.value.path == str(h3d) and "HumanML3D root" in caught.value.reason


def test_a_text_file_of_ids_selects_from_any_source(data_dir: Path, tmp_path: Path):
    ids = tmp_path / "walks.txt"
    ids.write_text("dataset-2_walk_normal_001\n# a comment\n\ndataset-2_walk_normal_004.bvh\nnot-a-clip\n")
    selection = select_clips([data_dir / "bandai" / "dataset-2"], ids)
    assert _names(selection) == ["dataset-2_walk_normal_001.bvh", "dataset-2_walk_normal_004.bvh"]
    (warning,) = selection.warnings
    assert "lists 1 clip not found" in warning and "not-a-clip" in warning


def test_a_text_file_of_amass_ids_selects_by_path_under_the_root(data_dir: Path, tmp_path: Path):
    root = amass_root(data_dir, tmp_path / "AMASS")
    ids = tmp_path / "ids.txt"
    ids.write_text("KIT/3/walk_stageii\n")
    assert select_clips([root], ids).files == (root / "KIT" / "3" / "walk_stageii.npz",)


def test_the_json_holdout_split_still_selects_its_held_out_clips(data_dir: Path, tmp_path: Path):
    folder = data_dir / "bandai" / "dataset-2"
    split = tmp_path / "split.json"
    split.write_text(json.dumps({"holdout": ["dataset-2_walk_normal_001.bvh", "gone.bvh"]}))
    selection = select_clips([folder], split)
    assert _names(selection) == ["dataset-2_walk_normal_001.bvh"]
    assert "gone.bvh" in selection.warnings[0]


def test_the_same_folders_give_the_same_sorted_files(beat2: Path, h3d: Path):
    first = select_clips([beat2, h3d])
    assert first.files == select_clips([h3d, beat2]).files == tuple(sorted(first.files))
    assert first.layout == "BEAT2 + HumanML3D"


def test_source_choices_offer_a_roots_splits_and_beat2_speakers(
    h3d: Path, beat2: Path, data_dir: Path, tmp_path: Path
):
    choices = source_choices([h3d, tmp_path / "missing"])
    assert {"train", "val", "test"} <= set(choices.splits) and not choices.speakers
    assert source_choices([beat2]).speakers
    assert not source_choices([data_dir / "bandai" / "dataset-2"]).speakers  # a folder, not named by speaker
    assert source_choices([tmp_path / "missing"]) == SourceChoices()
