"""The atlas as a folder of HTML pages: ``index.html`` and one page per code, previews beside them.

``index.html`` shows, per layer, the codes in use as a grid, most used first, each with its animated
preview, count, clips and spread, and the dead codes greyed after them. A code's page
(``codes/L1/412.html``) has its preview at twice the size, its figures, the spread of each joint, its
nearest codes and its occurrences (clip, step, frames, time). Everything is relative to the folder, so
it can be zipped, moved or served as it is; nothing is fetched from the network.
"""

from __future__ import annotations

import math
from datetime import datetime
from html import escape
from pathlib import Path

import numpy as np

from core.analysis.atlas import Atlas, CodeSummary
from core.analysis.metrics import perplexity

LISTED_OCCURRENCES = 200
"""Occurrences a code's page lists, evenly spread over them (atlas.json has them all): 2,048 pages of
1,000 rows would be 160 MB of HTML."""

CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5em auto; max-width: 1400px; color: #dde;
       background: #14161a; padding: 0 1em; }
a { color: #8cc4ff; } h1 { font-size: 1.5em; margin-bottom: .2em; }
h2 { font-size: 1.15em; margin-top: 2em; border-bottom: 1px solid #333; }
.meta { color: #99a; } .key { color: #ffa046; } .blue { color: #78b4ff; }
.grid { display: flex; flex-wrap: wrap; gap: 10px; }
figure.code { margin: 0; width: 160px; background: #1c1f24; border-radius: 4px; overflow: hidden; }
figure.code img { display: block; width: 160px; height: 160px; }
figure.code figcaption { font-size: 12px; padding: 3px 6px 5px; color: #bbc; }
figure.code figcaption b { color: #fff; font-size: 13px; }
figure.dead { width: 52px; opacity: .45; }
figure.dead figcaption { text-align: center; padding: 6px 0; }
table { border-collapse: collapse; margin: .6em 0; font-variant-numeric: tabular-nums; }
th, td { padding: 2px 9px; border-bottom: 1px solid #2a2d33; text-align: right; }
th { background: #1c1f24; } td.name, th.name { text-align: left; white-space: nowrap; }
tr.sampled td { color: #ffa046; }
.big img { width: 320px; height: 320px; image-rendering: auto; }
.columns { display: flex; gap: 2em; flex-wrap: wrap; align-items: flex-start; }
"""


def write_atlas_pages(folder: str | Path, atlas: Atlas, previews: dict[tuple[int, int], str]) -> Path:
    """Write ``index.html`` and every used code's page under ``folder``; ``previews`` maps (layer,
    code) to a preview's path relative to ``folder``. Returns the index's path."""
    folder = Path(folder)
    for layer in atlas.layers:
        pages = folder / "codes" / f"L{layer + 1}"
        pages.mkdir(parents=True, exist_ok=True)
        for code in atlas.by_use(layer).tolist():
            html = code_page_html(atlas, atlas.code(layer, code), previews)
            (pages / f"{code}.html").write_text(html, encoding="utf-8")
    index = folder / "index.html"
    index.write_text(index_html(atlas, previews), encoding="utf-8")
    return index


def index_html(atlas: Atlas, previews: dict[tuple[int, int], str]) -> str:
    name = Path(atlas.checkpoint).name or "checkpoint"
    frames = sum(c.frames for c in atlas.clips)
    layers = " · ".join(f'<a href="#L{layer + 1}">layer {layer + 1}</a>' for layer in atlas.layers)
    parts = [
        _head(f"Code atlas: {name}"),
        f"<h1>Code atlas: {escape(name)}</h1>",
        f'<p class="meta">Checkpoint <code>{escape(atlas.checkpoint)}</code><br>'
        f"{len(atlas.clips):,} clips, {frames:,} frames, {atlas.index.steps:,} token steps of "
        f"{atlas.frames_per_step} frames"
        + (f"; {len(atlas.skipped)} skipped" if atlas.skipped else "")
        + ("" if atlas.complete else " &mdash; <b>stopped before the last clip</b>")
        + f"<br>Written {datetime.now():%Y-%m-%d %H:%M} · {layers}</p>",
        f'<p class="meta">Each preview overlays up to {atlas.settings.per_code} occurrences of the code, '
        f"decoded with the layers up to its own, moved to one place and turned to face you: "
        f'<span class="blue">blue</span> the {atlas.settings.context_steps} steps either side, '
        f'<span class="key">orange</span> the code\'s own step. <b>Spread</b> is how far a joint strays '
        "from its mean across occurrences (mm, averaged over joints): a few mm is one movement, "
        "hundreds several. Click a code for where it occurs.</p>",
    ]
    for layer in atlas.layers:
        parts += _layer_section(atlas, layer, previews)
    parts.append("</body></html>")
    return "\n".join(parts)


def _layer_section(atlas: Atlas, layer: int, previews: dict[tuple[int, int], str]) -> list[str]:
    counts = atlas.counts(layer)
    used, dead = atlas.by_use(layer), atlas.dead_codes(layer)
    parts = [
        f'<h2 id="L{layer + 1}">Layer {layer + 1}</h2>',
        f'<p class="meta">{len(used):,} of {atlas.nb_code:,} codes used, perplexity '
        f"{float(perplexity(counts)):.1f}; {len(dead):,} dead.</p>",
        '<div class="grid">',
    ]
    stats = atlas.stats[layer]
    spread = atlas.code_spreads_mm(layer)
    for code in used.tolist():
        page = f"codes/L{layer + 1}/{code}.html"
        preview = previews.get((layer, code))
        image = (
            f'<img src="{escape(preview)}" width="160" height="160" loading="lazy" '
            f'alt="preview of code {code} of layer {layer + 1}">'
            if preview
            else '<div style="height:160px"></div>'
        )
        parts.append(
            f'<figure class="code" id="L{layer + 1}-{code}"><a href="{page}">{image}</a><figcaption>'
            f"<b>{code}</b> · {int(counts[code]):,}× · {int(stats.clips[code]):,} clips<br>"
            f"spread {_mm(spread[code])}</figcaption></figure>"
        )
    parts.append("</div>")
    if len(dead):
        parts.append('<p class="meta">Dead codes (never chosen):</p><div class="grid">')
        parts += [
            f'<figure class="code dead"><figcaption>{code}</figcaption></figure>' for code in dead.tolist()
        ]
        parts.append("</div>")
    return parts


def code_page_html(atlas: Atlas, code: CodeSummary, previews: dict[tuple[int, int], str]) -> str:
    """The page of one code; it lives two folders under the index (``codes/L1/``)."""
    n = code.layer + 1
    title = f"Code {code.code} of layer {n}"
    preview = previews.get((code.layer, code.code))
    image = f'<div class="big"><img src="../../{escape(preview)}" alt="preview"></div>' if preview else ""
    occurrences = atlas.occurrences(code.layer, code.code, LISTED_OCCURRENCES)
    sampled = {(o.clip, o.step) for o in code.sample}
    counts = atlas.counts(code.layer)
    nearest = ", ".join(f'<a href="{c}.html">{c}</a>' if counts[c] else f"{c} (dead)" for c in code.nearest)
    parts = [
        _head(title),
        f'<p><a href="../../index.html#L{n}-{code.code}">&larr; the atlas</a></p>',
        f"<h1>{title}</h1>",
        '<div class="columns">',
        image,
        "<div><table>",
        f"<tr><td class=name>used</td><td>{code.count:,} steps</td></tr>",
        f"<tr><td class=name>clips</td><td>{code.clips:,} of {len(atlas.clips):,}</td></tr>",
        f"<tr><td class=name>spread</td><td>{_mm(code.spread_mm)}</td></tr>",
        f"<tr><td class=name>in the mean and spread</td><td>{code.summarised:,} occurrences</td></tr>",
        f"<tr><td class=name>nearest codes</td><td>{nearest}</td></tr>",
        "</table>",
        _joint_table(atlas, code),
        "</div></div>",
        f"<h2>Occurrences ({code.count:,})</h2>",
        '<p class="meta">Orange rows are the ones in the preview.'
        + (
            f" {LISTED_OCCURRENCES:,} of them, evenly spread over the dataset, are listed; atlas.json has them all."
            if code.count > LISTED_OCCURRENCES
            else ""
        )
        + "</p>",
        "<table><tr><th class=name>clip</th><th>step</th><th>frames</th><th>time (s)</th></tr>",
    ]
    for o in occurrences:
        row = ' class="sampled"' if (o.clip, o.step) in sampled else ""
        parts.append(
            f'<tr{row}><td class=name title="{escape(o.path)}">{escape(Path(o.path).name)}</td>'
            f"<td>{o.step}</td><td>{o.frames[0]}–{o.frames[1] - 1}</td><td>{o.time_s:.2f}</td></tr>"
        )
    parts += ["</table>", "</body></html>"]
    return "\n".join(parts)


def _joint_table(atlas: Atlas, code: CodeSummary) -> str:
    names, measured = atlas.skeleton.joint_names, set(atlas.measured.tolist())
    order = [j for j in np.argsort(-np.nan_to_num(code.spread_joint_mm, nan=-1.0)).tolist() if j in measured]
    rows = "".join(
        f"<tr><td class=name>{escape(names[j])}</td><td>{_mm(code.spread_joint_mm[j])}</td></tr>"
        for j in order
    )
    return f"<table><tr><th class=name>joint</th><th>spread</th></tr>{rows}</table>"


def _head(title: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
    )


def _mm(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:,.0f} mm" if value >= 10 else f"{value:.1f} mm"
