"""HumanML3D 263-dim ``new_joint_vecs`` made from the user's own clips, as HumanML3D's ``process_file`` makes them.

:func:`humanml3d_features` takes T2M joint positions (T, 22, 3) at 20 fps, metres, Y up, and
follows ``process_file`` step by step:

1. uniform skeleton: every bone keeps its direction and takes HumanML3D's target length, and the
   root path is scaled by target over source leg length (right hip-knee plus knee-ankle, frame 0).
   HumanML3D gets there by inverse kinematics to local rotations and forward kinematics with the
   target offsets; the rotations cancel, so the bones are rebuilt directly. HumanML3D's target is
   its subject 000021, which we do not have: :data:`TARGET_BONE_LENGTHS` are the bone lengths of
   ``new_joints/012314.npy``'s first frame to the micrometre, a clip HumanML3D retargeted onto
   000021 (its lengths hold to 2e-6 m over all 170 frames);
2. floor: the lowest joint of the whole clip at height 0 (in practice a foot);
3. frame 0's root XZ at the origin;
4. all frames turned about Y so that frame 0 faces +Z, the facing being
   Y x ((right hip - left hip) + (right shoulder - left shoulder)), HumanML3D's ``face_joint_indx``;
5. T frames -> T-1 rows of features, each from frame t (and t+1 for velocities):

   ======= =================================================================================
   0       root yaw velocity: half the change of the heading rotation ``r_rot`` to frame t+1
   1-2     root XZ displacement t -> t+1, turned by ``r_rot[t+1]``
   3       root height
   4-66    joints 1-21: x, z relative to the root, y absolute, turned by ``r_rot[t]``
   67-192  joints 1-21: first two *columns* of HumanML3D's IK rotation matrix (see ``_ik_6d``)
   193-258 all 22 joints: world displacement t -> t+1, turned by ``r_rot[t]``
   259-262 contacts of joints 7, 10 (left) then 8, 11 (right): 1 when the squared displacement
           t -> t+1 (x, y, z summed) is below 0.002 m^2, no height test (HumanML3D's is commented
           out; 012314's contacts come out bit for bit)
   ======= =================================================================================

The heading ``r_rot[t]`` turns frame t's facing onto +Z the way HumanML3D's IK makes it, which is
not step 4's facing: its IK unpacks ``face_joint_indx`` as (left hip, right hip, ...), so the hip vector
enters reversed, across = (left hip - right hip) + (right shoulder - left shoulder); the facing
vectors are then Gaussian-smoothed over time (``smooth_forward``: sigma 20 frames, edges repeated),
and frame 0's heading is forced to +Z, where :func:`~core.formats.humanml3d.recover_from_ric`
starts. Only this reproduces the release's headings (to 3e-7 rad on 012314); any heading would
recover the same positions, but a tokenizer trained on HumanML3D expects these features.

One deliberate departure: HumanML3D takes column 0 as the arcsine of the raw quaternion product,
whose sign is wrong on a frame where the heading crosses 180 degrees (its half-angle quaternions jump
hemisphere there); we use the wrapped heading change, identical on every other frame, so that
``recover_from_ric`` turns every row back into the true heading.

:func:`humanml3d_features` with ``body=KIT`` makes KIT-ML's 251 columns the same way from KIT's 21 joints
(:mod:`core.formats.humanml3d_bodies`: its chains, rest directions, facing and foot joints, millimetres)
but skips step 1: KIT's target subject (03950) is not public, so a KIT clip keeps its own bone lengths.

:func:`motion_to_humanml3d` feeds it a clip: SMPL-X (BEAT2, AMASS; its first 22 joints are the T2M
joints in T2M order) or HumanML3D skeletons, matched by joint name, resampled to 20 fps by linear
interpolation of the joint positions (HumanML3D's own script keeps every int(fps / 20)-th frame,
the same thing for 40, 60 or 120 fps sources). The joints come from the clip's SMPL-X skeleton (the
shipped template unless the clip was loaded with a body model), not from the SMPL-H body HumanML3D
ran AMASS through, so rest bone directions differ as far as the two bodies' joints do; lengths do not
matter, step 1 replaces them.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

import numpy as np
from scipy.ndimage import gaussian_filter1d

from core.errors import MotionFileError
from core.files import atomic_write
from core.formats.humanml3d import FPS, JOINT_NAMES, PARENTS, fit_rotations, positions_from_rows, shortest_arc
from core.formats.humanml3d_bodies import KIT, T2M, RicBody, body_for_width
from core.formats.smplx_skeleton import smplx_skeleton
from core.motion.clip import Motion
from core.motion.skeleton import describe_difference

TARGET_BONE_LENGTHS = T2M.rest_lengths
"""Metres from each joint's parent to the joint (the root's is 0), from new_joints/012314.npy frame 0."""
HEADING_SIGMA = 20.0
"""Frames of Gaussian smoothing of the facing direction (HumanML3D's ``smooth_forward``)."""


def uniform_skeleton(positions: np.ndarray) -> np.ndarray:
    """Joints (T, 22, 3) rebuilt with :data:`TARGET_BONE_LENGTHS`, bone directions kept, the root path scaled
    by the leg-length ratio: HumanML3D's retargeting, so every clip shares one body size."""
    legs_at = list(T2M.leg_joints)
    legs = np.linalg.norm(positions[0, legs_at] - positions[0, PARENTS[legs_at]], axis=-1).sum()
    if not legs > 1e-6:
        raise ValueError("the right leg has no length in the first frame, so the clip cannot be rescaled")
    rebuilt = np.empty_like(positions, dtype=np.float64)
    rebuilt[:, 0] = positions[:, 0] * (TARGET_BONE_LENGTHS[legs_at].sum() / legs)
    for joint in range(1, len(JOINT_NAMES)):
        bone = positions[:, joint] - positions[:, PARENTS[joint]]
        length = np.maximum(np.linalg.norm(bone, axis=-1, keepdims=True), 1e-12)
        rebuilt[:, joint] = rebuilt[:, PARENTS[joint]] + bone * (TARGET_BONE_LENGTHS[joint] / length)
    return rebuilt


def humanml3d_features(positions: np.ndarray, body: RicBody = T2M) -> np.ndarray:
    """(T - 1, 12 J - 1) float64 features of ``body``'s joints (T, J, 3) in metres at its frame rate: steps 1-5
    of the module docstring (KIT without step 1), in the rows' unit."""
    if positions.ndim != 3 or positions.shape[1:] != (body.num_joints, 3):
        raise ValueError(f"positions must be (frames, {body.num_joints}, 3), got {positions.shape}")
    if len(positions) < 2:
        raise ValueError(
            f"{body.dataset} features need at least two frames at {body.fps:g} fps, got {len(positions)}"
        )
    scaled = uniform_skeleton(positions) if body is T2M else positions * body.units_per_metre
    return _features(_place(scaled, body), body)


def _facing(positions: np.ndarray, body: RicBody, hips: float = 1.0) -> np.ndarray:
    """(T, 3) horizontal facing vectors as HumanML3D makes them: the across vector is normalised, the
    result is not. ``hips=-1`` reverses the hip vector, as HumanML3D's IK does for ``r_rot``."""
    right_hip, left_hip, right_shoulder, left_shoulder = body.face_joints
    across = hips * (positions[:, right_hip] - positions[:, left_hip])
    across = across + positions[:, right_shoulder] - positions[:, left_shoulder]
    across = across / np.maximum(np.linalg.norm(across, axis=-1, keepdims=True), 1e-12)
    return np.cross([0.0, 1.0, 0.0], across)


def _heading(forward: np.ndarray) -> np.ndarray:
    """Angle about Y from +Z to each facing vector (T,), radians."""
    return np.arctan2(forward[:, 0], forward[:, 2])


def _turn(vectors: np.ndarray, angle: np.ndarray | float) -> np.ndarray:
    """Vectors (T, ..., 3) turned about +Y by ``angle`` (scalar or per frame (T,))."""
    angle = np.reshape(angle, np.shape(angle) + (1,) * (vectors.ndim - 1 - np.ndim(angle)))
    c, s = np.cos(angle), np.sin(angle)
    turned = vectors.astype(np.float64, copy=True)
    turned[..., 0] = c * vectors[..., 0] + s * vectors[..., 2]
    turned[..., 2] = c * vectors[..., 2] - s * vectors[..., 0]
    return turned


def _yaw_matrices(angle: np.ndarray) -> np.ndarray:
    """(T, 3, 3) rotations about +Y by ``angle`` (T,), the same turn as :func:`_turn`."""
    matrices = np.zeros((len(angle), 3, 3))
    matrices[:, 0, 0] = matrices[:, 2, 2] = np.cos(angle)
    matrices[:, 0, 2], matrices[:, 2, 0] = np.sin(angle), -np.sin(angle)
    matrices[:, 1, 1] = 1.0
    return matrices


def _place(positions: np.ndarray, body: RicBody) -> np.ndarray:
    """Steps 2-4: on the floor, frame 0's root XZ at the origin, frame 0 facing +Z."""
    placed = positions.copy()
    placed[..., 1] -= placed[..., 1].min()
    placed[..., [0, 2]] -= placed[0, 0, [0, 2]]
    return _turn(placed, -_heading(_facing(placed[:1], body))[0])


def _features(positions: np.ndarray, body: RicBody) -> np.ndarray:
    """Step 5 on placed joints (T, J, 3): the columns of the module docstring's table."""
    frames = len(positions)
    facing = _facing(positions, body, hips=-1.0)
    heading = _heading(gaussian_filter1d(facing, HEADING_SIGMA, axis=0, mode="nearest"))
    heading[0] = 0.0
    root = positions[:, 0]
    # r_rot[t] is the turn by -heading[t]; its quaternion's half angle changes by minus half the heading step.
    yaw_velocity = -0.5 * (np.mod(np.diff(heading) + np.pi, 2 * np.pi) - np.pi)
    root_velocity = _turn(root[1:] - root[:-1], -heading[1:])[:, [0, 2]]
    relative = positions[:-1].copy()
    relative[..., [0, 2]] -= root[:-1, None, [0, 2]]
    ric = _turn(relative[:, 1:], -heading[:-1])
    step = positions[1:] - positions[:-1]
    velocity = _turn(step, -heading[:-1])
    contacts = (np.sum(step[:, body.foot_joints] ** 2, axis=-1) < body.contact_threshold).astype(np.float64)
    return np.concatenate(
        [
            yaw_velocity[:, None],
            root_velocity,
            root[:-1, 1:2],
            ric.reshape(frames - 1, -1),
            _ik_6d(positions[:-1], heading[:-1], body),
            velocity.reshape(frames - 1, -1),
            contacts,
        ],
        axis=1,
    )


def _ik_6d(positions: np.ndarray, heading: np.ndarray, body: RicBody) -> np.ndarray:
    """(T, 6 (J - 1)) HumanML3D's IK rotations of joints 1..J-1 as their first two matrix columns.

    Joint j's rotation is the shortest arc from the body's raw direction of j onto its bone (parent ->
    j), taken relative to the previous arc of its kinematic chain; the first bone of every chain,
    the arm chains starting at spine3 (KIT: the lower neck) included, is taken relative to the heading
    rotation ``r_rot``.
    """
    local = np.zeros((len(positions), body.num_joints, 3, 3))
    r_rot = _yaw_matrices(-heading)
    for chain in body.kinematic_chain:
        above = r_rot
        for parent, joint in zip(chain[:-1], chain[1:], strict=True):
            arc = shortest_arc(body.raw_directions[joint], positions[:, joint] - positions[:, parent])
            local[:, joint] = np.swapaxes(above, 1, 2) @ arc
            above = arc
    return np.concatenate([local[:, 1:, :, 0], local[:, 1:, :, 1]], axis=-1).reshape(len(positions), -1)


def _body_positions(motion: Motion) -> tuple[RicBody, np.ndarray]:
    """The body a clip's rows are made for and its joints (T, J, 3) in that body's order, matched by name:
    KIT-ML's for a KIT skeleton, T2M's for an SMPL-X or HumanML3D one."""
    if describe_difference(motion.skeleton, KIT.topology()) is None:
        return KIT, motion.joint_positions()[:, motion.skeleton.joint_order_in(KIT.topology())]
    for reference in (smplx_skeleton(), T2M.topology()):
        if describe_difference(motion.skeleton, reference) is None:
            order = motion.skeleton.joint_order_in(reference)[: len(JOINT_NAMES)]
            return T2M, motion.joint_positions()[:, order]
    raise ValueError(
        f"skeleton '{motion.skeleton.name}' ({motion.skeleton.num_joints} joints) is neither SMPL-X "
        "(55 joints, BEAT2 or AMASS .npz), HumanML3D's 22-joint T2M body nor KIT-ML's 21-joint MMM body, the "
        "skeletons HumanML3D-layout features can be made from; save it as .bvh instead"
    )


def _resample(positions: np.ndarray, fps: float, target: float = FPS) -> np.ndarray:
    """Positions at ``target`` fps over the clip's span, linearly interpolated between its frames."""
    if fps == target:
        return positions
    count = int(np.floor((len(positions) - 1) * target / fps + 1e-9)) + 1
    at = np.arange(count) * (fps / target)
    low = np.minimum(np.floor(at).astype(np.int64), len(positions) - 1)
    high = np.minimum(low + 1, len(positions) - 1)
    weight = (at - low)[:, None, None]
    return positions[low] * (1.0 - weight) + positions[high] * weight


def _loaded_rows(motion: Motion, body: RicBody) -> np.ndarray | None:
    """The rows a clip was made from (a loaded file's, or a decoder's), when they still describe it: same
    frames and rate, and the clip's rotations and root those the rows give (an edit changes them)."""
    rows = motion.source.get("humanml3d_features")
    if not (isinstance(rows, np.ndarray) and rows.ndim == 2 and body_for_width(rows.shape[1]) is body):
        return None
    if rows.shape[0] != motion.num_frames or motion.fps != body.fps:
        return None
    recovered = positions_from_rows(rows.astype(np.float64))
    if np.abs(recovered[:, 0] - motion.root_translation).max() > 1e-4:
        return None
    _, rotations = fit_rotations(recovered, body)
    return rows if np.abs(rotations - motion.rotations).max() <= 1e-6 else None


def motion_to_humanml3d(motion: Motion) -> np.ndarray:
    """(T' - 1, D) float32 features of a clip, T' being its frame count at its body's rate: HumanML3D's 263
    columns at 20 fps for an SMPL-X or HumanML3D clip, KIT-ML's 251 at 12.5 fps for a KIT clip.

    A clip loaded from a feature ``.npy`` and left unchanged gives back the file's own rows (all T of
    them, in the file's dtype): recomputing would drop a frame and re-smooth the heading every time.
    Raises ValueError (saying why) for other skeletons, non-finite values or under two frames.
    """
    body, positions = _body_positions(motion)
    if not np.all(np.isfinite(positions)):
        raise ValueError("the motion holds NaN or infinite values")
    loaded = _loaded_rows(motion, body)
    if loaded is not None:
        return loaded.copy()
    return humanml3d_features(_resample(positions, motion.fps, body.fps), body).astype(np.float32)


def save_humanml3d(motion: Motion, path: str | PathLike[str]) -> None:
    """Write :func:`motion_to_humanml3d`'s rows as a ``.npy`` (whole or not at all: :func:`atomic_write`)."""
    p = Path(path)
    try:
        rows = motion_to_humanml3d(motion)
    except ValueError as exc:
        raise MotionFileError(p, str(exc)) from exc
    with atomic_write(p) as stream:
        np.save(stream, rows)
