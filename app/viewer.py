"""The 3D comparison: the original clip and its reconstruction on a ground grid.

The GL items are made once and only their data changes per frame (``setData``), so playback
costs four small uploads a frame. Motion data is Y-up; the GL view is Z-up, so positions are
shown with their axes swapped (x, -z, y), a display convention only.

The viewer owns its toggles as checkable QActions (the window's View menu lists the same objects and
the bar's buttons show them), so a toggle's state lives in one place. What is drawn (bones, colours,
grid) is built for one clip and rebuilt before a frame of another clip is drawn, whatever order the
signals of an open arrive in.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pyqtgraph.opengl as gl
from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QAction, QColor, QKeySequence, QLinearGradient, QPainter, QPen, QVector3D
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QSizePolicy, QToolButton, QVBoxLayout, QWidget

from app import theme
from app.mesh_view import BodyMeshes, model_dir, set_model_dir
from app.playback import Playback
from app.session import Session
from core.motion.clip import Motion
from core.motion.skeleton import Skeleton

NICE_SCALES_MM = (10, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 2000, 5000)


def to_view(points: np.ndarray) -> np.ndarray:
    """Motion coordinates (Y up) to the GL view's (Z up)."""
    return np.stack([points[..., 0], -points[..., 2], points[..., 1]], axis=-1)


def rgba(color: QColor, alpha: float = 1.0) -> tuple[float, float, float, float]:
    return color.redF(), color.greenF(), color.blueF(), alpha


def nice_scale_mm(errors_m: np.ndarray) -> float:
    """A round upper bound of the colour scale: most joints fall below it, so colours separate."""
    high = float(np.percentile(errors_m, 95)) * 1000.0 if errors_m.size else 0.0
    return float(next((s for s in NICE_SCALES_MM if s >= high), NICE_SCALES_MM[-1]))


def helper_root_bone(skeleton: Skeleton, height: float) -> int | None:
    """The child of a helper root (e.g. Bandai's ``joint_Root`` on the ground under the hips), whose
    bone would be drawn as a third leg: a root with one child a quarter of the body height away."""
    children = skeleton.children(0)
    if len(children) == 1 and np.linalg.norm(skeleton.offsets[children[0]]) > 0.25 * height:
        return children[0]
    return None


def bone_colors(bones: np.ndarray, color: QColor, helper_child: int | None) -> np.ndarray:
    """Per-vertex colours of the bone lines; the helper-root bone, if any, is drawn faint."""
    colors = np.tile(rgba(color, 0.95), (2 * len(bones), 1))
    if helper_child is not None:
        colors[np.repeat(bones[:, 1] == helper_child, 2), 3] = 0.12
    return colors


