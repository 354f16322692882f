"""What every source of clips answers, whatever its layout: its clips by id, the splits it ships, and the
files a split needs when it has none.

A source is a dataset root as it ships (HumanML3D, KIT-ML, BEAT2, AMASS: one module each beside this one),
a plain folder of clips, or one clip file. :mod:`core.datasets.selection` asks each the same questions.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from functools import cached_property
from pathlib import Path
from typing import ClassVar

from core.errors import MotionFileError

ROOT_FILES = (
    "new_joint_vecs/ and <split>.txt (a HumanML3D or KIT-ML root) or smplxflame_30/ and train_test_split.csv "
    "(a BEAT2 root)"
)
"""What a folder needs to have named splits: the wording of every "not a dataset root" error."""


class ClipSource(ABC):
    """Clips found at ``path``."""

    kind: ClassVar[str] = "folder"
    is_root: ClassVar[bool] = False
    """Whether this is a dataset as it ships (its layout known), rather than a folder or file of clips."""
    speakers: ClassVar[bool] = False
    """Whether clip ids start with a BEAT2 speaker number (``2_scott_0_1_1``), so ``--speakers`` applies."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def layout(self) -> str:
        """What the source is, for people: "HumanML3D", "KIT-ML", "BEAT2", "AMASS", "folder" or "file"."""
        return self.kind

    @cached_property
    def clips(self) -> dict[str, Path]:
        """Every clip of the source by id, sorted by id (found once)."""
        return dict(sorted(self._find_clips().items()))

    @abstractmethod
    def _find_clips(self) -> dict[str, Path]:
        """Every clip by id, in any order."""

    def split_names(self) -> tuple[str, ...]:
        """The named splits the source ships (none for plain folders)."""
        return ()

    def split_ids(self, name: str) -> list[str]:
        """The ids the named split lists. A source without it raises a MotionFileError naming the folder and
        the files it expected."""
        raise MotionFileError(
            self.path,
            f"is a {self.layout} of clips, not a dataset root with a {name!r} split: expected {ROOT_FILES}; "
            "or give --split FILE, a text file of clip ids",
        )

    @property
    def statistics(self) -> tuple[Path, Path] | None:
        """The dataset's own normalisation statistics (mean, std) when it ships them."""
        return None

    def describe(self) -> str:
        """``HumanML3D root /data/HumanML3D``, ``folder clips/``: the source for people."""
        return f"{self.layout}{' root' if self.is_root else ''} {self.path}"


def clip_folder(root: Path, name: str, path: Path) -> Path | None:
    """The root a clip folder called ``name`` belongs to: ``path`` itself when ``name`` is inside it, its parent
    when ``path`` is that folder (``HumanML3D/new_joint_vecs`` names the same clips as ``HumanML3D``)."""
    if (path / name).is_dir():
        return path
    if path.name == name and path.is_dir():
        return path.parent
    return None


def files_in(folder: Path, suffix: str) -> dict[str, Path]:
    """The ``suffix`` files directly in ``folder`` by stem (one directory scan, no stat per file: a
    HumanML3D folder holds 29,232); none when the folder is missing."""
    try:
        with os.scandir(folder) as entries:
            return {
                e.name[: -len(suffix)]: Path(e.path)
                for e in entries
                if e.name.endswith(suffix) and e.is_file()
            }
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise MotionFileError(folder, f"cannot list the folder: {exc.strerror or exc}") from None


def read_id_lines(path: Path) -> list[str]:
    """Ids one per line (blank lines and ``#`` comments skipped), as HumanML3D's split files hold them."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise MotionFileError(path, f"cannot read the split file: {exc.strerror or exc}") from None
    ids = [line.strip() for line in text.splitlines()]
    return [i for i in ids if i and not i.startswith("#")]
