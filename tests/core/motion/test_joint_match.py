"""Two converters of one capture name the same tree differently (CMU's LeftUpLeg / LeftHip): trees of the
same shape listed in the same order are matched by position, saying which names were paired; anything
less alike is refused as before."""

from __future__ import annotations

import numpy as np
import pytest

from core.formats import load_motion
from core.motion.clip import renamed_like
from core.motion.skeleton import describe_renaming, match_joints
from tests.helpers.bvh_fixtures import CMU_SUBJECT_002, LEG_NAMES, renamed_copy

CMU = (*CMU_SUBJECT_002, "002_04.bvh")
LEGS = LEG_NAMES


@pytest.fixture(scope="module")
def clips(data_dir, tmp_path_factory):
    """The real CMU clip and a copy whose leg joints another converter named."""
    source = data_dir.joinpath(*CMU)
    renamed = renamed_copy(source, tmp_path_factory.mktemp("renamed") / "002_04_legs.bvh", LEGS)
    return load_motion(source), load_motion(renamed)


def test_the_same_tree_named_otherwise_is_matched_by_position(clips):
    original, renamed = clips
    match = match_joints(renamed.skeleton, original.skeleton)
    np.testing.assert_array_equal(match.order, np.arange(original.skeleton.num_joints))
    assert dict((theirs, ours) for ours, theirs in match.renamed) == LEGS


def test_the_pairs_read_clip_name_first(clips):
    original, renamed = clips
    text = describe_renaming(match_joints(renamed.skeleton, original.skeleton).renamed)
    assert text.startswith("LeftHip = CC_Base_L_Thigh, LeftKnee = CC_Base_L_Calf")


def test_by_name_only_the_renamed_tree_is_refused_saying_it_could_match(clips):
    original, renamed = clips
    with pytest.raises(ValueError, match="LeftHip.*could be matched by position"):
        match_joints(renamed.skeleton, original.skeleton, by_position=False)


def test_joints_that_match_by_name_in_another_order_are_reordered_not_renamed(clips):
    original, _ = clips
    skeleton = original.skeleton
    depth = [0] * skeleton.num_joints
    for j in range(1, skeleton.num_joints):
        depth[j] = depth[skeleton.parents[j]] + 1
    order = sorted(range(skeleton.num_joints), key=lambda j: (depth[j], skeleton.joint_names[j]))
    shuffled = skeleton.reordered(order)
    match = match_joints(shuffled, skeleton)
    assert match.renamed == ()
    assert [shuffled.joint_names[j] for j in match.order] == list(skeleton.joint_names)


def test_a_name_both_trees_use_in_different_places_is_not_matched_by_position(clips):
    original, _ = clips
    names = list(original.skeleton.joint_names)
    left, right = names.index("CC_Base_L_Thigh"), names.index("CC_Base_R_Thigh")
    names[left], names[right] = names[right], names[left]  # legs swapped: a mirror, not a renaming
    with pytest.raises(ValueError):
        match_joints(original.skeleton.renamed(names), original.skeleton)


def test_another_tree_is_refused_as_before(clips, data_dir):
    original, _ = clips
    bandai = load_motion(data_dir / "bandai" / "dataset-1" / "dataset-1_walk_normal_001.bvh")
    with pytest.raises(ValueError, match="100 joints vs 22"):
        match_joints(original.skeleton, bandai.skeleton)


def test_a_clip_matched_by_position_takes_the_reference_names_and_keeps_its_motion(clips):
    original, renamed = clips
    read = renamed_like(renamed, original.skeleton)
    assert read.skeleton.joint_names == original.skeleton.joint_names
    assert dict((theirs, ours) for ours, theirs in read.renamed_joints) == LEGS
    np.testing.assert_array_equal(read.rotations, renamed.rotations)
    np.testing.assert_array_equal(read.skeleton.offsets, renamed.skeleton.offsets)
    np.testing.assert_allclose(read.joint_positions(), original.joint_positions(), atol=1e-9)
