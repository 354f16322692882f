"""Clips of one joint tree listed in different joint orders and with different bone lengths (CMU
subjects, AMASS, BEAT2 speakers) train, evaluate and decode together; other trees are refused
with a message that says what differs."""

from __future__ import annotations

import json
from dataclasses import astuple, replace
from pathlib import Path

import numpy as np
import pytest

from core.analysis.evaluate import evaluate
from core.cli.main import main
from core.errors import MotionFileError
from core.formats import load_motion
from core.formats.bvh import save_bvh
from core.model.checkpoint import load_checkpoint
from core.model.peers.importer import plan_import, write_import
from core.motion.skeleton import Skeleton, describe_difference
from core.tokens.codec import fit_clip, reconstruct, tokenize
from core.train.data import prepare_data
from core.train.trainer import Trainer
from tests.helpers.bvh_fixtures import cmu_frames, cmu_joints, depth_first, write_bvh
from tests.helpers.paths import PEERS
from tests.helpers.training import tiny_config

# Subject 131 lists the legs right before left and the spine before both, and the arms before the neck.
SUBJECT_B_ORDER = ("LowerBack", "RHipJoint", "LHipJoint", "RightShoulder", "LeftShoulder", "Neck")
SUBJECT_B_SCALE = 0.9


def _write_cmu(path: Path, scale: float = 1.0, first: tuple[str, ...] = ()) -> Path:
    joints = depth_first(cmu_joints(scale), first)
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_bvh(path, joints, cmu_frames(joints, scale=scale))


@pytest.fixture(scope="module")
def cmu(tmp_path_factory) -> Path:
    """subject_a/01_01.bvh (file order, scale 1), subject_b/131_01.bvh and 131_02.bvh (other orders,
    shorter bones) and canonical/131_01.bvh (subject 131's clip in subject 01's order)."""
    root = tmp_path_factory.mktemp("cmu")
    _write_cmu(root / "subject_a" / "01_01.bvh")
    _write_cmu(root / "subject_b" / "131_01.bvh", SUBJECT_B_SCALE, SUBJECT_B_ORDER)
    _write_cmu(root / "subject_b" / "131_02.bvh", SUBJECT_B_SCALE, ("LowerBack",))
    _write_cmu(root / "canonical" / "131_01.bvh", SUBJECT_B_SCALE)
    return root


@pytest.fixture(scope="module")
def cmu_run(cmu, tmp_path_factory) -> Path:
    """A tiny tokenizer trained briefly on subject 01 alone."""
    run_dir = tmp_path_factory.mktemp("cmu-run")
    config = tiny_config(steps=10, log_every=10, checkpoint_every=10)
    for _ in Trainer(config, prepare_data([cmu / "subject_a"], config), run_dir, device="cpu").run():
        pass
    return run_dir


def _by_name(positions: np.ndarray, names: tuple[str, ...], order: tuple[str, ...]) -> np.ndarray:
    """(T, J, 3) positions re-indexed from ``names`` to ``order``."""
    return positions[:, [names.index(n) for n in order]]


def test_the_synthetic_subjects_list_the_same_joints_in_different_orders(cmu):
    a = load_motion(cmu / "subject_a" / "01_01.bvh").skeleton
    b = load_motion(cmu / "subject_b" / "131_01.bvh").skeleton
    assert a.joint_names != b.joint_names and sorted(a.joint_names) == sorted(b.joint_names)


def test_training_keeps_subjects_whose_joints_are_listed_in_another_order(cmu):
    files = [cmu / "subject_a" / "01_01.bvh", *sorted((cmu / "subject_b").glob("*.bvh"))]
    data = prepare_data(files, tiny_config())
    assert data.skipped == [] and data.files == files
    assert data.skeleton.joint_names == load_motion(files[0]).skeleton.joint_names
    # Subject 131's clip in its own order trains on the features of the same clip in subject 01's order.
    listed = prepare_data([files[0], cmu / "subject_b" / "131_01.bvh"], tiny_config(), use_cache=False)
    canonical = prepare_data([cmu / "canonical" / "131_01.bvh", files[0]], tiny_config(), use_cache=False)
    assert listed.files[0] == canonical.files[1]  # the folders sort the other way round
    frames = listed.lengths[0]
    np.testing.assert_allclose(listed.features[frames:], canonical.features[:-frames], atol=1e-5)


