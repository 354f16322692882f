"""Training with a T2M evaluator (core.train.heldout_fid, driver): the held-out evaluation also measures
FID, the event and metrics.jsonl carry it, and the best-FID model is kept at checkpoints/best-fid.

MoMask's tokenizer (imported) is fine-tuned on real HumanML3D rows: stretches of the two shared clips
written as separate files, two of them held out (a test never commits copies of the data)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.errors import ConfigError
from core.formats import load_motion
from core.model.checkpoint import load_checkpoint
from core.model.peers.importer import plan_import, write_import
from core.model.peers.t2m_evaluator import load_t2m_evaluator
from core.train.data import prepare_data
from core.train.driver import TrainingRequest, run_training
from core.train.events import EvalEvent, MessageEvent, ReadProgress
from core.train.heldout_fid import BEST_FID, HeldOutFID, best_fid_checkpoint, best_fid_so_far, save_best_fid
from core.train.overrides import TrainOverrides
from core.train.run_log import read_history
from tests.helpers.dataset_roots import held_out_clips
from tests.helpers.paths import SHARED

EVALUATOR = SHARED / "eval_reference" / "momask_t2m" / "evaluator" / "t2m"
TOKENIZER = SHARED / "peer_tokenizers" / "momask" / "t2m" / "rvq_small_w128_dc64_nc128"
QUICK = TrainOverrides(steps=4, batch_size=2, window=16, log_every=1, checkpoint_every=4, eval_every=2)


@pytest.fixture(scope="module")
def setup(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    if not EVALUATOR.is_dir() or not TOKENIZER.is_dir():
        pytest.skip(f"the evaluator reference is not at {EVALUATOR}")
    root = tmp_path_factory.mktemp("h3d")
    clips, split = held_out_clips(data_dir, root)
    return {"clips": clips, "split": split, "init": write_import(plan_import(TOKENIZER), root / "momask")}


def request(setup: dict, run_dir: Path, **changes: object) -> TrainingRequest:
    base = {
        "data_paths": (setup["clips"],),
        "run_dir": run_dir,
        "preset": "seed",
        "overrides": QUICK,
        "device": "cpu",
        "tensorboard": False,
        "holdout": setup["split"],
        "init_from": setup["init"],
        "evaluator": EVALUATOR,
    }
    return TrainingRequest(**{**base, **changes})


@pytest.fixture(scope="module")
def run(setup: dict, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    run_dir = tmp_path_factory.mktemp("run") / "run"
    return run_dir, list(run_training(request(setup, run_dir)))


def test_each_held_out_evaluation_measures_fid(run) -> None:
    _, events = run
    evals = [e for e in events if isinstance(e, EvalEvent)]
    assert [e.step for e in evals] == [2, 4]
    assert all(e.fid is not None and e.fid >= 0 for e in evals) and "FID" in evals[0].summary()
    assert MessageEvent(f"held-out FID on 2 fixed crops with the T2M evaluator in {EVALUATOR}") in events


def test_the_checkpoint_with_the_best_fid_is_kept_and_is_the_model_that_scored_it(setup: dict, run) -> None:
    run_dir, events = run
    evals = [e for e in events if isinstance(e, EvalEvent)]
    best = min(evals, key=lambda e: e.fid)
    ckpt = load_checkpoint(run_dir / BEST_FID)
    assert ckpt.step == best.step and ckpt.extra["held_out_fid"] == best.fid == best_fid_so_far(run_dir)
    assert ckpt.extra["evaluator_sha256"] == load_t2m_evaluator(EVALUATOR).sha256
    held_out = [load_motion(setup["clips"] / n) for n in ("held_a.npy", "held_b.npy")]
    fitted = [(i, ckpt.representation.fit(m, ckpt.skeleton)) for i, m in enumerate(held_out)]
    lengths = [m.num_frames for _, m in fitted]
    again = HeldOutFID(lengths, fitted, ckpt.representation, ckpt.normalizer, load_t2m_evaluator(EVALUATOR))
    assert again(ckpt.model) == pytest.approx(best.fid, rel=1e-4)
    assert not list((run_dir / "checkpoints").glob(".best-fid*"))


def test_the_best_fid_checkpoint_is_found_with_its_fid_and_step_for_the_app_to_offer(run, tmp_path) -> None:
    run_dir, events = run
    best = min((e for e in events if isinstance(e, EvalEvent)), key=lambda e: e.fid)
    found = best_fid_checkpoint(run_dir)
    assert found is not None and (found.path, found.fid, found.step) == (
        run_dir / BEST_FID,
        best.fid,
        best.step,
    )
    assert (
        MessageEvent(f"best held-out FID so far ({best.fid:.4f}, step {best.step}): {found.path}") in events
    )
    assert best_fid_checkpoint(tmp_path) is None, "a run without one"


def test_the_fid_curve_is_in_metrics_jsonl_for_the_held_out_tab(run) -> None:
    run_dir, events = run
    history = read_history(run_dir)
    assert [e.fid for e in history.evals] == [e.fid for e in events if isinstance(e, EvalEvent)]


def test_a_new_best_replaces_the_old_whole_and_a_crash_between_the_renames_is_repaired(
    setup: dict, run, tmp_path: Path
) -> None:
    run_dir, _ = run
    ckpt = load_checkpoint(run_dir / BEST_FID)
    config = json.loads((run_dir / BEST_FID / "checkpoint.json").read_text())["train"]
    data = prepare_data([setup["clips"] / "a.npy"], _config(setup), normalizer=ckpt.normalizer)
    save_best_fid(tmp_path, ckpt.model, data, 7, 0.5, config, {})
    (tmp_path / BEST_FID).rename(tmp_path / "checkpoints" / ".best-fid.old")  # killed between renames
    save_best_fid(tmp_path, ckpt.model, data, 9, 0.25, config, {})
    assert load_checkpoint(tmp_path / BEST_FID).step == 9 and best_fid_so_far(tmp_path) == 0.25
    assert sorted(p.name for p in (tmp_path / "checkpoints").iterdir()) == ["best-fid"]


def _config(setup: dict):
    from core.train.run_config import config_from_checkpoint, run_config

    config, _ = run_config("seed", Path("unused"), False, QUICK)
    return config_from_checkpoint(config, setup["init"])[0]


def test_an_evaluator_without_held_out_clips_is_refused_before_the_run_folder_is_made(
    setup: dict, tmp_path: Path
) -> None:
    with pytest.raises(ConfigError, match="--evaluator measures held-out clips"):
        list(run_training(request(setup, tmp_path / "run", holdout=None)))
    assert not (tmp_path / "run").exists()


def test_an_evaluator_for_other_features_is_refused(data_dir: Path, tmp_path: Path) -> None:
    walk = data_dir / "bandai" / "dataset-1" / "dataset-1_walk_normal_001.bvh"
    split = tmp_path / "split.json"
    split.write_text(json.dumps({"holdout": ["dataset-1_kick_normal_001.bvh"]}))
    kick = walk.with_name("dataset-1_kick_normal_001.bvh")
    quick = TrainOverrides(steps=2, batch_size=2, window=16, nb_code=16, log_every=1, eval_every=1)
    bandai = TrainingRequest(
        (walk, kick),
        tmp_path / "run",
        overrides=quick,
        device="cpu",
        tensorboard=False,
        holdout=split,
        evaluator=EVALUATOR,
    )
    events = []
    with pytest.raises(ConfigError, match="measures 263-dim HumanML3D rows; this run trains on"):
        events.extend(run_training(bandai))
    assert not (tmp_path / "run").exists()
    assert not any(isinstance(event, ReadProgress) for event in events), "refused before reading clips"
