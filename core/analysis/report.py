"""A dataset evaluation as one self-contained HTML file, to send to someone or attach to an issue.

Everything is inline (CSS, SVG plots drawn here from the numbers), so the file opens anywhere with
nothing beside it and no network. It shows the figures of :mod:`core.analysis.dataset` and nothing
it computes itself beyond scaling them to pixels.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape
from pathlib import Path

import numpy as np

from core.analysis.dataset import ClipRow, DatasetComparison, DatasetEval
from core.analysis.paper_eval import PaperEvaluation
from core.files import write_text_atomic

WORST_CLIPS_PLOTTED = 6
PLOT_W, PLOT_H = 520, 140
HIST_W, HIST_H = 300, 90

CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1150px; color: #222; padding: 0 1em; }
h1 { font-size: 1.5em; margin-bottom: .2em; } h2 { font-size: 1.15em; margin-top: 2em; border-bottom: 1px solid #ddd; }
.meta { color: #666; }
table { border-collapse: collapse; margin: .6em 0; font-variant-numeric: tabular-nums; }
th, td { padding: 3px 9px; border-bottom: 1px solid #eee; text-align: right; }
th { background: #f4f5f7; position: sticky; top: 0; }
td.name, th.name { text-align: left; white-space: nowrap; }
tr:hover td { background: #fafbff; }
.grid { display: flex; flex-wrap: wrap; gap: 14px; }
figure { margin: 0; border: 1px solid #e4e4e4; border-radius: 4px; padding: 6px 8px; background: #fff; }
figcaption { font-size: 12px; color: #444; margin-bottom: 2px; }
svg text { font: 10px system-ui, sans-serif; fill: #666; }
.better { color: #1a7f37; } .worse { color: #c0392b; }
"""


def report_html(
    result: DatasetEval,
    comparison: DatasetComparison | None = None,
    title: str = "",
    paper: PaperEvaluation | None = None,
) -> str:
    """The report of ``result`` (and, when given, the comparison it is A of, and the figures the T2M
    evaluator gave) as an HTML string."""
    summary = result.summary
    heading = title or f"Tokenizer evaluation: {Path(result.checkpoint).name or 'checkpoint'}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(heading)}</title><style>{CSS}</style></head><body>",
        f"<h1>{escape(heading)}</h1>",
        f'<p class="meta">Checkpoint <code>{escape(result.checkpoint)}</code><br>'
        f"{summary.clips} clips, {summary.frames:,} frames, {escape(summary.encoding)}"
        + ("" if result.complete else " &mdash; <b>stopped before the last clip</b>")
        + f"<br>Written {datetime.now():%Y-%m-%d %H:%M}</p>",
        "<h2>Per number of layers</h2>",
        _layer_table(result),
        _usage_table(result),
        "<h2>Physical plausibility</h2>",
        _plausibility_table(result),
    ]
    if paper is not None:
        parts += ["<h2>Figures papers report (T2M evaluator, MoMask's protocol)</h2>", _paper_section(paper)]
    if comparison is not None:
        parts += ["<h2>Compared with B</h2>", _comparison_table(comparison)]
    parts += [
        "<h2>Codebook usage per layer</h2>",
        '<p class="meta">How often each code was chosen, codes in index order.</p>',
        '<div class="grid">'
        + "".join(_usage_figure(result, layer) for layer in range(result.num_quantizers)),
        "</div>",
        f"<h2>Error over time: the {min(WORST_CLIPS_PLOTTED, len(result.rows))} worst clips</h2>",
        f'<p class="meta">Root-aligned MPJPE per frame with all {result.num_quantizers} layers; '
        "the dot marks the worst frame.</p>",
        '<div class="grid">' + "".join(_time_figure(r) for r in result.worst_first()[:WORST_CLIPS_PLOTTED]),
        "</div>",
        "<h2>Per clip, worst first</h2>",
        _clip_table(result),
    ]
    if result.skipped:
        parts += [
            f"<h2>Skipped ({len(result.skipped)})</h2><table><tr><th class=name>clip</th>"
            "<th class=name>reason</th></tr>",
            *(
                f"<tr><td class=name>{escape(s.path)}</td><td class=name>{escape(s.reason)}</td></tr>"
                for s in result.skipped
            ),
            "</table>",
        ]
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(
    path: str | Path,
    result: DatasetEval,
    comparison: DatasetComparison | None = None,
    title: str = "",
    paper: PaperEvaluation | None = None,
) -> Path:
    """Write :func:`report_html` to ``path`` (UTF-8) and return it."""
    path = Path(path)
    write_text_atomic(path, report_html(result, comparison, title, paper))
    return path


