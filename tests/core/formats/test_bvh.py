"""BVH loading and saving, against the real Bandai and CMU files and small synthetic ones."""

from __future__ import annotations

import contextlib
import time

import numpy as np
import pytest

from core.errors import MotionFileError
from core.formats import load_motion
from core.formats.bvh import load_bvh, save_bvh
from core.motion.clip import Motion
from core.motion.rotations import EULER_ORDERS, euler_to_matrix
from core.motion.skeleton import Skeleton
from tests.helpers.bvh_fixtures import (
    CMU_HIPS_HEIGHT,
    JOINT_CHANNELS,
    ROOT_CHANNELS,
    Joint,
    bvh_text,
    cmu_joints,
    read_raw,
    reference_world_positions,
    write_bvh,
)

BANDAI_WALK = "bandai/dataset-2/dataset-2_walk_youthful_025.bvh"
BANDAI_TRAVELLING_ROOT = "bandai/dataset-1/dataset-1_walk_normal_002.bvh"  # joint_Root moves too
CMU_ICLONE = "cmu_iclone/subjects/002/002_04.bvh"
ASF_UNIT = 0.0254 / 0.45


def elementary(axis: str, degrees: float) -> np.ndarray:
    c, s = np.cos(np.radians(degrees)), np.sin(np.radians(degrees))
    return {
        "X": np.array([[1, 0, 0], [0, c, -s], [0, s, c]]),
        "Y": np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]]),
        "Z": np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]]),
    }[axis]


def two_joints(root_channels: list[str], child_channels: list[str] | None = None) -> list[Joint]:
    """A root 90 units up and a child 80 units above it, ending in a 10-unit End Site."""
    return [
        Joint("Root", -1, [0, 90, 0], root_channels),
        Joint("Child", 0, [0, 80, 0], child_channels if child_channels is not None else [], [0, 10, 0]),
    ]


def heights(motion: Motion, top: str, bottoms: list[str]) -> np.ndarray:
    """Per-frame height of joint ``top`` above the lowest of ``bottoms``."""
    pos = motion.joint_positions()
    names = motion.skeleton.joint_names
    lowest = pos[:, [names.index(b) for b in bottoms], 1].min(axis=1)
    return pos[:, names.index(top), 1] - lowest


# --- every real file ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("folder", "fps", "joint_counts"),
    [("bandai/dataset-1", 30, {22}), ("bandai/dataset-2", 30, {22}), ("cmu_iclone", 60, {100, 101})],
)
def test_every_bvh_in_the_data_folder_loads_cleanly(data_dir, folder, fps, joint_counts):
    files = sorted((data_dir / folder).rglob("*.bvh"))
    assert files, f"no .bvh files under {data_dir / folder}"
    problems = []
    for path in files:
        motion = load_bvh(path)
        if motion.fps != fps or motion.skeleton.num_joints not in joint_counts:
            problems.append(f"{path.name}: {motion.fps} fps, {motion.skeleton.num_joints} joints")
        if motion.source["unit_scale"] != 0.01 or motion.source["warnings"]:
            problems.append(f"{path.name}: unit {motion.source['unit_scale']}, {motion.source['warnings']}")
        if not (np.isfinite(motion.rotations).all() and np.isfinite(motion.root_translation).all()):
            problems.append(f"{path.name}: non-finite values")
    assert not problems, problems[:5]


# --- Bandai: travel on Hips, still joint_Root ------------------------------------------------------


def test_bandai_walk_stands_human_height(data_dir):
    """Bandai's Head joint is the skull base (its End Site has no length), ~1.3 m above the toes."""
    motion = load_bvh(data_dir / BANDAI_WALK)
    height = heights(motion, "Head", ["Foot_L", "Toes_L", "Foot_R", "Toes_R"])
    assert 1.2 < np.median(height) < 2.0


def test_bandai_walk_feet_stay_near_the_floor(data_dir):
    motion = load_bvh(data_dir / BANDAI_WALK)
    pos = motion.joint_positions()
    feet = [motion.skeleton.index(n) for n in ("Foot_L", "Toes_L", "Foot_R", "Toes_R")]
    lowest = pos[:, feet, 1].min(axis=1)
    assert np.mean(np.abs(lowest) < 0.10) > 0.9


def test_bandai_hips_travel_ends_up_in_the_root_translation(data_dir):
    motion = load_bvh(data_dir / BANDAI_WALK)
    travel = motion.root_translation[-1] - motion.root_translation[0]
    assert np.linalg.norm(travel[[0, 2]]) > 3.0
    hips = motion.joint_positions()[:, motion.skeleton.index("Hips")]
    assert np.linalg.norm(hips[-1, [0, 2]] - hips[0, [0, 2]]) > 3.0


