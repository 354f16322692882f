"""Is a motion physically plausible? Foot skating, jitter, floor penetration and floating.

A tokenizer can halve MPJPE and still make feet slide or joints buzz; these figures, measured on the
original and on each reconstruction, say whether it does. Positions are ``(T, J, 3)`` in metres, Y up
(every format the project reads is Y up).

* **Foot skating** (GMD, Karunratanakul et al. 2023; OmniControl reports it the same way): the share
  of frame pairs in which a foot within 5 cm of the floor in both frames moves horizontally more
  than 2.5 cm between two 20 fps frames, i.e. faster than 0.5 m/s, both in that pair and on
  average over a window of about 0.25 s around it (5 frames at 20 fps; zeros beyond the clip's ends,
  as GMD averages). GMD's thresholds are for 20 fps; here they are speeds and durations, so a 30 or
  60 fps clip is judged by the same motion: 0.5 m/s (1.67 cm per frame at 30 fps), a window of
  ``2 * round(0.1 * fps) + 1`` frames (7 at 30 fps, 13 at 60 fps). A pair counts once when either
  foot skates.
* **Jitter**: the mean magnitude of the joints' jerk, the third finite difference of position times
  fps^3, in m/s^3 (0 for a pose held still or moved at constant velocity).
* **Penetration / floating**: per frame, the lowest foot's depth below the floor, and its height
  above the 5 cm contact band, in mm, averaged over the frames.

The floor is the lowest height a foot joint of the original reaches in the clip: captures keep their
own floor height (Bandai's toes rest 4 cm above y = 0, CMU's about 1 m below it), and a foot joint
sits some way above the sole, so the original's own lowest foot is the one floor every clip has. The
reconstruction is measured against the original's floor, so the original's penetration is 0 by
definition and the reconstruction's says how far its feet sink below where the real ones stood.

The feet are found by joint name (:func:`find_feet`): per side the toe or ball joint (SMPL-X's and
HumanML3D's ``left_foot``, Bandai's ``Toes_L``, CMU/Character Creator's ``CC_Base_L_ToeBase``,
Mixamo's ``LeftToeBase``), else the ankle-level joint; a skeleton without both is reported as n/a.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np

from core.motion.skeleton import Skeleton

CONTACT_HEIGHT_M = 0.05
"""A foot within this height of the floor touches it (GMD's 5 cm)."""
SKATE_SPEED_M_S = 0.5
"""GMD's 2.5 cm between two 20 fps frames, as a speed."""
WINDOW_HALF_S = 0.1
"""Half-width of the speed average (GMD: 2 frames at 20 fps)."""

_SIDES = {"l": "left", "left": "left", "r": "right", "right": "right"}
_TOE_WORDS = {"toe", "toes", "ball", "toebase"}


@dataclass(frozen=True)
class Feet:
    """The joint that stands for each foot (left, right) and their names."""

    joints: tuple[int, int]
    names: tuple[str, str]


def _words(name: str) -> list[str]:
    """``CC_Base_L_ToeBase`` -> cc, base, l, toe, base; ``LeftFoot`` -> left, foot."""
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Za-z])(?=[0-9])", " ", name)
    return [w for w in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if w]


def _depths(parents: np.ndarray) -> np.ndarray:
    depth = np.zeros(len(parents), dtype=np.int64)
    for j, p in enumerate(parents):  # parents come before children
        depth[j] = depth[p] + 1 if p >= 0 else 0
    return depth


def _foot_of_side(words: list[list[str]], side: str, depth: np.ndarray) -> int | None:
    """The toe/ball joint of ``side`` (the shallowest, then the plainest name), else its foot or
    ankle joint; SMPL names its ball joint ``foot`` beside an ``ankle``."""
    mine = [j for j, w in enumerate(words) if any(_SIDES.get(x) == side for x in w) and "end" not in w]
    has_ankle = any("ankle" in words[j] for j in mine)
    ranked = []
    for j in mine:
        w = set(words[j])
        if w & _TOE_WORDS or ("foot" in w and has_ankle):
            role = 0
        elif "foot" in w:
            role = 1
        elif "ankle" in w:
            role = 2
        else:
            continue
        ranked.append((role, int(depth[j]), len(words[j]), j))
    return min(ranked)[-1] if ranked else None


def find_feet(skeleton: Skeleton) -> Feet | None:
    """The left and right foot joints named in ``skeleton``, or None when either is missing."""
    words = [_words(n) for n in skeleton.joint_names]
    depth = _depths(np.asarray(skeleton.parents))
    left, right = (_foot_of_side(words, side, depth) for side in ("left", "right"))
    if left is None or right is None or left == right:
        return None
    names = skeleton.joint_names
    return Feet((left, right), (names[left], names[right]))


def window_frames(fps: float) -> int:
    """Frames in the speed average at ``fps`` (5 at 20 fps)."""
    return 2 * int(round(WINDOW_HALF_S * fps)) + 1


def floor_height(positions: np.ndarray, feet: Feet) -> float:
    """The lowest height any foot joint reaches in ``positions`` (the original's: see the module docstring)."""
    return float(np.asarray(positions)[:, list(feet.joints), 1].min())


