"""Some clips of an evaluation taken as one: what the summary of just those clips reads (the Dataset
dock's summary row while a filter hides clips).

The figures pool as the evaluation's own summary does (:class:`core.analysis.evaluate.Tally`): frames
add up, errors are means over every frame (each clip's mean weighted by its frames) and the
plausibility counts add up (so skating is the share of all the clips' frame pairs). The pooled row has
no worst frame: that is a figure of one clip.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import reduce
from operator import add

import numpy as np

from core.analysis.dataset import ClipRow, ComparedClip
from core.analysis.metrics import frame_weighted_mean
from core.analysis.plausibility import Plausibility


def pooled_clips(rows: Sequence[ClipRow], name: str = "") -> ClipRow:
    """``rows`` as one :class:`ClipRow` named ``name``."""
    frames = [row.frames for row in rows]
    layers = min((len(row.mpjpe_mm) for row in rows), default=0)
    judged = min((len(row.plausibility) for row in rows), default=0)
    return ClipRow(
        path=name,
        frames=sum(frames),
        mpjpe_mm=tuple(frame_weighted_mean([r.mpjpe_mm[k] for r in rows], frames) for k in range(layers)),
        global_mpjpe_mm=frame_weighted_mean([r.global_mpjpe_mm for r in rows], frames),
        worst_frame=-1,
        worst_frame_mm=math.nan,
        frame_mpjpe_mm=np.zeros(0),
        plausibility=tuple(reduce(add, (r.plausibility[k] for r in rows)) for k in range(judged)),
        plausibility_original=reduce(add, (r.plausibility_original for r in rows), Plausibility()),
    )


def pooled(rows: Sequence[ClipRow | ComparedClip], name: str = "") -> ClipRow | ComparedClip:
    """``rows`` (clips of one checkpoint, or of A and B) as one row of the same kind."""
    if rows and isinstance(rows[0], ComparedClip):
        compared = [row for row in rows if isinstance(row, ComparedClip)]
        return ComparedClip(
            pooled_clips([row.a for row in compared], name), pooled_clips([row.b for row in compared], name)
        )
    return pooled_clips([row for row in rows if isinstance(row, ClipRow)], name)