def test_bandai_root_walks_on_the_floor_under_the_hips(data_dir):
    motion = load_bvh(data_dir / BANDAI_WALK)
    pos = motion.joint_positions()
    root, hips = pos[:, 0], pos[:, motion.skeleton.index("Hips")]
    np.testing.assert_allclose(root[:, [0, 2]], hips[:, [0, 2]], atol=1e-9)
    assert abs(root[0, 1]) < 1e-9


@pytest.mark.parametrize("clip", [BANDAI_WALK, BANDAI_TRAVELLING_ROOT])
def test_bandai_fk_reproduces_the_file_world_positions(data_dir, clip):
    """Every joint but joint_Root, which now walks on the floor under the hips instead of standing still."""
    path = data_dir / clip
    expected = reference_world_positions(read_raw(path))[:, 1:] * 0.01
    np.testing.assert_allclose(load_bvh(path).joint_positions()[:, 1:], expected, atol=1e-6)


# --- CMU ---------------------------------------------------------------------------------------------


def test_cmu_iclone_loads_at_60_fps_with_about_100_joints_and_human_size(data_dir):
    motion = load_bvh(data_dir / CMU_ICLONE)
    assert motion.fps == 60.0
    assert 100 <= motion.skeleton.num_joints <= 101
    extent = np.ptp(motion.joint_positions()[0], axis=0)
    assert 1.5 < extent[1] < 2.0


def test_cmu_31_joint_layout_loads_in_asf_units_with_a_human_height(tmp_path):
    frames = np.zeros((3, 96))
    frames[:, 1] = CMU_HIPS_HEIGHT
    motion = load_bvh(write_bvh(tmp_path / "cmu.bvh", cmu_joints(), frames, frame_time=1 / 120))
    assert motion.skeleton.num_joints == 31
    assert motion.source["unit_scale"] == pytest.approx(ASF_UNIT)
    skeleton, pos = motion.skeleton, motion.joint_positions()[0]
    head_top = pos[skeleton.index("Head"), 1] + skeleton.end_sites[skeleton.index("Head")][1]  # rest pose
    assert 1.2 < head_top - pos[skeleton.index("LeftToeBase"), 1] < 2.0
    assert pos[0, 1] == pytest.approx(CMU_HIPS_HEIGHT * ASF_UNIT)


# --- round trips -------------------------------------------------------------------------------------


@pytest.mark.parametrize("clip", [BANDAI_WALK, CMU_ICLONE])
def test_load_save_load_keeps_rotations_and_joint_positions(data_dir, tmp_path, clip):
    first = load_bvh(data_dir / clip)
    save_bvh(first, tmp_path / "copy.bvh")
    second = load_bvh(tmp_path / "copy.bvh")
    assert second.skeleton.same_topology(first.skeleton)
    assert np.abs(second.rotations - first.rotations).max() < 1e-5
    assert np.abs(second.joint_positions() - first.joint_positions()).max() < 1e-4
    assert second.fps == first.fps


def test_save_writes_the_source_euler_order_channels_and_unit_back(data_dir, tmp_path):
    first = load_bvh(data_dir / BANDAI_WALK)
    save_bvh(first, tmp_path / "copy.bvh")
    second = load_bvh(tmp_path / "copy.bvh")
    assert second.source["channels"] == first.source["channels"]
    assert second.source["rotation_orders"][1] == "ZXY"
    assert second.source["unit_scale"] == 0.01


def test_end_sites_survive_a_round_trip(tmp_path):
    first = load_bvh(write_bvh(tmp_path / "a.bvh", cmu_joints(), np.zeros((1, 96))))
    save_bvh(first, tmp_path / "b.bvh")
    second = load_bvh(tmp_path / "b.bvh")
    assert second.skeleton.end_sites.keys() == first.skeleton.end_sites.keys()
    for joint, offset in first.skeleton.end_sites.items():
        np.testing.assert_allclose(second.skeleton.end_sites[joint], offset, atol=1e-7)


