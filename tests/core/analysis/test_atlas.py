"""The code atlas (core.analysis.atlas) on real Bandai clips with the demo checkpoint: every code's
occurrences are the ones tokenize gives, its summary is the decoded motion of those steps, and memory
is sized by the codes, not by how much data went through."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.analysis.atlas import AtlasSettings, build_atlas
from core.analysis.atlas_clips import step_windows
from core.analysis.pose_frame import BodyFrame
from core.analysis.token_index import find_similar
from core.formats import load_motion
from core.progress import run_to_end
from core.tokens.codec import decode_features, fit_clip, tokenize
from tests.helpers.paths import BANDAI_THREE

CLIPS = BANDAI_THREE
SETTINGS = AtlasSettings(layers=(0, 2), per_code=3, context_steps=1, seed=7)


@pytest.fixture(scope="module")
def files(data_dir) -> list[Path]:
    return [data_dir / "bandai" / "dataset-1" / name for name in CLIPS]


@pytest.fixture(scope="module")
def grids(demo, files) -> list[np.ndarray]:
    return [tokenize(demo, load_motion(f)) for f in files]


@pytest.fixture(scope="module")
def atlas(demo, files):
    return run_to_end(build_atlas(demo, files, SETTINGS))


def test_every_layers_code_counts_equal_those_of_tokenize(atlas, grids, demo):
    for layer in range(demo.config.num_quantizers):
        expected = np.bincount(np.concatenate([g[:, layer] for g in grids]), minlength=demo.config.nb_code)
        assert atlas.counts(layer).tolist() == expected.tolist()
        assert atlas.dead_codes(layer).tolist() == np.flatnonzero(expected == 0).tolist()
    for layer in atlas.layers:
        assert atlas.stats[layer].counts.tolist() == atlas.counts(layer).tolist()


def test_a_codes_occurrences_are_the_steps_where_tokenize_chose_it(atlas, grids, files):
    for layer in atlas.layers:
        for code in atlas.by_use(layer)[:10].tolist():
            expected = [(i, int(s)) for i, g in enumerate(grids) for s in np.flatnonzero(g[:, layer] == code)]
            found = atlas.occurrences(layer, code)
            assert [(o.clip, o.step) for o in found] == expected
            assert all(o.path == str(files[o.clip]) for o in found)
            summary = atlas.code(layer, code)
            assert summary.clips == len({clip for clip, _ in expected}) and summary.count == len(expected)


def test_an_occurrence_says_which_frames_its_step_covers_and_when(atlas):
    o = atlas.occurrences(0, int(atlas.by_use(0)[0]))[-1]
    clip = atlas.clips[o.clip]
    assert o.frames == (o.step * 4, min(o.step * 4 + 4, clip.frames))
    assert o.time_s == pytest.approx(o.step * 4 / clip.fps)


def test_the_atlas_names_the_weights_its_codes_come_from(atlas, demo):
    assert atlas.weights_sha256 == demo.weights_sha256 and len(atlas.weights_sha256) == 64


def test_codes_by_use_come_most_used_first(atlas):
    counts = atlas.counts(0)
    order = atlas.by_use(0)
    assert (np.diff(counts[order]) <= 0).all() and (counts[order] > 0).all()
    assert len(order) + len(atlas.dead_codes(0)) == atlas.nb_code


def test_a_sampled_window_is_the_clips_decoding_with_the_codes_layers_in_the_body_frame(atlas, demo, files):
    layer = 2
    occurrences, windows = atlas.sample_windows(layer, int(atlas.by_use(layer)[0]))
    assert 1 <= len(occurrences) <= SETTINGS.per_code
    for o, window in zip(occurrences, windows, strict=True):
        clip = fit_clip(demo, load_motion(o.path))
        codes = tokenize(demo, clip)
        positions = demo.representation.positions(
            decode_features(demo, codes, layer + 1, clip.num_frames), clip
        )
        expected = BodyFrame.of(clip.skeleton).align(
            step_windows(positions, len(codes), 4, 1)[o.step : o.step + 1], 4
        )
        np.testing.assert_allclose(window, expected[0], atol=3e-3)  # float16 in the sample


def test_a_codes_summary_is_the_mean_and_spread_of_its_decoded_steps(atlas):
    summary = atlas.code(0, int(atlas.by_use(0)[0]))
    assert summary.mean_pose.shape == (4, atlas.skeleton.num_joints, 3)
    assert summary.spread_mm == pytest.approx(float(summary.spread_joint_mm[atlas.measured].mean()))
    assert 0.0 < summary.spread_mm < 500.0
    assert summary.code not in summary.nearest and len(summary.nearest) == 8


def test_clips_that_cannot_be_read_or_do_not_fit_are_skipped_with_the_reason(demo, files, data_dir, tmp_path):
    broken = tmp_path / "broken.bvh"
    broken.write_text("HIERARCHY\nROOT Hips\n{\n")
    other = min((data_dir / "cmu_iclone").rglob("*.bvh"), key=lambda f: f.stat().st_size)
    atlas = run_to_end(build_atlas(demo, [broken, files[0], other], SETTINGS))
    assert [c.path for c in atlas.clips] == [str(files[0])]
    assert [s.path for s in atlas.skipped] == [str(broken), str(other)]
    assert "skeleton" in atlas.skipped[1].reason


def test_building_reports_each_clip_and_stops_between_clips_when_asked(demo, files):
    seen = []
    work = build_atlas(demo, files, SETTINGS, should_stop=lambda: len(seen) == 2)
    atlas = run_to_end(work, seen.append)
    assert [(p.done, p.total) for p in seen] == [(1, 3), (2, 3)]
    assert len(atlas.clips) == 2 and not atlas.complete


def test_memory_is_sized_by_the_codes_not_by_the_clips(demo, files):
    one = run_to_end(build_atlas(demo, files[:1], SETTINGS))
    three = run_to_end(build_atlas(demo, files, SETTINGS))

    def held(atlas):
        return sum(
            a.nbytes for s in atlas.stats.values() for a in vars(s).values() if isinstance(a, np.ndarray)
        )

    assert held(one) == held(three)
    assert three.index.codes.dtype == np.int16  # the index: two bytes per step and layer


def test_the_search_takes_an_atlas_and_finds_a_copied_range_where_it_came_from(atlas):
    query = atlas.index.clip_codes(1)[5:12]
    best = run_to_end(find_similar(atlas, query))[0]
    assert (best.clip, best.start, best.distance) == (1, 5, 0.0)


def test_layers_outside_the_checkpoint_are_refused(demo, files):
    with pytest.raises(ValueError, match="layers must be among 0..5"):
        run_to_end(build_atlas(demo, files, AtlasSettings(layers=(6,))))


def test_a_limited_list_of_occurrences_is_spread_evenly_from_the_first_to_the_last(atlas):
    code = int(atlas.by_use(0)[0])
    every = atlas.occurrences(0, code)
    some = atlas.occurrences(0, code, limit=4)
    assert len(every) > 4 and len(some) == 4
    assert some[0] == every[0] and some[-1] == every[-1] and all(o in every for o in some)
    assert atlas.occurrences(0, code, limit=len(every) + 5) == every


def test_an_atlas_of_no_clips_is_empty_not_an_error(demo):
    atlas = run_to_end(build_atlas(demo, [], SETTINGS))
    assert atlas.clips == [] and atlas.by_use(0).tolist() == [] and len(atlas.dead_codes(0)) == atlas.nb_code


def test_a_codes_spread_is_read_against_the_median_spread_of_its_layer(atlas):
    spreads = atlas.code_spreads_mm(0)
    assert atlas.median_spread_mm(0) == pytest.approx(float(np.median(spreads[np.isfinite(spreads)])))
