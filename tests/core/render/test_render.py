"""Videos of a comparison (``core.render``, ``rvq-motion render``): files that decode with the frames
and size asked for, whose pictures move; the camera, the frame plan and the errors; headless."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest
from PIL import Image

from core.cli.main import main
from core.errors import ConfigError, MotionFileError
from core.formats import load_motion, save_motion
from core.model.checkpoint import load_checkpoint
from core.render import (
    RenderSettings,
    Scene,
    compare,
    export_video,
    frame_plan,
    render_frames,
    style,
    write_video,
)
from core.render.camera import Camera
from tests.helpers.paths import DEMO_CHECKPOINT, DEMO_CLIP
from tests.helpers.paths import REPO_ROOT as REPO

BEAT2 = Path("beat2/2_scott_0_1_1.npz")


@pytest.fixture(scope="module")
def demo() -> Scene:
    return compare(load_motion(DEMO_CLIP), load_checkpoint(DEMO_CHECKPOINT), "demo_clip.bvh", layers=3)


@pytest.fixture(scope="module")
def original_only() -> Scene:
    return compare(load_motion(DEMO_CLIP), None, "demo_clip.bvh")


def decode_mp4(path: Path) -> tuple[tuple[int, int], list[np.ndarray]]:
    """Size and frames of a video, read back with imageio-ffmpeg's reader."""
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    w, h = meta["size"]
    return (w, h), [np.frombuffer(f, dtype=np.uint8).reshape(h, w, 3) for f in reader]


def decode_gif(path: Path) -> tuple[tuple[int, int], list[np.ndarray], list[int]]:
    with Image.open(path) as gif:
        frames, durations = [], []
        for i in range(gif.n_frames):
            gif.seek(i)
            frames.append(np.asarray(gif.convert("RGB")))
            durations.append(gif.info["duration"])
        return gif.size, frames, durations


def moves(frames: list[np.ndarray]) -> bool:
    """The last frame differs visibly from the first."""
    return float(np.abs(frames[0].astype(int) - frames[-1].astype(int)).mean()) > 0.5


def pixels_of(frame: np.ndarray, rgb: tuple[int, int, int], tolerance: int = 12) -> np.ndarray:
    return np.all(np.abs(frame.astype(int) - rgb) <= tolerance, axis=-1)


# ----- the pieces ---------------------------------------------------------------------------------


def test_the_camera_looks_from_the_front_left_at_its_target():
    target = np.array([1.0, 0.9, -2.0])
    camera = Camera.looking_at(target, 4.0, 1280, 720)
    (centre, depth) = camera.project(target)
    np.testing.assert_allclose(centre, [640, 360], atol=1e-6)
    assert depth == pytest.approx(4.0)
    assert camera.eye[2] > target[2] + 3.5 and camera.eye[0] > target[0]  # in front (+Z), a little to +X
    above, _ = camera.project(target + [0, 0.5, 0])
    right, _ = camera.project(target + [0.5, 0, 0])
    assert above[1] < 360 and right[0] > 640
    behind = camera.project_segments(np.array([camera.eye + [0, 0, 1]]), np.array([camera.eye + [0, 0, 2]]))
    assert np.isnan(behind).all()


def test_the_frame_plan_resamples_by_time_within_the_range(demo):
    assert list(frame_plan(demo, RenderSettings(fps=15, start=10, stop=20))) == [10, 12, 14, 16, 18]
    assert len(frame_plan(demo, RenderSettings())) == demo.num_frames
    assert len(frame_plan(demo, RenderSettings(fps=60, start=0, stop=10))) == 20
    assert list(frame_plan(demo, RenderSettings(start=5, stop=6))) == [5]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (RenderSettings(width=8), "width"),
        (RenderSettings(height=5000), "height"),
        (RenderSettings(fps=0), "frame rate"),
        (RenderSettings(start=50, stop=40), "frame range"),
        (RenderSettings(stop=10_000), "frame range"),
        (RenderSettings(error_scale_mm=-1), "error scale"),
    ],
)
def test_settings_out_of_range_are_a_config_error(demo, settings, message):
    with pytest.raises(ConfigError, match=message):
        next(render_frames(demo, settings))


def test_odd_sizes_become_even_for_h264():
    s = RenderSettings(width=321, height=179).checked(10)
    assert (s.width, s.height) == (322, 180) and s.stop == 10


def test_layers_out_of_range_are_a_config_error():
    with pytest.raises(ConfigError, match="layers"):
        compare(load_motion(DEMO_CLIP), load_checkpoint(DEMO_CHECKPOINT), "demo", layers=7)


