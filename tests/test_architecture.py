"""The architecture as a test: core never imports Qt or the app, and each layer of core imports only
the layers below it (the contracts are in pyproject.toml, drawn in docs/architecture.md)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def test_the_import_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def test_no_module_grows_past_450_lines_except_the_bvh_reader():
    sizes = {
        path.relative_to(REPO_ROOT).as_posix(): len(path.read_text().splitlines())
        for package in ("core", "app")
        for path in (REPO_ROOT / package).rglob("*.py")
    }
    too_long = {name: n for name, n in sizes.items() if n > 450 and name != "core/formats/bvh.py"}
    assert not too_long
    assert sizes["app/main_window.py"] <= 350
