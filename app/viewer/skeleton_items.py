"""The GL items of one drawn skeleton (bones as lines, joints as points) and of root paths.

Items are made once; a frame only uploads new positions. Positions arrive already in view
coordinates (:func:`to_view` of a whole clip, converted once per state change, not per frame).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph.opengl as gl
from pyqtgraph.opengl.GLViewWidget import GLViewMixin
from PySide6.QtGui import QColor

from core.motion.skeleton import Skeleton


def to_view(points: np.ndarray) -> np.ndarray:
    """Motion coordinates (Y up) to the GL view's (Z up): (x, -z, y), a display convention only."""
    return np.stack([points[..., 0], -points[..., 2], points[..., 1]], axis=-1).astype(np.float32)


def rgba(color: QColor, alpha: float = 1.0) -> tuple[float, float, float, float]:
    return color.redF(), color.greenF(), color.blueF(), alpha


def helper_root_bone(skeleton: Skeleton, height: float) -> int | None:
    """The child of a helper root (e.g. Bandai's ``joint_Root`` on the ground under the hips), whose
    bone would be drawn as a third leg: a root with one child a quarter of the body height away."""
    children = skeleton.children(0)
    if len(children) == 1 and np.linalg.norm(skeleton.offsets[children[0]]) > 0.25 * height:
        return children[0]
    return None


def bone_colors(
    bones: np.ndarray, color: QColor, helper_child: int | None, alpha: float = 0.95
) -> np.ndarray:
    """Per-vertex colours of the bone lines; the helper-root bone, if any, is drawn faint."""
    colors = np.tile(rgba(color, alpha), (2 * len(bones), 1)).astype(np.float32)
    if helper_child is not None:
        colors[np.repeat(bones[:, 1] == helper_child, 2), 3] = 0.12 * alpha
    return colors


class SkeletonItems:
    """Bones and joints of one skeleton in ``view``."""

    def __init__(
        self,
        view: GLViewMixin,
        color: QColor,
        joint_size: float,
        alpha: float = 0.95,
        joints: bool = True,
    ) -> None:
        self.color, self.alpha = color, alpha
        self.bones_item = gl.GLLinePlotItem(
            mode="lines", width=3, color=rgba(color, alpha), antialias=True, glOptions="translucent"
        )
        self.joints_item = gl.GLScatterPlotItem(
            size=joint_size, color=rgba(color, alpha), glOptions="translucent"
        )
        self.items = (self.bones_item, self.joints_item) if joints else (self.bones_item,)
        for item in self.items:
            view.addItem(item)
        self._bones = np.zeros((0, 2), dtype=np.int64)
        self._colors = np.zeros((0, 4), dtype=np.float32)

    def set_skeleton(self, skeleton: Skeleton, height: float) -> None:
        self._bones = skeleton.bones()
        self._colors = bone_colors(self._bones, self.color, helper_root_bone(skeleton, height), self.alpha)

    def show(self, points: np.ndarray, joint_colors: np.ndarray | None = None) -> None:
        """Draw (J, 3) view-space ``points``; ``joint_colors`` (J, 4) colour the joints one by one."""
        self.bones_item.setData(pos=points[self._bones].reshape(-1, 3), color=self._colors)
        if len(self.items) > 1:
            if joint_colors is None:
                self.joints_item.setData(pos=points)
            else:
                self.joints_item.setData(pos=points, color=joint_colors)

    def set_visible(self, visible: bool) -> None:
        for item in self.items:
            item.setVisible(visible)

    def visible(self) -> bool:
        return self.bones_item.visible()


MAX_PATH_POINTS = 600
"""A long clip's path is drawn through every n-th root: a line of thousands of segments costs
software GL a millisecond a frame, and a few hundred show the same curve."""


class RootPath:
    """A clip's root path as a line on the ground (view z = 0), drawn once per state, not per frame."""

    def __init__(self, view: GLViewMixin, color: QColor) -> None:
        self.item = gl.GLLinePlotItem(
            mode="line_strip", width=2, color=rgba(color, 0.7), antialias=False, glOptions="translucent"
        )
        self.item.setVisible(False)
        view.addItem(self.item)

    def show(self, roots_view: np.ndarray | None) -> None:
        """Draw (T, 3) view-space ``roots_view`` flattened to the ground; None hides it."""
        if roots_view is None or len(roots_view) < 2:
            self.item.setVisible(False)
            return
        stride = max(1, len(roots_view) // MAX_PATH_POINTS)
        path = np.array(roots_view[::stride])
        path[:, 2] = 0.002  # just above the grid, so it is not hidden by it
        self.item.setData(pos=path)
        self.item.setVisible(True)
