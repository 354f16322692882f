"""``rvq-motion render``: a video of a clip beside its reconstruction (MP4 or GIF), headless.

Drawn in software (:mod:`core.render`), so it needs no display or GPU: a CI machine or a server can
make the videos that go into a report or a pull request. Without ``--checkpoint`` the clip is drawn
alone. Bad settings, an unknown extension or an unwritable path exit 2 before any frame is drawn.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path


def _size(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d+)\s*[xX×]\s*(\d+)\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT such as 1280x720, got {text!r}")
    return int(match[1]), int(match[2])


def _frames(text: str) -> tuple[int, int | None]:
    match = re.fullmatch(r"\s*(\d*)\s*:\s*(\d*)\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(
            f"expected A:B (frames A to B-1; A: or :B for an open end), got {text!r}"
        )
    return int(match[1] or 0), (int(match[2]) if match[2] else None)


def _positive(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {text}")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "render",
        help="render a video of a clip beside its reconstruction (MP4 or GIF)",
        description="Draw the clip (blue) and its reconstruction (orange, joints coloured by error) on a "
        "ground grid with the clip, checkpoint, layers used and MPJPE, and write an H.264 .mp4 or a .gif "
        "(the extension picks). Runs without a display.",
    )
    parser.add_argument("clip", type=Path, help="a .bvh, SMPL-X .npz or HumanML3D .npy clip")
    parser.add_argument("--out", type=Path, required=True, metavar="VIDEO.mp4|VIDEO.gif")
    parser.add_argument(
        "--checkpoint", type=Path, help="checkpoint folder or run folder (without it: the clip alone)"
    )
    parser.add_argument(
        "--layers", type=int, metavar="K", help="decode with the first K layers (default: all)"
    )
    parser.add_argument(
        "--size",
        type=_size,
        default=(1280, 720),
        metavar="WxH",
        help="frame size in pixels (default 1280x720)",
    )
    parser.add_argument("--overlay", action="store_true", help="draw both skeletons in one place")
    parser.add_argument(
        "--fps", type=_positive, metavar="F", help="frame rate (default: the clip's; a GIF at most 50)"
    )
    parser.add_argument(
        "--frames", type=_frames, default=(0, None), metavar="A:B", help="only frames A to B-1 of the clip"
    )
    parser.add_argument(
        "--no-align",
        dest="align",
        action="store_false",
        help="show the decoded root path and count its drift as error (default: on the original's root path)",
    )
    parser.add_argument(
        "--error-scale",
        type=_positive,
        metavar="MM",
        help="error at the top of the colour scale (default: a round figure most joints fall below)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import time

    from tqdm import tqdm

    from core.formats import load_motion
    from core.model.checkpoint import load_checkpoint
    from core.render import (
        RenderSettings,
        check_video_path,
        compare,
        export_video,
        output_fps,
        video_frame_count,
    )

    out = check_video_path(args.out)
    motion = load_motion(args.clip)
    ckpt = load_checkpoint(args.checkpoint) if args.checkpoint is not None else None
    scene = compare(motion, ckpt, args.clip.name, layers=args.layers, aligned=args.align)
    start, stop = args.frames
    settings = RenderSettings(
        width=args.size[0],
        height=args.size[1],
        fps=args.fps,
        start=start,
        stop=stop,
        overlay=args.overlay,
        error_scale_mm=args.error_scale,
    ).checked(scene.num_frames)
    fps = output_fps(scene, settings, out)
    total = video_frame_count(scene, settings)
    began = time.perf_counter()
    with tqdm(total=total, unit="frame", leave=False, disable=args.quiet) as bar:
        for _ in export_video(scene, out, settings):
            bar.update()
    seconds = time.perf_counter() - began
    what = f"{scene.layers} of {scene.num_quantizers} layers" if ckpt is not None else "original only"
    print(
        f"{total} frames, {settings.width}x{settings.height} at {fps:g} fps ({what}) "
        f"in {seconds:.1f} s ({total / max(seconds, 1e-9):.0f} frames/s) -> {out}"
    )
    return 0
