"""The two bodies HumanML3D's row layout is made for: T2M's 22 joints (HumanML3D, 263 columns) and
KIT-ML's 21 (251 columns).

One layout, ``J`` joints: root yaw velocity, root XZ velocity, root height (4), joints 1..J-1 root-relative
(3 each), their 6D rotations (6 each), every joint's velocity (3 each), four foot contacts: 12 J - 1
columns. Everything else that differs between the two datasets is a fact of its body, kept here:
the kinematic chains and rest directions HumanML3D's IK uses (``paramUtil.py``'s ``t2m_*``/``kit_*``),
which joints set the facing, the contacts and the leg length, the frame rate, and the unit.

KIT-ML facts (HumanML3D's ``motion_process.py`` KIT settings, MoMask's and T2M-GPT's ``kit`` options):
joints in the order of the MMM model's names (root, BP, BT, BLN, BUN, LS, LE, LW, RS, RE, RW, LH, LK,
LA, LMrot, LF, RH, RK, RA, RMrot, RF, spelled out below), chains ``[0, 11..15]``, ``[0, 16..20]``,
``[0, 1..4]``, ``[3, 5, 6, 7]``, ``[3, 8, 9, 10]``, facing joints ``[11, 16, 5, 8]``, contacts
``[19, 20]`` then ``[14, 15]``, leg bones ending at 17 and 18, 12.5 fps. HumanML3D's comments call
joint 11 "r_hip" and 5 "sdr_r" where MMM names them left: the features follow the indices, the
names here follow MMM. KIT's rows are in millimetres, MMM's unit (T2M-GPT plots KIT in a radius of
1,920 units against 4 for HumanML3D's metres); no released file was at hand to check, so the unit
is one constant, :attr:`RicBody.units_per_metre`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from core.motion.skeleton import Skeleton


@dataclass(frozen=True, eq=False)
class RicBody:
    """One body of HumanML3D-layout rows; positions in the rows are in ``1 / units_per_metre`` metres."""

    name: str
    """The skeleton's name, stored in checkpoints and shown by ``rvq-motion info``."""
    dataset: str
    format: str
    """``Motion.source["format"]`` of a clip read from such rows."""
    joint_names: tuple[str, ...]
    kinematic_chain: tuple[tuple[int, ...], ...]
    raw_directions: np.ndarray
    """(J, 3) rest direction of each joint's bone in HumanML3D's IK: the 6D columns depend on it."""
    rest_lengths: np.ndarray
    """(J,) metres from each joint's parent, for a nominal rest pose (rows carry their own lengths)."""
    face_joints: tuple[int, int, int, int]
    """HumanML3D's ``face_joint_indx``: the "right hip, left hip, right shoulder, left shoulder" of its code."""
    foot_joints: tuple[int, int, int, int]
    """The contact columns' joints in their order: ``fid_l`` then ``fid_r``."""
    leg_joints: tuple[int, int]
    """The two bones (by their end joint) whose length ratio scales the root path when retargeting."""
    fps: float
    units_per_metre: float
    contact_threshold: float
    """Squared displacement per frame, in the rows' unit, under which a foot joint counts as planted."""

    @property
    def num_joints(self) -> int:
        return len(self.joint_names)

    @property
    def feature_width(self) -> int:
        """4 root + 9 per non-root joint (position, 6D) + 3 per joint (velocity) + 4 contacts."""
        return 12 * self.num_joints - 1

    @cached_property
    def parents(self) -> np.ndarray:
        parents = np.full(self.num_joints, -1)
        for chain in self.kinematic_chain:
            parents[list(chain[1:])] = chain[:-1]
        return parents

    def rest_skeleton(self) -> Skeleton:
        """The tree with rest bones along :attr:`raw_directions`, :attr:`rest_lengths` long (metres)."""
        return Skeleton(
            self.joint_names, self.parents, self.raw_directions * self.rest_lengths[:, None], name=self.name
        )

    def topology(self) -> Skeleton:
        """The tree alone (zero offsets): what a clip's skeleton is compared with."""
        return Skeleton(self.joint_names, self.parents, np.zeros((self.num_joints, 3)), name=self.name)