def test_frames_show_both_skeletons_with_error_colours_and_move(demo):
    frames = list(render_frames(demo, RenderSettings(width=640, height=360, start=0, stop=60, fps=5)))
    assert len(frames) == 10 and all(f.shape == (360, 640, 3) and f.dtype == np.uint8 for f in frames)
    first = frames[0]
    blue, orange = pixels_of(first, style.ORIGINAL), pixels_of(first, style.RECONSTRUCTION)
    assert blue.sum() > 100 and orange.sum() > 100
    # Side by side, on screen, below the HUD: the original left of the reconstruction.
    blue_x, orange_x = np.nonzero(blue)[1].mean(), np.nonzero(orange)[1].mean()
    assert 100 < blue_x < orange_x < 540
    assert pixels_of(first, style.ERROR_COLORS[0], 30).sum() > 20  # joints coloured by error
    assert pixels_of(first[:60, :250], style.TEXT, 30).sum() > 50  # the HUD's text
    assert moves(frames)


def test_overlay_puts_both_skeletons_in_one_place(demo):
    side = next(render_frames(demo, RenderSettings(width=640, height=360, stop=1)))
    over = next(render_frames(demo, RenderSettings(width=640, height=360, stop=1, overlay=True)))
    gap = [
        np.nonzero(pixels_of(f, style.ORIGINAL))[1].mean()
        - np.nonzero(pixels_of(f, style.RECONSTRUCTION))[1].mean()
        for f in (side, over)
    ]
    assert abs(gap[1]) < 0.3 * abs(gap[0])


def test_without_a_checkpoint_only_the_original_is_drawn(original_only):
    frame = next(render_frames(original_only, RenderSettings(width=640, height=360, stop=1)))
    assert pixels_of(frame, style.ORIGINAL).sum() > 100
    assert pixels_of(frame, style.RECONSTRUCTION).sum() == 0


# ----- files --------------------------------------------------------------------------------------


def test_mp4_decodes_with_the_frames_and_size_asked_for(demo, tmp_path):
    out = tmp_path / "demo.mp4"
    written = write_video(render_frames(demo, RenderSettings(width=320, height=180, stop=45)), out, 30)
    assert written == 45
    size, frames = decode_mp4(out)
    assert size == (320, 180) and len(frames) == 45
    assert moves(frames)
    assert not list(tmp_path.glob(".demo*"))  # the hidden file being written was renamed into place


def test_gif_decodes_with_the_frames_size_and_timing_asked_for(demo, tmp_path):
    out = tmp_path / "demo.gif"
    assert (
        write_video(render_frames(demo, RenderSettings(width=240, height=136, fps=15, stop=60)), out, 15)
        == 30
    )
    size, frames, durations = decode_gif(out)
    assert size == (240, 136) and len(frames) == 30
    assert sum(durations) == 2000 and set(durations) <= {60, 70}  # 15 fps in whole hundredths
    assert moves(frames)
    rendered = next(render_frames(demo, RenderSettings(width=240, height=136, stop=1)))
    assert np.abs(frames[0].astype(int) - rendered).mean() < 3  # the fixed palette keeps the colours


def test_export_yields_progress_and_a_stop_leaves_no_file(demo, tmp_path):
    out = tmp_path / "stopped.mp4"
    done: list[int] = []
    work = export_video(demo, out, RenderSettings(width=160, height=90), should_stop=lambda: len(done) >= 5)
    with pytest.raises(StopIteration) as end:
        while True:
            done.append(next(work))
    assert done == [1, 2, 3, 4, 5] and end.value.value is False
    assert not out.exists() and not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("clip.avi", "unsupported video type .avi"),
        ("missing/clip.mp4", "does not exist"),
        ("dir.mp4", "is a folder"),
    ],
)
def test_unknown_types_and_unwritable_paths_are_a_motion_file_error(demo, tmp_path, name, reason):
    (tmp_path / "dir.mp4").mkdir()
    with pytest.raises(MotionFileError, match=reason):
        write_video(render_frames(demo, RenderSettings(width=64, height=64, stop=2)), tmp_path / name, 30)


def test_a_one_frame_clip_makes_a_one_frame_video(tmp_path, capsys):
    one = tmp_path / "one.bvh"
    save_motion(load_motion(DEMO_CLIP).slice(0, 1), one)
    for suffix in (".mp4", ".gif"):
        out = tmp_path / f"one{suffix}"
        code = main(
            [
                "render",
                str(one),
                "--checkpoint",
                str(DEMO_CHECKPOINT),
                "--out",
                str(out),
                "--size",
                "160x90",
                "--quiet",
            ]
        )
        assert code == 0, capsys.readouterr().err
        frames = decode_mp4(out)[1] if suffix == ".mp4" else decode_gif(out)[1]
        assert len(frames) == 1 and frames[0].shape == (90, 160, 3)


# ----- the command line ---------------------------------------------------------------------------


