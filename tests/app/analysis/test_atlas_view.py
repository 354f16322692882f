"""The Atlas tab answers "where is this code used and what does it look like": built over the Dataset
dock's clips, the code picked in the codebook shows its counts, spread and sampled occurrences, a
double-click opens one, and Find similar lists the places whose codes match the selected steps."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel

from app.analysis.atlas_view import FILE_ROLE
from core.analysis.atlas import Atlas

CLIPS = ("dataset-1_punch_normal_001.bvh", "dataset-1_walk_normal_001.bvh", "dataset-1_kick_normal_001.bvh")


@pytest.fixture
def built(loaded, data_dir, tmp_path, qtbot):
    """The window with an atlas of three Bandai clips (the open punch among them)."""
    folder = tmp_path / "clips"
    folder.mkdir()
    for name in CLIPS:
        shutil.copy(data_dir / "bandai" / "dataset-1" / name, folder / name)
    loaded.dataset_browser.sources.add_folder(folder)
    view = loaded.analysis_panel.atlas
    loaded.analysis_dock.raise_()
    loaded.analysis_panel.setCurrentWidget(view)
    with qtbot.waitSignal(view.build_job.runningChanged, timeout=120_000, check_params_cb=lambda r: not r):
        view.build_button.click()
    return loaded, folder


def test_building_indexes_the_dataset_docks_clips_with_the_open_checkpoint(built):
    window, _ = built
    atlas: Atlas = window.analysis_panel.atlas.atlas
    assert len(atlas.clips) == 3 and atlas.weights_sha256 == window.session.checkpoint.weights_sha256
    assert "Atlas of 3 clips" in window.analysis_panel.atlas.status.text()


def test_a_picked_code_shows_its_uses_and_a_gallery_of_its_occurrences(built):
    window, _ = built
    view, atlas = window.analysis_panel.atlas, window.analysis_panel.atlas.atlas
    code = int(atlas.by_use(0)[0])
    window.session.highlight_code(0, code)
    assert f"{int(atlas.counts(0)[code]):,} steps" in view.code_label.text()
    assert 1 <= len(view.gallery.tiles) <= 6 and view.gallery.tiles[0].pixmaps


def test_double_clicking_an_occurrence_opens_its_clip_at_that_step(built, qtbot):
    window, _ = built
    view, atlas = window.analysis_panel.atlas, window.analysis_panel.atlas.atlas
    code = int(atlas.by_use(0)[-1])
    window.session.highlight_code(0, code)
    tile = view.gallery.tiles[0]
    tile.mouseDoubleClickEvent(None)
    qtbot.waitUntil(lambda: window.session.clip_path == Path(tile.occurrence.path), timeout=20_000)
    assert window.playback.frame == tile.occurrence.frames[0]


@pytest.mark.parametrize("by", ["codes", "latents"])
def test_find_similar_finds_the_selected_steps_own_place_first(built, qtbot, by):
    window, _ = built
    view = window.analysis_panel.atlas
    view.similar_by.setCurrentIndex(view.similar_by.findData(by))
    window.session.select(10, 0)
    window.session.select(15, 0, extend=True)
    failures = []
    view.search_job.failed.connect(failures.append)
    assert view.similar_button.isEnabled()
    with qtbot.waitSignal(view.search_job.runningChanged, timeout=60_000, check_params_cb=lambda r: not r):
        view.similar_button.click()
    assert failures == []
    first = view.matches.item(0)
    path, frame = first.data(FILE_ROLE)
    assert (
        Path(path).name == window.session.clip_path.name
        and frame == 10 * window.session.reconstruction.factor
    )
    assert first.text().startswith("0.000 · ")


def test_before_an_atlas_exists_a_picked_code_offers_the_way_to_build_one(loaded):
    panel = loaded.analysis_panel
    panel.setCurrentWidget(panel.codebook)
    loaded.session.highlight_code(0, 3)
    assert panel.codebook.atlas_button.isVisibleTo(panel.codebook)
    assert panel.codebook.atlas_button.text() == "Code 3 across the dataset: build the atlas ▸"
    panel.codebook.atlas_button.click()
    assert panel.currentWidget() is panel.atlas and panel.atlas.build_button.isVisible()


def test_the_codebook_leads_from_a_picked_code_to_the_atlas_in_one_click(built, qtbot):
    window, _ = built
    panel = window.analysis_panel
    panel.setCurrentWidget(panel.codebook)
    window.session.highlight_code(0, int(panel.atlas.atlas.by_use(0)[0]))
    assert panel.codebook.atlas_button.isVisibleTo(panel.codebook)
    qtbot.wait(100)  # the layout takes the button in
    assert window.minimumSizeHint().width() <= 1024, "the button does not widen the dock past a 1024 window"
    panel.codebook.atlas_button.click()
    assert panel.currentWidget() is panel.atlas and panel.atlas.gallery.tiles


def test_the_matches_of_one_clips_steps_are_cleared_when_another_clip_opens(built, qtbot, other_clip_path):
    window, _ = built
    view = window.analysis_panel.atlas
    window.session.select(10, 0)
    window.session.select(12, 0, extend=True)
    with qtbot.waitSignal(view.search_job.runningChanged, timeout=60_000, check_params_cb=lambda r: not r):
        view.similar_button.click()
    assert view.matches.count() > 0
    assert window.documents.open_clip(other_clip_path)
    assert view.matches.count() == 0


def test_captions_leave_out_what_every_clips_name_starts_with(built):
    window, _ = built
    view, atlas = window.analysis_panel.atlas, window.analysis_panel.atlas.atlas
    window.session.highlight_code(0, int(atlas.by_use(0)[0]))
    captions = [tile.findChildren(QLabel)[-1].text() for tile in view.gallery.tiles]
    assert captions and not any(caption.startswith("dataset-1_") for caption in captions)


def test_a_selection_change_keeps_the_gallery_it_does_not_draw_it_again(built):
    window, _ = built
    view, atlas = window.analysis_panel.atlas, window.analysis_panel.atlas.atlas
    window.session.highlight_code(0, int(atlas.by_use(0)[0]))
    tiles = list(view.gallery.tiles)
    window.session.select(4, 1)
    assert view.gallery.tiles == tiles and view.similar_button.isEnabled()
