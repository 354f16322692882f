"""Videos of a comparison: the original and its reconstruction side by side or overlaid, with a HUD
(clip, checkpoint, layers used, MPJPE of the frame and the clip), as H.264 MP4 or GIF.

Drawn in software with Pillow (:mod:`core.render.draw`), so it runs headless on a machine without a
display or GPU; ``rvq-motion render`` and the app's File > Export video both go through
:func:`export_video`. Only the CLI and the app import this package.
"""

from core.render.draw import render_frames
from core.render.scene import RenderSettings, Scene, compare, frame_plan
from core.render.video import (
    GIF_MAX_FPS,
    VIDEO_TYPES,
    VideoWriter,
    check_video_path,
    export_video,
    output_fps,
    video_frame_count,
    write_video,
)

__all__ = [
    "GIF_MAX_FPS",
    "VIDEO_TYPES",
    "Scene",
    "RenderSettings",
    "VideoWriter",
    "check_video_path",
    "compare",
    "export_video",
    "frame_plan",
    "output_fps",
    "render_frames",
    "video_frame_count",
    "write_video",
]
