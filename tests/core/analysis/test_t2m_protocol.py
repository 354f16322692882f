"""The T2M evaluator protocol (core.analysis.t2m_protocol, paper_eval, crops, distribution;
core.model.peers.t2m_evaluator): parity with what MoMask's own code computes on
../shared/eval_reference/momask_t2m, and the loader's, crops' and figures' rules.

The reference was made by MoMask's eval_t2m_vq.py code with a small random-weight evaluator in the
layout of the real download, on fixed crops of the shared HumanML3D clips, for the MoMask tokenizer in
../shared/peer_tokenizers (imported here through the project's own importer).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from core.analysis import distribution
from core.analysis.crops import Crop, check_crop, draw_crops, read_crops, resolve
from core.analysis.paper_eval import PaperEvaluation, paper_evaluation
from core.analysis.t2m_protocol import CropMeter
from core.errors import MotionFileError
from core.features.representation import Normalizer
from core.formats.discovery import find_motion_files
from core.formats.humanml3d import read_humanml3d_rows
from core.model.checkpoint import load_checkpoint
from core.model.peers.importer import plan_import, write_import
from core.model.peers.t2m_evaluator import load_t2m_evaluator
from core.progress import run_to_end
from tests.helpers.paths import SHARED

REFERENCE = SHARED / "eval_reference" / "momask_t2m"
TOKENIZER = SHARED / "peer_tokenizers" / "momask" / "t2m" / "rvq_small_w128_dc64_nc128"
EVALUATOR = REFERENCE / "evaluator" / "t2m"


@pytest.fixture(scope="module")
def reference() -> dict:
    if not REFERENCE.is_dir() or not TOKENIZER.is_dir():
        pytest.skip(f"MoMask's evaluation reference not found at {REFERENCE}")
    return json.loads((REFERENCE / "reference" / "README.json").read_text())["metrics"]


@pytest.fixture(scope="module")
def momask(reference: dict, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """MoMask's tokenizer, imported from its run folder as `rvq-motion import` does."""
    return write_import(plan_import(TOKENIZER), tmp_path_factory.mktemp("momask") / "ckpt")


@pytest.fixture(scope="module")
def clips(data_dir: Path) -> list[Path]:
    return find_motion_files([data_dir / "humanml3d" / "new_joint_vecs"])


@pytest.fixture(scope="module")
def measured(momask: Path, clips: list[Path]):
    """The reference crops through the imported tokenizer and the evaluator (one pass, shared)."""
    torch.set_num_threads(1)
    ckpt, evaluator = load_checkpoint(momask), load_t2m_evaluator(EVALUATOR)
    crops = read_crops(REFERENCE / "items.json")
    files = resolve(crops, clips)
    rows = [read_humanml3d_rows(f)[c.start : c.start + c.length] for c, f in zip(crops, files, strict=True)]
    return CropMeter(ckpt.model, ckpt.normalizer, evaluator).measure(rows)


def ref_array(name: str) -> np.ndarray:
    return np.load(REFERENCE / "reference" / f"{name}.npy")


def test_the_evaluator_is_built_from_its_weights_shapes(reference: dict) -> None:
    evaluator = load_t2m_evaluator(EVALUATOR)
    assert evaluator.sizes == {
        "movement_hidden": 64,
        "movement_latent": 32,
        "motion_hidden": 96,
        "embedding": 48,
    }
    assert (evaluator.dim, evaluator.unit_length, evaluator.dataset) == (263, 4, "t2m")
    assert len(evaluator.sha256) == 64


def test_embeddings_of_originals_and_reconstructions_equal_momasks_within_1e4(measured) -> None:
    assert np.abs(measured.real - ref_array("gt_embeddings")).max() < 1e-4
    assert np.abs(measured.reconstructed - ref_array("recon_embeddings_by_layers")).max() < 1e-4
    assert np.abs(measured.reconstructed[-1] - ref_array("recon_embeddings")).max() < 1e-4


