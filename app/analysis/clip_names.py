"""Clip names without what they all share: the folder every clip is under and the start of their
names there (``dataset-2_``), said once instead of in every row or caption."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SharedStart:
    """What every clip's path starts with: the folder they are all under and the start their names
    there share (``dataset-2_``), cut at a separator; shown once above the table instead of in every row."""

    folder: Path | None = None
    name_start: str = ""

    def short(self, path: str | Path) -> str:
        p = Path(path)
        name = (
            p.relative_to(self.folder).as_posix() if self.folder and p.is_relative_to(self.folder) else p.name
        )
        return name[len(self.name_start) :] if name.startswith(self.name_start) else name

    def describe(self) -> str:
        where = f"clips in {self.folder}" if self.folder is not None else ""
        start = f"names starting {self.name_start}" if self.name_start else ""
        return ", ".join(part for part in (where, start) if part)


SEPARATORS = "_-/ "


def shared_start(paths: Sequence[str | Path]) -> SharedStart:
    """The folder all ``paths`` are under and the start their names share (never a whole name)."""
    if not paths:
        return SharedStart()
    try:
        folder = Path(os.path.commonpath([str(Path(p).parent) for p in paths]))
    except ValueError:
        return SharedStart()
    names = [Path(p).relative_to(folder).as_posix() for p in paths]
    common = os.path.commonprefix(names)
    shortest = min(len(n) for n in names)
    if len(common) >= shortest:
        common = common[: shortest - 1]
    cut = max(common.rfind(sep) for sep in SEPARATORS)
    return SharedStart(folder, common[: cut + 1] if cut >= 0 else "")
