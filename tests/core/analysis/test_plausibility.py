"""Physical plausibility (core.analysis.plausibility): feet found by name on every skeleton the project
reads, and foot skating, jitter, penetration and floating measured on real poses with known motion."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.ndimage import uniform_filter1d

from core.analysis.plausibility import (
    Plausibility,
    find_feet,
    floor_height,
    frame_foot_skate,
    frame_jerk,
    measure,
    window_frames,
)
from core.formats import load_motion
from core.motion.skeleton import Skeleton
from tests.helpers.bvh_fixtures import CMU_JOINTS

BANDAI_BOW = "bandai/dataset-1/dataset-1_bow_active_001.bvh"


def skeleton_named(names: list[str], parents: list[int]) -> Skeleton:
    return Skeleton(tuple(names), np.array(parents), np.zeros((len(names), 3)))


@pytest.mark.parametrize(
    ("clip", "feet"),
    [
        (BANDAI_BOW, ("Toes_L", "Toes_R")),
        ("humanml3d/new_joint_vecs/012314.npy", ("left_foot", "right_foot")),
        ("beat2/2_scott_0_1_1.npz", ("left_foot", "right_foot")),
        ("cmu_iclone/subjects/001/001_01.bvh", ("CC_Base_L_ToeBase", "CC_Base_R_ToeBase")),
    ],
)
def test_the_feet_are_the_toe_joints_each_real_skeleton_names(data_dir: Path, clip: str, feet: tuple) -> None:
    assert find_feet(load_motion(data_dir / clip).skeleton).names == feet


def test_cmu_and_mixamo_names_give_the_toe_base_and_an_ankle_only_rig_its_foot_joint() -> None:
    names = [name for name, _, _ in CMU_JOINTS]
    parents = [-1 if p is None else names.index(p) for _, p, _ in CMU_JOINTS]
    assert find_feet(skeleton_named(names, parents)).names == ("LeftToeBase", "RightToeBase")
    mixamo = [
        "mixamorig:Hips",
        "mixamorig:LeftUpLeg",
        "mixamorig:LeftFoot",
        "mixamorig:RightUpLeg",
        "mixamorig:RightFoot",
    ]
    assert find_feet(skeleton_named(mixamo, [-1, 0, 1, 0, 3])).names == (
        "mixamorig:LeftFoot",
        "mixamorig:RightFoot",
    )


def test_a_skeleton_without_feet_reports_none() -> None:
    upper = skeleton_named(["Hips", "Spine", "Head", "Hand_L", "Hand_R"], [-1, 0, 1, 1, 1])
    assert find_feet(upper) is None
    figures = measure(np.zeros((10, 5, 3)), 30.0, None, None)
    assert figures.foot_skating is None and figures.penetration_mm is None
    assert figures.cells()[0] == "n/a" and figures.cells()[2] == "n/a"


@pytest.fixture(scope="module")
def standing(data_dir: Path) -> tuple[np.ndarray, float, object]:
    """The first pose of a real Bandai take (standing, both toes on the floor) and its fps and feet."""
    clip = load_motion(data_dir / BANDAI_BOW)
    return clip.joint_positions()[0], clip.fps, find_feet(clip.skeleton)


def held(pose: np.ndarray, frames: int) -> np.ndarray:
    return np.repeat(pose[None], frames, axis=0)


def slid(pose: np.ndarray, frames: int, fps: float, speed: float) -> np.ndarray:
    """``pose`` moved sideways (x) at ``speed`` m/s."""
    positions = held(pose, frames)
    positions[..., 0] += (np.arange(frames) * speed / fps)[:, None]
    return positions


def test_a_pose_held_still_neither_skates_nor_jitters(standing) -> None:
    pose, fps, feet = standing
    positions = held(pose, 60)
    figures = measure(positions, fps, feet, floor_height(positions, feet))
    assert figures.foot_skating == 0.0 and figures.jitter_m_s3 == 0.0
    assert figures.penetration_mm == 0.0 and figures.floating_mm == 0.0


def test_a_pose_slid_along_the_floor_at_constant_speed_skates_in_every_frame_without_jerk(standing) -> None:
    pose, fps, feet = standing
    positions = slid(pose, 60, fps, speed=1.0)
    figures = measure(positions, fps, feet, floor_height(positions, feet))
    assert figures.foot_skating == 1.0
    assert figures.jitter_m_s3 == pytest.approx(0.0, abs=1e-6)
    speeds = frame_foot_skate(positions, fps, feet, floor_height(positions, feet))
    assert np.isnan(speeds[0]) and np.allclose(speeds[1:], 1.0)


@pytest.mark.parametrize("fps", [20.0, 30.0, 60.0])
def test_the_skating_threshold_is_a_speed_so_every_frame_rate_judges_the_same_slide_alike(
    standing, fps
) -> None:
    """GMD's 2.5 cm between 20 fps frames is 0.5 m/s: at 60 fps a 1 m/s slide moves 1.7 cm a frame
    and still skates, a 0.4 m/s one never does."""
    pose, _, feet = standing
    for speed, share in ((1.0, 1.0), (0.4, 0.0)):
        positions = slid(pose, int(3 * fps), fps, speed)
        assert measure(positions, fps, feet, floor_height(positions, feet)).foot_skating == share
    assert window_frames(20.0) == 5


def test_a_slide_above_the_contact_band_is_not_skating(standing) -> None:
    pose, fps, feet = standing
    floor = floor_height(held(pose, 2), feet)
    lifted = slid(pose, 60, fps, speed=1.0)
    lifted[..., 1] += 0.06
    figures = measure(lifted, fps, feet, floor)
    assert figures.foot_skating == 0.0
    assert figures.floating_mm == pytest.approx(10.0, abs=1e-6)  # 60 mm up, 50 mm of them contact band


def test_sinking_below_the_original_floor_is_penetration(standing) -> None:
    pose, fps, feet = standing
    floor = floor_height(held(pose, 2), feet)
    sunk = held(pose, 30)
    sunk[..., 1] -= 0.03
    assert measure(sunk, fps, feet, floor).penetration_mm == pytest.approx(30.0, abs=1e-6)


def test_jitter_is_the_mean_jerk_in_metres_per_second_cubed_at_any_frame_rate() -> None:
    for fps in (20.0, 30.0, 60.0):
        t = np.arange(int(fps)) / fps
        positions = np.zeros((len(t), 2, 3))
        positions[:, :, 0] = (t**3)[:, None]  # x = t^3: jerk 6 m/s^3 throughout
        assert measure(positions, fps, None, None).jitter_m_s3 == pytest.approx(6.0, rel=1e-6)
        jerk = frame_jerk(positions, fps)
        assert np.isnan(jerk[[0, -2, -1]]).all() and np.allclose(jerk[1:-2], 6.0)


def test_humanml3d_skating_is_gmds_measure_at_20_fps(data_dir: Path) -> None:
    """On HumanML3D's own joints (floor at 0) the share equals GMD's formula, computed here with
    SciPy's moving average: feet 10 and 11, 5 cm, 0.5 m/s now and over 5 frames."""
    clip = load_motion(data_dir / "humanml3d" / "new_joint_vecs" / "012314.npy")
    joints = clip.joint_positions()
    feet = find_feet(clip.skeleton)
    assert feet.joints == (10, 11) and abs(floor_height(joints, feet)) < 1e-5
    f = joints[:, [10, 11]]
    speed = np.linalg.norm(np.diff(f[..., [0, 2]], axis=0), axis=-1) * 20.0
    average = uniform_filter1d(speed, size=5, axis=0, mode="constant")
    contact = (f[:-1, :, 1] < 0.05) & (f[1:, :, 1] < 0.05)
    gmd = (contact & (speed > 0.5) & (average > 0.5)).any(axis=1).mean()
    ours = measure(joints, clip.fps, feet, floor_height(joints, feet)).foot_skating
    assert ours == pytest.approx(gmd) and 0 < ours < 1


def test_clips_add_up_frame_weighted(data_dir: Path, standing) -> None:
    pose, fps, feet = standing
    still = measure(held(pose, 31), fps, feet, floor_height(held(pose, 2), feet))
    sliding = measure(slid(pose, 11, fps, 1.0), fps, feet, floor_height(held(pose, 2), feet))
    both = still + sliding
    assert both.foot_skating == pytest.approx(10 / 40)
    assert both.jitter_m_s3 == pytest.approx(0.0, abs=1e-6)
    assert Plausibility() + both == both


def test_a_real_beat2_clip_has_finite_figures_of_everyday_size(data_dir: Path) -> None:
    clip = load_motion(data_dir / "beat2" / "2_scott_0_1_1.npz")
    joints = clip.joint_positions()
    feet = find_feet(clip.skeleton)
    figures = measure(joints, clip.fps, feet, floor_height(joints, feet))
    assert 0 <= figures.foot_skating < 0.2  # a speaker standing and gesturing
    assert 0 < figures.jitter_m_s3 < 500 and figures.penetration_mm == 0.0