def test_fid_and_mpjpe_equal_momasks_for_every_number_of_layers(measured, reference: dict) -> None:
    layers, diversity_real = measured.figures(ref_array("diversity_indices"))
    assert measured.poses == reference["poses"]
    for k, figures in layers.items():
        assert figures["fid"] == pytest.approx(reference["fid_by_layers"][k - 1], rel=1e-3)
        assert figures["mpjpe_mm"] == pytest.approx(reference["mpjpe_mm_by_layers"][k - 1], rel=1e-3)
    assert layers[6]["fid"] == pytest.approx(reference["fid"], rel=1e-3)
    assert layers[6]["mpjpe_mm"] == pytest.approx(reference["mpjpe_mm"], rel=1e-3)


def test_diversity_with_the_given_row_pairs_equals_momasks(measured, reference: dict) -> None:
    """Exact here; the tolerance only allows another CPU's float rounding of the embeddings."""
    layers, diversity_real = measured.figures(ref_array("diversity_indices"))
    assert diversity_real == pytest.approx(reference["diversity_real"], rel=1e-6)
    for k, figures in layers.items():
        assert figures["diversity"] == pytest.approx(reference["diversity_by_layers"][k - 1], rel=1e-6)


def test_a_missing_evaluator_file_is_named(reference: dict, tmp_path: Path) -> None:
    folder = tmp_path / "t2m"
    shutil.copytree(EVALUATOR, folder)
    (folder / "Comp_v6_KLD005" / "opt.txt").unlink()
    (folder / "Comp_v6_KLD005" / "meta" / "std.npy").unlink()
    with pytest.raises(MotionFileError, match=r"missing Comp_v6_KLD005/opt.txt, Comp_v6_KLD005/meta/std.npy"):
        load_t2m_evaluator(folder)
    with pytest.raises(MotionFileError, match="missing text_mot_match/model/finest.tar"):
        load_t2m_evaluator(tmp_path / "nowhere")


def test_finest_tar_goes_through_the_safe_loader(reference: dict, tmp_path: Path) -> None:
    """A weights file naming a global beyond tensors is refused before anything is unpickled."""
    folder = tmp_path / "t2m"
    shutil.copytree(EVALUATOR, folder)
    weights = folder / "text_mot_match" / "model" / "finest.tar"
    weights.chmod(0o644)
    torch.save({"movement_encoder": {}, "motion_encoder": {}, "hook": shutil.rmtree}, weights)
    with pytest.raises(MotionFileError, match="refusing to unpickle.*shutil.rmtree"):
        load_t2m_evaluator(folder)


def test_statistics_of_another_width_than_the_movement_encoder_reads_are_refused(
    reference: dict, tmp_path: Path
) -> None:
    folder = tmp_path / "t2m"
    shutil.copytree(EVALUATOR, folder)
    for name in ("mean", "std"):
        path = folder / "Comp_v6_KLD005" / "meta" / f"{name}.npy"
        path.chmod(0o644)
        np.save(path, np.ones(251, dtype=np.float32))
    with pytest.raises(MotionFileError, match="reads 259 channels; the statistics have 251 features"):
        load_t2m_evaluator(folder)


def test_a_checkpoint_of_other_features_is_refused_naming_them(
    reference: dict, tiny_checkpoint: Path, clips
) -> None:
    work = paper_evaluation(load_checkpoint(tiny_checkpoint), load_t2m_evaluator(EVALUATOR), clips)
    with pytest.raises(MotionFileError, match="reads 263-dim HumanML3D rows; this checkpoint's features are"):
        next(work)


def test_crops_name_their_clip_by_stem_and_stay_inside_it(tmp_path: Path, clips: list[Path]) -> None:
    assert resolve([Crop("012314", 0, 4)], clips) == [c for c in clips if c.stem == "012314"]
    with pytest.raises(MotionFileError, match="1 clip.s. not found under --data: 999999"):
        resolve([Crop("999999", 0, 4), Crop("012314", 0, 4)], clips, "items.json")
    with pytest.raises(MotionFileError, match="reaches past the clip's 170 frames"):
        check_crop(Crop("012314", 100, 72), 170, 4, "items.json")
    with pytest.raises(MotionFileError, match="multiple of 4 frames, at most 196"):
        check_crop(Crop("012314", 0, 42), 170, 4, "items.json")
    bad = tmp_path / "crops.json"
    bad.write_text('[{"clip": "012314", "start": "0", "length": 4}]')
    with pytest.raises(MotionFileError, match="crop 0 is not"):
        read_crops(bad)