def test_eval_accepts_subjects_whose_joints_are_listed_in_another_order(cmu, cmu_run, tmp_path):
    out = tmp_path / "eval.json"
    args = ["eval", "--checkpoint", str(cmu_run), "--data", str(cmu / "subject_a"), str(cmu / "subject_b")]
    assert main([*args, "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report["clips"] == 3 and np.isfinite(report["layers"]["3"]["mpjpe_mm"])


def test_reordering_a_clip_does_not_change_its_tokens_or_its_reconstruction(cmu, cmu_run):
    ckpt = load_checkpoint(cmu_run)
    listed = load_motion(cmu / "subject_b" / "131_01.bvh")  # subject 131's own order
    canonical = load_motion(cmu / "canonical" / "131_01.bvh")  # the same motion in the checkpoint's order
    codes = tokenize(ckpt, listed)
    np.testing.assert_array_equal(codes, tokenize(ckpt, canonical))
    decoded = reconstruct(ckpt, listed, codes)
    expected = reconstruct(ckpt, canonical, codes)
    assert decoded.skeleton.joint_names == ckpt.skeleton.joint_names
    np.testing.assert_allclose(decoded.skeleton.offsets, canonical.skeleton.offsets, atol=1e-12)
    np.testing.assert_allclose(decoded.joint_positions(), expected.joint_positions(), atol=1e-9)
    # ... and measured against the clip's own forward kinematics, joint by joint name:
    truth = _by_name(listed.joint_positions(), listed.skeleton.joint_names, decoded.skeleton.joint_names)
    np.testing.assert_allclose(truth, canonical.joint_positions(), atol=1e-9)


def test_a_humanml3d_clip_on_a_bandai_checkpoint_is_refused_saying_the_features_differ(
    tiny_checkpoint, data_dir
):
    clip = load_motion(data_dir / "humanml3d" / "new_joint_vecs" / "012314.npy")
    with pytest.raises(MotionFileError) as refused:
        fit_clip(load_checkpoint(tiny_checkpoint), clip)
    reason = refused.value.reason
    assert reason.startswith(
        "this clip is HumanML3D 263-dim features (22 joints, 20 fps); the checkpoint reads 6D"
    )
    assert "motion-s preset" in reason and "joints only in" not in reason


def test_a_bandai_clip_on_a_humanml3d_checkpoint_is_refused_naming_what_becomes_such_rows(data_dir, tmp_path):
    run = PEERS / "momask" / "t2m" / "rvq_small_w128_dc64_nc128"
    if not run.is_dir():
        pytest.skip(f"peer tokenizer fixtures not found at {run}")
    ckpt = load_checkpoint(write_import(plan_import(run), tmp_path / "momask"))
    with pytest.raises(MotionFileError) as refused:
        fit_clip(ckpt, load_motion(data_dir / "bandai" / "dataset-1" / "dataset-1_walk_normal_001.bvh"))
    assert refused.value.reason.startswith("the checkpoint reads HumanML3D 263-dim features")
    assert "SMPL-X clips or HumanML3D files" in refused.value.reason


def test_training_names_the_joints_of_a_skipped_clip_that_differ(data_dir):
    bandai = data_dir / "bandai" / "dataset-1" / "dataset-1_walk_normal_001.bvh"
    humanml3d = data_dir / "humanml3d" / "new_joint_vecs" / "012314.npy"
    ((path, reason),) = prepare_data([bandai, humanml3d], tiny_config()).skipped
    assert path == humanml3d
    assert reason.startswith(f"skeleton differs from {bandai.name}: ")
    assert "pelvis" in reason and "joint_Root" in reason


def test_a_tree_that_differs_in_one_parent_is_refused_naming_that_joint(cmu, cmu_run, tmp_path):
    joints = cmu_joints()
    names = [j.name for j in joints]
    joints[names.index("LeftArm")].parent = names.index("Spine1")
    path = write_bvh(tmp_path / "odd.bvh", joints, cmu_frames(joints))
    with pytest.raises(MotionFileError) as refused:
        fit_clip(load_checkpoint(cmu_run), load_motion(path))
    assert "'LeftArm' hangs from 'Spine1' in the clip, from 'LeftShoulder' in the checkpoint" in (
        refused.value.reason
    )
    assert prepare_data([cmu / "subject_a" / "01_01.bvh", path], tiny_config()).skipped == [
        (
            path,
            "skeleton differs from 01_01.bvh: 'LeftArm' hangs from 'Spine1' in this clip, "
            "from 'LeftShoulder' in 01_01.bvh",
        )
    ]


def test_the_same_tree_in_another_order_with_other_bone_lengths_is_no_difference(cmu):
    first = load_motion(cmu / "subject_a" / "01_01.bvh").skeleton
    other = load_motion(cmu / "subject_b" / "131_01.bvh").skeleton
    assert describe_difference(other, first) is None
    fitted = other.reordered(other.joint_order_in(first))
    assert fitted.joint_names == first.joint_names
    np.testing.assert_array_equal(fitted.parents, first.parents)
    assert set(fitted.end_sites) == set(first.end_sites)


def test_a_reordered_clip_moves_exactly_as_before_with_its_channel_layouts(cmu):
    first = load_motion(cmu / "subject_a" / "01_01.bvh").skeleton
    listed = load_motion(cmu / "subject_b" / "131_01.bvh")
    order = listed.skeleton.joint_order_in(first)
    fitted = listed.reordered(order)
    np.testing.assert_allclose(fitted.joint_positions(), listed.joint_positions()[:, order], atol=1e-12)
    assert fitted.source["channels"] == [listed.source["channels"][j] for j in order]
    assert fitted.source["rotation_orders"] == [listed.source["rotation_orders"][j] for j in order]
    assert listed.reordered(range(first.num_joints)) is listed


def test_a_reordered_clip_saved_as_bvh_reads_back_with_the_same_motion_and_layouts(cmu, tmp_path):
    joints = depth_first(cmu_joints(SUBJECT_B_SCALE), SUBJECT_B_ORDER)
    next(j for j in joints if j.name == "LeftArm").channels = ["Xrotation", "Yrotation", "Zrotation"]
    listed = load_motion(
        write_bvh(tmp_path / "131_03.bvh", joints, cmu_frames(joints, scale=SUBJECT_B_SCALE))
    )
    first = load_motion(cmu / "subject_a" / "01_01.bvh").skeleton
    order = listed.skeleton.joint_order_in(first)
    save_bvh(listed.reordered(order), tmp_path / "saved.bvh")
    back = load_motion(tmp_path / "saved.bvh")
    assert back.skeleton.joint_names == first.joint_names
    np.testing.assert_allclose(back.joint_positions(), listed.joint_positions()[:, order], atol=1e-6)
    assert back.source["channels"][first.index("LeftArm")] == ["Xrotation", "Yrotation", "Zrotation"]
    assert back.source["channels"][0] == listed.source["channels"][0]


def test_a_joint_order_must_list_parents_before_children(cmu):
    skeleton = load_motion(cmu / "subject_a" / "01_01.bvh").skeleton
    with pytest.raises(ValueError, match="topologically"):
        skeleton.reordered([0, 2, 1, *range(3, skeleton.num_joints)])  # LeftUpLeg before LHipJoint
    with pytest.raises(ValueError, match="each of the 31 joints once"):
        skeleton.reordered([0, 1, 1, *range(3, skeleton.num_joints)])


def test_fit_clip_lists_a_clip_in_the_checkpoint_order_on_its_own_bone_lengths(cmu, cmu_run):
    ckpt = load_checkpoint(cmu_run)
    canonical = load_motion(cmu / "canonical" / "131_01.bvh")
    fitted = fit_clip(ckpt, load_motion(cmu / "subject_b" / "131_01.bvh"))
    assert fitted.skeleton.joint_names == ckpt.skeleton.joint_names
    np.testing.assert_allclose(fitted.skeleton.offsets, canonical.skeleton.offsets, atol=1e-12)
    assert fit_clip(ckpt, canonical) is canonical


def test_a_clip_at_another_frame_rate_fits_unchanged(cmu, cmu_run):
    ckpt = load_checkpoint(cmu_run)
    fast = replace(load_motion(cmu / "subject_a" / "01_01.bvh"), fps=4 * ckpt.fps)
    assert fit_clip(ckpt, fast) is fast


def test_evaluating_a_reordered_clip_gives_the_figures_of_the_same_clip_in_the_checkpoint_order(cmu, cmu_run):
    ckpt = load_checkpoint(cmu_run)
    listed = evaluate(ckpt, [load_motion(cmu / "subject_b" / "131_01.bvh")])
    canonical = evaluate(ckpt, [load_motion(cmu / "canonical" / "131_01.bvh")])
    assert listed.layers.keys() == canonical.layers.keys()
    for k, figures in canonical.layers.items():
        np.testing.assert_allclose(astuple(listed.layers[k]), astuple(figures), rtol=1e-6)
    assert listed.codebook_usage == canonical.codebook_usage


def test_a_joint_that_is_the_root_in_only_one_tree_is_named():
    offsets = np.zeros((3, 3))
    clip = Skeleton(("Hips", "Root", "Spine"), [-1, 0, 0], offsets)
    reference = Skeleton(("Root", "Hips", "Spine"), [-1, 0, 1], offsets)
    assert describe_difference(clip, reference, reference_label="the checkpoint") == (
        "'Root' hangs from 'Hips' in the clip, is the root in the checkpoint; "
        "'Hips' is the root in the clip, hangs from 'Root' in the checkpoint"
    )
