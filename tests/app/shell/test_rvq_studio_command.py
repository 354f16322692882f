"""``rvq-studio --screenshot``: loads, renders once, writes a PNG whose 3D view is not blank, exits."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QImage

from app.shell.main import open_initial, parse_args, screenshot_main
from app.state.resources import DEMO_CHECKPOINT, DEMO_CLIP, demo_available


def test_arguments():
    args = parse_args(["walk.bvh", "--checkpoint", "run", "--screenshot", "s.png"])
    assert (args.clip, args.checkpoint, args.screenshot) == (Path("walk.bvh"), Path("run"), Path("s.png"))
    assert parse_args([]).clip is None


def _run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    return subprocess.run(
        [sys.executable, "-m", "app.shell.main", *args], capture_output=True, text=True, timeout=120, env=env
    )


def test_screenshot_of_a_clip_and_checkpoint(tmp_path, gui_checkpoint, clip_path):
    shot = tmp_path / "shot.png"
    result = _run("--screenshot", str(shot), str(clip_path), "--checkpoint", str(gui_checkpoint))
    assert result.returncode == 0, result.stderr
    image = QImage(str(shot)).convertToFormat(QImage.Format.Format_RGB888)
    assert image.width() >= 1000 and image.height() >= 600
    pixels = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    view = pixels[60:400, 30 * 3 : 800 * 3]  # the 3D view's area (top-left of the window)
    assert view.std() > 5


def test_screenshot_of_a_bad_clip_fails_with_the_reason(qapp, tmp_path, gui_checkpoint, capsys):
    bad = tmp_path / "bad.bvh"
    bad.write_text("nothing")
    args = parse_args(
        ["--screenshot", str(tmp_path / "s.png"), str(bad), "--checkpoint", str(gui_checkpoint)]
    )
    assert screenshot_main(qapp, args) == 2
    assert "bad.bvh" in capsys.readouterr().err


def test_without_arguments_the_demo_opens(window):
    if not demo_available():
        pytest.skip(f"the demo is not bundled in this checkout ({DEMO_CLIP}, {DEMO_CHECKPOINT})")
    open_initial(window, None, None)
    assert window.session.clip_path == DEMO_CLIP
    assert window.session.reconstruction is not None
