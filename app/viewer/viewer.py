"""The 3D comparison: the original clip and its reconstruction on a ground grid, optionally with the
pre-edit reconstruction as a ghost and a second checkpoint's reconstruction (B) as a third skeleton.

The GL items are made once and only their data changes per frame (``setData``). Everything a frame
reads is prepared when the state changes (clip, layers, alignment, an edit, a preview): whole clips
converted to view coordinates (motion data is Y-up, the GL view Z-up: (x, -z, y)), per-frame MPJPE,
root paths. A frame is then a few array lookups and uploads, which keeps playback above 60 fps.

The viewer owns its toggles as checkable QActions (the window's View menu lists the same objects and
the bar's buttons show them), so a toggle's state lives in one place. What is drawn (bones, colours,
grid) is built for one clip and rebuilt before a frame of another clip is drawn, whatever order the
signals of an open arrive in. Joint colours use the session's fixed error scale (the HUD's control).
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
import pyqtgraph.opengl as gl
from PySide6.QtGui import QVector3D
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from app.state.playback import Playback
from app.state.session import Session
from app.style import theme
from app.style.commands import make_action
from app.viewer.frame_data import FrameData, prepare
from app.viewer.gl_view import GLView, GLViewHost
from app.viewer.hud import ViewerHud
from app.viewer.joint_hover import DrawnSkeleton, JointHover
from app.viewer.mesh_view import BodyMeshes, is_smplx, model_dir, set_model_dir
from app.viewer.skeleton_items import RootPath, SkeletonItems, bone_colors, helper_root_bone, rgba, to_view
from app.viewer.viewer_actions import VIEWER_ACTIONS, swatch, tool_button
from core.motion.clip import Motion

__all__ = ["Viewer", "bone_colors", "helper_root_bone", "to_view"]


class Viewer(QWidget):
    """GL view plus its bar (layout and camera buttons) and HUD (MPJPE, error scale, hovered joint)."""

    def __init__(self, session: Session, playback: Playback, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.playback = playback
        self._built_for: Motion | None = None
        self._side_offset = 1.0
        self._height = 1.7
        self._middle = 0.85
        self._frames: FrameData | None = None
        """What a frame reads, prepared once per state (see :meth:`_prepare`); None: prepare again."""
        self._unmeasured = np.zeros(0, dtype=bool)
        """Joints the tokenizer does not describe (a body part's rest of the body): drawn grey."""
        self._build_actions()
        self._build_scene()
        # The error numbers and the colour key sit in a strip of their own above the view, so they never
        # cover a skeleton at any window size.
        self.hud = ViewerHud(session)
        self.meshes = BodyMeshes(self.scene)
        self.hud.layout().insertWidget(1, self.meshes.message, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(self._build_bar())
        layout.addWidget(self.hud)
        layout.addWidget(self.view, 1)
        self.hover = JointHover(self.scene, self.view, self.hud.hover_label, self.drawn_skeletons)
        self._connect()
        self._rebuild()

    def _build_actions(self) -> None:
        """The view's commands (:data:`VIEWER_ACTIONS`), owned here and listed by the window's View menu."""
        actions = {name: make_action(self, spec) for name, spec in VIEWER_ACTIONS.items()}
        self.align_action, self.overlay_action, self.paths_action = (
            actions["align"],
            actions["overlay"],
            actions["paths"],
        )
        self.ghost_action, self.follow_action, self.mesh_action = (
            actions["ghost"],
            actions["follow"],
            actions["mesh"],
        )
        self.reset_camera_action, self.smplx_folder_action = actions["reset_camera"], actions["smplx_folder"]
        # Alignment is the session's (the error strip and analysis panel read it too); the action
        # shows it and sets it, and the view redraws when the session says it changed.
        self.align_action.setChecked(self.session.aligned)

    def _build_scene(self) -> None:
        self.scene = GLView()
        """The GL scene (items, camera); ``view`` is the widget that holds it in the layout."""
        self.scene.setBackgroundColor(theme.VIEW_BACKGROUND)
        self.view = GLViewHost(self.scene)
        self.view.setMinimumSize(320, 240)
        self.view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.view.setStatusTip(
            "Drag to orbit · middle-drag to pan · wheel to zoom · point at a joint to name it"
        )
        self.grid = gl.GLGridItem(color=theme.with_alpha(theme.GRID, 150))
        self.scene.addItem(self.grid)
        self.paths = {
            name: RootPath(self.scene, color)
            for name, color in (
                ("original", theme.ORIGINAL),
                ("recon", theme.RECONSTRUCTION),
                ("b", theme.CHECKPOINT_B),
            )
        }
        self.ghost = SkeletonItems(self.scene, theme.GHOST, 6, alpha=0.3, joints=False)
        self.original = SkeletonItems(self.scene, theme.ORIGINAL, 7)
        self.recon = SkeletonItems(self.scene, theme.RECONSTRUCTION, 10)
        self.b = SkeletonItems(self.scene, theme.CHECKPOINT_B, 8)
        self.original_bones, self.original_joints = self.original.bones_item, self.original.joints_item
        self.recon_bones, self.recon_joints = self.recon.bones_item, self.recon.joints_item
        self._cmap = theme.error_colormap()

    def _build_bar(self) -> QHBoxLayout:
        """Who is who (the swatches) and the view's toggles as buttons."""
        self.recon_label = swatch("Reconstruction", theme.RECONSTRUCTION)
        bar = QHBoxLayout()
        bar.setContentsMargins(8, 3, 6, 3)
        for widget in (swatch("Original", theme.ORIGINAL), self.recon_label):
            bar.addWidget(widget)
            bar.addSpacing(8)
        bar.addStretch(1)
        self.buttons = [
            tool_button(a)
            for a in (
                self.align_action,
                self.overlay_action,
                self.paths_action,
                self.ghost_action,
                self.follow_action,
                self.mesh_action,
                self.reset_camera_action,
            )
        ]
        self.mesh_button = self.buttons[5]
        for button in self.buttons:
            bar.addWidget(button)
        return bar

    def _connect(self) -> None:
        """Follow the toggles and the session. The meshes drop their decoded clip before the view draws
        a frame of an edit, so they are connected first."""
        session = self.session
        for action in (self.overlay_action, self.paths_action, self.ghost_action):
            action.toggled.connect(self._invalidate)
        self.align_action.toggled.connect(session.set_aligned)
        session.alignedChanged.connect(self.align_action.setChecked)
        session.alignedChanged.connect(self._invalidate)
        session.alignedChanged.connect(lambda _aligned: self._update_availability())
        self.follow_action.toggled.connect(self._redraw)
        self.reset_camera_action.triggered.connect(self.reset_camera)
        self.mesh_action.toggled.connect(self._mesh_options_changed)
        self.smplx_folder_action.triggered.connect(self._choose_smplx_folder)
        session.framesChanged.connect(self.meshes.invalidate_reconstruction)
        session.reconstructionChanged.connect(self.meshes.invalidate_reconstruction)
        session.reconstructionChanged.connect(self._rebuild)
        session.checkpointBChanged.connect(self._rebuild)
        session.layersUsedChanged.connect(self._invalidate)
        session.framesChanged.connect(self._invalidate)
        session.errorScaleChanged.connect(self._redraw)
        session.previewChanged.connect(self._invalidate)
        self.playback.frameChanged.connect(self.show_frame)

    @property
    def align_roots(self) -> bool:
        return self.session.aligned

    @property
    def overlay(self) -> bool:
        return self.overlay_action.isChecked()

    @property
    def follow(self) -> bool:
        return self.follow_action.isChecked()

    def set_align_roots(self, align: bool) -> None:
        self.align_action.setChecked(bool(align))

    def set_overlay(self, overlay: bool) -> None:
        self.overlay_action.setChecked(bool(overlay))

    def set_follow(self, follow: bool) -> None:
        self.follow_action.setChecked(bool(follow))

    # ----- state changes --------------------------------------------------------------------

    def _rebuild(self) -> None:
        """New clip or checkpoint: bones, grid and camera start over."""
        positions = self.session.original_positions
        self._built_for = self.session.motion
        recon = self.session.reconstruction
        joints = 0 if positions is None else positions.shape[1]
        self._unmeasured = np.ones(joints, dtype=bool)
        self._unmeasured[recon.measured_joints if recon is not None else slice(None)] = False
        self._frames = None
        if positions is None:
            for items in (self.recon, self.b, self.ghost):
                items.set_visible(False)
            self._show_hud_parts()
            self._rebuild_meshes()
            self._update_hud(0)
            return
        skeleton = self.session.motion.skeleton
        self._height = max(float(np.ptp(positions[..., 1])), 0.5)
        # The camera looks halfway up the clip's whole vertical extent (a rig whose floor is not at 0
        # stays in frame).
        self._middle = float(positions[..., 1].min() + positions[..., 1].max()) / 2
        for items in (self.original, self.recon, self.ghost):
            items.set_skeleton(skeleton, self._height)
        if self.session.checkpoint_b.reconstruction is not None:
            self.b.set_skeleton(self.session.checkpoint_b.reconstruction.skeleton, self._height)
        self._side_offset = max(0.6, 0.55 * self._height)
        ground = to_view(positions[:, 0])
        lo, hi = ground.min(axis=0), ground.max(axis=0)
        size = float(np.ceil(max(hi[0] - lo[0], hi[1] - lo[1]) + 3 * self._side_offset + 3.0))
        spacing = 0.5 if size <= 30 else 1.0
        self.grid.setSize(size, size)
        self.grid.setSpacing(spacing, spacing)
        self.grid.resetTransform()
        self.grid.translate(float(round((lo[0] + hi[0]) / 2)), float(round((lo[1] + hi[1]) / 2)), 0.0)
        self._rebuild_meshes()
        self.reset_camera()
        self.show_frame(self.playback.frame)

    def _invalidate(self, *_args: object) -> None:
        """Something a frame reads changed (layers, alignment, an edit, a preview, a toggle): prepare
        again and redraw the current frame."""
        self._frames = None
        self._redraw()

    def _redraw(self, *_args: object) -> None:
        self.show_frame(self.playback.frame)

    def _prepare(self) -> FrameData:
        """What every frame reads (:func:`app.viewer.frame_data.prepare`), and the root paths, which do not
        change per frame: drawn when roots are not aligned, so drift shows side by side."""
        data = prepare(
            self.session.edit_session,
            self.session.checkpoint_b,
            self.align_roots,
            self.overlay,
            self._side_offset,
            self.ghost_action.isChecked(),
        )
        paths = self.paths_action.isChecked() and not self.align_roots and data.recon is not None
        for name, points in (("original", data.original), ("recon", data.recon), ("b", data.b)):
            points = getattr(points, "points", points)
            self.paths[name].show(points[:, 0] if paths and points is not None else None)
        return data

    def reset_camera(self) -> None:
        """Look at the character from the front-left, from a distance that shows every skeleton."""
        across = 1.6 * self._height + 1.3 * self._side_offset * (
            2 if self.session.checkpoint_b.reconstruction else 1
        )
        # pyqtgraph's fov is horizontal: a wide, short view (1024x700) must step back to fit the height.
        aspect = max(self.view.height(), 1) / max(self.view.width(), 1)
        upright = 0.65 * self._height / (math.tan(math.radians(self.scene.opts["fov"]) / 2) * aspect)
        self.scene.setCameraPosition(
            pos=self._focus(self.playback.frame), distance=max(across, upright), elevation=14, azimuth=-82
        )

    # ----- drawing --------------------------------------------------------------------------

    def _focus(self, frame: int) -> QVector3D:
        positions = self.session.original_positions
        if positions is None:
            return QVector3D(0, 0, 0.9)
        root = to_view(positions[min(frame, len(positions) - 1), 0])
        return QVector3D(float(root[0]), float(root[1]), self._middle)

    def show_frame(self, frame: int) -> None:
        if self.session.motion is not self._built_for:  # a new clip whose own rebuild has not run yet
            self._rebuild()
            return
        positions = self.session.original_positions
        if positions is None:
            return
        if self._frames is None:
            self._frames = self._prepare()
            self._show_hud_parts()
        data, scale = self._frames, self.session.error_scale
        frame = min(max(frame, 0), len(positions) - 1)
        original = data.original[frame]
        self.original.show(original)
        for items, drawn in ((self.recon, data.recon), (self.b, data.b)):
            items.set_visible(drawn is not None and not (items is self.recon and self.meshes.recon_drawn))
            if drawn is not None:
                colors = self._cmap.map(scale.fraction(drawn.errors[frame]), mode="float")
                if items is self.recon:
                    colors[self._unmeasured] = rgba(theme.DIM_TEXT, 0.8)
                items.show(drawn.points[frame], colors)
        self.ghost.set_visible(data.ghost is not None)
        if data.ghost is not None:
            self.ghost.show(data.ghost[frame])
        if self.meshes.original_drawn:
            roots = (original[0], data.recon.points[frame, 0] if data.recon is not None else None)
            session = self.session
            self.meshes.show(session.motion, frame, roots, session.reconstruction, session.layers_used)
        self._update_hud(frame)
        if self.follow:
            self.scene.opts["center"] = self._focus(frame)
        self.scene.update()

    def _show_hud_parts(self) -> None:
        """Which parts of the bar and HUD apply (once per prepared state, not per frame)."""
        shown = self._frames is not None and self._frames.recon is not None
        self.recon_label.setVisible(shown)
        self.hud.scale_control.setVisible(shown)

    def _update_hud(self, frame: int) -> None:
        self.hud.show_errors(self.session, self._frames, self.session.checkpoint_b, self._unmeasured, frame)

    def drawn_skeletons(self) -> list[DrawnSkeleton]:
        """The skeletons drawn at the current frame, for naming the joint under the pointer."""
        data, motion = self._frames, self.session.motion
        if data is None or motion is None:
            return []
        frame = min(max(self.playback.frame, 0), len(data.original) - 1)
        names = list(motion.skeleton.joint_names)
        drawn = [DrawnSkeleton("Original", names, data.original[frame], None)]
        if data.recon is not None:
            drawn.append(
                DrawnSkeleton("Reconstruction", names, data.recon.points[frame], data.recon.errors[frame])
            )
        if data.b is not None:
            b_names = list(self.session.checkpoint_b.reconstruction.skeleton.joint_names)
            drawn.append(DrawnSkeleton("B", b_names, data.b.points[frame], data.b.errors[frame]))
        return drawn

    def grab_view(self) -> pg.QtGui.QImage:
        """The 3D view's current framebuffer (what screenshots and tests inspect)."""
        return self.scene.grabFramebuffer()

    # ----- SMPL-X meshes (app.viewer.mesh_view) -----------------------------------------------

    def smplx_model_dir(self) -> str:
        return model_dir(self.window())

    def set_smplx_model_dir(self, folder: str) -> None:
        set_model_dir(self.window(), folder)
        self._mesh_options_changed()

    def _choose_smplx_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "SMPL-X model folder", self.smplx_model_dir())
        if folder:
            self.set_smplx_model_dir(folder)

    def _mesh_options_changed(self) -> None:
        self._rebuild_meshes()
        self._invalidate()

    def _update_availability(self) -> None:
        """Toggles grey out, saying why in their tooltip, when they would draw nothing: Meshes without a
        body to draw, Paths while roots are aligned, the comparisons without a reconstruction."""
        motion = self.session.motion
        if motion is None or (is_smplx(motion) and self.smplx_model_dir()):
            mesh_why = ""
        elif not is_smplx(motion):
            mesh_why = f"meshes are drawn for SMPL-X clips; this one has a {motion.skeleton.num_joints}-joint skeleton"
        else:
            mesh_why = "meshes need your own SMPL-X model folder (View > Set SMPL-X model folder)"
        paths_why = "roots are aligned, so the paths coincide: turn Align roots (A) off to see the drift"
        compare_why = (
            ""
            if self.session.reconstruction is not None
            else "there is no reconstruction to compare with (open a checkpoint that fits the clip)"
        )
        for name, action, why in (
            ("mesh", self.mesh_action, mesh_why),
            ("paths", self.paths_action, compare_why or (paths_why if self.session.aligned else "")),
            ("align", self.align_action, compare_why),
            ("overlay", self.overlay_action, compare_why),
            ("ghost", self.ghost_action, compare_why),
        ):
            action.setEnabled(not why)
            spec = VIEWER_ACTIONS[name]
            action.setToolTip(f"{spec.text} ({spec.keys})\n" + (f"Unavailable: {why}" if why else spec.tip))

    def _rebuild_meshes(self) -> None:
        """Load the body for the clip; skeletons are drawn only where no mesh is."""
        session, shown = self.session, self.mesh_action.isChecked()
        clip, recon = session.original_positions is not None, session.reconstruction
        motion = session.motion if clip else None
        self.meshes.rebuild(motion, recon, session.layers_used, self.smplx_model_dir(), shown)
        self._update_availability()
        self.original.set_visible(clip and not self.meshes.original_drawn)
        self.recon.set_visible(clip and recon is not None and not self.meshes.recon_drawn)