def test_random_crops_are_momasks_whole_units_one_shorter_a_third_of_the_time() -> None:
    clips = {f"c{i}": 40 + i % 160 for i in range(3000)}
    crops = draw_crops(clips, 4, np.random.default_rng(0))
    assert len(crops) == 2976  # whole batches of 32 only
    assert all(c.length % 4 == 0 and c.start >= 0 and c.start + c.length <= clips[c.clip] for c in crops)
    shorter = np.mean([c.length < clips[c.clip] // 4 * 4 for c in crops])
    assert shorter == pytest.approx(1 / 3, abs=0.03)
    assert draw_crops(clips, 4, np.random.default_rng(0)) == crops
    assert len(draw_crops({"a": 80, "b": 90}, 4, np.random.default_rng(0))) == 2  # no whole batch: all kept


def test_fid_is_the_frechet_distance_of_the_fitted_gaussians() -> None:
    rng = np.random.default_rng(0)
    a = rng.normal(size=(4000, 3))
    assert distribution.frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)
    shifted = a + np.array([1.0, 2.0, 0.0])
    assert distribution.frechet_distance(a, shifted) == pytest.approx(5.0, rel=1e-6)
    scaled = a * 2.0  # covariances I and 4I: tr(I + 4I - 2 * 2I) = 3
    assert distribution.frechet_distance(a, scaled) == pytest.approx(3.0, rel=0.05)


def test_diversity_is_the_mean_distance_of_the_paired_rows() -> None:
    x = np.array([[0.0, 0.0], [3.0, 4.0], [0.0, 1.0]])
    assert distribution.diversity(x, np.array([[0, 2], [1, 0]])) == pytest.approx((5.0 + 1.0) / 2)
    assert distribution.draw_pairs(2000, np.random.default_rng(0)).shape == (2, 300)
    assert distribution.draw_pairs(150, np.random.default_rng(0)).shape == (2, 100)


def test_random_crops_repeat_and_report_mean_and_95_percent_interval(momask: Path, clips: list[Path]) -> None:
    torch.set_num_threads(1)
    result: PaperEvaluation = run_to_end(
        paper_evaluation(load_checkpoint(momask), load_t2m_evaluator(EVALUATOR), clips, seed=3, repeats=3)
    )
    assert result.repeats == 3 and result.crops is None and result.seed == 3
    fids = np.array([run.layers[6]["fid"] for run in result.runs])
    assert result.layers[6]["fid"] == pytest.approx(fids.mean())
    assert result.interval(6, "fid") == pytest.approx(1.96 * fids.std() / np.sqrt(3))
    report = result.to_json()
    assert report["repeats"] == 3 and set(report["intervals"]["layers"]["1"]) == {
        "fid",
        "diversity",
        "mpjpe_mm",
    }
    assert "±" in result.table()


def test_a_tokenizer_with_other_statistics_reads_its_own_and_says_so(
    momask: Path, clips: list[Path], data_dir: Path
) -> None:
    torch.set_num_threads(1)
    ckpt = load_checkpoint(momask)
    std = np.load(data_dir / "humanml3d" / "Std.npy").astype(np.float32)
    std[[0, 1, 2, 3, 259, 260, 261, 262]] /= 25  # as MoMask's training divides them; the evaluator does not
    ckpt.normalizer = Normalizer(
        mean=np.load(data_dir / "humanml3d" / "Mean.npy").astype(np.float32), std=std
    )
    crops = [Crop("012314", 0, 168), Crop("000612", 8, 120), Crop("012314", 40, 96)]
    result = run_to_end(paper_evaluation(ckpt, load_t2m_evaluator(EVALUATOR), clips, crops))
    assert not result.shared_normalisation and result.to_json()["normalisation"] == "separate"
    assert "its own normalisation" in result.table()
    assert all(np.isfinite(list(v.values())).all() for v in result.layers.values())