class ErrorLegend(QWidget):
    """The joint-error colour bar with its millimetre range."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._scale_mm = 100.0
        self.setMinimumWidth(150)
        self.setToolTip("Reconstruction joints are coloured by their distance from the original joint")

    def sizeHint(self) -> QSize:
        return QSize(190, 30)

    def set_scale(self, scale_mm: float) -> None:
        self._scale_mm = scale_mm
        self.update()

    def paintEvent(self, event: object) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        bar = QRectF(4, 3, self.width() - 8, 9)
        gradient = QLinearGradient(bar.topLeft(), bar.topRight())
        for stop, color in zip(theme.ERROR_STOPS, theme.ERROR_COLORS, strict=True):
            gradient.setColorAt(stop, color)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(gradient)
        painter.drawRoundedRect(bar, 3, 3)
        painter.setPen(QPen(theme.DIM_TEXT))
        font = painter.font()
        font.setPointSizeF(font.pointSizeF() * 0.85)
        painter.setFont(font)
        y = bar.bottom() + 13
        painter.drawText(QPointF(bar.left(), y), "0 mm")
        mid = f"{self._scale_mm / 2:g}"
        painter.drawText(QPointF(bar.center().x() - painter.fontMetrics().horizontalAdvance(mid) / 2, y), mid)
        high = f"≥{self._scale_mm:g}"
        painter.drawText(QPointF(bar.right() - painter.fontMetrics().horizontalAdvance(high), y), high)


def _swatch(text: str, color: QColor) -> QLabel:
    label = QLabel(f"<span style='color:{color.name()}'>&#9632;</span> {text}")
    label.setTextFormat(Qt.TextFormat.RichText)
    return label


class Viewer(QWidget):
    """GL view plus its bar (legend, MPJPE, layout and camera buttons); follows the session and the clock."""

    def __init__(self, session: Session, playback: Playback, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.playback = playback
        self._built_for: Motion | None = None
        self._side_offset = 1.0
        self._height = 1.7
        self._scale_mm = 100.0
        self._bones = np.zeros((0, 2), dtype=np.int64)
        self._original_colors = np.zeros((0, 4))
        self._recon_colors = np.zeros((0, 4))
        self._unmeasured = np.zeros(0, dtype=bool)
        """Joints the tokenizer does not describe (a body part's rest of the body): drawn grey."""
        self.align_action = self._toggle(
            "Align roots",
            "A",
            "Put the reconstruction on the original's root path and measure pose error only (A).\n"
            "Off: the decoded root path, whose drift counts as error.",
            True,
            self._align_changed,
        )
        self.overlay_action = self._toggle(
            "Overlay skeletons", "O", "Draw both skeletons in one place (O)", False, self._redraw, "Overlay"
        )
        self.follow_action = self._toggle(
            "Follow root", "F", "Keep the camera on the character (F)", True, self._redraw
        )
        self.reset_camera_action = QAction("Reset camera", self)
        self.reset_camera_action.setIconText("Reset view")
        self.reset_camera_action.setShortcut(QKeySequence("R"))
        self.reset_camera_action.setToolTip("Frame the character again (R)")
        self.reset_camera_action.triggered.connect(self.reset_camera)
        self.addAction(self.reset_camera_action)

        self.view = gl.GLViewWidget()
        self.view.setBackgroundColor(theme.VIEW_BACKGROUND)
        self.view.setMinimumSize(320, 240)
        self.view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.view.setToolTip("")
        self.grid = gl.GLGridItem(color=QColor(theme.GRID.red(), theme.GRID.green(), theme.GRID.blue(), 150))
        self.view.addItem(self.grid)
        self.original_bones = gl.GLLinePlotItem(
            mode="lines", width=3, color=rgba(theme.ORIGINAL, 0.95), antialias=True, glOptions="translucent"
        )
        self.original_joints = gl.GLScatterPlotItem(
            size=7, color=rgba(theme.ORIGINAL), glOptions="translucent"
        )
        self.recon_bones = gl.GLLinePlotItem(
            mode="lines",
            width=3,
            color=rgba(theme.RECONSTRUCTION, 0.95),
            antialias=True,
            glOptions="translucent",
        )
        self.recon_joints = gl.GLScatterPlotItem(size=10, glOptions="translucent")
        for item in (self.original_bones, self.original_joints, self.recon_bones, self.recon_joints):
            self.view.addItem(item)
        self._cmap = theme.error_colormap()

        self.recon_label = _swatch("Reconstruction", theme.RECONSTRUCTION)
        self.align_button, self.overlay_button, self.follow_button, self.reset_button = (
            self._tool_button(action)
            for action in (self.align_action, self.overlay_action, self.follow_action, self.reset_camera_action)
        )
        bar = QHBoxLayout()
        bar.setContentsMargins(8, 3, 6, 3)
        bar.addWidget(_swatch("Original", theme.ORIGINAL))
        bar.addSpacing(10)
        bar.addWidget(self.recon_label)
        bar.addStretch(1)
        for button in (self.align_button, self.overlay_button, self.follow_button, self.reset_button):
            bar.addWidget(button)
        self.view.setStatusTip("Drag to orbit · middle-drag to pan · wheel to zoom")

        # The error numbers and the colour key sit in a strip of their own above the view, so they never
        # cover a skeleton at any window size.
        self.hud = QWidget()
        self.hud.setObjectName("hud")
        self.hud.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.hud.setStyleSheet("#hud { background: rgba(20, 22, 25, 200); }")
        self.mpjpe_label = QLabel()
        self.mpjpe_label.setWordWrap(True)
        self.mpjpe_label.setToolTip(
            "Mean per-joint position error between the reconstruction and the original, "
            "at the current frame and over the whole clip"
        )
        self.legend = ErrorLegend()
        self.legend_title = QLabel("Joint error")
        self.legend_title.setStyleSheet(f"color: {theme.DIM_TEXT.name()}")
        hud_layout = QHBoxLayout(self.hud)
        hud_layout.setContentsMargins(10, 4, 10, 4)
        hud_layout.addWidget(self.mpjpe_label, 1)
        hud_layout.addWidget(self.legend_title)
        hud_layout.addWidget(self.legend)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(self.hud)
        layout.addWidget(self.view, 1)

        self._setup_meshes()
        session.reconstructionChanged.connect(self._rebuild)
        session.truncationChanged.connect(self._levels_changed)
        session.framesChanged.connect(self._frames_changed)
        playback.frameChanged.connect(self.show_frame)
        self._rebuild()

    def _toggle(
        self, text: str, key: str, tip: str, checked: bool, slot: object, icon_text: str = ""
    ) -> QAction:
        action = QAction(text, self)
        action.setCheckable(True)
        action.setChecked(checked)
        action.setShortcut(QKeySequence(key))
        action.setToolTip(tip)
        action.setStatusTip(tip.split("\n")[0])
        if icon_text:
            action.setIconText(icon_text)
        action.toggled.connect(slot)
        self.addAction(action)
        return action

    def _tool_button(self, action: QAction) -> QToolButton:
        button = QToolButton()
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        return button

    @property
    def align_roots(self) -> bool:
        return self.align_action.isChecked()

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
        """New clip or checkpoint: bones, grid, colour scale and camera start over."""
        positions = self.session.original_positions
        self._built_for = self.session.motion
        recon = self.session.reconstruction
        joints = 0 if positions is None else positions.shape[1]
        self._unmeasured = np.ones(joints, dtype=bool)
        self._unmeasured[recon.measured_joints if recon is not None else slice(None)] = False
        for item in (self.original_bones, self.original_joints):
            item.setVisible(positions is not None)
        if positions is None:
            self._set_recon_visible(False)
            self._rebuild_meshes()
            self._update_hud(0)
            return
        skeleton = self.session.motion.skeleton
        self._bones = skeleton.bones()
        self._height = max(float(np.ptp(positions[..., 1])), 0.5)
        helper = helper_root_bone(skeleton, self._height)
        self._original_colors = bone_colors(self._bones, theme.ORIGINAL, helper)
        self._recon_colors = bone_colors(self._bones, theme.RECONSTRUCTION, helper)
        self._side_offset = max(0.6, 0.55 * self._height)
        ground = to_view(positions[:, 0])
        lo, hi = ground.min(axis=0), ground.max(axis=0)
        size = float(np.ceil(max(hi[0] - lo[0], hi[1] - lo[1]) + 2 * self._side_offset + 3.0))
        spacing = 0.5 if size <= 30 else 1.0
        self.grid.setSize(size, size)
        self.grid.setSpacing(spacing, spacing)
        self.grid.resetTransform()
        self.grid.translate(float(round((lo[0] + hi[0]) / 2)), float(round((lo[1] + hi[1]) / 2)), 0.0)
        self._set_recon_visible(self.session.reconstruction is not None)
        self._update_scale()
        self._rebuild_meshes()
        self.reset_camera()
        self.show_frame(self.playback.frame)

    def _set_recon_visible(self, visible: bool) -> None:
        for item in (self.recon_bones, self.recon_joints):
            item.setVisible(visible)
        self.recon_label.setVisible(visible)
        self.legend.setVisible(visible)
        self.legend_title.setVisible(visible)

    def _levels_changed(self, _k: int) -> None:
        self._update_scale()
        self._redraw()

    def _frames_changed(self, _start: int, _stop: int) -> None:
        """An edit: redraw the current frame (cheap), whichever frames the edit reached."""
        self._redraw()

    def _update_scale(self) -> None:
        recon = self.session.reconstruction
        if recon is not None:
            self._scale_mm = nice_scale_mm(recon.joint_errors(self.session.layers_used, self.align_roots))
            self.legend.set_scale(self._scale_mm)

    def _align_changed(self) -> None:
        self._update_scale()
        self._redraw()

    def _redraw(self) -> None:
        self.show_frame(self.playback.frame)

    def reset_camera(self) -> None:
        """Look at the character from the front-left, from a distance that shows both skeletons."""
        self.view.setCameraPosition(
            pos=self._focus(self.playback.frame),
            distance=1.6 * self._height + 1.3 * self._side_offset,
            elevation=14,
            azimuth=-82,
        )

    # ----- drawing --------------------------------------------------------------------------

    def _offsets(self) -> tuple[np.ndarray, np.ndarray]:
        half = 0.0 if self.overlay else self._side_offset / 2
        return np.array([-half, 0.0, 0.0]), np.array([half, 0.0, 0.0])

    def _focus(self, frame: int) -> QVector3D:
        positions = self.session.original_positions
        if positions is None:
            return QVector3D(0, 0, 0.9)
        root = to_view(positions[min(frame, len(positions) - 1), 0])
        return QVector3D(float(root[0]), float(root[1]), 0.5 * self._height)

    def show_frame(self, frame: int) -> None:
        if self.session.motion is not self._built_for:  # a new clip whose own rebuild has not run yet
            self._rebuild()
            return
        positions = self.session.original_positions
        if positions is None:
            return
        frame = min(max(frame, 0), len(positions) - 1)
        left, right = self._offsets()
        recon = self.session.reconstruction
        original = to_view(positions[frame]) + (left if recon is not None else 0.0)
        self.original_bones.setData(pos=original[self._bones].reshape(-1, 3), color=self._original_colors)
        self.original_joints.setData(pos=original)
        if recon is not None:
            k, aligned = self.session.layers_used, self.align_roots
            decoded = to_view(recon.positions(k, aligned)[frame]) + right
            errors = recon.joint_errors(k, aligned)[frame] * (1000.0 / self._scale_mm)
            colors = self._cmap.map(np.clip(errors, 0.0, 1.0), mode="float")
            colors[self._unmeasured] = rgba(theme.DIM_TEXT, 0.8)
            self.recon_bones.setData(pos=decoded[self._bones].reshape(-1, 3), color=self._recon_colors)
            self.recon_joints.setData(pos=decoded, color=colors)
        if self.meshes.original_drawn:
            roots = (original[0], decoded[0] if recon is not None else None)
            self.meshes.show(self.session.motion, frame, roots, recon, self.session.layers_used)
        self._update_hud(frame)
        if self.follow:
            self.view.opts["center"] = self._focus(frame)
            self.view.update()

    def _update_hud(self, frame: int) -> None:
        """The frame's and clip's error, or, without a reconstruction, why there is none."""
        recon = self.session.reconstruction
        if recon is None:
            self.mpjpe_label.setText(self.session.no_reconstruction_reason())
        else:
            k, aligned = self.session.layers_used, self.align_roots
            frame = min(max(frame, 0), recon.num_frames - 1)
            over = "" if not self._unmeasured.any() else f" of the {recon.representation.describe()}"
            self.mpjpe_label.setText(
                f"{'Root-aligned MPJPE' if aligned else 'MPJPE'}{over} with {k} of {recon.num_quantizers} layers<br>"
                f"frame <b>{recon.frame_mpjpe_mm(k, aligned)[frame]:.1f} mm</b> &nbsp;·&nbsp; "
                f"clip <b>{recon.mpjpe_mm(k, aligned):.1f} mm</b>"
            )

    def grab_view(self) -> pg.QtGui.QImage:
        """The 3D view's current framebuffer (what screenshots and tests inspect)."""
        return self.view.grabFramebuffer()

    # ----- SMPL-X meshes (app.mesh_view) ----------------------------------------------------

    def _setup_meshes(self) -> None:
        """The mesh toggle, the model-folder action and the mesh items; set up before the session's
        signals are connected, so an edit drops the decoded clip before the frame is drawn."""
        self.meshes = BodyMeshes(self.view)
        self.hud.layout().insertWidget(1, self.meshes.message, 1)
        tip = "Draw SMPL-X clips as skinned bodies instead of skeletons (M).\nNeeds your own SMPL-X model folder."
        self.mesh_action = self._toggle("Show meshes", "M", tip, True, self._mesh_options_changed, "Meshes")
        self.smplx_folder_action = QAction("Set SMPL-X model folder…", self)
        self.smplx_folder_action.setToolTip("The folder holding your SMPLX_NEUTRAL.npz (never shipped with the app)")
        self.smplx_folder_action.triggered.connect(self._choose_smplx_folder)
        self.addAction(self.smplx_folder_action)
        self.mesh_button = self._tool_button(self.mesh_action)
        self.layout().itemAt(0).layout().insertWidget(4, self.mesh_button)
        self.session.framesChanged.connect(self.meshes.invalidate_reconstruction)
        self.session.reconstructionChanged.connect(self.meshes.invalidate_reconstruction)

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
        self._redraw()

    def _rebuild_meshes(self) -> None:
        """Load the body for the clip; skeletons are drawn only where no mesh is."""
        session, shown = self.session, self.mesh_action.isChecked()
        clip, recon = session.original_positions is not None, session.reconstruction
        motion = session.motion if clip else None
        self.meshes.rebuild(motion, recon, session.layers_used, self.smplx_model_dir(), shown)
        for item in (self.original_bones, self.original_joints):
            item.setVisible(clip and not self.meshes.original_drawn)
        for item in (self.recon_bones, self.recon_joints):
            item.setVisible(clip and recon is not None and not self.meshes.recon_drawn)