def test_motion_from_another_format_saves_with_a_zyx_layout_in_centimetres(tmp_path):
    reference = load_bvh(write_bvh(tmp_path / "a.bvh", cmu_joints(), np.zeros((1, 96))))
    rng = np.random.default_rng(0)
    rotations = euler_to_matrix(rng.uniform(-20, 20, (4, 31, 3)), "XYZ")
    motion = Motion(reference.skeleton, rotations, rng.normal(size=(4, 3)), fps=20.0, source={})
    save_bvh(motion, tmp_path / "b.bvh")
    text = (tmp_path / "b.bvh").read_text()
    assert "CHANNELS 6 Xposition Yposition Zposition Zrotation Yrotation Xrotation" in text
    assert "CHANNELS 3 Zrotation Yrotation Xrotation" in text
    back = load_bvh(tmp_path / "b.bvh")
    assert back.source["unit_scale"] == 0.01
    assert np.abs(back.rotations - rotations).max() < 1e-5
    assert np.abs(back.joint_positions() - motion.joint_positions()).max() < 1e-4


def test_save_adds_position_channels_when_a_rotation_only_root_starts_travelling(tmp_path):
    loaded = load_bvh(write_bvh(tmp_path / "a.bvh", two_joints(["Yrotation"]), [[0.0], [0.0]]))
    travelling = np.array([[0.0, 0.9, 0.0], [0.5, 0.9, 0.0]])
    save_bvh(
        Motion(loaded.skeleton, loaded.rotations, travelling, loaded.fps, loaded.source), tmp_path / "b.bvh"
    )
    np.testing.assert_allclose(load_bvh(tmp_path / "b.bvh").root_translation, travelling, atol=1e-6)


def test_save_adds_rotation_channels_a_partially_rotated_joint_needs(tmp_path):
    loaded = load_bvh(write_bvh(tmp_path / "a.bvh", two_joints(ROOT_CHANNELS, ["Zrotation"]), [[0] * 7]))
    rotations = loaded.rotations.copy()
    rotations[0, 1] = elementary("X", 30) @ elementary("Y", 40)
    save_bvh(
        Motion(loaded.skeleton, rotations, loaded.root_translation, 30.0, loaded.source), tmp_path / "b.bvh"
    )
    assert np.abs(load_bvh(tmp_path / "b.bvh").rotations - rotations).max() < 1e-5


# --- channels and Euler orders -------------------------------------------------------------------------


@pytest.mark.parametrize("order", EULER_ORDERS)
def test_each_euler_order_is_intrinsic_in_channel_order(tmp_path, order):
    channels = ["Xposition", "Yposition", "Zposition"] + [f"{axis}rotation" for axis in order]
    path = write_bvh(tmp_path / f"{order}.bvh", two_joints(channels), [[0, 90, 0, 10, 20, 30]])
    expected = elementary(order[0], 10) @ elementary(order[1], 20) @ elementary(order[2], 30)
    np.testing.assert_allclose(load_bvh(path).rotations[0, 0], expected, atol=1e-12)


def test_zrotation_of_90_degrees_turns_the_child_from_up_to_minus_x(tmp_path):
    path = write_bvh(tmp_path / "z.bvh", two_joints(["Zrotation"]), [[90.0]])
    pos = load_bvh(path, unit_scale=0.01).joint_positions()[0]
    np.testing.assert_allclose(pos[1] - pos[0], [-0.8, 0.0, 0.0], atol=1e-12)


def test_channels_may_come_in_any_order_with_positions_interleaved(tmp_path):
    channels = ["Yrotation", "Zposition", "Xrotation", "Xposition", "Zrotation", "Yposition"]
    path = write_bvh(tmp_path / "mixed.bvh", two_joints(channels), [[10, 3, 20, 1, 30, 95]])
    motion = load_bvh(path, unit_scale=0.01)
    np.testing.assert_allclose(motion.root_translation[0], [0.01, 0.95, 0.03])
    expected = elementary("Y", 10) @ elementary("X", 20) @ elementary("Z", 30)
    np.testing.assert_allclose(motion.rotations[0, 0], expected, atol=1e-12)
    assert motion.source["rotation_orders"][0] == "YXZ"


def test_a_joint_with_a_single_rotation_channel_rotates_about_that_axis(tmp_path):
    path = write_bvh(
        tmp_path / "one.bvh", two_joints(ROOT_CHANNELS, ["Xrotation"]), [[0, 90, 0, 0, 0, 0, 45]]
    )
    np.testing.assert_allclose(load_bvh(path).rotations[0, 1], elementary("X", 45), atol=1e-12)


