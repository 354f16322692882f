"""The demo's quality tables in the README are the evaluation files' figures, not hand-copied ones."""

from __future__ import annotations

import json

import pytest

from tests.helpers.paths import REPO_ROOT as REPO


@pytest.mark.parametrize("name", ["demo_eval.json", "demo_eval_refined.json"])
def test_every_row_of_the_eval_file_appears_in_the_readme(name):
    readme = (REPO / "README.md").read_text()
    report = json.loads((REPO / "resources" / name).read_text())
    for k, m in report["layers"].items():
        row = (
            f"| {k} | {m['mpjpe_root_aligned_mm']:.1f} | {m['mpjpe_mm']:.1f} | {m['velocity_error']:.2f} "
            f"| {m['accel_error']:.2f} |"
        )
        assert row in readme, f"{name}: README lacks {row}"
    usage = "| codebook usage | " + " | ".join(f"{u * 100:.1f}%" for u in report["codebook_usage"]) + " |"
    assert usage in readme, f"{name}: README lacks {usage}"


def test_the_demos_plausibility_table_is_the_eval_files():
    readme = (REPO / "README.md").read_text()
    plausibility = json.loads((REPO / "resources" / "demo_eval.json").read_text())["plausibility"]
    for name, p in [("original", plausibility["original"]), *plausibility["layers"].items()]:
        row = (
            f"| {name} | {p['foot_skating'] * 100:.1f}% | {p['jitter_m_s3']:.1f} | {p['penetration_mm']:.1f} "
            f"| {p['floating_mm']:.1f} |"
        )
        assert row in readme, f"README lacks {row}"
