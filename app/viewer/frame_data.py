"""What the viewer draws at every frame of the clip, prepared once per state so a frame is a lookup.

Rebuilt when the layers, the alignment, an edit, a preview, checkpoint B or a toggle change, never
per frame: whole clips in view coordinates (side-by-side offsets included), the errors that colour
the joints and the per-frame MPJPE, all read from :mod:`core` (the reconstruction, the session's code
preview, the comparison's reconstruction).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.viewer.skeleton_items import to_view
from core.session.checkpoint_b import CheckpointB
from core.session.edit_session import EditSession


@dataclass
class Drawn:
    """One reconstruction as drawn: (T, J, 3) view-space joints, (T, J) errors in metres, MPJPE."""

    points: np.ndarray
    errors: np.ndarray
    frame_mpjpe: np.ndarray
    clip_mpjpe: float


@dataclass
class FrameData:
    original: np.ndarray
    recon: Drawn | None = None
    b: Drawn | None = None
    ghost: np.ndarray | None = None
    """The reconstruction before any edit (shown while the grid is edited or a code previewed)."""
    previewed_code: int | None = None


def offsets(count: int, side: float, overlay: bool) -> list[np.ndarray]:
    """Where ``count`` skeletons stand along x: side by side around 0, or all at 0 when overlaid."""
    xs = [0.0] * count if overlay or count == 1 else [(i - (count - 1) / 2) * side for i in range(count)]
    return [np.array([x, 0.0, 0.0], np.float32) for x in xs]


def prepare(
    session: EditSession,
    comparison: CheckpointB,
    aligned: bool,
    overlay: bool,
    side: float,
    ghost: bool,
) -> FrameData:
    recon, k = session.reconstruction, session.layers_used
    b = comparison.reconstruction if recon is not None else None
    where = offsets(1 + (recon is not None) + (b is not None), side, overlay)
    data = FrameData(to_view(session.original_positions) + where[0])
    if recon is None:
        return data
    preview = session.active_preview()
    if preview is not None:
        data.previewed_code = preview.code
        data.recon = Drawn(
            to_view(preview.positions(aligned)) + where[1],
            preview.joint_errors(aligned),
            preview.frame_mpjpe_mm(aligned),
            preview.mpjpe_mm(aligned),
        )
    else:
        data.recon = Drawn(
            to_view(recon.positions(k, aligned)) + where[1],
            recon.joint_errors(k, aligned),
            recon.frame_mpjpe_mm(k, aligned),
            recon.mpjpe_mm(k, aligned),
        )
    edited = session.editor is not None and session.editor.is_edited()
    if ghost and (edited or preview is not None):
        data.ghost = to_view(recon.unedited_positions(k, aligned)) + where[1]
    if b is not None:
        kb = comparison.layers(k)
        data.b = Drawn(
            to_view(b.positions(kb, aligned)) + where[2],
            b.joint_errors(kb, aligned),
            b.frame_mpjpe_mm(kb, aligned),
            b.mpjpe_mm(kb, aligned),
        )
    return data