def test_constant_position_channels_on_a_joint_become_its_offset(tmp_path):
    joints = two_joints(ROOT_CHANNELS, ["Xposition", "Yposition", "Zposition", *JOINT_CHANNELS])
    frames = [[0, 90, 0, 0, 0, 0, 1, 70, 2, 0, 0, 0]] * 3
    motion = load_bvh(write_bvh(tmp_path / "pos.bvh", joints, frames), unit_scale=0.01)
    np.testing.assert_allclose(motion.skeleton.offsets[1], [0.01, 0.70, 0.02])
    assert motion.source["warnings"] == []


def test_a_varying_translation_under_a_rotated_root_is_folded_exactly(tmp_path):
    joints = two_joints(
        ["Xposition", "Yposition", "Zposition", "Yrotation"], ["Xposition", "Yposition", "Zposition"]
    )
    joints.append(Joint("Grandchild", 1, [0, 20, 0], ["Zrotation"], [0, 5, 0]))
    frames = [[5, 0, 7, 90, x, 80 + x, 3 * x, 10 * x] for x in range(4)]
    path = write_bvh(tmp_path / "fold.bvh", joints, frames)
    motion = load_bvh(path, unit_scale=0.01)
    expected = reference_world_positions(read_raw(path))[:, 1:] * 0.01
    np.testing.assert_allclose(motion.joint_positions()[:, 1:], expected, atol=1e-12)
    np.testing.assert_allclose(motion.skeleton.offsets[1], [0.0, 0.80, 0.0], atol=1e-12)


def test_other_root_children_riding_along_with_a_fold_are_warned_about(tmp_path):
    joints = two_joints(ROOT_CHANNELS, ["Xposition", "Yposition", "Zposition"])
    joints.append(Joint("Prop", 0, [50, 0, 0], [], [0, 1, 0]))
    frames = [[0, 0, 0, 0, 0, 0, 10 * x, 80, 0] for x in range(3)]
    motion = load_bvh(write_bvh(tmp_path / "prop.bvh", joints, frames), unit_scale=0.01)
    assert any("Prop" in w and "travel" in w for w in motion.source["warnings"])


def test_a_varying_translation_deeper_in_the_tree_keeps_its_first_frame_with_a_warning(tmp_path):
    joints = two_joints(ROOT_CHANNELS, list(JOINT_CHANNELS))
    joints.append(Joint("Stretchy", 1, [0, 20, 0], ["Xposition", "Yposition", "Zposition"], [0, 5, 0]))
    frames = [[0, 90, 0, 0, 0, 0, 0, 0, 0, 0, 20 + x, 0] for x in range(3)]
    motion = load_bvh(write_bvh(tmp_path / "stretch.bvh", joints, frames), unit_scale=0.01)
    np.testing.assert_allclose(motion.skeleton.offsets[2], [0.0, 0.20, 0.0])
    assert any("Stretchy" in w and "first-frame" in w for w in motion.source["warnings"])


# --- text layout, frame rate, units -----------------------------------------------------------------------


def test_crlf_line_endings_and_tabs_load_the_same_as_lf_and_spaces(tmp_path):
    joints, frames = cmu_joints(), np.random.default_rng(0).uniform(-40, 40, (3, 96))
    lf = load_bvh(write_bvh(tmp_path / "lf.bvh", joints, frames))
    crlf = load_bvh(write_bvh(tmp_path / "crlf.bvh", joints, frames, newline="\r\n", indent="\t"))
    np.testing.assert_array_equal(crlf.rotations, lf.rotations)
    np.testing.assert_array_equal(crlf.root_translation, lf.root_translation)
    np.testing.assert_array_equal(crlf.skeleton.offsets, lf.skeleton.offsets)


@pytest.mark.parametrize(("frame_time", "fps"), [("0.0083333", 120.0), ("0.04", 25.0), ("0.0333667", 29.97)])
def test_frame_time_sets_the_frame_rate(tmp_path, frame_time, fps):
    path = write_bvh(tmp_path / "rate.bvh", cmu_joints(), np.zeros((2, 96)), frame_time=frame_time)
    assert load_bvh(path).fps == pytest.approx(fps, rel=1e-4)


@pytest.mark.parametrize(
    ("unit", "metres_per_unit"),
    [("m", 1.0), ("cm", 0.01), ("mm", 0.001), ("inch", 0.0254), ("cmu_asf", ASF_UNIT)],
)
def test_units_are_guessed_from_the_body_size(tmp_path, unit, metres_per_unit):
    joints = cmu_joints(scale=ASF_UNIT / metres_per_unit)
    motion = load_bvh(write_bvh(tmp_path / f"{unit}.bvh", joints, np.zeros((1, 96))))
    assert motion.source["unit_scale"] == pytest.approx(metres_per_unit)
    assert 1.0 < heights(motion, "Head", ["LeftToeBase", "RightToeBase"])[0] < 1.6


