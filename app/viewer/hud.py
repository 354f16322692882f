"""The strip above the 3D view: the frame's and the clip's error (and checkpoint B's), the error
colour key with its scale control, and the joint under the pointer.

A strip of its own, so the numbers never cover a skeleton at any window size. The numbers are the
prepared frame data's (:mod:`app.viewer.frame_data`, computed in core); this only words them.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from app.state.session import Session
from app.style import theme
from app.viewer.error_legend import ErrorScaleControl
from app.viewer.frame_data import FrameData
from core.session.checkpoint_b import CheckpointB


class ViewerHud(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("hud")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setStyleSheet(f"#hud {{ background: {theme.css(theme.OVERLAY)}; }}")
        self.mpjpe_label = QLabel()
        self.mpjpe_label.setWordWrap(True)
        self.mpjpe_label.setToolTip(
            "Mean per-joint position error between the reconstruction and the original, "
            "at the current frame and over the whole clip"
        )
        self.hover_label = QLabel()
        """The joint under the pointer; its line is always there, so naming a joint never moves the view."""
        self.hover_label.setMinimumHeight(self.hover_label.fontMetrics().height())
        self.hover_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.scale_control = ErrorScaleControl(session)
        self.legend = self.scale_control.legend
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 10, 4)
        layout.addWidget(self.mpjpe_label, 1)
        scale_column = QVBoxLayout()
        scale_column.setSpacing(0)
        scale_column.addWidget(self.scale_control)
        scale_column.addWidget(self.hover_label)
        layout.addLayout(scale_column)

    def show_errors(
        self,
        session: Session,
        data: FrameData | None,
        comparison: CheckpointB,
        unmeasured: np.ndarray,
        frame: int,
    ) -> None:
        """The frame's and clip's error (and B's), or, without a reconstruction, why there is none."""
        recon = session.reconstruction
        if recon is None or data is None or data.recon is None:
            self.mpjpe_label.setText(session.no_reconstruction_reason())
            return
        k = session.layers_used
        frame = min(max(frame, 0), recon.num_frames - 1)
        over = "" if not unmeasured.any() else f" of the {recon.representation.describe()}"
        what = f", previewing code {data.previewed_code}" if data.previewed_code is not None else ""
        ghost = (
            f" &nbsp;<span style='color:{theme.GHOST.name()}'>&#9633;</span> ghost: before edits"
            if data.ghost is not None
            else ""
        )
        text = (
            f"{'Root-aligned MPJPE' if session.aligned else 'MPJPE'}{over} with {k} of "
            f"{recon.num_quantizers} layers{what}<br>frame <b>{data.recon.frame_mpjpe[frame]:.1f} mm</b>"
            f" &nbsp;·&nbsp; clip <b>{data.recon.clip_mpjpe:.1f} mm</b>{ghost}"
        )
        if data.b is not None:
            text += (
                f"<br><span style='color:{theme.CHECKPOINT_B.name()}'>&#9632; B</span> {comparison.label} "
                f"({comparison.layers(k)} layers): frame <b>{data.b.frame_mpjpe[frame]:.1f} mm</b>"
                f" &nbsp;·&nbsp; clip <b>{data.b.clip_mpjpe:.1f} mm</b>"
            )
        elif comparison.mismatch:
            text += f"<br>B: {comparison.mismatch}"
        self.mpjpe_label.setText(text)
