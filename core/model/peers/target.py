"""What an imported tokenizer's features are: representation, skeleton, frame rate and normalisation.

The input width says which features a peer trained on (docs section 6.5, a hint the user may
override with a body part): 263 is HumanML3D's rows (T2M 22-joint skeleton, 20 fps), 251 KIT-ML's
(MMM 21-joint skeleton, 12.5 fps: MoMask's and T2M-GPT's ``kit`` models); 78, 180, 54, 57
and 315 are SynTalker's BEAT2 body parts upper, hands, lower, lower_trans and whole_trans (SMPL-X 55
joints, 30 fps). Statistics: MoMask's ``meta/`` verbatim; the BEAT2 parts' are the whole-body
``beatx_2_330_{mean,std}.npy`` (and ``beatx_2_trans_*`` for the root channels) sliced to the part,
as SynTalker's and GestureLSM's data loaders do; no file says which, so they are asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.errors import MotionFileError
from core.features.body_part import SMPLX_JOINTS, BodyPart
from core.features.humanml3d import HumanML3D
from core.features.representation import Normalizer, Representation
from core.features.smplx_parts import PARTS
from core.formats.humanml3d import FPS as HUMANML3D_FPS
from core.formats.humanml3d import JOINT_NAMES, PARENTS
from core.formats.humanml3d_bodies import KIT
from core.formats.smplx_skeleton import smplx_skeleton
from core.model.peers.sidecars import read_vector
from core.motion.skeleton import Skeleton

BEAT2_FPS = 30.0
PART_BY_WIDTH = {BodyPart.named(name).dim: name for name in PARTS}
"""78 upper, 180 hands, 54 lower, 57 lower_trans, 315 whole_trans."""


class MissingStatisticsError(MotionFileError):
    """The checkpoint carries no normalisation statistics and not all were given (``--stats``)."""


@dataclass(frozen=True)
class StatisticsFile:
    """One file of normalisation statistics an import takes, in the order ``--stats`` takes them."""

    label: str
    """What it holds, for people: "Mean", "Std", "Translation mean", "Translation std"."""
    example: str
    """What the file is called where the peers keep it ("beatx_2_330_mean.npy")."""


def statistics_files(representation: Representation) -> tuple[StatisticsFile, ...]:
    """The statistics files a checkpoint of ``representation`` is imported with: MEAN STD, and for a
    BEAT2 part with root channels the translation MEAN and STD (needed with whole-body statistics)."""
    if isinstance(representation, BodyPart):
        files = (
            StatisticsFile("Mean", "beatx_2_330_mean.npy"),
            StatisticsFile("Std", "beatx_2_330_std.npy"),
        )
        if representation.trans:
            files += (
                StatisticsFile("Translation mean", "beatx_2_trans_mean.npy"),
                StatisticsFile("Translation std", "beatx_2_trans_std.npy"),
            )
        return files
    return StatisticsFile("Mean", "meta/mean.npy"), StatisticsFile("Std", "meta/std.npy")


def missing_statistics(path: Path, family: str, representation: Representation) -> MissingStatisticsError:
    """The error of a checkpoint imported without statistics: which files ``--stats`` takes, and where
    the peers keep them."""
    if isinstance(representation, BodyPart):
        hint = "BEAT2's mean_std/beatx_2_330_{mean,std}.npy" + (
            " and beatx_2_trans_{mean,std}.npy" if representation.trans else ""
        )
        args = "MEAN STD TRANS_MEAN TRANS_STD" if representation.trans else "MEAN STD"
    else:
        hint = "the meta/{mean,std}.npy the model was trained with, or put that meta/ folder beside the file"
        args = "MEAN STD"
    return MissingStatisticsError(
        path,
        f"no normalisation statistics: {family} checkpoints do not carry them; give --stats {args} ({hint})",
    )


@dataclass(frozen=True)
class Target:
    representation: Representation
    skeleton: Skeleton
    fps: float
    source: str
    """Where the representation came from: "inferred from shapes" (the width) or "option"."""


def t2m_skeleton() -> Skeleton:
    """HumanML3D's 22-joint T2M tree; its rest offsets are the SMPL-X template's first 22 joints (the
    same joints in the same tree), since HumanML3D rows carry their own bone lengths."""
    return Skeleton(
        JOINT_NAMES, PARENTS, smplx_skeleton().offsets[: len(JOINT_NAMES)], name="humanml3d_t2m22"
    )


def choose_target(path: Path, input_dim: int, body_part: str | None) -> Target:
    """The representation of a ``input_dim``-wide tokenizer, or the one ``body_part`` names."""
    if body_part:
        try:
            if body_part in PARTS:
                part = BodyPart.named(body_part)
            else:
                names = [n.strip() for n in body_part.split(",") if n.strip()]
                part = BodyPart.of_joints(names, smplx_skeleton())
        except ValueError as exc:
            raise MotionFileError(path, f"--body-part {body_part}: {exc}") from None
        if part.dim != input_dim:
            raise MotionFileError(
                path, f"the {part.name} body part has {part.dim} features, the tokenizer reads {input_dim}"
            )
        return Target(part, smplx_skeleton(), BEAT2_FPS, "option")
    if input_dim == HumanML3D().dim:
        return Target(HumanML3D(), t2m_skeleton(), HUMANML3D_FPS, "inferred from shapes")
    if input_dim == KIT.feature_width:
        return Target(HumanML3D.of_body(KIT), KIT.rest_skeleton(), KIT.fps, "inferred from shapes")
    if input_dim in PART_BY_WIDTH:
        return Target(
            BodyPart.named(PART_BY_WIDTH[input_dim]), smplx_skeleton(), BEAT2_FPS, "inferred from shapes"
        )
    raise MotionFileError(
        path,
        f"the tokenizer reads {input_dim} features, which is no representation the project knows by width "
        "(263 HumanML3D rows, 251 KIT-ML rows; 78, 180, 54, 57, 315 BEAT2 body parts): give --body-part with "
        "SMPL-X joint names separated by commas if it is a part of a body; other representations "
        "(SynTalker's 623-dim layouts) cannot be imported yet",
    )


def normalizer_from_files(path: Path, target: Target, files: tuple[Path, ...]) -> Normalizer:
    """Statistics from MEAN STD [TRANS_MEAN TRANS_STD] files, used verbatim (no floor): whole-body
    BEAT2 statistics are sliced to a body part, statistics of the feature width taken as they are."""
    if len(files) not in (2, 4):
        raise MotionFileError(path, f"--stats takes MEAN STD [TRANS_MEAN TRANS_STD] files, got {len(files)}")
    arrays = [read_vector(Path(f)) for f in files]
    for mean_file, std_file, mean, std in zip(
        files[::2], files[1::2], arrays[::2], arrays[1::2], strict=True
    ):
        if std.shape != mean.shape:
            raise MotionFileError(
                std_file,
                f"statistics of width {std.shape[0]} do not fit the mean {Path(mean_file).name} "
                f"(width {mean.shape[0]}): a mean and its std come from one dataset",
            )
    rep = target.representation
    dim = rep.dim
    if isinstance(rep, BodyPart) and arrays[0].shape[0] == 6 * SMPLX_JOINTS:
        if rep.trans and len(arrays) != 4:
            raise MissingStatisticsError(
                files[0],
                f"the {rep.name} part has root channels: give --stats MEAN STD TRANS_MEAN TRANS_STD "
                "(BEAT2's beatx_2_trans_{mean,std}.npy)",
            )
        trans = (arrays[2], arrays[3]) if rep.trans else (None, None)
        try:
            return rep.normalizer_from(arrays[0], arrays[1], *trans)
        except ValueError as exc:
            raise MotionFileError(files[0], str(exc)) from None
    for file, array in zip(files[:2], arrays[:2], strict=True):
        if array.shape != (dim,):
            raise MotionFileError(file, f"statistics of width {array.shape[0]} do not fit {dim}-dim features")
    return _normalizer(files[1], arrays[0], arrays[1])


def normalizer_from_meta(mean_path: Path, std_path: Path, dim: int) -> Normalizer:
    """MoMask's (or T2M-GPT's) ``meta/{mean,std}.npy``, verbatim."""
    mean, std = read_vector(mean_path), read_vector(std_path)
    for file, array in ((mean_path, mean), (std_path, std)):
        if array.shape != (dim,):
            raise MotionFileError(file, f"statistics of width {array.shape[0]} do not fit {dim}-dim features")
    return _normalizer(std_path, mean, std)


def _normalizer(std_path: Path, mean: np.ndarray, std: np.ndarray) -> Normalizer:
    try:
        normalizer = Normalizer.from_dict({"mean": mean.tolist(), "std": std.tolist()})
    except ValueError as exc:
        raise MotionFileError(std_path, str(exc)) from None
    if not (np.all(np.isfinite(normalizer.mean)) and np.all(np.isfinite(normalizer.std))):
        raise MotionFileError(std_path, "statistics do not fit in float32")
    return normalizer