def _plausibility_table(result: DatasetEval) -> str:
    s = result.summary
    rows = [
        "<table><tr><th class=name></th><th>foot skating</th><th>jitter (m/s³)</th>"
        "<th>penetration (mm)</th><th>floating (mm)</th></tr>"
    ]
    named = [("original", s.plausibility_original)] + [
        (f"{k} layer{'s' if k > 1 else ''}", p) for k, p in sorted(s.plausibility.items())
    ]
    for name, p in named:
        rows.append(f"<tr><td class=name>{name}</td>" + "".join(f"<td>{c}</td>" for c in p.cells()) + "</tr>")
    return "".join(rows) + (
        "</table><p class=meta>Foot skating: share of frame pairs in which a foot within 5 cm of the floor "
        "moves faster than 0.5 m/s (GMD's 2.5 cm per 20 fps frame); jitter: mean jerk of the joints; "
        "the floor is the original's lowest foot. n/a: the skeleton names no feet.</p>"
    )


def _paper_section(paper: PaperEvaluation) -> str:
    rows = [
        f'<p class="meta">Evaluator <code>{escape(paper.evaluator_folder)}</code> ({escape(paper.evaluator_dataset)}), '
        f"finest.tar SHA-256 <code>{paper.evaluator_sha256}</code><br>{escape(paper.sampling)}; "
        f"{escape(paper.normalisation)}</p>",
        "<table><tr><th>layers used</th><th>FID</th><th>diversity</th><th>MPJPE (mm)</th></tr>",
    ]
    for k in paper.layers:
        rows.append(
            f"<tr><td>{k}</td><td>{paper.cell(k, 'fid', 4)}</td><td>{paper.cell(k, 'diversity', 4)}</td>"
            f"<td>{paper.cell(k, 'mpjpe_mm', 2)}</td></tr>"
        )
    rows.append(f"<tr><td>real data</td><td></td><td>{paper.cell(None, 'diversity', 4)}</td><td></td></tr>")
    if paper.crops is not None:
        listed = ", ".join(f"{c.clip} [{c.start}, {c.start + c.length})" for c in paper.crops)
        rows.append(f"</table><details><summary>crops</summary><p class=meta>{escape(listed)}</p></details>")
    else:
        rows.append("</table>")
    return "".join(rows)


def _layer_table(result: DatasetEval) -> str:
    rows = [
        "<table><tr><th>layers used</th><th>MPJPE root-aligned (mm)</th><th>MPJPE global (mm)</th>"
        "<th>velocity error (mm/frame)</th><th>acceleration error (mm/frame²)</th><th>feature error</th></tr>"
    ]
    for k, m in sorted(result.summary.layers.items()):
        rows.append(
            f"<tr><td>{k}</td><td>{m.mpjpe_root_aligned_mm:.2f}</td><td>{m.mpjpe_mm:.2f}</td>"
            f"<td>{m.velocity_error:.3f}</td><td>{m.accel_error:.3f}</td><td>{m.feature_error:.4f}</td></tr>"
        )
    return "".join(rows) + "</table>"


def _usage_table(result: DatasetEval) -> str:
    s = result.summary
    head = "".join(f"<th>{i + 1}</th>" for i in range(len(s.codebook_usage)))
    usage = "".join(f"<td>{u * 100:.1f}%</td>" for u in s.codebook_usage)
    ppl = "".join(f"<td>{p:.1f}</td>" for p in s.perplexity)
    return (
        f"<table><tr><th class=name>layer</th>{head}</tr><tr><td class=name>codebook usage</td>{usage}</tr>"
        f"<tr><td class=name>perplexity</td>{ppl}</tr></table>"
    )


def _clip_table(result: DatasetEval) -> str:
    q = result.num_quantizers
    head = "".join(f"<th>{k} layer{'s' if k > 1 else ''}</th>" for k in range(1, q + 1))
    rows = [
        f"<table><tr><th class=name>clip</th><th>frames</th>{head}<th>global, {q} layers</th>"
        "<th>worst frame</th><th>its error</th><th>foot skating, original &rarr; reconstructed</th>"
        "<th>jitter m/s³, original &rarr; reconstructed</th></tr>"
    ]
    for r in result.worst_first():
        cells = "".join(f"<td>{v:.1f}</td>" for v in r.mpjpe_mm)
        original, recon = (
            r.plausibility_original.cells(),
            (r.plausibility[-1].cells() if r.plausibility else None),
        )
        plausible = "".join(
            f"<td>{original[i]} &rarr; {recon[i]}</td>" if recon else "<td></td>" for i in (0, 1)
        )
        rows.append(
            f'<tr><td class=name title="{escape(r.path)}">{escape(r.name)}</td><td>{r.frames}</td>{cells}'
            f"<td>{r.global_mpjpe_mm:.1f}</td><td>{r.worst_frame}</td><td>{r.worst_frame_mm:.1f}</td>"
            f"{plausible}</tr>"
        )
    return "".join(rows) + "</table><p class=meta>Root-aligned MPJPE in mm unless marked global.</p>"


