"""File > Open checkpoint on another codebase's tokenizer: the import dialog, then the tokenizer opens on
its reference clip and the window shows what the peer's own code made of it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.documents.import_dialog import ImportDialog
from core.formats import load_motion, save_motion
from core.formats.humanml3d import recover_from_ric


@pytest.fixture
def peers(data_dir: Path) -> Path:
    folder = data_dir.parent / "peer_tokenizers"
    if not folder.is_dir():
        pytest.skip(f"peer tokenizer fixtures not found at {folder}")
    return folder


def _confirming(window, planned: list) -> None:
    """The import dialog answered with the plan as shown (recorded in ``planned``)."""
    window.prompts.import_plan = lambda plan: planned.append(plan) or plan


def test_a_momask_run_folder_opens_on_its_reference_clip(window, peers, tmp_path):
    run = peers / "momask" / "t2m" / "rvq_small_w128_dc64_nc128"
    reference = run / "reference"
    clip = tmp_path / "000612_crop.npy"
    np.save(clip, np.load(reference / "input_features.npy"))
    planned: list = []
    _confirming(window, planned)
    assert window.documents.open_checkpoint(run)
    assert planned and planned[0].family == "momask"
    assert window.documents.open_clip(clip)
    session = window.session
    np.testing.assert_array_equal(session.editor.indices, np.load(reference / "codes.npy"))
    expected = recover_from_ric(np.load(reference / "recon_features.npy").astype(np.float64))
    assert np.abs(session.reconstruction.positions(6) - expected).max() < 1e-3
    assert "step" in window.labels.checkpoint_label.text()


def test_a_syntalker_part_asks_for_its_statistics_and_opens_on_the_beat2_clip(
    window, peers, data_dir, tmp_path
):
    reference = peers / "syntalker" / "rvq_upper" / "reference"
    stats = data_dir / "beat2" / "mean_std"
    asked: list[str] = []
    window.prompts.statistics_files = lambda reason: (
        asked.append(reason)
        or (
            str(stats / "beatx_2_330_mean.npy"),
            str(stats / "beatx_2_330_std.npy"),
        )
    )
    _confirming(window, [])
    assert window.documents.open_checkpoint(peers / "syntalker" / "rvq_upper" / "net_300.pth")
    assert asked and "no normalisation statistics" in asked[0]
    beat2 = load_motion(data_dir / "beat2" / "2_scott_0_1_1.npz")
    crop = tmp_path / "last_256.npz"
    save_motion(beat2.slice(beat2.num_frames - 256, beat2.num_frames), crop)
    assert window.documents.open_clip(crop)
    session = window.session
    np.testing.assert_array_equal(session.editor.indices, np.load(reference / "codes.npy"))
    rep, motion = session.checkpoint.representation, session.motion
    expected = rep.positions(np.load(reference / "recon_features.npy"), motion)
    assert np.abs(session.reconstruction.positions(6) - expected).max() < 1e-3
    assert "upper body part" in window.viewer.hud.mpjpe_label.text()


def test_the_dialog_shows_sources_and_refuses_a_bad_value(qtbot, peers):
    from core.model.peers.importer import plan_import

    plan = plan_import(peers / "momask" / "t2m" / "rvq_small_w128_dc64_nc128")
    dialog = ImportDialog(plan)
    qtbot.addWidget(dialog)
    sources = {
        dialog.table.item(r, 0).text(): dialog.table.item(r, 2).text() for r in range(dialog.table.rowCount())
    }
    assert sources["width"] == "inferred from shapes" and sources["dilation_growth_rate"] == "opt.txt"
    row = next(
        r for r in range(dialog.table.rowCount()) if dialog.table.item(r, 0).text() == "dilation_growth_rate"
    )
    dialog.table.item(row, 1).setText("two")
    dialog._accept()
    assert "dilation_growth_rate" in dialog.message.text() and dialog.result() == 0
