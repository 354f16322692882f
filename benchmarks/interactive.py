"""What the app feels like: load, decode, edit preview, layer switch, FK and viewer frame rate.

A 60 s clip at 30 fps (the first 1,800 frames of a long Bandai take) with the demo checkpoint.
Medians over repeats; targets from the issue: edit preview < 20 ms, layer switch < 5 ms,
FK < 5 ms, two skeletons drawn at >= 60 fps at 1280x800 (needs a display: run under
``xvfb-run -a -s "-screen 0 1280x800x24"``; ``--no-render`` skips that row).

  .venv/bin/python benchmarks/interactive.py [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

import numpy as np
import torch
from common import add_clip_and_checkpoint, median_ms

from core.analysis.reconstruction import Reconstruction
from core.formats import load_motion
from core.model.checkpoint import load_checkpoint
from core.motion.kinematics import forward_kinematics
from core.tokens.codec import tokenize
from core.tokens.edit import TokenEditor

FRAMES = 1800


def core_figures(clip_path: Path, ckpt_path: Path) -> tuple[dict[str, float], Reconstruction]:
    def load() -> tuple:
        return load_motion(clip_path), load_checkpoint(ckpt_path)

    load_ms = median_ms(load, 5)
    motion, ckpt = load()
    motion = motion.slice(0, FRAMES)
    editor = TokenEditor(tokenize(ckpt, motion), ckpt.config.nb_code)
    recon = Reconstruction(ckpt, motion, editor.indices)
    full_decode_ms = median_ms(lambda: Reconstruction(ckpt, motion, tokenize(ckpt, motion)), 5)

    rng = np.random.default_rng(0)

    def edit_ms(layer: int, repeats: int = 30) -> float:
        """Set one code, then decode the preview at the level on screen (all layers); the other
        levels are refreshed untimed afterwards, as the app does when idle."""
        times = []
        for _ in range(repeats):
            step = int(rng.integers(0, recon.num_steps))
            start = time.perf_counter()
            code = (int(editor.indices[step, layer]) + 1) % ckpt.config.nb_code
            recon.apply(editor.set_code(step, layer, code), level=recon.num_quantizers)
            times.append(time.perf_counter() - start)
            recon.refresh()
        return 1000 * statistics.median(times)

    edit_first_ms = edit_ms(0)
    edit_last_ms = edit_ms(recon.num_quantizers - 1)

    frame = FRAMES // 2

    def switch() -> None:
        for k in range(1, recon.num_quantizers + 1):
            recon.positions(k)[frame]
            recon.joint_errors(k)[frame]
            recon.mpjpe_mm(k)

    layer_switch_ms = median_ms(switch, 50) / recon.num_quantizers
    rot = motion.rotations.astype(np.float32)
    root = motion.root_translation.astype(np.float32)
    fk_ms = median_ms(
        lambda: forward_kinematics(motion.skeleton.parents, motion.skeleton.offsets, rot, root), 50
    )
    return {
        "load_ms": load_ms,
        "full_decode_ms": full_decode_ms,
        "edit_preview_ms": edit_first_ms,
        "edit_preview_last_layer_ms": edit_last_ms,
        "layer_switch_ms": layer_switch_ms,
        "fk_ms": fk_ms,
    }, recon


def render_fps(clip_path: Path, ckpt_path: Path, seconds: float = 3.0) -> float:
    """Frames per second of the real main window redrawing both skeletons frame after frame."""
    from PySide6.QtWidgets import QApplication

    from app.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    window = MainWindow()
    window.resize(1280, 800)
    window.show()
    window.session.set_checkpoint(load_checkpoint(ckpt_path))
    window.session.set_clip(load_motion(clip_path).slice(0, FRAMES), clip_path)
    window.playback.pause()
    for _ in range(20):
        app.processEvents()
    drawn, start, frame = 0, time.perf_counter(), 0
    while time.perf_counter() - start < seconds:
        frame = (frame + 1) % FRAMES
        window.playback.seek(frame)
        window.viewer.view.repaint()
        app.processEvents()
        drawn += 1
    fps = drawn / (time.perf_counter() - start)
    window.close()
    return fps


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_clip_and_checkpoint(parser)
    parser.add_argument("--no-render", action="store_true", help="skip the viewer frame rate (no display)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args()
    figures, recon = core_figures(args.clip, args.checkpoint)
    if not args.no_render:
        figures["render_fps"] = render_fps(args.clip, args.checkpoint)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, torch threads {torch.get_num_threads()}; "
        f"clip {recon.num_frames} frames, {recon.num_steps} steps x {recon.num_quantizers} layers"
    )
    targets = {"edit_preview_ms": "< 20", "layer_switch_ms": "< 5", "fk_ms": "< 5", "render_fps": ">= 60"}
    print(f"{'measure':<30}{'median':>10}  target")
    for key, value in figures.items():
        print(f"{key:<30}{value:>10.2f}  {targets.get(key, '')}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n")


if __name__ == "__main__":
    main()
