"""Skinned SMPL-X meshes for the original and the reconstruction, from the user's own model folder.

Model files are never shipped: the user points the app to a folder holding ``SMPLX_<GENDER>.npz``
(the ``smplx/model_dir`` preference). For a 55-joint SMPL-X clip the exact skeleton and rest mesh
are read once for the clip's betas and gender (:func:`smplx_skeleton_from_model`, cached); each frame
then costs one forward-kinematics pass and one skinning product per body
(:func:`core.motion.skinning.skin_frame`), and only the mesh's vertices are uploaded again.

Each body sits on the root its skeleton is drawn on, so the mesh replaces the skeleton in place.
When the folder holds no usable model, :attr:`BodyMeshes.message` says why and the skeletons stay.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyqtgraph.opengl as gl
from pyqtgraph.opengl.GLViewWidget import GLViewMixin
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QLabel, QWidget

from app.state.resources import APPLICATION, ORGANIZATION
from app.style import theme
from app.viewer.skeleton_items import to_view
from core.errors import MotionFileError
from core.formats.smplx_skeleton import RestMesh, smplx_skeleton, smplx_skeleton_from_model
from core.motion.clip import Motion
from core.motion.kinematics import forward_kinematics_transforms
from core.motion.skeleton import Skeleton
from core.motion.skinning import skin_frame

SETTINGS_KEY = "smplx/model_dir"


class BodyMeshData(gl.MeshData):
    """MeshData whose vertex normals are one vectorised sum (pyqtgraph's loop over the vertices takes
    tens of milliseconds for an SMPL-X body, each frame)."""

    def vertexNormals(self, indexed: str | None = None) -> np.ndarray:
        if self._vertexNormals is None:
            corners, normals = self.faces().reshape(-1), np.repeat(self.faceNormals(), 3, axis=0)
            count = len(self._vertexes)
            sums = np.stack([np.bincount(corners, normals[:, c], count) for c in range(3)], axis=1).astype(
                np.float32
            )
            length = np.linalg.norm(sums, axis=1, keepdims=True)
            self._vertexNormals = np.divide(sums, length, out=np.zeros_like(sums), where=length > 0)
        return self._vertexNormals if indexed is None else self._vertexNormals[self.faces()]


def _settings(window: QWidget) -> QSettings:
    """The main window's settings (tests give it private ones), else the app's."""
    settings = getattr(window, "settings", None)
    return settings if isinstance(settings, QSettings) else QSettings(ORGANIZATION, APPLICATION)


def model_dir(window: QWidget) -> str:
    """The user's SMPL-X model folder (the ``smplx/model_dir`` preference), or "" when unset."""
    return str(_settings(window).value(SETTINGS_KEY, "") or "")


def set_model_dir(window: QWidget, folder: str) -> None:
    _settings(window).setValue(SETTINGS_KEY, str(folder))


def is_smplx(motion: Motion | None) -> bool:
    return motion is not None and motion.skeleton.same_topology(smplx_skeleton())


