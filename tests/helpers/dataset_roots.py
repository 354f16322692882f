"""Dataset roots laid out as they ship, built in a test's folder from symlinks to the real samples in
../shared/data (two HumanML3D clips with their Mean/Std, one BEAT2 clip): the layouts are real, the clips
repeat. KIT-ML roots are synthetic (tests/synthetic_kit.py): no KIT file is on the development machine."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

HUMANML3D_CLIPS = ("000612", "012314")
HUMANML3D_FRAMES = {"000612": 199, "012314": 170}
BEAT2_CLIP = "2_scott_0_1_1"
BEAT2_FRAMES = 1906


def _link(target: Path, link: Path) -> Path:
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target)
    return link


def humanml3d_root(data_dir: Path, root: Path, splits: dict[str, list[str]]) -> Path:
    """``new_joint_vecs/`` with both samples and ``M012314`` (a "mirrored" file: 012314's rows again),
    the dataset's ``Mean.npy``/``Std.npy``, and one ``<name>.txt`` per split."""
    source = data_dir / "humanml3d"
    for clip in HUMANML3D_CLIPS:
        _link(source / "new_joint_vecs" / f"{clip}.npy", root / "new_joint_vecs" / f"{clip}.npy")
    _link(source / "new_joint_vecs" / "012314.npy", root / "new_joint_vecs" / "M012314.npy")
    for stats in ("Mean.npy", "Std.npy"):
        _link(source / stats, root / stats)
    for name, ids in splits.items():
        (root / f"{name}.txt").write_text("".join(f"{i}\n" for i in ids))
    return root


def beat2_root(data_dir: Path, root: Path, types: dict[str, str]) -> Path:
    """``smplxflame_30/<id>.npz`` for every id of ``types`` (each the BEAT2 sample under another speaker's
    name), and ``train_test_split.csv`` giving each id its type."""
    for clip in types:
        _link(data_dir / "beat2" / f"{BEAT2_CLIP}.npz", root / "smplxflame_30" / f"{clip}.npz")
    rows = "".join(f"{clip},{kind}\n" for clip, kind in types.items())
    (root / "train_test_split.csv").write_text("id,type\n" + rows)
    return root


def amass_root(data_dir: Path, root: Path) -> Path:
    """Two subsets of subject folders: an SMPL+H-named and an SMPL-X-named clip (the BEAT2 sample under
    AMASS names) beside the body-shape files AMASS ships with them."""
    clip = data_dir / "beat2" / f"{BEAT2_CLIP}.npz"
    _link(clip, root / "CMU" / "01" / "01_01_poses.npz")
    _link(clip, root / "KIT" / "3" / "walk_stageii.npz")
    np.savez(root / "CMU" / "01" / "shape.npz", betas=np.zeros(16))
    np.savez(root / "KIT" / "3" / "neutral_stagei.npz", betas=np.zeros(16))
    return root


HELD_OUT_STRETCHES = {
    "012314": {"a": (0, 170), "held_a": (10, 130)},
    "000612": {"b": (0, 199), "held_b": (20, 180)},
}
"""Four HumanML3D clips cut from the two samples: two to train on, two held out (by a split file)."""


def held_out_clips(data_dir: Path, root: Path) -> tuple[Path, Path]:
    """``root/clips`` with the :data:`HELD_OUT_STRETCHES` as ``.npy`` files, and ``root/split.json``
    holding out ``held_a`` and ``held_b``: enough for a run to measure held-out MPJPE and FID."""
    clips = root / "clips"
    clips.mkdir(parents=True)
    for source, stretches in HELD_OUT_STRETCHES.items():
        rows = np.load(data_dir / "humanml3d" / "new_joint_vecs" / f"{source}.npy")
        for name, (start, stop) in stretches.items():
            np.save(clips / f"{name}.npy", rows[start:stop])
    split = root / "split.json"
    split.write_text(json.dumps({"holdout": ["held_a.npy", "held_b.npy"]}))
    return clips, split
