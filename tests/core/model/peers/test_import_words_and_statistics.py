"""An import said in words (each field with its raw name, the training-only ones marked), and an import
planned before its statistics are given, as the app's dialog plans it while it asks for them."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.cli.main import main
from core.errors import MotionFileError
from core.model.config import TRAINING_ONLY_FIELDS
from core.model.peers.importer import MissingStatisticsError, plan_import, write_import
from tests.helpers.paths import DATA_DIR, PEERS
from tests.helpers.peer_files import syntalker_file

MOMASK_RUN = PEERS / "momask" / "t2m" / "rvq_small_w128_dc64_nc128"
SYNTALKER = PEERS / "syntalker" / "rvq_upper" / "net_300.pth"
STATS = DATA_DIR / "beat2" / "mean_std"
WHOLE_BODY = (STATS / "beatx_2_330_mean.npy", STATS / "beatx_2_330_std.npy")
TRANS = (STATS / "beatx_2_trans_mean.npy", STATS / "beatx_2_trans_std.npy")


@pytest.fixture(scope="module", autouse=True)
def fixtures_present() -> None:
    if not (PEERS.is_dir() and STATS.is_dir()):
        pytest.skip(f"peer tokenizer fixtures or BEAT2 statistics not found at {PEERS}, {STATS}")


def test_every_field_is_said_in_words_with_its_raw_name_beside_it() -> None:
    for plan in (plan_import(MOMASK_RUN), plan_import(SYNTALKER, stats=WHOLE_BODY)):
        for item in plan.fields:
            assert item.title.endswith(f" ({item.name})") and item.explanation, item.name
    plan = plan_import(MOMASK_RUN)
    assert plan.get("nb_code").title == "Codes per layer (nb_code)"
    assert {f.name for f in plan.fields if f.training_only} == set(TRAINING_ONLY_FIELDS) - {
        "quantize_dropout_cutoff_index"
    }


def test_the_import_command_prints_the_words_and_marks_what_only_training_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(MOMASK_RUN), "--out", str(tmp_path / "ckpt")]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if "(nb_code)" in x)
    assert line.split()[:4] == ["Codes", "per", "layer", "(nb_code)"]
    dropout = next(x for x in out.splitlines() if "(quantize_dropout_prob)" in x)
    assert dropout.endswith("[training only]") and "[training only]: only training reads" in out


def test_a_plan_without_statistics_says_what_is_missing_and_cannot_be_written(tmp_path: Path) -> None:
    with pytest.raises(MissingStatisticsError):
        plan_import(SYNTALKER)
    plan = plan_import(SYNTALKER, allow_missing_statistics=True)
    assert plan.normalizer is None and "no normalisation statistics" in plan.missing
    assert [f.label for f in plan.statistics] == ["Mean", "Std"]
    assert plan.statistics[0].example == "beatx_2_330_mean.npy"
    with pytest.raises(MotionFileError, match="no normalisation statistics") as caught:
        write_import(plan, tmp_path / "ckpt")
    assert caught.value.path == str(SYNTALKER) and not (tmp_path / "ckpt").exists()
    complete = plan_import(SYNTALKER, stats=WHOLE_BODY, allow_missing_statistics=True)
    assert complete.normalizer is not None and complete.missing == ""


def test_a_checkpoint_with_its_own_statistics_asks_for_none() -> None:
    plan = plan_import(MOMASK_RUN, allow_missing_statistics=True)
    assert plan.statistics == () and plan.missing == "" and plan.get("normalisation").source == "meta/"


def test_a_part_with_root_channels_needs_the_translation_statistics_too(tmp_path: Path) -> None:
    path = syntalker_file(tmp_path / "lower_trans" / "net_300.pth", input_dim=57)
    plan = plan_import(path, allow_missing_statistics=True)
    assert [f.label for f in plan.statistics] == ["Mean", "Std", "Translation mean", "Translation std"]
    with pytest.raises(MissingStatisticsError, match="TRANS_MEAN TRANS_STD"):
        plan_import(path, stats=WHOLE_BODY)
    half = plan_import(path, stats=WHOLE_BODY, allow_missing_statistics=True)
    assert half.normalizer is None and "beatx_2_trans" in half.missing
    full = plan_import(path, stats=WHOLE_BODY + TRANS)
    assert full.normalizer is not None and full.value("body_part") == "lower_trans"


def test_a_std_of_another_width_than_its_mean_is_refused_naming_it() -> None:
    std = MOMASK_RUN / "meta" / "std.npy"  # HumanML3D's 263 values beside BEAT2's 330
    with pytest.raises(MotionFileError, match="do not fit the mean beatx_2_330_mean.npy") as caught:
        plan_import(SYNTALKER, stats=(WHOLE_BODY[0], std))
    assert caught.value.path == str(std)
