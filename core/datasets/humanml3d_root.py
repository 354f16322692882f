"""A HumanML3D or KIT-ML root as it ships: ``new_joint_vecs/<id>.npy``, ``Mean.npy``, ``Std.npy`` and one
``<split>.txt`` of ids per split (``train``, ``val``, ``test``, ``train_val``, ``all``).

The two datasets share the layout; the width of the rows tells them apart (263 columns HumanML3D, 251
KIT-ML), read from one file's header. Ids with an ``M`` prefix are HumanML3D's mirrored copies
(``M000021.npy`` mirrors ``000021.npy``): they are clips like any other, used when a split lists them.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from core.datasets.root import ClipSource, clip_folder, files_in, read_id_lines
from core.errors import MotionFileError
from core.formats.humanml3d_bodies import T2M, RicBody, body_for_width
from core.formats.numpy_files import npy_header

CLIP_FOLDER = "new_joint_vecs"
SPLITS = ("train", "val", "test", "train_val", "all")
"""HumanML3D's split files, in the order they are listed; any other ``<name>.txt`` of the root works too."""


class HumanML3DRoot(ClipSource):
    """A HumanML3D-layout root; ``body`` is the skeleton its rows describe."""

    is_root = True

    @classmethod
    def recognise(cls, path: Path) -> HumanML3DRoot | None:
        root = clip_folder(path, CLIP_FOLDER, path)
        return cls(root) if root is not None else None

    @cached_property
    def body(self) -> RicBody:
        """T2M or KIT, by the width of ``Mean.npy`` or else of the first clip (T2M when neither says)."""
        for probe in (self.path / "Mean.npy", next(iter(self.clips.values()), None)):
            if probe is not None and probe.is_file():
                try:
                    shape, _ = npy_header(probe)
                except MotionFileError:
                    continue
                body = body_for_width(shape[-1]) if shape else None
                if body is not None:
                    return body
        return T2M

    @property
    def layout(self) -> str:
        return self.body.dataset

    def _find_clips(self) -> dict[str, Path]:
        return files_in(self.path / CLIP_FOLDER, ".npy")

    def split_names(self) -> tuple[str, ...]:
        return tuple(name for name in SPLITS if (self.path / f"{name}.txt").is_file())

    def split_ids(self, name: str) -> list[str]:
        listed = self.path / f"{name}.txt"
        if not listed.is_file():
            found = ", ".join(f"{n}.txt" for n in self.split_names()) or "no split files"
            raise MotionFileError(
                self.path,
                f"this {self.layout} root has no {name}.txt (found {found}); expected {listed.name}",
            )
        return read_id_lines(listed)

    @property
    def statistics(self) -> tuple[Path, Path] | None:
        mean, std = self.path / "Mean.npy", self.path / "Std.npy"
        return (mean, std) if mean.is_file() and std.is_file() else None
