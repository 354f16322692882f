"""Clips of two converters that name one tree differently train together: matched to the first clip by
position, the name pairs said once (in the run's log and in the survey the app shows);
--strict-joint-names skips them instead."""

from __future__ import annotations

import shutil

import pytest

from core.cli.main import main
from core.train.config import preset
from core.train.data import prepare_data
from core.train.overrides import TrainOverrides
from tests.helpers.bvh_fixtures import CMU_SUBJECT_002, LEG_NAMES, renamed_copy
from tests.helpers.training import surveyed

CMU = CMU_SUBJECT_002
LEGS = LEG_NAMES


@pytest.fixture(scope="module")
def mixed(data_dir, tmp_path_factory):
    """A folder of four real CMU clips as two converters wrote them: the first as it is, three with the
    legs named otherwise."""
    folder = tmp_path_factory.mktemp("cmu-mixed")
    source = data_dir.joinpath(*CMU)
    shutil.copy(source / "002_04.bvh", folder / "a_002_04.bvh")
    for name in ("002_04", "002_09", "002_08"):
        renamed_copy(source / f"{name}.bvh", folder / f"b_{name}.bvh", LEGS)
    return folder


SMALL = TrainOverrides(window=64, mirror=False).applied_to(preset("small"))


def test_clips_named_otherwise_train_with_the_first_clips(mixed):
    data = prepare_data([mixed], SMALL)
    assert [p.name for p in data.files] == ["a_002_04.bvh", "b_002_04.bvh", "b_002_08.bvh", "b_002_09.bvh"]
    assert data.skipped == [] and "CC_Base_L_Thigh" in data.skeleton.joint_names
    assert [p.name for p, _ in data.renamed] == ["b_002_04.bvh", "b_002_08.bvh", "b_002_09.bvh"]


def test_by_name_only_they_are_skipped_with_the_reason(mixed):
    data = prepare_data([mixed], TrainOverrides(strict_joint_names=True).applied_to(SMALL))
    assert [p.name for p in data.files] == ["a_002_04.bvh"]
    assert len(data.skipped) == 3 and all("could be matched by position" in r for _, r in data.skipped)


def test_the_survey_says_so_once_with_the_name_pairs(mixed):
    survey = surveyed([mixed], preset("small"))
    assert len(survey.usable) == 4 and not survey.skipped
    assert survey.renamed_lines() == [
        "3 clips name the joints of a_002_04.bvh's tree otherwise (same parents, same order): matched by "
        "position: LeftHip = CC_Base_L_Thigh, LeftKnee = CC_Base_L_Calf, LeftAnkle = CC_Base_L_Foot, "
        "RightHip = CC_Base_R_Thigh, RightKnee = CC_Base_R_Calf, RightAnkle = CC_Base_R_Foot"
    ]
    assert survey.renamed_lines()[0] in survey.details()


def test_the_survey_with_strict_joint_names_skips_them(mixed):
    survey = surveyed([mixed], TrainOverrides(strict_joint_names=True).applied_to(preset("small")))
    assert len(survey.usable) == 1 and len(survey.skipped) == 3 and survey.renamed_lines() == []


def test_training_uses_every_clip_and_prints_the_pairs_once(mixed, tmp_path, capsys):
    args = ["train", "--data", str(mixed), "--out", str(tmp_path / "run"), "--no-tensorboard"]
    args += ["--steps", "2", "--batch-size", "2", "--window", "16", "--codes", "8", "--log-every", "1"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "using 4 of 4 clips" in out and out.count("matched by position") == 1
    assert "LeftHip = CC_Base_L_Thigh" in out


def test_training_with_strict_joint_names_skips_them(mixed, tmp_path, capsys):
    args = ["train", "--data", str(mixed), "--out", str(tmp_path / "run"), "--no-tensorboard"]
    args += ["--steps", "1", "--batch-size", "2", "--window", "16", "--codes", "8", "--strict-joint-names"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "using 1 of 4 clips; 3 skipped" in out
