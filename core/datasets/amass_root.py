"""An AMASS root: subset folders (``CMU/``, ``KIT/``, ``BMLmovi/``...) of subject folders of clips, each
``<name>_poses.npz`` (SMPL+H release) or ``<name>_stageii.npz`` (SMPL-X release).

Only those files are clips: the ``shape.npz`` and ``*_stagei.npz`` beside them hold a body shape, no motion.
An id is the clip's path under the root without ``.npz`` (``CMU/01/01_01_poses``). AMASS ships no splits
(HumanML3D's index picks its own clips from it), so a split is a file of such ids.
"""

from __future__ import annotations

from pathlib import Path

from core.datasets.root import ClipSource

PATTERNS = ("*_poses.npz", "*_stageii.npz")


class AmassRoot(ClipSource):
    kind = "AMASS"
    is_root = True

    @classmethod
    def recognise(cls, path: Path) -> AmassRoot | None:
        """A folder holding AMASS clips below it (not at its top: those are a plain folder of clips)."""
        if not path.is_dir():
            return None
        for pattern in PATTERNS:
            if any(f.parent != path for f in path.rglob(pattern)):
                return cls(path)
        return None

    def _find_clips(self) -> dict[str, Path]:
        found = (f for pattern in PATTERNS for f in self.path.rglob(pattern) if f.is_file())
        return {f.relative_to(self.path).with_suffix("").as_posix(): f for f in found}