def foot_skate_speeds(positions: np.ndarray, fps: float, feet: Feet, floor: float) -> np.ndarray:
    """``(T - 1, 2)`` horizontal speed (m/s) of each foot between frames t and t + 1 where it skates
    (in contact in both frames, faster than the threshold now and on average), 0 elsewhere."""
    p = np.asarray(positions, dtype=np.float64)[:, list(feet.joints)]
    if len(p) < 2:
        return np.zeros((0, 2))
    speed = np.linalg.norm(np.diff(p[..., [0, 2]], axis=0), axis=-1) * fps
    width = window_frames(fps)
    kernel = np.ones(width) / width
    half = width // 2  # a centred mean, zeros beyond the ends (``mode="same"`` grows short clips)
    average = np.stack([np.convolve(speed[:, f], kernel)[half : half + len(speed)] for f in range(2)], axis=1)
    low = p[..., 1] - floor < CONTACT_HEIGHT_M
    contact = low[:-1] & low[1:]
    skating = contact & (speed > SKATE_SPEED_M_S) & (average > SKATE_SPEED_M_S)
    return np.where(skating, speed, 0.0)


def frame_jerk(
    positions: np.ndarray, fps: float, joints: Sequence[int] | np.ndarray | None = None
) -> np.ndarray:
    """``(T,)`` mean jerk magnitude (m/s^3) of ``joints`` (all by default) at each frame, the third
    difference of frames t-1 .. t+2 placed at t; NaN where undefined (the first and last two frames)."""
    p = np.asarray(positions, dtype=np.float64)
    if joints is not None:
        p = p[:, np.asarray(joints)]
    values = np.full(len(p), np.nan)
    if len(p) >= 4:
        values[1 : len(p) - 2] = np.linalg.norm(np.diff(p, 3, axis=0), axis=-1).mean(axis=1) * fps**3
    return values


def frame_foot_skate(positions: np.ndarray, fps: float, feet: Feet, floor: float) -> np.ndarray:
    """``(T,)`` speed (m/s) of the faster skating foot arriving at frame t (0 when none skates; NaN at
    frame 0): the curve under the timeline."""
    values = np.full(len(positions), np.nan)
    values[1:] = foot_skate_speeds(positions, fps, feet, floor).max(axis=1, initial=0.0)
    return values


@dataclass(frozen=True)
class Plausibility:
    """Sums over frames, so a dataset's figures are clips added together (frame-weighted); read the
    figures from the properties. Counts of feet-based terms are 0 when the skeleton has no feet."""

    skating_pairs: int = 0
    foot_pairs: int = 0
    """Frame pairs of clips with feet (the denominator of the skating share)."""
    jerk_sum: float = 0.0
    jerk_frames: int = 0
    penetration_sum_m: float = 0.0
    floating_sum_m: float = 0.0
    foot_frames: int = 0

    def __add__(self, other: Plausibility) -> Plausibility:
        return Plausibility(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    @property
    def foot_skating(self) -> float | None:
        """Share of frame pairs (0..1) in which a foot skates; None without feet."""
        return self.skating_pairs / self.foot_pairs if self.foot_pairs else None

    @property
    def jitter_m_s3(self) -> float:
        """Mean jerk magnitude of the joints, m/s^3 (0 below four frames)."""
        return self.jerk_sum / self.jerk_frames if self.jerk_frames else 0.0

    @property
    def penetration_mm(self) -> float | None:
        return 1000.0 * self.penetration_sum_m / self.foot_frames if self.foot_frames else None

    @property
    def floating_mm(self) -> float | None:
        return 1000.0 * self.floating_sum_m / self.foot_frames if self.foot_frames else None

    def to_json(self) -> dict:
        return {
            "foot_skating": self.foot_skating,
            "jitter_m_s3": self.jitter_m_s3,
            "penetration_mm": self.penetration_mm,
            "floating_mm": self.floating_mm,
        }

    def cells(self) -> tuple[str, str, str, str]:
        """The four figures as a table prints them (n/a without feet)."""

        def mm(value: float | None) -> str:
            return "n/a" if value is None else f"{value:.1f}"

        skate = "n/a" if self.foot_skating is None else f"{100 * self.foot_skating:.1f}%"
        return skate, f"{self.jitter_m_s3:.1f}", mm(self.penetration_mm), mm(self.floating_mm)


def measure(
    positions: np.ndarray,
    fps: float,
    feet: Feet | None,
    floor: float | None,
    joints: Sequence[int] | np.ndarray | None = None,
) -> Plausibility:
    """One clip's :class:`Plausibility`: jitter over ``joints`` (all by default); the feet-based
    figures against ``floor`` when ``feet`` are given."""
    jerk = frame_jerk(positions, fps, joints)
    defined = jerk[np.isfinite(jerk)]
    if feet is None or floor is None:
        return Plausibility(jerk_sum=float(defined.sum()), jerk_frames=len(defined))
    p = np.asarray(positions, dtype=np.float64)
    skating = foot_skate_speeds(p, fps, feet, floor).max(axis=1, initial=0.0) > 0
    lowest = p[:, list(feet.joints), 1].min(axis=1) - floor
    return Plausibility(
        skating_pairs=int(skating.sum()),
        foot_pairs=len(skating),
        jerk_sum=float(defined.sum()),
        jerk_frames=len(defined),
        penetration_sum_m=float(np.maximum(-lowest, 0.0).sum()),
        floating_sum_m=float(np.maximum(lowest - CONTACT_HEIGHT_M, 0.0).sum()),
        foot_frames=len(p),
    )
