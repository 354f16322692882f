"""Looping previews of an atlas's codes (core.render.atlas_preview): a code's sampled occurrences drawn
over one another, orange during the code's own step, one GIF per used code."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from core.analysis.atlas import AtlasSettings, build_atlas
from core.model.checkpoint import load_checkpoint
from core.progress import run_to_end
from core.render import style
from core.render.atlas_preview import PreviewStage, preview_frames, write_previews
from tests.helpers.paths import DEMO_CHECKPOINT

CLIPS = ("dataset-1_bye_giant_001.bvh", "dataset-1_walk_normal_001.bvh")


@pytest.fixture(scope="module")
def atlas(data_dir):
    files = [data_dir / "bandai" / "dataset-1" / name for name in CLIPS]
    settings = AtlasSettings(layers=(0,), per_code=4, context_steps=2)
    return run_to_end(build_atlas(load_checkpoint(DEMO_CHECKPOINT), files, settings))


def _has(frame: np.ndarray, color: tuple[int, int, int]) -> bool:
    return bool((np.abs(frame.astype(int) - color).sum(axis=-1) < 20).sum() > 30)


def test_a_preview_loops_over_the_window_and_is_orange_only_during_the_codes_step(atlas):
    stage = PreviewStage.of(atlas, size=96)
    _, windows = atlas.sample_windows(0, int(atlas.by_use(0)[0]))
    frames = list(preview_frames(stage, windows))
    assert len(frames) == 5 * 4 and frames[0].shape == (96, 96, 3)
    figure = [f[: 96 - 12] for f in frames]  # above the time bar
    step = range(stage.lead, stage.lead + stage.step_frames)
    assert [_has(f, style.RECONSTRUCTION) for f in figure] == [t in step for t in range(20)]
    assert all(
        _has(f, style.mix(style.BACKGROUND, style.ORIGINAL, 0.8))
        for t, f in enumerate(figure)
        if t not in step
    )


def test_the_stage_fits_every_codes_own_step_above_the_time_bar(atlas):
    stage = PreviewStage.of(atlas, size=160)
    for code in atlas.by_use(0).tolist():
        _, windows = atlas.sample_windows(0, code)
        own = windows[:, stage.lead : stage.lead + stage.step_frames].reshape(-1, 3)
        pixels, depth = stage.camera.project(own)
        assert (depth > 0).all()
        assert (pixels >= 0).all() and (pixels[:, 0] <= 160).all() and (pixels[:, 1] <= 160 - 12).all()


def test_every_used_code_gets_a_looping_gif_named_by_layer_and_code(atlas, tmp_path):
    progress = []
    written = run_to_end(write_previews(atlas, tmp_path, size=64), progress.append)
    used = atlas.by_use(0).tolist()
    assert written == {(0, code): f"previews/L1/{code}.gif" for code in used}
    assert progress[-1].done == progress[-1].total == len(used)
    with Image.open(tmp_path / written[(0, used[0])]) as gif:
        assert gif.format == "GIF" and gif.n_frames == 20 and gif.info["loop"] == 0 and gif.size == (64, 64)
    assert sorted(p.name for p in (tmp_path / "previews" / "L1").iterdir()) == sorted(
        f"{c}.gif" for c in used
    )


def test_stopping_leaves_the_previews_written_so_far(atlas, tmp_path):
    written = run_to_end(
        write_previews(atlas, tmp_path, size=48, should_stop=lambda: len(list(tmp_path.rglob("*.gif"))) >= 3)
    )
    assert len(written) == 3
