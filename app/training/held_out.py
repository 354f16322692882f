"""The Held-out tab: held-out MPJPE, and beside it the held-out FID on its own axis when the run measures
it; until the run has measured anything, a note saying what the tab needs and where to set it.

An empty plot with a 0-1 axis tells nothing; the note tells the user that held-out curves come from clips
kept out of training (a holdout split file) measured every "Held-out MPJPE every" steps, and, once a run
is set up for it, when the first point will come.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from app.style import theme
from app.training.curve_plot import CurvePlot

FID_LABEL = "FID (T2M evaluator)"


def held_out_hint(holdout: bool = False, eval_every: int = 0, running: bool = False) -> str:
    """What the tab says before its first point: what is missing for held-out curves, or when they come."""
    if running and holdout and eval_every > 0:
        return (
            f"<p>The held-out clips are measured every {eval_every:,} steps: the first point comes "
            f"after step {eval_every:,}.</p>"
        )
    if running and holdout:
        return (
            "<p>This run keeps clips out of training but never measures them: <b>Held-out MPJPE every</b> "
            "is off. Stop it and set a number of steps under Setup to see held-out curves.</p>"
        )
    if running:
        return (
            "<p>This run keeps no clips out of training, so there is nothing to measure here.</p>"
            "<p>For held-out curves next time, under Setup choose a <b>Hold out</b> split file and set "
            "<b>Held-out MPJPE every</b> above 0.</p>"
        )
    return (
        "<p><b>No held-out measurements yet.</b></p>"
        "<p>Held-out curves show how well the tokenizer reconstructs clips it never trains on: MPJPE in "
        f"mm, and the {FID_LABEL} with an evaluator folder. Under Setup:</p>"
        "<ul><li><b>Hold out</b>: a split file (JSON, a <i>holdout</i> list of clip names) whose clips "
        "are kept out of training;</li>"
        "<li><b>Held-out MPJPE every</b>: how many steps between measurements (above 0);</li>"
        "<li><b>T2M evaluator</b> (HumanML3D features): adds the FID.</li></ul>"
    )


class HeldOutTab(QStackedWidget):
    """The note (page 0) until there are points, then the MPJPE plot, with the FID plot under it when the
    run measures FID (both on the step axis, moved together)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hint = QLabel(held_out_hint())
        self.hint.setWordWrap(True)
        self.hint.setTextFormat(Qt.TextFormat.RichText)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.hint.setStyleSheet(f"color: {theme.DIM_TEXT.name()}; padding: 8px")
        # a log axis: the global error (the root's drift) is often ten times the root-aligned one
        self.mpjpe = CurvePlot("Held-out MPJPE, all layers", "MPJPE (mm)", log_y=True)
        self.fid = CurvePlot(f"Held-out {FID_LABEL}, all layers", FID_LABEL, log_y=True)
        self.fid.plot.setXLink(self.mpjpe.plot)
        plots = QWidget()
        layout = QVBoxLayout(plots)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.mpjpe, 1)
        layout.addWidget(self.fid, 1)
        self.addWidget(self.hint)
        self.addWidget(plots)
        self.show_points(False, False)

    def set_hint(self, html: str) -> None:
        self.hint.setText(html)

    def show_points(self, mpjpe: bool, fid: bool) -> None:
        """The plots once there are points (the FID plot only with FID points), else the note."""
        self.setCurrentIndex(1 if mpjpe or fid else 0)
        self.fid.setVisible(fid)
