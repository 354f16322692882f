"""SMPL-X mesh speed: linear blend skinning per frame, and the viewer drawing two skinned bodies.

Prints a table: ms per frame of :func:`core.motion.skinning.skin_frame` (one frame on demand, what the
viewer calls) and of :func:`skin` over a whole clip divided by its frames, for the tests' synthetic
model (40 vertices) and for a body-like synthetic model with the real SMPL-X size (10,475 vertices,
20,908 faces; model files are never shipped, so its shape and weights are made up). Then the viewer's
frames/s with the original and a reconstruction drawn as 10,475-vertex meshes at 1280x800, under a
private Xvfb display (software OpenGL, so a GPU desktop draws faster), against skeletons only.

Run: ``.venv/bin/python benchmarks/mesh.py [--no-view] [--frames 120]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from common import DATA_DIR, REPO, median_ms

from core.formats import load_motion, save_motion
from core.formats.smplx_skeleton import smplx_skeleton, smplx_skeleton_from_model
from core.motion.kinematics import forward_kinematics_transforms
from core.motion.skinning import skin, skin_frame

BEAT2 = DATA_DIR / "beat2" / "2_scott_0_1_1.npz"
SMPLX_VERTICES, SMPLX_FACES = 10_475, 20_908


def body_like_model(path: Path, num_vertices: int = SMPLX_VERTICES, seed: int = 0) -> None:
    """An SMPL-X model file of ``num_vertices`` vertices in blobs around the template's joints."""
    rng = np.random.default_rng(seed)
    skeleton = smplx_skeleton()
    identity = np.tile(np.eye(3), (1, 55, 1, 1))
    joints = forward_kinematics_transforms(
        skeleton.parents, skeleton.offsets, identity, skeleton.offsets[:1]
    )[1][0]
    owner = np.sort(rng.integers(0, 55, num_vertices))
    owner[:55] = np.arange(55)
    owner.sort()
    vertices = joints[owner] + rng.normal(scale=0.04, size=(num_vertices, 3))
    regressor = np.zeros((55, num_vertices))
    regressor[owner, np.arange(num_vertices)] = 1.0
    weights = 0.8 * np.eye(55)[owner] + 0.2 * np.eye(55)[np.maximum(skeleton.parents[owner], 0)]
    start = np.arange(SMPLX_FACES) % (num_vertices - 2)
    faces = np.stack([start, start + 1, start + 2], axis=1)
    kintree = np.stack([np.r_[2**32 - 1, skeleton.parents[1:]], np.arange(55)]).astype(np.uint32)
    np.savez(
        path,
        v_template=vertices,
        shapedirs=rng.normal(scale=0.001, size=(num_vertices, 3, 400)).astype(np.float32),
        posedirs=np.zeros((num_vertices, 3, 54 * 9), np.float32),
        J_regressor=regressor / regressor.sum(axis=1, keepdims=True),
        weights=weights,
        kintree_table=kintree,
        f=faces.astype(np.uint32),
        hands_componentsl=np.eye(45),
        hands_componentsr=np.eye(45),
        hands_meanl=np.zeros(45),
        hands_meanr=np.zeros(45),
        lmk_faces_idx=np.arange(51) % 60,
        lmk_bary_coords=np.full((51, 3), 1.0 / 3.0),
    )


def skinning_ms(model: Path, frames: int) -> dict[str, float]:
    motion = load_motion(BEAT2).slice(0, frames)
    skeleton, mesh = smplx_skeleton_from_model(model, motion.source["extras"].get("betas"))
    identity = np.tile(np.eye(3), (1, 55, 1, 1))
    rest = forward_kinematics_transforms(skeleton.parents, skeleton.offsets, identity, skeleton.offsets[:1])[
        1
    ][0]
    rot, pos = forward_kinematics_transforms(
        skeleton.parents, skeleton.offsets, motion.rotations, motion.root_translation
    )
    counter = iter(range(10**9))

    def one_frame() -> None:
        t = next(counter) % frames
        skin_frame(mesh, rest, rot[t], pos[t])

    return {
        "vertices": len(mesh.vertices),
        "frame_ms": median_ms(one_frame, 200),
        "clip_ms_per_frame": median_ms(lambda: skin(mesh, rest, rot, pos), 5) / frames,
    }


def viewer_fps(model_dir: Path, frames: int) -> tuple[float, float]:
    """(frames/s with two meshes, frames/s with two skeletons) at 1280x800, one synchronous repaint a frame."""
    from pyvirtualdisplay import Display

    with Display(size=(1280, 800), color_depth=24), tempfile.TemporaryDirectory() as tmp:
        from PySide6.QtCore import QCoreApplication, QSettings, Qt
        from PySide6.QtWidgets import QApplication

        sys.path.insert(0, str(REPO / "tests"))
        from training_helpers import tiny_config

        from app.shell.main_window import MainWindow
        from core.train.data import prepare_data
        from core.train.trainer import Trainer

        QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
        app = QApplication.instance() or QApplication([])
        crop = Path(tmp) / "crop.npz"
        save_motion(load_motion(BEAT2).slice(0, 200), crop)
        config = tiny_config(steps=2, checkpoint_every=2, body_part="upper", root_channels=False)
        events = list(Trainer(config, prepare_data([crop], config), Path(tmp) / "run", device="cpu").run())
        window = MainWindow(settings=QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat))
        window.prompts.unsaved_edits = lambda: "discard"
        window.resize(1280, 800)
        window.show()
        app.processEvents()
        window.viewer.set_smplx_model_dir(str(model_dir))
        window.documents.open_checkpoint(events[-1].checkpoint)
        window.documents.open_clip(crop)
        viewer = window.viewer
        assert viewer.meshes.original_drawn and viewer.meshes.recon_drawn, viewer.meshes.message.text()
        rates = []
        for meshes in (True, False):
            viewer.mesh_action.setChecked(meshes)
            app.processEvents()
            start = time.perf_counter()
            for frame in range(frames):
                viewer.show_frame(frame % 200)
                viewer.view.repaint()
            app.processEvents()
            rates.append(frames / (time.perf_counter() - start))
        window.close()
        window.training_panel.job.shutdown()
        return rates[0], rates[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--frames", type=int, default=120)
    parser.add_argument("--no-view", action="store_true", help="skip the viewer's frames/s")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sys.path.insert(0, str(REPO / "tests"))
        from synthetic_smplx import write_synthetic_smplx_model

        small, large = Path(tmp) / "small", Path(tmp) / "large"
        small.mkdir(), large.mkdir()
        write_synthetic_smplx_model(small / "SMPLX_NEUTRAL.npz")
        body_like_model(large / "SMPLX_NEUTRAL.npz")
        print(f"{'model':<28}{'vertices':>10}{'skin_frame ms':>15}{'skin ms/frame':>15}")
        for name, folder in (("synthetic (tests)", small), ("SMPL-X size (synthetic)", large)):
            row = skinning_ms(folder, args.frames)
            print(f"{name:<28}{row['vertices']:>10}{row['frame_ms']:>15.3f}{row['clip_ms_per_frame']:>15.3f}")
        if args.no_view:
            return
        meshes, skeletons = viewer_fps(large, args.frames)
        print(
            f"viewer at 1280x800 (Xvfb, software GL): two meshes {meshes:.1f} frames/s, two skeletons {skeletons:.1f} frames/s"
        )


if __name__ == "__main__":
    main()
