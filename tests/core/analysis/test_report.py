"""The HTML report of a dataset evaluation (core.analysis.report): one file with nothing outside it,
showing the figures of the evaluation it was written from."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from core.analysis.dataset import compare_checkpoints, evaluate_dataset
from core.analysis.report import WORST_CLIPS_PLOTTED, report_html, write_report
from core.progress import run_to_end
from tests.helpers.paths import BANDAI_THREE

CLIPS = BANDAI_THREE


@pytest.fixture(scope="module")
def files(data_dir) -> list[Path]:
    cmu = min((data_dir / "cmu_iclone").rglob("*.bvh"), key=lambda f: f.stat().st_size)
    return [*(data_dir / "bandai" / "dataset-1" / name for name in CLIPS), cmu]


@pytest.fixture(scope="module")
def result(demo, files):
    return run_to_end(evaluate_dataset(demo, files))


class _Tags(HTMLParser):
    """Every start tag with its attributes, and the text of table cells, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.cells: list[str] = []
        self._in_cell = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_cell = tag == "td"
        if self._in_cell:
            self.cells.append("")

    def handle_data(self, data):
        if self._in_cell:
            self.cells[-1] += data


def _parsed(html: str) -> _Tags:
    tags = _Tags()
    tags.feed(html)
    return tags


def test_the_report_is_one_file_that_loads_nothing_from_outside(result):
    tags = _parsed(report_html(result)).tags
    names = {t for t, _ in tags}
    assert "script" not in names and "link" not in names and "img" not in names
    assert not any(k in ("src", "href") for _, attrs in tags for k in attrs)
    assert "style" in names


def test_the_per_layer_table_shows_the_summarys_figures(result):
    cells = _parsed(report_html(result)).cells
    for k, m in result.summary.layers.items():
        row = [str(k), f"{m.mpjpe_root_aligned_mm:.2f}", f"{m.mpjpe_mm:.2f}"]
        assert any(cells[i : i + 3] == row for i in range(len(cells)))


def test_the_clip_table_lists_the_clips_worst_first_and_the_skipped_one_with_its_reason(result, files):
    html = report_html(result)
    order = [m.group(1) for m in re.finditer(r"<td class=name title=\"[^\"]*\">([^<]+)</td>", html)]
    assert order == [r.name for r in sorted(result.rows, key=lambda r: r.full_mpjpe_mm, reverse=True)]
    assert str(files[-1]) in html and "skeleton does not match" in html


def test_there_is_a_usage_histogram_per_layer_and_an_error_curve_per_worst_clip(result):
    html = report_html(result)
    assert html.count("<polyline") == min(WORST_CLIPS_PLOTTED, len(result.rows)) == 3
    assert html.count("<svg") == result.num_quantizers + 3
    for layer, usage in enumerate(result.summary.codebook_usage):
        assert f"layer {layer + 1}: {usage * 100:.1f}% of 64 codes used" in html


def test_a_comparison_adds_b_and_the_difference(demo, files, result):
    comparison = run_to_end(compare_checkpoints(demo, demo, files[:1]))
    html = report_html(comparison.a, comparison)
    assert "Compared with B" in html and "+0.00" in html
    assert "Compared with B" not in report_html(result)


def test_write_report_writes_utf8_html(result, tmp_path):
    path = write_report(tmp_path / "report.html", result)
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
