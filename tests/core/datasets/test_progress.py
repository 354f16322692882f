"""ReadProgress: how far reading many files has come, said as a person would say it."""

from __future__ import annotations

import pytest

from core.datasets.progress import ReadProgress, about


def test_the_progress_line_says_files_done_of_all_those_from_the_cache_and_the_time_left():
    progress = ReadProgress(done=1234, total=4000, cached=900, elapsed_s=20.0)
    assert progress.status() == "reading clips 1,234 / 4,000 (900 from the cache), about 45 s left"


def test_the_progress_line_leaves_out_what_is_not_known_or_not_there():
    assert ReadProgress(0, 4000, 0, 0.0).status() == "reading clips 0 / 4,000"
    assert ReadProgress(4000, 4000, 4000, 3.0).status() == "read 4,000 clips (4,000 from the cache)"
    assert ReadProgress(1, 1, 0, 0.1).status() == "read 1 clip"


def test_the_time_left_is_the_rate_so_far_over_the_files_left():
    assert ReadProgress(100, 400, 0, 10.0).eta_s == pytest.approx(30.0)
    assert ReadProgress(0, 400, 0, 10.0).eta_s == float("inf")


@pytest.mark.parametrize(
    ("seconds", "said"),
    [
        (0.4, "about 5 s"),
        (41.0, "about 40 s"),
        (58.0, "about 1 min"),
        (200.0, "about 3 min"),
        (3600.0, "about 1 h"),
        (7790.0, "about 2 h 10 min"),
        (float("inf"), ""),
    ],
)
def test_time_left_is_said_as_people_say_it(seconds, said):
    assert about(seconds) == said
