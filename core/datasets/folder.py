"""Plain folders of clips and single clip files, read as always: every loadable file under a folder.

An id is the clip's path under the folder (``dataset-1/walk_001.bvh``); split files may also name a clip by
file name or stem (see :mod:`core.datasets.split_files`).
"""

from __future__ import annotations

from pathlib import Path

from core.datasets.root import ClipSource
from core.formats.discovery import find_motion_files


class PlainFolder(ClipSource):
    speakers = True  # BEAT2 clips copied into a folder keep their names

    def _find_clips(self) -> dict[str, Path]:
        return {f.relative_to(self.path).as_posix(): f for f in find_motion_files([self.path])}


class ClipFile(ClipSource):
    kind = "file"
    speakers = True

    def _find_clips(self) -> dict[str, Path]:
        return {self.path.name: self.path}
