"""Build core/formats/presets/smplx55.json, the SMPL-X 55-joint skeleton preset, from the shared data.

Inputs (in ``$RVQ_MOTION_DATA/skeletons`` or ``../shared/data/skeletons``):
``smplx55_kinematic_tree.json`` (names, parents) and ``smplx55_rest_joints_from_mannequin_x.npz``
(neutral rest joint positions in metres, Y up, from mannequin-x 0.3.0, Apache-2.0, which derived
them from the SMPL-X neutral model). The jaw and the two eyes are NaN there; they are placed from
the head's position and the neck-to-head length (see ``approximate_face_joints``). Re-run after
changing either input: ``.venv/bin/python scripts/make_smplx_preset.py``.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = Path(os.environ.get("RVQ_MOTION_DATA", REPO_ROOT.parent / "shared" / "data"))
OUTPUT = REPO_ROOT / "core" / "formats" / "presets" / "smplx55.json"

# Face joints in units of the neck-to-head length, as (left, up, forward) = (+X, +Y, +Z) from the
# head joint (SMPL-X faces +Z with its left side on +X). The head joint sits at the skull base: the
# jaw hinge is just in front of it at about the same height, the eyeball centres are higher,
# further forward and ~3 cm either side of the midline.
JAW_FROM_HEAD = (0.0, 0.1, 0.3)
EYE_FROM_HEAD = (0.2, 0.45, 0.45)

NOTES = [
    "Approximate neutral SMPL-X template (betas = 0), not the exact rest pose of any body shape: "
    "use core.formats.smplx_skeleton.smplx_skeleton_from_model with your own SMPL-X model file for exact joints.",
    "52 joints (body and hands) are the rest joints shipped by mannequin-x 0.3.0 (Apache-2.0), "
    "which derived them from the SMPL-X neutral model (J_regressor @ v_template).",
    "jaw, left_eye_smplhf and right_eye_smplhf are not in that source; they are placed from the head "
    "joint and the neck-to-head length s: jaw = head + s*(0, 0.1, 0.3), "
    "eyes = head + s*(+-0.2, 0.45, 0.45). They are leaves, so they only affect where the jaw and eyes are drawn.",
    "Offsets are in metres, Y up, +Z forward, each in its parent's frame; the root offset is the rest pelvis position.",
]
ATTRIBUTION = (
    "Rest joints: mannequin-x 0.3.0 (Apache-2.0), derived from the SMPL-X neutral body model "
    "(https://smpl-x.is.tue.mpg.de, SMPL-X model license). Kinematic tree: SMPL-X kintree_table."
)


def approximate_face_joints(rest: np.ndarray, names: list[str]) -> np.ndarray:
    """Fill the jaw and eye rows of ``rest`` (55, 3) from the head and neck positions."""
    out = rest.copy()
    head, neck = rest[names.index("head")], rest[names.index("neck")]
    scale = float(np.linalg.norm(head - neck))
    out[names.index("jaw")] = head + scale * np.asarray(JAW_FROM_HEAD)
    side, up, forward = EYE_FROM_HEAD
    out[names.index("left_eye_smplhf")] = head + scale * np.asarray((side, up, forward))
    out[names.index("right_eye_smplhf")] = head + scale * np.asarray((-side, up, forward))
    return out


def build_preset(data_dir: Path) -> dict:
    """The preset as a ``Skeleton.to_dict``-compatible mapping plus provenance fields."""
    skeletons = data_dir / "skeletons"
    tree = json.loads((skeletons / "smplx55_kinematic_tree.json").read_text())
    with np.load(skeletons / "smplx55_rest_joints_from_mannequin_x.npz", allow_pickle=False) as npz:
        # Shortest float32 decimal, so the JSON shows 0.0031 rather than 0.003100000089...
        rest = np.array([[float(str(np.float32(v))) for v in row] for row in npz["rest_joints"]])
        npz_names = [str(n) for n in npz["joint_names"]]
        npz_parents = npz["parents"].tolist()
    names, parents = tree["joint_names"], tree["parents"]
    if npz_names != names or npz_parents != parents:
        raise SystemExit("kinematic tree and rest joints disagree on joint names or parents")
    missing = [names[i] for i in np.flatnonzero(np.isnan(rest).any(axis=1))]
    if missing != ["jaw", "left_eye_smplhf", "right_eye_smplhf"]:
        raise SystemExit(f"unexpected joints without rest positions: {missing}")
    rest = approximate_face_joints(rest, names)
    offsets = rest.copy()
    offsets[1:] = rest[1:] - rest[np.asarray(parents[1:])]
    return {
        "name": "smplx55",
        "description": "SMPL-X 55-joint skeleton (22 body, jaw, 2 eyes, 2x15 hand joints) in SMPL-X pose order.",
        "notes": NOTES,
        "attribution": ATTRIBUTION,
        "approximated_joints": missing,
        "joint_names": names,
        "parents": parents,
        "offsets": np.round(offsets, 7).tolist(),
        "end_sites": {},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="shared data folder")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    preset = build_preset(args.data)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(preset, indent=1) + "\n")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
