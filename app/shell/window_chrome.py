"""What the window's chrome says about the session: which commands apply, and the status-bar labels.

Read from the session every time it changes, never stored, so a label cannot disagree with the model.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QStatusBar

from app.state.session import Session
from app.style import theme
from core.tokens.interpolate import MIN_STEPS


def update_commands(commands: Mapping[str, QAction], session: Session) -> None:
    """Enable each command exactly when it can act on the session's state."""
    has_tokens = session.editor is not None
    selected = has_tokens and session.selection is not None
    has_recon = session.reconstruction is not None
    for name, enabled in (
        ("undo", session.can_undo),
        ("redo", session.can_redo),
        ("copy", selected),
        ("paste", selected and session.clipboard is not None),
        ("interpolate", selected and session.selection.stop - session.selection.start >= MIN_STEPS),
        ("reset_selection", selected),
        ("reset_all", has_tokens and session.editor.is_edited()),
        ("save_tokens", has_tokens),
        ("load_tokens", has_tokens),
        ("export", has_recon),
        ("export_video", session.motion is not None),
        ("more_layers", has_recon),
        ("fewer_layers", has_recon),
    ):
        commands[name].setEnabled(enabled)


class SessionLabels:
    """The clip and checkpoint labels at the right of the status bar."""

    def __init__(self, status_bar: QStatusBar) -> None:
        self.clip_label = QLabel()
        self.checkpoint_label = QLabel()
        for label in (self.clip_label, self.checkpoint_label):
            label.setStyleSheet(f"padding: 0 8px; border-left: 1px solid {theme.SEPARATOR.name()};")
            status_bar.addPermanentWidget(label)

    def update(self, session: Session) -> str:
        """Refresh both labels; returns the window title's text (clip · checkpoint, or empty)."""
        motion, ckpt = session.motion, session.checkpoint
        clip_name = session.clip_path.name if session.clip_path else ""
        self.clip_label.setText(
            f"{clip_name} · {motion.num_frames} frames · {motion.fps:g} fps · {motion.skeleton.num_joints} joints"
            if motion is not None
            else "No clip"
        )
        self.checkpoint_label.setText(
            f"{ckpt.label} · {ckpt.config.num_quantizers}×{ckpt.config.nb_code} codes"
            f"{'' if session.device == 'cpu' else ' · ' + session.device}"
            if ckpt is not None
            else "No checkpoint"
        )
        parts = [p for p in (clip_name, ckpt.label if ckpt else "") if p]
        return " · ".join(parts)