def test_unit_scale_argument_overrides_the_guess(tmp_path):
    path = write_bvh(tmp_path / "cm.bvh", cmu_joints(scale=ASF_UNIT / 0.01), np.zeros((1, 96)))
    motion = load_bvh(path, unit_scale=0.001)
    assert motion.source["unit_scale"] == 0.001
    assert heights(motion, "Head", ["LeftToeBase"])[0] < 0.2


def test_load_motion_dispatches_bvh_files(data_dir):
    assert load_motion(data_dir / BANDAI_WALK).source["format"] == "bvh"


def test_source_records_path_format_unit_layout_and_warnings(data_dir):
    source = load_bvh(data_dir / BANDAI_WALK).source
    assert source["path"] == str(data_dir / BANDAI_WALK)
    assert source["format"] == "bvh"
    assert source["unit_scale"] == 0.01
    assert source["channels"][0] == [
        "Xposition",
        "Yposition",
        "Zposition",
        "Zrotation",
        "Xrotation",
        "Yrotation",
    ]
    assert source["rotation_orders"] == ["ZXY"] * 22
    assert source["warnings"] == []


# --- bad input: MotionFileError naming the file and the problem ------------------------------------------


SMALL = bvh_text(
    two_joints(ROOT_CHANNELS, list(JOINT_CHANNELS)), [[0, 90, 0, 1, 2, 3, 4, 5, 6]] * 2, "0.0333"
)
HEADER = SMALL.partition("MOTION")[0]


BAD_FILES = [
    ("", "empty"),
    (" \n\t\n", "empty"),
    (SMALL.replace("HIERARCHY\n", ""), "HIERARCHY"),
    (HEADER, "MOTION"),
    (SMALL[: SMALL.index("JOINT Child") + 30], "truncated header"),
    (SMALL.replace("  }\n}\n", "  }\n"), "unclosed"),
    (
        SMALL[: len(SMALL) - 20],
        "motion section has 16 values in 2 lines, expected 2 frames x 9 channels = 18",
    ),
    (SMALL.replace("6.000000\n", "6.000000 7\n", 1), "frame 1 has 10 values, expected 9"),
    (SMALL.replace(" 6.000000\n", "\n", 1), "frame 1 has 8 values, expected 9"),
    (SMALL.replace("Frames: 2", "Frames: 3"), "expected 3 frames x 9 channels"),
    (SMALL.replace("5.000000", "five", 1), "non-numeric value 'five' in frame 1"),
    (SMALL.replace("5.000000", "nan", 1), "non-finite value nan in frame 1 ('Child' Yrotation)"),
    (SMALL.replace("5.000000", "-inf", 1), "non-finite value -inf"),
    (SMALL.replace("Frames: 2", "Frames: 0"), "zero frames"),
    (SMALL.replace("Frames: 2", "Frames: -2"), "frame count '-2'"),
    (SMALL.replace("Frame Time: 0.0333", "Frame Time: 0"), "frame time"),
    (SMALL.replace("Frame Time: 0.0333", "Frame Time: -0.0333"), "frame time"),
    (
        SMALL.replace("Zrotation Yrotation Xrotation", "Zrotation Wrotation Xrotation", 1),
        "unknown channel 'Wrotation'",
    ),
    (
        SMALL.replace("Zrotation Yrotation Xrotation", "Zrotation Yrotation Zrotation", 1),
        "rotation order ZYZ",
    ),
    (SMALL.replace("CHANNELS 3", "CHANNELS 5"), "declares 5 channels but lists 3"),
    (SMALL.replace("Frames: 2", "Frames: 1000000000"), "header claims 1000000000 frames x 9 channels"),
    (
        SMALL.replace("OFFSET 0.000000 80.000000", "OFFSET 0.000000 eighty"),
        "non-numeric OFFSET of 'Child'",
    ),
    (SMALL.replace("MOTION\n", "MOTION\nFrames 2\n"), "Frames:"),
    ("\x89PNG\r\n\x1a\n\x00\x00binary", "HIERARCHY"),
]


@pytest.mark.parametrize(("content", "reason"), BAD_FILES, ids=[reason for _, reason in BAD_FILES])
def test_bad_files_raise_motion_file_error_naming_file_and_problem(tmp_path, content, reason):
    path = tmp_path / "bad.bvh"
    path.write_bytes(content.encode("latin-1"))
    with pytest.raises(MotionFileError) as caught:
        load_bvh(path)
    assert caught.value.path == str(path)
    assert reason in caught.value.reason