class BodyMeshes:
    """Two GLMeshItems in ``view`` and what they need to follow the clip and its reconstruction."""

    def __init__(self, view: GLViewMixin) -> None:
        self.items = []
        for color in (theme.ORIGINAL, theme.RECONSTRUCTION):
            item = gl.GLMeshItem(
                meshdata=BodyMeshData(vertexes=np.zeros((3, 3), np.float32), faces=np.array([[0, 1, 2]])),
                smooth=True,
                shader="shaded",
                color=(color.redF(), color.greenF(), color.blueF(), 1.0),
                glOptions="opaque",
            )
            item.setVisible(False)
            view.addItem(item)
            self.items.append(item)
        self.original_item, self.recon_item = self.items
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {theme.DIM_TEXT.name()}")
        self.message.setVisible(False)
        self._cache: dict[tuple, tuple[Skeleton, RestMesh, np.ndarray]] = {}
        self._body: tuple[Skeleton, RestMesh, np.ndarray] | None = None
        self._recon_key: tuple | None = None
        self._recon_motion: Motion | None = None

    @property
    def original_drawn(self) -> bool:
        return self.original_item.visible()

    @property
    def recon_drawn(self) -> bool:
        return self.recon_item.visible()

    def rebuild(
        self, motion: Motion | None, recon: object | None, k: int, model_dir: str, shown: bool
    ) -> None:
        """Load the body for ``motion`` (or say why not) and decide which meshes are drawn."""
        self._body, self._recon_key, self._recon_motion = None, None, None
        self._say("")
        if is_smplx(motion) and model_dir:
            try:
                self._body = self._load(model_dir, motion)
            except MotionFileError as exc:
                self._say(f"No SMPL-X mesh: {exc.reason} ({exc.path})")
        drawn = shown and self._body is not None
        if drawn:
            for item in self.items:
                item.setMeshData(
                    meshdata=BodyMeshData(vertexes=self._body[1].vertices, faces=self._body[1].faces)
                )
        self.original_item.setVisible(drawn)
        self.recon_item.setVisible(
            drawn and recon is not None and self._recon_rotations(recon, k) is not None
        )

    def invalidate_reconstruction(self, *_args: object) -> None:
        """The decoded poses changed (an edit, a new checkpoint): decode again when next drawn."""
        self._recon_key, self._recon_motion = None, None

    def show(
        self,
        motion: Motion,
        frame: int,
        roots: tuple[np.ndarray, np.ndarray | None],
        recon: object | None,
        k: int,
    ) -> None:
        """Pose both meshes at ``frame``, on the drawn skeletons' roots (view coordinates)."""
        if self._body is None:
            return
        if self.original_item.visible():
            self._pose(self.original_item, motion.rotations[frame], roots[0])
        if recon is not None and roots[1] is not None and self.recon_item.visible():
            decoded = self._recon_rotations(recon, k)
            if decoded is not None:
                self._pose(self.recon_item, decoded.rotations[min(frame, decoded.num_frames - 1)], roots[1])

    # ----- internals ------------------------------------------------------------------------

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _load(self, model_dir: str, motion: Motion) -> tuple[Skeleton, RestMesh, np.ndarray]:
        extras = motion.source.get("extras", {})
        betas = extras.get("betas")
        gender = str(extras.get("gender", "neutral")).strip().lower() or "neutral"
        key = (
            str(Path(model_dir)),
            gender,
            None if betas is None else np.asarray(betas, np.float64).tobytes(),
        )
        if key not in self._cache:
            skeleton, mesh = smplx_skeleton_from_model(model_dir, betas, gender)
            identity = np.tile(np.eye(3), (1, skeleton.num_joints, 1, 1))
            rest = forward_kinematics_transforms(
                skeleton.parents, skeleton.offsets, identity, skeleton.offsets[:1]
            )
            faces = np.asarray(mesh.faces, dtype=np.int32)
            vertices = np.asarray(mesh.vertices, dtype=np.float32)
            self._cache = {key: (skeleton, RestMesh(vertices, faces, mesh.weights), rest[1][0])}
        return self._cache[key]

    def _recon_rotations(self, recon: object, k: int) -> Motion | None:
        """The reconstruction with ``k`` layers as a clip (cached), or None when its representation
        cannot give SMPL-X rotations back."""
        key = (id(recon), k)
        if key != self._recon_key:
            try:
                decoded = recon.motion_at(k)
            except (NotImplementedError, ValueError):
                decoded = None
            ok = decoded is not None and decoded.rotations.shape[1:] == (55, 3, 3)
            self._recon_key, self._recon_motion = key, decoded if ok else None
        return self._recon_motion

    def _pose(self, item: gl.GLMeshItem, rotations: np.ndarray, root_view: np.ndarray) -> None:
        skeleton, mesh, rest_joints = self._body
        root = np.array([root_view[0], root_view[2], -root_view[1]])  # back from view to motion axes
        rot, pos = forward_kinematics_transforms(
            skeleton.parents, skeleton.offsets, rotations[None], root[None]
        )
        vertices = to_view(skin_frame(mesh, rest_joints, rot[0], pos[0]))
        data = item.opts["meshdata"]
        data.setVertexes(np.ascontiguousarray(vertices, dtype=np.float32))
        item.meshDataChanged()
        item.update()
