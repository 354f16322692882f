"""dataset_choices: the splits and speakers a person is offered for some folders are exactly those
select_clips accepts for them."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.datasets.choices import dataset_choices
from core.datasets.selection import select_clips
from core.errors import MotionFileError
from tests.helpers.dataset_roots import beat2_root, humanml3d_root

BEAT2_TYPES = {"2_scott_0_1_1": "train", "2_scott_0_2_2": "val", "4_lawrence_0_1_1": "test"}


@pytest.fixture
def h3d(data_dir: Path, tmp_path: Path) -> Path:
    splits = {"test": ["000612"], "train": ["012314", "M012314"], "all": ["012314", "000612"]}
    return humanml3d_root(data_dir, tmp_path / "HumanML3D", splits)


@pytest.fixture
def beat2(data_dir: Path, tmp_path: Path) -> Path:
    return beat2_root(data_dir, tmp_path / "beat_english_v2.0.0", BEAT2_TYPES)


def test_a_humanml3d_root_offers_the_splits_it_ships_in_their_usual_order_and_no_speakers(h3d: Path):
    choices = dataset_choices([h3d])
    assert (choices.layout, choices.splits, choices.speakers) == ("HumanML3D", ("train", "test", "all"), ())
    for split in choices.splits:
        assert select_clips([h3d], split).files


def test_a_beat2_root_offers_its_split_types_and_its_speakers_by_number_with_their_names(beat2: Path):
    choices = dataset_choices([beat2])
    assert choices.splits == ("train", "val", "test")
    assert choices.speakers == ((2, "scott"), (4, "lawrence"))
    assert choices.speakers_line() == "2 scott, 4 lawrence"
    assert [f.stem for f in select_clips([beat2], speakers=[4]).files] == ["4_lawrence_0_1_1"]


def test_a_plain_folder_offers_no_named_split_and_no_speakers(data_dir: Path):
    choices = dataset_choices([data_dir / "bandai" / "dataset-1"])
    assert (choices.layout, choices.splits, choices.speakers) == ("folder", (), ())


def test_beside_a_plain_folder_only_the_splits_every_folder_ships_are_offered(h3d: Path, data_dir: Path):
    assert dataset_choices([h3d, data_dir / "bandai" / "dataset-1"]).splits == ()


def test_speakers_are_not_offered_where_a_folder_has_no_speakers(beat2: Path, h3d: Path):
    with pytest.raises(MotionFileError):
        select_clips([beat2, h3d], speakers=[2])
    assert dataset_choices([beat2, h3d]).speakers == ()


def test_a_missing_folder_is_an_error_naming_it(tmp_path: Path):
    with pytest.raises(MotionFileError, match="no such file or folder"):
        dataset_choices([tmp_path / "gone"])
