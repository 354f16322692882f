"""The survey (scan_data): what a run would train on, told before it starts, by the rule the run itself applies."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from core.train.config import preset
from core.train.driver import TrainingRequest, run_training
from core.train.events import MessageEvent
from core.train.overrides import TrainOverrides
from tests.helpers.dataset_roots import humanml3d_root
from tests.helpers.training import surveyed

BANDAI = Path("bandai", "dataset-1")
WALK, KICK, DASH = (
    BANDAI / f"dataset-1_{name}.bvh" for name in ("walk_normal_001", "kick_normal_001", "dash_normal_001")
)
WINDOW_32 = TrainOverrides(window=32)


@pytest.fixture
def clips(data_dir, tmp_path) -> Path:
    """A folder of a 195-frame walk, a 358-frame kick, a 20-frame dash and a file that is no BVH."""
    folder = tmp_path / "clips"
    folder.mkdir()
    for clip in (WALK, KICK, DASH):
        shutil.copy(data_dir / clip, folder)
    (folder / "broken.bvh").write_text("not a bvh")
    return folder


def test_the_survey_counts_found_usable_and_skipped_clips(clips):
    survey = surveyed([clips], WINDOW_32.applied_to(preset("small")))
    assert survey.found == 4
    assert [p.name for p in survey.usable] == [KICK.name, WALK.name]
    assert {p.name for p, _ in survey.skipped} == {DASH.name, "broken.bvh"}


def test_a_clip_shorter_than_the_window_is_skipped_with_its_length_and_the_window(clips):
    survey = surveyed([clips], WINDOW_32.applied_to(preset("small")))
    reasons = {p.name: reason for p, reason in survey.skipped}
    assert reasons[DASH.name] == "20 frames, shorter than the 32-frame window"


def test_whole_clip_batches_keep_short_clips_a_window_would_skip(clips):
    config = TrainOverrides(window=32, whole_clips=True, random_speed=0.0).applied_to(preset("small"))
    assert DASH.name in {p.name for p in surveyed([clips], config).usable}


def test_the_survey_tells_the_skeleton_frame_rate_and_frames_of_the_usable_clips(clips):
    survey = surveyed([clips], WINDOW_32.applied_to(preset("small")))
    assert (survey.joints, survey.fps, survey.frames) == (22, 30.0, 195 + 358)
    assert survey.data_line().startswith("22 joints") and "553 frames" in survey.data_line()


def test_clips_a_split_holds_out_are_counted_apart(clips):
    survey = surveyed([clips], WINDOW_32.applied_to(preset("small")), holdout={KICK.name})
    assert [p.name for p in survey.held_out] == [KICK.name]
    assert survey.headline() == "4 clips found: 1 usable, 2 skipped, 1 held out"


def test_the_summary_names_the_skipped_clips_and_why(clips):
    line = surveyed([clips], WINDOW_32.applied_to(preset("small"))).skipped_line()
    assert f"{DASH.name} (20 frames, shorter than the 32-frame window)" in line and "broken.bvh" in line


def test_the_summary_names_only_the_first_skipped_clips_and_counts_the_rest(clips):
    line = surveyed([clips], WINDOW_32.applied_to(preset("small"))).skipped_line(names=1)
    assert line.endswith("; and 1 more")


def test_a_folder_of_clips_too_short_for_the_window_has_no_usable_clips(clips):
    survey = surveyed([clips], TrainOverrides(window=1024).applied_to(preset("small")))
    assert survey.usable == () and survey.data_line() == "no usable clips: nothing to train on"


def test_the_run_skips_exactly_the_clips_the_survey_said_it_would(clips, tmp_path):
    overrides = TrainOverrides(steps=1, batch_size=2, window=32, nb_code=16, log_every=1)
    survey = surveyed([clips], overrides.applied_to(preset("small")))
    request = TrainingRequest(
        (clips,), tmp_path / "run", overrides=overrides, device="cpu", tensorboard=False
    )
    texts = [e.text for e in run_training(request) if isinstance(e, MessageEvent)]
    assert {t for t in texts if t.startswith("skipped ")} == {f"skipped {p}: {r}" for p, r in survey.skipped}
    assert "using 2 of 4 clips; 2 skipped" in texts


def test_the_survey_says_what_the_split_selected_and_what_it_could_not_find(data_dir, tmp_path):
    root = humanml3d_root(data_dir, tmp_path / "HumanML3D", {"train": ["012314", "M012314", "999999"]})
    survey = surveyed([root], preset("motion-s"), split="train")
    assert survey.selection == f"HumanML3D root {root}: split train selects 2 of 3 clips"
    assert len(survey.warnings) == 1 and "999999" in survey.warnings[0]
    assert survey.details().splitlines()[0] == survey.selection
    assert survey.details().splitlines()[-1] == f"warning: {survey.warnings[0]}"