def test_missing_file_raises_motion_file_error(tmp_path):
    with pytest.raises(MotionFileError, match="not found") as caught:
        load_bvh(tmp_path / "nowhere.bvh")
    assert caught.value.path == str(tmp_path / "nowhere.bvh")


def test_undecodable_bytes_in_the_motion_section_are_reported_as_non_numeric(tmp_path):
    path = tmp_path / "bytes.bvh"
    path.write_bytes(SMALL.replace("5.000000", "5.0\xff\xfe", 1).encode("latin-1"))
    with pytest.raises(MotionFileError, match="non-numeric"):
        load_bvh(path)


def test_undecodable_bytes_in_a_joint_name_still_load(tmp_path):
    path = tmp_path / "name.bvh"
    path.write_bytes(SMALL.replace("JOINT Child", "JOINT Ch\xefld").encode("latin-1"))
    assert load_bvh(path).skeleton.num_joints == 2


def test_random_corruption_raises_nothing_but_motion_file_error(tmp_path):
    rng = np.random.default_rng(0)
    source = SMALL.encode()
    path = tmp_path / "fuzz.bvh"
    for _ in range(400):
        data = bytearray(source)
        for _ in range(rng.integers(1, 4)):
            at = int(rng.integers(0, len(data)))
            kind = rng.integers(0, 4)
            if kind == 0:
                del data[at : at + int(rng.integers(1, 12))]
            elif kind == 1:
                data[at:at] = (
                    rng.choice(list(b" \t\n{}-.e0123456789XYZ:#\xff"), int(rng.integers(1, 6)))
                    .astype(np.uint8)
                    .tobytes()
                )
            elif kind == 2:
                data[at] = int(rng.integers(0, 256))
            else:
                data = data[:at]
        path.write_bytes(bytes(data))
        with contextlib.suppress(MotionFileError):
            load_bvh(path)


def test_save_to_an_unwritable_place_raises_motion_file_error(tmp_path):
    motion = load_bvh(write_bvh(tmp_path / "a.bvh", cmu_joints(), np.zeros((1, 96))))
    with pytest.raises(MotionFileError, match="cannot write"):
        save_bvh(motion, tmp_path / "missing-folder" / "b.bvh")


def test_a_skeleton_built_elsewhere_round_trips_through_bvh(tmp_path):
    skeleton = Skeleton(
        ("pelvis", "spine", "head"), np.array([-1, 0, 1]), np.array([[0, 1, 0], [0, 0.3, 0], [0, 0.4, 0.0]])
    )
    rotations = euler_to_matrix(np.array([[[0, 10, 0], [20, 0, 0], [0, 0, 30]]] * 2), "XYZ")
    motion = Motion(skeleton, rotations, np.array([[0, 1.0, 0], [0.2, 1.0, 0]]), fps=30.0)
    save_bvh(motion, tmp_path / "x.bvh")
    back = load_bvh(tmp_path / "x.bvh", unit_scale=0.01)  # too small a body to guess centimetres
    assert back.skeleton.joint_names == skeleton.joint_names
    assert np.abs(back.joint_positions() - motion.joint_positions()).max() < 1e-4


def test_paths_are_accepted_as_strings(data_dir):
    assert isinstance(load_bvh(str(data_dir / BANDAI_WALK)), Motion)


def test_a_hierarchy_deeper_than_any_rig_is_refused_quickly(tmp_path):
    """100,000 nested joints (9 MB) once took 10 s in forward kinematics, quadratic in the chain's depth."""
    joints = 100_000
    lines = ["HIERARCHY", "ROOT j0", "{", "OFFSET 0 0 0", "CHANNELS 3 Zrotation Xrotation Yrotation"]
    lines += [
        f"JOINT j{i}\n{{\nOFFSET 0 1 0\nCHANNELS 3 Zrotation Xrotation Yrotation" for i in range(1, joints)
    ]
    lines += ["}"] * joints + ["MOTION", "Frames: 1", "Frame Time: 0.0333", " ".join(["0"] * 3 * joints)]
    path = tmp_path / "deep.bvh"
    path.write_text("\n".join(lines))
    start = time.perf_counter()
    with pytest.raises(MotionFileError, match="more than 10000 joints") as caught:
        load_bvh(path)
    assert caught.value.path == str(path)
    assert time.perf_counter() - start < 2.0
