"""The ``rvq-motion`` command line on real clips: output people and scripts read, and one-line errors."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core.cli.main import main
from core.formats import load_motion

BVH = Path("bandai/dataset-1/dataset-1_walk_normal_001.bvh")
NPZ = Path("beat2/2_scott_0_1_1.npz")


@pytest.fixture
def bvh(data_dir: Path) -> Path:
    return data_dir / BVH


@pytest.fixture
def npz(data_dir: Path) -> Path:
    return data_dir / NPZ


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_error_line(err: str, path: Path | str) -> None:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"rvq-motion: error: {path}: "), err
    assert "Traceback" not in err


def test_info_prints_a_readable_table(capsys, bvh):
    code, out, err = run_cli(capsys, "info", bvh)
    assert code == 0, err
    assert "frames    195" in out
    assert "fps       30" in out
    assert "duration  6.50 s (0:06.50)" in out
    assert "joints    22" in out
    assert "Hips" in out and "Toes_R" in out


def test_info_json_matches_the_loaded_clip(capsys, bvh):
    code, out, _ = run_cli(capsys, "info", bvh, "--json")
    assert code == 0
    info = json.loads(out)
    motion = load_motion(bvh)
    assert info["format"] and info["path"] == str(bvh)
    assert info["frames"] == motion.num_frames == 195
    assert info["fps"] == pytest.approx(30.0, rel=1e-4)
    assert info["duration_s"] == pytest.approx(motion.duration)
    assert info["num_joints"] == len(info["joints"]) == 22
    assert info["joints"] == list(motion.skeleton.joint_names)
    assert info["parents"][0] == -1


def test_info_json_on_smplx_npz(capsys, npz):
    code, out, _ = run_cli(capsys, "info", npz, "--json")
    assert code == 0
    info = json.loads(out)
    assert (info["frames"], info["num_joints"]) == (1906, 55)
    assert info["fps"] == pytest.approx(30.0)
    assert info["duration_s"] == pytest.approx(1906 / 30)


def test_joints_writes_world_positions_in_metres_y_up(capsys, bvh, tmp_path):
    out_path = tmp_path / "joints.npy"
    code, out, _ = run_cli(capsys, "joints", bvh, "--out", out_path)
    assert code == 0 and str(out_path) in out
    positions = np.load(out_path)
    motion = load_motion(bvh)
    assert positions.shape == (195, 22, 3)
    np.testing.assert_allclose(positions, motion.joint_positions(), atol=1e-5)
    names = motion.skeleton.joint_names
    head_height = positions[:, names.index("Head"), 1]
    toe_height = positions[:, names.index("Toes_L"), 1]
    assert 1.3 < head_height.mean() < 2.0, "Bandai actors are adults; centimetres must become metres"
    assert np.all(head_height > toe_height + 1.0)


def test_convert_bvh_round_trip_keeps_the_motion(capsys, bvh, tmp_path):
    out_path = tmp_path / "walk.bvh"
    code, out, _ = run_cli(capsys, "convert", bvh, out_path)
    assert code == 0 and str(out_path) in out
    original, copy = load_motion(bvh), load_motion(out_path)
    assert copy.skeleton.joint_names == original.skeleton.joint_names
    assert copy.fps == pytest.approx(original.fps, rel=1e-4)
    np.testing.assert_allclose(copy.joint_positions(), original.joint_positions(), atol=1e-3)


@pytest.mark.parametrize("suffix", [".npz", ".bvh"])
def test_convert_smplx_npz_keeps_the_motion(capsys, npz, tmp_path, suffix):
    out_path = tmp_path / f"scott{suffix}"
    code, _, err = run_cli(capsys, "convert", npz, out_path)
    assert code == 0, err
    original, copy = load_motion(npz), load_motion(out_path)
    assert copy.num_frames == original.num_frames
    assert sorted(copy.skeleton.joint_names) == sorted(original.skeleton.joint_names)
    # BVH nests joints depth-first, so compare by name rather than by index.
    order = [copy.skeleton.index(name) for name in original.skeleton.joint_names]
    np.testing.assert_allclose(copy.joint_positions()[:, order], original.joint_positions(), atol=1e-3)


@pytest.mark.parametrize("keep", [0.5, 0.003], ids=["mid-motion", "mid-hierarchy"])
def test_truncated_bvh_is_one_error_line(capsys, bvh, tmp_path, keep):
    data = bvh.read_bytes()
    broken = tmp_path / "truncated.bvh"
    broken.write_bytes(data[: int(len(data) * keep)])
    code, out, err = run_cli(capsys, "info", broken)
    assert code == 2
    assert out == ""
    assert_one_error_line(err, broken)


def test_missing_and_unsupported_inputs_are_one_error_line(capsys, tmp_path):
    missing = tmp_path / "missing.bvh"
    code, _, err = run_cli(capsys, "info", missing)
    assert code == 2
    assert_one_error_line(err, missing)
    text = tmp_path / "notes.txt"
    text.write_text("not motion")
    code, _, err = run_cli(capsys, "convert", text, tmp_path / "out.bvh")
    assert code == 2
    assert_one_error_line(err, text)


def test_unwritable_or_unsupported_outputs_are_one_error_line(capsys, bvh, tmp_path):
    no_dir = tmp_path / "no" / "such" / "dir" / "joints.npy"
    code, _, err = run_cli(capsys, "joints", bvh, "--out", no_dir)
    assert code == 2
    assert_one_error_line(err, no_dir)
    text_out = tmp_path / "walk.txt"
    code, _, err = run_cli(capsys, "convert", bvh, text_out)
    assert code == 2
    assert_one_error_line(err, text_out)
    assert not text_out.exists()


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main([])
    assert exc.value.code == 2
    assert "usage: rvq-motion" in capsys.readouterr().err


def test_installed_console_script_reports_a_truncated_bvh_in_one_line(bvh, tmp_path):
    script = Path(sys.executable).with_name("rvq-motion")
    command = str(script) if script.exists() else shutil.which("rvq-motion")
    assert command, "the rvq-motion console script is not installed (run scripts/bootstrap.sh)"
    broken = tmp_path / "truncated.bvh"
    broken.write_bytes(bvh.read_bytes()[:100_000])
    result = subprocess.run([command, "info", str(broken)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stdout == ""
    assert_one_error_line(result.stderr, broken)


def test_building_the_parser_leaves_torch_unimported():
    """``rvq-motion --help`` and argument errors answer at once: torch loads only when a command runs."""
    code = "import sys; from core.cli.main import build_parser; build_parser(); print('torch' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


@pytest.mark.parametrize("command", ["info", "joints", "convert"])
def test_reading_writing_and_measuring_a_clip_never_imports_torch(command, tmp_path, data_dir):
    """info, joints and convert of a BVH answer in about half a second: torch (2.5 s to import) is not needed."""
    clip = data_dir / "bandai" / "dataset-1" / "dataset-1_walk_normal_001.bvh"
    extra = {"info": [], "joints": ["--out", str(tmp_path / "j.npy")], "convert": [str(tmp_path / "c.bvh")]}[
        command
    ]
    code = (
        "import sys; from core.cli.main import main; "
        f"code = main({[command, str(clip), *extra]!r}); print(code, 'torch' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "0 False"
