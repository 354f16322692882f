"""Every clip's codes in one index, and the search for the windows most like a range of steps
(core.analysis.token_index), on the demo checkpoint's codes of real Bandai clips."""

from __future__ import annotations

import numpy as np
import pytest

from core.analysis import token_index
from core.analysis.token_index import TokenIndex, find_similar
from core.formats import load_motion
from core.model.checkpoint import load_checkpoint
from core.progress import run_to_end
from core.tokens.codec import tokenize
from tests.helpers.paths import DEMO_CHECKPOINT

CLIPS = (
    "dataset-1_bow_active_001.bvh",
    "dataset-1_bye_giant_001.bvh",
    "dataset-1_walk_normal_001.bvh",
    "dataset-1_punch_normal_001.bvh",
)


@pytest.fixture(scope="module")
def index(data_dir) -> TokenIndex:
    ckpt = load_checkpoint(DEMO_CHECKPOINT)
    books = ckpt.model.quantizer.codebooks.detach().float().numpy()
    index = TokenIndex(ckpt.model.downsample_factor, books)
    for name in CLIPS:
        motion = load_motion(data_dir / "bandai" / "dataset-1" / name)
        index.add(name, motion.num_frames, motion.fps, tokenize(ckpt, motion))
    return index


def _search(index, query, **options):
    return run_to_end(find_similar(index, query, **options))


@pytest.mark.parametrize("by", ["codes", "latents"])
def test_a_range_copied_from_a_clip_is_found_at_its_own_place_with_distance_zero(index, by):
    for clip in range(len(CLIPS)):
        start = index.clips[clip].steps // 2
        query = index.clip_codes(clip)[start : start + 6]
        best = _search(index, query, layers=(0, 1), by=by)[0]
        assert (best.clip, best.start, best.distance) == (clip, start, 0.0)
        assert best.frame == start * 4 and best.path == CLIPS[clip]


def test_matches_come_best_first_and_never_overlap_in_one_clip(index):
    query = index.clip_codes(3)[10:18]
    matches = _search(index, query, top=15)
    assert [m.distance for m in matches] == sorted(m.distance for m in matches)
    for a in matches:
        for b in matches:
            if a is not b and a.clip == b.clip:
                assert abs(a.start - b.start) >= 8


def test_the_code_distance_is_the_share_of_cells_whose_code_differs(index):
    query = index.clip_codes(0)[3:8]
    for m in _search(index, query, layers=(0, 1, 2), top=5):
        window = index.clip_codes(m.clip)[m.start : m.start + 5, :3]
        assert m.distance == pytest.approx(np.mean(window != query[:, :3]))


def test_the_latent_distance_is_between_the_summed_code_vectors(index):
    query = index.clip_codes(2)[4:9]
    books = index.codebooks

    def latents(codes):
        return books[0][codes[:, 0]] + books[1][codes[:, 1]]

    for m in _search(index, query, by="latents", top=5):
        window = index.clip_codes(m.clip)[m.start : m.start + 5]
        rms = np.sqrt((np.linalg.norm(latents(window) - latents(query), axis=1) ** 2).mean())
        assert m.distance == pytest.approx(rms, rel=1e-5)


def test_a_window_never_runs_past_the_end_of_its_clip(index):
    query = index.clip_codes(3)[:40]  # longer than the shorter clips
    for m in _search(index, query, top=50):
        assert m.start + 40 <= index.clips[m.clip].steps


def test_searching_in_chunks_finds_what_one_pass_finds(index, monkeypatch):
    query = index.clip_codes(1)[2:9]
    whole = _search(index, query, top=12)
    monkeypatch.setattr(token_index, "CHUNK_STEPS", 40)
    progress = []
    chunked = run_to_end(find_similar(index, query, top=12), progress.append)
    assert chunked == whole
    assert len(progress) > 1 and progress[-1].done == progress[-1].total == index.steps


def test_a_stopped_search_returns_what_it_ranked_so_far(index, monkeypatch):
    monkeypatch.setattr(token_index, "CHUNK_STEPS", 40)
    query = index.clip_codes(0)[0:4]
    progress = []
    matches = run_to_end(find_similar(index, query, should_stop=lambda: len(progress) == 1), progress.append)
    assert progress[0].done < index.steps
    assert {m.clip for m in matches} == {0}


def test_occurrences_are_read_from_the_index(index):
    clips, steps = index.occurrences(1, int(index.clip_codes(2)[0, 1]))
    expected = [
        (c, s)
        for c in range(len(CLIPS))
        for s in np.flatnonzero(index.clip_codes(c)[:, 1] == index.clip_codes(2)[0, 1])
    ]
    assert list(zip(clips.tolist(), steps.tolist(), strict=True)) == expected


def test_a_query_that_is_not_a_grid_or_an_unknown_measure_is_refused(index):
    with pytest.raises(ValueError, match="steps, layers"):
        _search(index, np.zeros(5, dtype=np.int64))
    with pytest.raises(ValueError, match="by must be"):
        _search(index, index.clip_codes(0)[:3], by="frames")