T2M = RicBody(
    name="humanml3d_t2m22",
    dataset="HumanML3D",
    format="humanml3d",
    joint_names=(
        "pelvis", "left_hip", "right_hip", "spine1", "left_knee", "right_knee", "spine2", "left_ankle",
        "right_ankle", "spine3", "left_foot", "right_foot", "neck", "left_collar", "right_collar", "head",
        "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist",
    ),
    kinematic_chain=((0, 2, 5, 8, 11), (0, 1, 4, 7, 10), (0, 3, 6, 9, 12, 15), (9, 14, 17, 19, 21), (9, 13, 16, 18, 20)),
    raw_directions=np.array(
        [[0, 0, 0], [1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, -1, 0], [0, 1, 0], [0, -1, 0], [0, -1, 0],
         [0, 1, 0], [0, 0, 1], [0, 0, 1], [0, 1, 0], [1, 0, 0], [-1, 0, 0], [0, 0, 1], [0, -1, 0], [0, -1, 0],
         [0, -1, 0], [0, -1, 0], [0, -1, 0], [0, -1, 0]],
        dtype=np.float64,
    ),
    # HumanML3D's target body (subject 000021), read off new_joints/012314.npy's first frame to the micrometre.
    rest_lengths=np.array(
        [0.0, 0.103074, 0.109883, 0.131568, 0.393623, 0.390188, 0.143190, 0.432433, 0.425643, 0.057365, 0.143382,
         0.149419, 0.219360, 0.137487, 0.143383, 0.103039, 0.131614, 0.122984, 0.256840, 0.263092, 0.266012,
         0.269876]
    ),
    face_joints=(2, 1, 17, 16),
    foot_joints=(7, 10, 8, 11),
    leg_joints=(5, 8),
    fps=20.0,
    units_per_metre=1.0,
    contact_threshold=0.002,
)  # fmt: skip

KIT = RicBody(
    name="kit_mmm21",
    dataset="KIT-ML",
    format="kit-ml",
    # MMM's root, BP, BT, BLN, BUN, LS, LE, LW, RS, RE, RW, LH, LK, LA, LMrot, LF, RH, RK, RA, RMrot, RF.
    joint_names=(
        "root", "pelvis", "thorax", "lower_neck", "upper_neck", "left_shoulder", "left_elbow", "left_wrist",
        "right_shoulder", "right_elbow", "right_wrist", "left_hip", "left_knee", "left_ankle", "left_metatarsal",
        "left_toe", "right_hip", "right_knee", "right_ankle", "right_metatarsal", "right_toe",
    ),
    kinematic_chain=((0, 11, 12, 13, 14, 15), (0, 16, 17, 18, 19, 20), (0, 1, 2, 3, 4), (3, 5, 6, 7), (3, 8, 9, 10)),
    raw_directions=np.array(
        [[0, 0, 0], [0, 1, 0], [0, 1, 0], [0, 1, 0], [0, 1, 0], [1, 0, 0], [0, -1, 0], [0, -1, 0], [-1, 0, 0],
         [0, -1, 0], [0, -1, 0], [1, 0, 0], [0, -1, 0], [0, -1, 0], [0, 0, 1], [0, 0, 1], [-1, 0, 0], [0, -1, 0],
         [0, -1, 0], [0, 0, 1], [0, 0, 1]],
        dtype=np.float64,
    ),
    # Nominal adult proportions (about 1.75 m; KIT's target subject 03950 is not public): they only set the
    # rest pose a KIT checkpoint records and the synthetic KIT clips of the tests.
    rest_lengths=np.array(
        [0.0, 0.10, 0.16, 0.22, 0.12, 0.18, 0.30, 0.26, 0.18, 0.30, 0.26, 0.09, 0.42, 0.41, 0.12, 0.06, 0.09,
         0.42, 0.41, 0.12, 0.06]
    ),
    face_joints=(11, 16, 5, 8),
    foot_joints=(19, 20, 14, 15),
    leg_joints=(17, 18),
    fps=12.5,
    units_per_metre=1000.0,
    # HumanML3D's 0.002 m^2 in millimetres squared: the value KIT's release was made with is not in its code.
    contact_threshold=2000.0,
)  # fmt: skip

BODIES = (T2M, KIT)


def body_for_width(width: int) -> RicBody | None:
    """The body whose rows are ``width`` columns wide (263: T2M, 251: KIT), or None."""
    return next((body for body in BODIES if body.feature_width == width), None)


def body_named(name: str) -> RicBody | None:
    """The body whose skeleton is called ``name``, or None."""
    return next((body for body in BODIES if body.name == name), None)
