"""What the app feels like: opening, edit preview, layer switch, FK and the viewer's frame rate.

A 60 s clip (the first 1,800 frames) with any checkpoint: the demo's by default, ``--checkpoint`` for
yours, or ``--random seed`` for a seed-size model (width 512, 6 x 1024 x 128) with random weights made
for the clip's skeleton, since decoding costs the same whatever the weights learned. Medians over
repeats, each printed beside its target (issue 17, 2 cores, no GPU):

- opening a clip: the reconstruction at the layers used shows within 1 s, and the event loop never
  stalls for more than 50 ms meanwhile (measured in the real window: needs a display);
- an edit shows on the frame on screen within 16 ms and over its whole window within 50 ms;
- FK of 1,800 frames x 55 joints within 3 ms; two skeletons drawn at >= 60 frames/s at 1280x800.

  xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python benchmarks/interactive.py \\
      --clip ../shared/data/beat2/2_scott_0_1_1.npz --random seed [--json OUT]

``--no-gui`` skips the figures that need a window (open stall, frame rate).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from common import add_clip_and_checkpoint, make_random_checkpoint, median_ms

from core.analysis.reconstruction import Reconstruction
from core.formats import load_motion
from core.model.checkpoint import load_checkpoint
from core.motion.kinematics import forward_kinematics
from core.session.opening import CLIP, first_levels, prepare
from core.tokens.codec import fit_clip

FRAMES = 1800
TARGETS = {
    "open_to_view_ms": ("<= 1000", lambda v: v <= 1000),
    "open_longest_stall_ms": ("<= 50", lambda v: v <= 50),
    "edit_preview_ms": ("<= 16", lambda v: v <= 16),
    "edit_window_ms": ("<= 50", lambda v: v <= 50),
    "layer_switch_ms": ("< 5", lambda v: v < 5),
    "fk_ms": ("<= 3", lambda v: v <= 3),
    "render_fps": (">= 60", lambda v: v >= 60),
}


def clip_of(path: Path):
    motion = load_motion(path)
    return motion.slice(0, min(FRAMES, motion.num_frames))


def core_figures(clip_path: Path, ckpt_path: Path) -> dict[str, float]:
    load_ms = median_ms(lambda: (load_motion(clip_path), load_checkpoint(ckpt_path)), 3)
    ckpt = load_checkpoint(ckpt_path)
    motion = fit_clip(ckpt, clip_of(clip_path))
    q = ckpt.config.num_quantizers
    first = first_levels(ckpt, q, None)
    first_view_ms = median_ms(lambda: prepare(motion, clip_path, ckpt, CLIP, first), 3)
    opening = prepare(motion, clip_path, ckpt, CLIP)
    editor, recon = opening.editor, opening.reconstruction
    full_decode_ms = median_ms(lambda: Reconstruction(ckpt, motion, editor.indices), 3)
    rng = np.random.default_rng(0)

    def edit(layer: int, repeats: int = 30) -> tuple[float, float]:
        """Set one code in a random step with the frame on screen in its reach, decode what that frame
        needs (the preview), then the rest of the window; the other levels are refreshed untimed
        afterwards, as the app does when the user pauses."""
        preview, window = [], []
        for _ in range(repeats):
            step = int(rng.integers(0, recon.num_steps))
            lo, hi = recon.reach_of_step(step)
            focus = int(rng.integers(lo, hi))
            code = (int(editor.indices[step, layer]) + 1) % ckpt.config.nb_code
            start = time.perf_counter()
            recon.apply(editor.set_code(step, layer, code), level=q, focus=focus)
            shown = time.perf_counter()
            recon.refresh_level(q)
            preview.append(shown - start)
            window.append(time.perf_counter() - start)
            recon.refresh()
        return 1000 * statistics.median(preview), 1000 * statistics.median(window)

    recon.positions(q)
    edit_preview_ms, edit_window_ms = edit(0)
    frame = recon.num_frames // 2

    def switch() -> None:
        for k in range(1, q + 1):
            recon.positions(k)[frame]
            recon.joint_errors(k)[frame]
            recon.mpjpe_mm(k)

    layer_switch_ms = median_ms(switch, 50) / q
    rot = motion.rotations.astype(np.float32)
    root = motion.root_translation.astype(np.float32)
    fk_ms = median_ms(
        lambda: forward_kinematics(motion.skeleton.parents, motion.skeleton.offsets, rot, root), 50
    )
    return {
        "load_ms": load_ms,
        "first_view_ms": first_view_ms,
        "full_decode_ms": full_decode_ms,
        "edit_preview_ms": edit_preview_ms,
        "edit_window_ms": edit_window_ms,
        "layer_switch_ms": layer_switch_ms,
        "fk_ms": fk_ms,
    }


def gui_figures(clip_path: Path, ckpt_path: Path, seconds: float = 3.0) -> dict[str, float]:
    """In the real main window at 1280x800: opening the clip (time until its reconstruction is on
    screen, longest event-loop stall meanwhile, measured by a 5 ms timer), then the frame rate of
    redrawing both skeletons frame after frame."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.shell.main import freeze_startup_objects
    from app.shell.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    window = MainWindow()
    freeze_startup_objects()  # as rvq-studio does
    window.prompts.unsaved_edits = lambda: "discard"
    window.resize(1280, 800)
    window.show()
    window.documents.open_checkpoint(ckpt_path)
    for _ in range(20):
        app.processEvents()
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    start = time.perf_counter()
    window.documents.open_clip(clip_path)
    shown = time.perf_counter()
    while window.session.reconstruction.missing_levels:
        app.processEvents()
    timer.stop()
    marks = [start, *ticks]
    stall = max(b - a for a, b in itertools.pairwise(marks))
    window.playback.pause()
    drawn, begin, frame = 0, time.perf_counter(), 0
    num_frames = window.session.num_frames
    while time.perf_counter() - begin < seconds:
        frame = (frame + 1) % num_frames
        window.playback.seek(frame)
        window.viewer.view.repaint()
        app.processEvents()
        drawn += 1
    fps = drawn / (time.perf_counter() - begin)
    window.close()
    return {
        "open_to_view_ms": 1000 * (shown - start),
        "open_longest_stall_ms": 1000 * stall,
        "render_fps": fps,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_clip_and_checkpoint(parser)
    parser.add_argument(
        "--random", metavar="PRESET", help="time a model of this preset's size with random weights"
    )
    parser.add_argument(
        "--no-gui", "--no-render", action="store_true", help="skip the figures that need a window"
    )
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        checkpoint = args.checkpoint
        if args.random:
            checkpoint = make_random_checkpoint(Path(tmp) / "random", args.clip, args.random)
        figures = core_figures(args.clip, checkpoint)
        if not args.no_gui:
            figures |= gui_figures(args.clip, checkpoint)
        config = load_checkpoint(checkpoint).config
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, torch threads {torch.get_num_threads()}; "
        f"clip {args.clip.name}, checkpoint width {config.width}, {config.num_quantizers} x {config.nb_code} "
        f"x {config.code_dim}"
    )
    print(f"{'measure':<26}{'median':>10}  {'target':<9} met")
    for key, value in figures.items():
        target, met = TARGETS.get(key, ("", None))
        print(
            f"{key:<26}{value:>10.2f}  {target:<9} {'' if met is None else ('yes' if met(value) else 'NO')}"
        )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n")


if __name__ == "__main__":
    main()