def test_render_command_writes_the_video_it_reports(tmp_path, capsys):
    out = tmp_path / "demo.mp4"
    argv = ["render", str(DEMO_CLIP), "--checkpoint", str(DEMO_CHECKPOINT), "--out", str(out)]
    code = main(
        [
            *argv,
            "--size",
            "320x180",
            "--frames",
            "20:80",
            "--fps",
            "15",
            "--layers",
            "2",
            "--overlay",
            "--no-align",
            "--quiet",
        ]
    )
    printed = capsys.readouterr().out
    assert code == 0
    assert printed.startswith("30 frames, 320x180 at 15 fps (2 of 6 layers)") and str(out) in printed
    size, frames = decode_mp4(out)
    assert size == (320, 180) and len(frames) == 30


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--frames", "300:400"], "frame range 300:400 is not inside the clip's 224 frames"),
        (["--layers", "0"], "layers must be between 1 and 6"),
        (["--fps", "60", "--out-gif"], "a GIF plays at most 50 frames/s"),
    ],
)
def test_bad_settings_exit_2_with_one_line(tmp_path, capsys, extra, message):
    out = tmp_path / ("x.gif" if "--out-gif" in extra else "x.mp4")
    extra = [e for e in extra if e != "--out-gif"]
    code = main(
        ["render", str(DEMO_CLIP), "--checkpoint", str(DEMO_CHECKPOINT), "--out", str(out), "--quiet", *extra]
    )
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and message in err, err
    assert not list(tmp_path.iterdir())


def test_an_unknown_extension_exits_2_before_loading_anything(tmp_path, capsys):
    out = tmp_path / "x.webm"
    assert main(["render", str(tmp_path / "missing.bvh"), "--out", str(out)]) == 2
    assert (
        capsys.readouterr().err
        == f"rvq-motion: error: {out}: unsupported video type .webm; expected one of .mp4, .gif\n"
    )


def test_usage_errors_of_size_and_frames_exit_2(capsys):
    for bad in (["--size", "big"], ["--frames", "1-2"]):
        with pytest.raises(SystemExit) as exit_:
            main(["render", str(DEMO_CLIP), "--out", "x.mp4", *bad])
        assert exit_.value.code == 2
    capsys.readouterr()


def test_the_command_runs_without_a_display_and_never_loads_qt(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    out = tmp_path / "headless.gif"
    code = (
        "import sys; from core.cli.main import main; "
        f"rc = main(['render', {str(DEMO_CLIP)!r}, '--out', {str(out)!r}, '--size', '128x72', '--frames', '0:10', '--quiet']); "
        "assert not any(m.split('.')[0] in ('PySide6', 'pyqtgraph', 'OpenGL') for m in sys.modules), 'Qt was imported'; "
        "sys.exit(rc)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "(original only)" in result.stdout
    assert decode_gif(out)[0] == (128, 72)


# ----- a 60 s SMPL-X clip ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def beat2_checkpoint(data_dir, tmp_path_factory) -> Path:
    """A two-step SMPL-X tokenizer: any weights will do to film a reconstruction."""
    run = tmp_path_factory.mktemp("beat2-run")
    argv = ["train", "--data", str(data_dir / BEAT2), "--out", str(run), "--preset", "small", "--steps", "2"]
    argv += ["--batch-size", "2", "--window", "16", "--codes", "16", "--no-mirror", "--position-weight", "0"]
    assert main([*argv, "--no-tensorboard"]) == 0
    return run


@pytest.mark.slow
def test_a_60_second_smplx_clip_renders_every_frame(data_dir, beat2_checkpoint, tmp_path, capsys):
    clip = data_dir / BEAT2
    out = tmp_path / "scott.mp4"
    argv = [
        "render",
        str(clip),
        "--checkpoint",
        str(beat2_checkpoint),
        "--out",
        str(out),
        "--size",
        "192x108",
    ]
    assert main([*argv, "--quiet"]) == 0
    assert capsys.readouterr().out.startswith("1906 frames, 192x108 at 30 fps")
    size, frames = decode_mp4(out)
    assert size == (192, 108) and len(frames) == 1906
    assert moves(frames[:: len(frames) - 1])
    alone = tmp_path / "scott.gif"
    assert main(["render", str(clip), "--out", str(alone), "--size", "96x54", "--fps", "5", "--quiet"]) == 0
    assert len(decode_gif(alone)[1]) == 318  # 1906 frames at 30 fps, one in six


def test_the_readme_shows_a_video_the_tool_made_and_it_stays_small():
    assert "](docs/demo_video.gif)" in (REPO / "README.md").read_text()
    gif = REPO / "docs" / "demo_video.gif"
    assert gif.stat().st_size < 1_000_000
    size, frames, _ = decode_gif(gif)
    assert size == (480, 270) and len(frames) == 90  # the README's command: 224 frames at 30 fps, 12 fps


def test_no_frames_is_a_motion_file_error_and_leaves_no_file(tmp_path):
    with pytest.raises(MotionFileError, match="no frames to write"):
        write_video([], tmp_path / "empty.mp4", 30)
    assert not list(tmp_path.iterdir())
