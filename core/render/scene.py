"""What a video shows and how: a :class:`Scene` (the clip's joints, and its reconstruction's with
their errors, copied out so rendering never touches live state) and :class:`RenderSettings`."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from core.analysis.reconstruction import Reconstruction
from core.errors import ConfigError
from core.model.checkpoint import Checkpoint
from core.motion.clip import Motion
from core.motion.skeleton import Skeleton
from core.tokens.codec import fit_clip, tokenize

MIN_SIZE, MAX_SIZE = 32, 4096


@dataclass(frozen=True)
class Scene:
    """A clip's joint positions and, when a checkpoint is given, its reconstruction's: the arrays and
    the names and numbers the HUD prints. ``errors`` are metres, per frame and joint."""

    original: np.ndarray
    """(T, J, 3) metres, Y up."""
    bones: np.ndarray
    """(B, 2) parent, child joint indices."""
    fps: float
    clip_name: str
    faint_bones: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    """(B,) bones drawn faint: a helper root's, which would look like a third leg."""
    reconstruction: np.ndarray | None = None
    errors: np.ndarray | None = None
    measured: np.ndarray | None = None
    """(J,) joints the tokenizer describes; the others (a body part's rest of the body) are grey."""
    checkpoint_name: str = ""
    layers: int = 0
    num_quantizers: int = 0
    aligned: bool = True
    measured_what: str = ""
    """Which joints the MPJPE covers when not all ("the upper body"), else empty."""

    @property
    def num_frames(self) -> int:
        return int(self.original.shape[0])

    @property
    def height(self) -> float:
        """The character's height (at least half a metre), which sets the camera distance."""
        return max(float(np.ptp(self.original[..., 1])), 0.5)

    def frame_mpjpe_mm(self) -> np.ndarray:
        """(T,) mean error of the measured joints per frame, in millimetres."""
        assert self.errors is not None
        return 1000.0 * self.errors[:, self.measured].mean(axis=1)

    def clip_mpjpe_mm(self) -> float:
        assert self.errors is not None
        return float(1000.0 * self.errors[:, self.measured].mean())

    @classmethod
    def of_motion(cls, motion: Motion, clip_name: str) -> Scene:
        """The original alone (no checkpoint, or a clip the checkpoint cannot read)."""
        return cls(
            original=motion.joint_positions().astype(np.float32),
            bones=motion.skeleton.bones(),
            fps=float(motion.fps),
            clip_name=clip_name,
            faint_bones=faint_bones(motion.skeleton, motion.joint_positions()),
        )

    @classmethod
    def of_reconstruction(
        cls,
        reconstruction: Reconstruction,
        layers: int,
        aligned: bool,
        clip_name: str,
        checkpoint_name: str,
    ) -> Scene:
        """A snapshot of ``reconstruction`` decoded with ``layers`` layers (copies, so later token
        edits do not reach a video being written)."""
        recon = reconstruction
        if not 1 <= layers <= recon.num_quantizers:
            raise ConfigError(f"layers must be between 1 and {recon.num_quantizers}, got {layers}")
        measured = np.zeros(recon.original_positions.shape[1], dtype=bool)
        measured[recon.measured_joints] = True
        whole = bool(measured.all())
        return cls(
            original=np.array(recon.original_positions, dtype=np.float32),
            bones=recon.skeleton.bones(),
            fps=float(recon.fps),
            clip_name=clip_name,
            faint_bones=faint_bones(recon.skeleton, recon.original_positions),
            reconstruction=np.array(recon.positions(layers, aligned), dtype=np.float32),
            errors=np.array(recon.joint_errors(layers, aligned), dtype=np.float32),
            measured=measured,
            checkpoint_name=checkpoint_name,
            layers=int(layers),
            num_quantizers=recon.num_quantizers,
            aligned=aligned,
            measured_what="" if whole else recon.representation.describe(),
        )


def compare(
    motion: Motion,
    checkpoint: Checkpoint | None,
    clip_name: str,
    layers: int | None = None,
    aligned: bool = True,
) -> Scene:
    """Tokenize ``motion`` with ``checkpoint`` and decode it with ``layers`` layers (all when None);
    without a checkpoint, the original alone. A clip the checkpoint cannot read raises MotionFileError."""
    if checkpoint is None:
        return Scene.of_motion(motion, clip_name)
    fitted = fit_clip(checkpoint, motion)
    recon = Reconstruction(checkpoint, fitted, tokenize(checkpoint, fitted))
    return Scene.of_reconstruction(
        recon,
        recon.num_quantizers if layers is None else layers,
        aligned,
        clip_name,
        checkpoint.label,
    )


def faint_bones(skeleton: Skeleton, positions: np.ndarray) -> np.ndarray:
    """The bone of a helper root (e.g. Bandai's ``joint_Root`` on the ground under the hips): a root
    with one child a quarter of the body height away (the app draws it faint too)."""
    bones = skeleton.bones()
    height = max(float(np.ptp(positions[..., 1])), 0.5)
    children = skeleton.children(0)
    faint = np.zeros(len(bones), dtype=bool)
    if len(children) == 1 and np.linalg.norm(skeleton.offsets[children[0]]) > 0.25 * height:
        faint[bones[:, 1] == children[0]] = True
    return faint


@dataclass(frozen=True)
class RenderSettings:
    """How to film a scene: frame size in pixels, output rate (None: the clip's), the clip's
    frames ``[start, stop)`` (None: to the end), skeletons overlaid or side by side, and the top of
    the error colour scale (None: a round figure most joints of the clip fall below)."""

    width: int = 1280
    height: int = 720
    fps: float | None = None
    start: int = 0
    stop: int | None = None
    overlay: bool = False
    error_scale_mm: float | None = None

    def checked(self, num_frames: int) -> RenderSettings:
        """These settings for a clip of ``num_frames`` frames; ConfigError saying what is out of range.
        Odd sizes become even (H.264 in yuv420p needs even sides)."""
        for name, value in (("width", self.width), ("height", self.height)):
            if not MIN_SIZE <= value <= MAX_SIZE:
                raise ConfigError(
                    f"video {name} must be between {MIN_SIZE} and {MAX_SIZE} pixels, got {value}"
                )
        if self.fps is not None and not (math.isfinite(self.fps) and 0 < self.fps <= 240):
            raise ConfigError(f"frame rate must be above 0 and at most 240, got {self.fps:g}")
        stop = num_frames if self.stop is None else self.stop
        if not 0 <= self.start < stop <= num_frames:
            raise ConfigError(
                f"frame range {self.start}:{stop} is not inside the clip's {num_frames} frames (0:{num_frames})"
            )
        if self.error_scale_mm is not None and not self.error_scale_mm > 0:
            raise ConfigError(f"error scale must be positive, got {self.error_scale_mm:g} mm")
        return RenderSettings(
            self.width + self.width % 2,
            self.height + self.height % 2,
            self.fps,
            self.start,
            stop,
            self.overlay,
            self.error_scale_mm,
        )


def frame_plan(scene: Scene, settings: RenderSettings) -> np.ndarray:
    """The clip frame shown in each video frame: the range resampled to the output rate by time, so a
    video plays at the clip's speed whatever its rate (a 120 fps clip at 30 fps shows every 4th frame)."""
    s = settings.checked(scene.num_frames)
    assert s.stop is not None
    fps = s.fps or scene.fps
    count = max(1, math.ceil((s.stop - s.start) * fps / scene.fps - 1e-9))
    frames = s.start + np.floor(np.arange(count) * scene.fps / fps + 0.5).astype(np.int64)
    return np.minimum(frames, s.stop - 1)
