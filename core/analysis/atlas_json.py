"""``atlas.json``: an atlas for scripts, every occurrence of every code included.

``{"layers": {"1": {"codes": {"412": {"count", "clips", "spread_mm", "occurrences": [{"clip", "step"}],
"preview"}}}}}`` (layers counted from 1, as the CLI counts them), with more beside those keys: per code
the occurrences in the spread (``summarised``: a clip's last step, cut short, is left out), the spread
per joint (in the order of the top-level ``"joints"``), the nearest codes and the sampled occurrences
its preview shows; per layer the dead codes and the perplexity; at the top the checkpoint, the clips
and what was skipped. A code's occurrences can run to hundreds of thousands on a large
dataset, so the file is written code by code and never held whole in memory.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TextIO

import numpy as np

from core.analysis.atlas import Atlas
from core.analysis.metrics import perplexity

SPREAD_MEANING = (
    "root mean square distance, in mm, of each joint from its mean position across the code's occurrences "
    "(decoded with the first k layers for a layer-k code, each window's pelvis moved to the origin and the "
    "body turned to face +Z at the step's first frame); spread_mm averages the joints the tokenizer describes"
)


def write_atlas_json(path: str | Path, atlas: Atlas, previews: dict[tuple[int, int], str]) -> Path:
    """Write ``atlas`` to ``path``; ``previews`` maps (layer, code) to a preview's path relative to it."""
    path = Path(path)
    with path.open("w", encoding="utf-8") as out:
        head = json.dumps(_header(atlas), indent=1)
        out.write(head[: head.rindex("}")].rstrip() + ',\n "layers": {')
        for i, layer in enumerate(atlas.layers):
            out.write(("," if i else "") + f'\n  "{layer + 1}": ')
            _write_layer(out, atlas, layer, previews)
        out.write("\n }\n}\n")
    return path


def _header(atlas: Atlas) -> dict:
    return {
        "checkpoint": atlas.checkpoint,
        "weights_sha256": atlas.weights_sha256,
        "complete": atlas.complete,
        "clips": [{"path": c.path, "frames": c.frames, "fps": c.fps, "steps": c.steps} for c in atlas.clips],
        "frames_per_step": atlas.frames_per_step,
        "settings": {
            "layers": [layer + 1 for layer in atlas.layers],
            "per_code": atlas.settings.per_code,
            "context_steps": atlas.settings.context_steps,
            "seed": atlas.settings.seed,
        },
        "joints": list(atlas.skeleton.joint_names),
        "measured_joints": [atlas.skeleton.joint_names[j] for j in atlas.measured],
        "spread": SPREAD_MEANING,
        "skipped": [{"path": s.path, "reason": s.reason} for s in atlas.skipped],
    }


def _write_layer(out: TextIO, atlas: Atlas, layer: int, previews: dict[tuple[int, int], str]) -> None:
    counts = atlas.counts(layer)
    head = {
        "used": int(np.count_nonzero(counts)),
        "dead": atlas.dead_codes(layer).tolist(),
        "perplexity": float(perplexity(counts)),
    }
    text = json.dumps(head)
    out.write(text[:-1] + ', "codes": {')
    clips, steps, bounds = _occurrences_by_code(atlas, layer)
    paths = [c.path for c in atlas.clips]
    for i, code in enumerate(atlas.by_use(layer).tolist()):
        summary = atlas.code(layer, code)
        entry = {
            "count": summary.count,
            "clips": summary.clips,
            "spread_mm": _number(summary.spread_mm),
            "summarised": summary.summarised,
            "spread_joint_mm": [_number(v) for v in summary.spread_joint_mm.tolist()],
            "nearest": list(summary.nearest),
            "preview": previews.get((layer, code)),
            "sample": [{"clip": o.path, "step": o.step} for o in summary.sample],
            "occurrences": [
                {"clip": paths[c], "step": s}
                for c, s in zip(
                    clips[bounds[code] : bounds[code + 1]].tolist(),
                    steps[bounds[code] : bounds[code + 1]].tolist(),
                    strict=True,
                )
            ],
        }
        out.write(("," if i else "") + f'\n   "{code}": ' + json.dumps(entry))
    out.write("\n  }}")


def _occurrences_by_code(atlas: Atlas, layer: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(clip numbers, steps) of every step of ``layer`` sorted by code (then clip and step), and where
    each code's run starts: one sort of the index instead of a search per code."""
    column = atlas.index.codes[:, layer].astype(np.int64)
    rows = np.argsort(column, kind="stable")
    clips = atlas.index.clip_of(rows)
    bounds = np.searchsorted(column[rows], np.arange(atlas.nb_code + 1))
    return clips, rows - atlas.index.offsets[clips], bounds


def _number(value: float) -> float | None:
    return None if math.isnan(value) else round(value, 3)
