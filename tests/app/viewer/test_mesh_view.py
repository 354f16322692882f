"""SMPL-X meshes in the viewer, from a synthetic model file in the user's model folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.helpers.synthetic_smplx import NUM_VERTICES, write_synthetic_smplx_model


@pytest.fixture
def model_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "smplx_models"
    folder.mkdir()
    write_synthetic_smplx_model(folder / "SMPLX_NEUTRAL.npz")
    return folder


@pytest.fixture
def beat2_path(data_dir: Path) -> Path:
    return data_dir / "beat2" / "2_scott_0_1_1.npz"


def vertices(item) -> np.ndarray:
    return item.opts["meshdata"].vertexes().copy()


def test_an_smplx_clip_is_drawn_as_a_skinned_mesh(window, qtbot, settings, model_dir, beat2_path) -> None:
    viewer = window.viewer
    viewer.set_smplx_model_dir(str(model_dir))
    assert settings.value("smplx/model_dir") == str(model_dir)
    assert window.documents.open_clip(beat2_path)
    meshes = viewer.meshes
    assert viewer.mesh_action.isChecked() and meshes.original_item.visible()
    assert not viewer.original_bones.visible() and not viewer.original_joints.visible()
    window.playback.seek(0)
    first = vertices(meshes.original_item)
    assert first.shape == (NUM_VERTICES, 3)
    window.playback.seek(40)
    assert np.abs(vertices(meshes.original_item) - first).max() > 1e-3
    # The mesh stands where the skeleton would: its centre within a body's reach of the root.
    root = viewer.original_joints.pos[0]
    assert np.linalg.norm(vertices(meshes.original_item).mean(axis=0) - root) < 2.0
    assert not meshes.message.isVisible()

    viewer.mesh_action.toggle()
    assert not meshes.original_item.visible()
    assert viewer.original_bones.visible() and viewer.original_joints.visible()
    viewer.mesh_action.toggle()
    assert meshes.original_item.visible() and not viewer.original_bones.visible()


def test_a_folder_without_a_model_says_why_and_keeps_the_skeletons(window, tmp_path, beat2_path) -> None:
    viewer = window.viewer
    empty = tmp_path / "empty"
    empty.mkdir()
    viewer.set_smplx_model_dir(str(empty))
    assert window.documents.open_clip(beat2_path)
    assert not viewer.meshes.original_item.visible()
    assert viewer.original_bones.visible() and viewer.original_joints.visible()
    assert viewer.meshes.message.isVisible()
    assert "SMPL-X model file not found" in viewer.meshes.message.text()


def test_a_non_smplx_clip_keeps_its_skeleton(window, model_dir, clip_path) -> None:
    window.viewer.set_smplx_model_dir(str(model_dir))
    assert window.documents.open_clip(clip_path)
    assert not window.viewer.meshes.original_item.visible()
    assert window.viewer.original_bones.visible() and not window.viewer.meshes.message.isVisible()


@pytest.fixture(scope="module")
def upper_body_checkpoint(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A tiny upper-body tokenizer trained for 10 steps on a 200-frame BEAT2 crop, and the crop."""
    from core.formats import load_motion, save_motion
    from core.train.data import prepare_data
    from core.train.trainer import Trainer
    from tests.helpers.training import tiny_config

    run = tmp_path_factory.mktemp("upper_run")
    crop = run / "beat2_crop.npz"
    save_motion(load_motion(data_dir / "beat2" / "2_scott_0_1_1.npz").slice(0, 200), crop)
    config = tiny_config(steps=10, checkpoint_every=10, body_part="upper", root_channels=False)
    events = list(Trainer(config, prepare_data([crop], config), run / "out", device="cpu").run())
    return Path(events[-1].checkpoint), crop


def test_a_body_part_reconstruction_gets_its_own_mesh(window, model_dir, upper_body_checkpoint) -> None:
    checkpoint, crop = upper_body_checkpoint
    viewer = window.viewer
    viewer.set_smplx_model_dir(str(model_dir))
    assert window.documents.open_checkpoint(checkpoint)
    assert window.documents.open_clip(crop)
    assert window.session.reconstruction is not None
    meshes = viewer.meshes
    assert meshes.original_item.visible() and meshes.recon_item.visible()
    assert not viewer.recon_bones.visible()
    window.playback.seek(5)
    before = vertices(meshes.recon_item)
    window.playback.seek(120)
    after = vertices(meshes.recon_item)
    assert np.abs(after - before).max() > 1e-3
    # Side by side: the reconstruction's body stands to the right of the original's.
    assert after[:, 0].mean() > vertices(meshes.original_item)[:, 0].mean()