def _comparison_table(comparison: DatasetComparison) -> str:
    a, b = comparison.a.summary.layers, comparison.b.summary.layers
    rows = [
        f'<p class="meta">A: <code>{escape(comparison.a.checkpoint)}</code><br>'
        f"B: <code>{escape(comparison.b.checkpoint)}</code><br>Root-aligned MPJPE in mm; "
        "difference is B &minus; A (negative: B is better).</p>",
        "<table><tr><th>layers used</th><th>A</th><th>B</th><th>B &minus; A</th></tr>",
    ]
    for k, diff in comparison.layer_differences_mm.items():
        rows.append(
            f"<tr><td>{k}</td><td>{a[k].mpjpe_root_aligned_mm:.2f}</td><td>{b[k].mpjpe_root_aligned_mm:.2f}</td>"
            f"<td class={_sign_class(diff)}>{diff:+.2f}</td></tr>"
        )
    rows.append("</table><table><tr><th class=name>clip</th><th>A</th><th>B</th><th>B &minus; A</th></tr>")
    for c in sorted(comparison.clips, key=lambda c: c.difference_mm, reverse=True):
        rows.append(
            f"<tr><td class=name>{escape(Path(c.path).name)}</td><td>{c.a.full_mpjpe_mm:.1f}</td>"
            f"<td>{c.b.full_mpjpe_mm:.1f}</td><td class={_sign_class(c.difference_mm)}>"
            f"{c.difference_mm:+.1f}</td></tr>"
        )
    return "".join(rows) + "</table>"


def _sign_class(diff: float) -> str:
    return "worse" if diff > 0 else "better"


def _usage_figure(result: DatasetEval, layer: int) -> str:
    counts = result.code_counts[layer]
    caption = (
        f"layer {layer + 1}: {result.summary.codebook_usage[layer] * 100:.1f}% of {len(counts)} codes used, "
        f"perplexity {result.summary.perplexity[layer]:.1f}"
    )
    return f"<figure><figcaption>{escape(caption)}</figcaption>{_bars(counts, HIST_W, HIST_H)}</figure>"


def _time_figure(row: ClipRow) -> str:
    caption = f"{row.name}: {row.full_mpjpe_mm:.1f} mm mean, worst frame {row.worst_frame} ({row.worst_frame_mm:.1f} mm)"
    return (
        f"<figure><figcaption>{escape(caption)}</figcaption>"
        f"{_line(row.frame_mpjpe_mm, row.worst_frame, PLOT_W, PLOT_H)}</figure>"
    )


def _bars(values: Sequence[float] | np.ndarray, width: int, height: int) -> str:
    """A bar chart, one bar per value, y from 0 to the largest value (labelled)."""
    values = np.asarray(values, dtype=float)
    top = max(float(values.max(initial=0.0)), 1.0)
    left, bottom = 30, 14
    step = (width - left) / max(len(values), 1)
    bars = "".join(
        f'<rect x="{left + i * step:.2f}" y="{height - bottom - h:.2f}" width="{max(step - 0.5, 0.5):.2f}" '
        f'height="{h:.2f}" fill="#4a7bd0"/>'
        for i, v in enumerate(values)
        if (h := (height - bottom - 4) * v / top) > 0
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">'
        f'<line x1="{left}" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" stroke="#999"/>'
        f'<text x="{left - 3}" y="10" text-anchor="end">{top:.0f}</text>'
        f'<text x="{left - 3}" y="{height - bottom}" text-anchor="end">0</text>'
        f'<text x="{left}" y="{height - 2}">code 0</text>'
        f'<text x="{width}" y="{height - 2}" text-anchor="end">{len(values) - 1}</text>{bars}</svg>'
    )


def _line(values: np.ndarray, marked: int, width: int, height: int) -> str:
    """A curve over frames, y from 0 to the largest value (labelled in mm), one point marked."""
    values = np.asarray(values, dtype=float)
    top = max(float(values.max(initial=0.0)), 1e-6)
    left, bottom, pad = 50, 14, 6
    xs = left + (width - left - pad) * np.arange(len(values)) / max(len(values) - 1, 1)
    ys = height - bottom - (height - bottom - pad) * values / top
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">'
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - pad}" y2="{height - bottom}" stroke="#999"/>'
        f'<line x1="{left}" y1="{pad}" x2="{left}" y2="{height - bottom}" stroke="#999"/>'
        f'<text x="{left - 3}" y="{pad + 8}" text-anchor="end">{top:.0f} mm</text>'
        f'<text x="{left - 3}" y="{height - bottom}" text-anchor="end">0</text>'
        f'<text x="{left}" y="{height - 2}">frame 0</text>'
        f'<text x="{width - pad}" y="{height - 2}" text-anchor="end">{len(values) - 1}</text>'
        f'<polyline points="{points}" fill="none" stroke="#c0392b" stroke-width="1.3"/>'
        f'<circle cx="{xs[marked]:.1f}" cy="{ys[marked]:.1f}" r="3" fill="#222"/></svg>'
    )
