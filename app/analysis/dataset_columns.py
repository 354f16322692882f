"""The Dataset dock's columns: each a figure of every clip row, read from the rows
:mod:`core.analysis.dataset` produced, with its summary over the whole evaluation; which columns an
evaluation of A alone or of A and B gets (:func:`columns_for`)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from core.analysis.dataset import ClipRow, ComparedClip, DatasetComparison, DatasetEval

Row = ClipRow | ComparedClip
Result = DatasetEval | DatasetComparison


@dataclass(frozen=True)
class Column:
    """A figure of every row: its header, what it means, how to read it from a row (and from the
    whole evaluation for the summary row), and how it is written."""

    header: str
    tip: str
    value: Callable[[Row], float]
    summary: Callable[[Result], float] | None = None
    digits: int = 1
    signed: bool = False

    def text(self, value: float) -> str:
        if value != value:  # NaN: no clip to measure
            return "–"
        return f"{value:{'+' if self.signed else ''}.{self.digits}f}"


def clip_row(row: Row) -> ClipRow:
    """A's row of a clip (the row itself, or A's of a comparison)."""
    return row.a if isinstance(row, ComparedClip) else row


def a_eval(result: Result) -> DatasetEval:
    """A's evaluation (the result itself, or A's of a comparison)."""
    return result.a if isinstance(result, DatasetComparison) else result


def _layer(k: int, prefix: str = "") -> Column:
    header = f"{prefix}{k} layer{'s' * (k > 1)}"

    def summary(result: Result) -> float:
        layers = a_eval(result).summary.layers
        return layers[k].mpjpe_root_aligned_mm if k in layers else math.nan

    return Column(
        header,
        f"Root-aligned MPJPE in mm with the first {k} quantizer layer{'s' * (k > 1)}",
        lambda r: clip_row(r).mpjpe_mm[k - 1] if k <= len(clip_row(r).mpjpe_mm) else math.nan,
        summary,
    )


def _b_layer(k: int) -> Column:
    def summary(result: Result) -> float:
        layers = result.b.summary.layers if isinstance(result, DatasetComparison) else {}
        return layers[k].mpjpe_root_aligned_mm if k in layers else math.nan

    return Column(
        f"B {k}",
        f"B's root-aligned MPJPE in mm with its first {k} layer{'s' * (k > 1)}",
        lambda r: r.b.mpjpe_mm[k - 1] if isinstance(r, ComparedClip) and k <= len(r.b.mpjpe_mm) else math.nan,
        summary,
    )


FRAMES = Column(
    "frames",
    "Frames in the clip",
    lambda r: clip_row(r).frames,
    lambda s: a_eval(s).summary.frames,
    0,
)
GLOBAL = Column(
    "global",
    "MPJPE in mm without root alignment, all layers: the drift of the decoded root path counts",
    lambda r: clip_row(r).global_mpjpe_mm,
    lambda s: (lambda layers: layers[max(layers)].mpjpe_mm)(a_eval(s).summary.layers),
)
WORST_FRAME = Column(
    "worst frame",
    "The frame with the largest root-aligned MPJPE, all layers (double-click opens it)",
    lambda r: clip_row(r).worst_frame,
    digits=0,
)
WORST_MM = Column(
    "worst mm", "Root-aligned MPJPE of the worst frame, all layers", lambda r: clip_row(r).worst_frame_mm
)
DIFFERENCE = Column(
    "B − A",
    "B minus A, root-aligned MPJPE in mm with all of each one's layers (negative: B is better)",
    lambda r: r.difference_mm if isinstance(r, ComparedClip) else math.nan,
    lambda s: s.difference_mm if isinstance(s, DatasetComparison) else math.nan,
    signed=True,
)
B_GLOBAL = Column(
    "B global",
    "B's MPJPE in mm without root alignment, all its layers",
    lambda r: r.b.global_mpjpe_mm if isinstance(r, ComparedClip) else math.nan,
    lambda s: (
        (lambda layers: layers[max(layers)].mpjpe_mm)(s.b.summary.layers)
        if isinstance(s, DatasetComparison)
        else math.nan
    ),
)


def _plausibility(original: bool, figure: str) -> Callable[[Row], float]:
    """A plausibility figure of a row's original or its reconstruction with every layer (NaN: not
    measured, e.g. foot skating of a skeleton without feet)."""

    def value(row: Row) -> float:
        clip = clip_row(row)
        measured = (
            clip.plausibility_original if original else (clip.plausibility[-1] if clip.plausibility else None)
        )
        number = None if measured is None else getattr(measured, figure)
        return math.nan if number is None else float(number)

    return value


def _plausibility_summary(original: bool, figure: str) -> Callable[[Result], float]:
    def summary(result: Result) -> float:
        report = a_eval(result).summary
        measured = (
            report.plausibility_original
            if original
            else report.plausibility.get(max(report.plausibility, default=0))
        )
        number = None if measured is None else getattr(measured, figure)
        return math.nan if number is None else float(number)

    return summary


def _percent(value: Callable) -> Callable:
    return lambda x: 100.0 * value(x)


PLAUSIBILITY = [
    Column(
        "skate %",
        "Foot skating with all layers: the share of frame pairs in which a foot on the floor slides "
        "(GMD's measure; thresholds as speeds, so every frame rate is judged alike)",
        _percent(_plausibility(False, "foot_skating")),
        _percent(_plausibility_summary(False, "foot_skating")),
    ),
    Column(
        "orig skate %",
        "The original clip's own foot skating: what the reconstruction's is read against",
        _percent(_plausibility(True, "foot_skating")),
        _percent(_plausibility_summary(True, "foot_skating")),
    ),
    Column(
        "jitter",
        "Mean jerk of the joints with all layers, m/s³ (the third derivative: decoded shaking)",
        _plausibility(False, "jitter_m_s3"),
        _plausibility_summary(False, "jitter_m_s3"),
        digits=0,
    ),
    Column(
        "orig jitter",
        "The original clip's own mean jerk, m/s³",
        _plausibility(True, "jitter_m_s3"),
        _plausibility_summary(True, "jitter_m_s3"),
        digits=0,
    ),
]
"""How plausible the reconstructions are, beside the originals (:mod:`core.analysis.plausibility`)."""


def columns_for(
    result_kind: type, layers: Sequence[int], b_layers: Sequence[int] = (), plausibility: bool = True
) -> list[Column]:
    """The columns of an evaluation of A alone, or of A and B, with the chosen numbers of layers (and the
    plausibility figures, A's, when asked)."""
    extra = PLAUSIBILITY if plausibility else []
    if result_kind is DatasetComparison:
        return [
            FRAMES,
            DIFFERENCE,
            *(_layer(k, "A ") for k in layers),
            *(_b_layer(k) for k in b_layers),
            GLOBAL,
            B_GLOBAL,
            WORST_FRAME,
            WORST_MM,
            *extra,
        ]
    return [FRAMES, *(_layer(k) for k in layers), GLOBAL, WORST_FRAME, WORST_MM, *extra]
