"""Finding clips on disk: every loadable file under folders, and the split files that hold clips out.

Shared by training, evaluation and (later) a dataset browser, so it sits with the formats rather than
in any one of them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from core.errors import MotionFileError
from core.formats import LOADABLE


def find_motion_files(paths: Iterable[str | Path]) -> list[Path]:
    """Every loadable clip under the given files or folders, sorted for reproducibility."""
    found: set[Path] = set()
    for raw in paths:
        p = Path(raw)
        if p.is_file():
            found.add(p)
        elif p.is_dir():
            found.update(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in LOADABLE)
        else:
            raise MotionFileError(p, "no such file or folder")
    return sorted(found)


def read_holdout(path: str | Path) -> set[str]:
    """Clip file names listed under "holdout" in a split file (JSON), or in HumanML3D's and KIT-ML's
    own split files (``test.txt``: one clip name per line, without the ``.npy``)."""
    p = Path(path)
    if p.suffix.lower() == ".txt":
        try:
            lines = p.read_text().split()
        except (OSError, UnicodeDecodeError) as exc:
            raise MotionFileError(p, f"not a split file ({exc})") from exc
        return {name if name.endswith(".npy") else f"{name}.npy" for name in lines}
    try:
        names = json.loads(p.read_text())["holdout"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise MotionFileError(p, f"not a split file with a 'holdout' list ({exc})") from exc
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise MotionFileError(p, "'holdout' must be a list of clip file names")
    return set(names)
