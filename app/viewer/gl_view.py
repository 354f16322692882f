"""pyqtgraph's 3D view as a native GL window inside the widget tree, so a frame redraws only the view.

A ``QOpenGLWidget`` (pyqtgraph's ``GLViewWidget``) makes Qt compose the whole top-level window through
OpenGL on every update: with software GL (Xvfb, llvmpipe, a VM) that composition alone cost about
15 ms of CPU per frame at 1280x800 (measured with the scene's own drawing switched off), which held
playback under 60 fps. The same view as a ``QOpenGLWindow`` in a window container swaps only its own
pixels, and the widgets around it repaint their small dirty regions in software.

The window takes no keyboard focus, so the window's shortcuts (A, O, F, R, ...) keep working after
a click in the view; mouse orbit, pan and zoom are pyqtgraph's.
"""

from __future__ import annotations

from pyqtgraph.opengl.GLViewWidget import GLViewMixin
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtGui import QImage, QPainter, QWindow
from PySide6.QtOpenGL import QOpenGLWindow
from PySide6.QtWidgets import QVBoxLayout, QWidget


class GLView(GLViewMixin, QOpenGLWindow):
    """Camera, items and mouse control of pyqtgraph's GL view, drawn in a window of its own."""

    def __init__(self) -> None:
        # Made with a parent, so Qt owns it: the window container that shows it deletes it, and Python
        # must not delete it again at exit (a Python-owned window crashes the interpreter's shutdown).
        self._first_parent = QWindow()
        super().__init__(QOpenGLWindow.UpdateBehavior.NoPartialUpdate, self._first_parent)
        self.setFlag(Qt.WindowType.WindowDoesNotAcceptFocus)

    def devicePixelRatioF(self) -> float:
        return self.devicePixelRatio()

    def render_now(self) -> None:
        """Draw and show the scene at once: the pending update is delivered now, so it is drawn once
        (``update`` alone waits for the platform's next update request)."""
        if self.isExposed():
            self.update()
            QCoreApplication.sendEvent(self, QEvent(QEvent.Type.UpdateRequest))


class GLViewHost(QWidget):
    """The widget layouts hold: a window container around :class:`GLView` (``scene``)."""

    def __init__(self, scene: GLView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.scene = scene
        self.container = QWidget.createWindowContainer(scene, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.container)

    def repaint(self) -> None:
        """Draw the scene now, as ``QWidget.repaint`` would for a GL widget (what benchmarks time)."""
        self.scene.render_now()

    def grabFramebuffer(self) -> QImage:
        return self.scene.grabFramebuffer()

    def paintEvent(self, event: object) -> None:
        """Under the native window this is never seen; it is what ``QWidget.grab`` of the main window
        (screenshots) shows of the view, which would otherwise come out blank."""
        if self.scene.isExposed():
            QPainter(self).drawImage(self.rect(), self.scene.grabFramebuffer())
