"""``rvq-motion info DIR``: a dataset root's (or a folder's) layout, clips, frames and hours per split, skeleton
and frame rate, counted from file headers (:mod:`core.datasets.inventory`); a table for people or JSON."""

from __future__ import annotations

import json
from pathlib import Path

from core.datasets.inventory import DatasetInfo, Tally, describe_dataset

UNREADABLE_SHOWN = 5


def print_dataset(path: Path, as_json: bool) -> None:
    info = describe_dataset(path)
    print(json.dumps(info.to_json(), indent=2) if as_json else format_dataset(info))


def format_dataset(info: DatasetInfo) -> str:
    skeletons = "; ".join(f"{name} ({joints} joints)" for name, joints in info.skeletons) or "none"
    total = info.total
    minutes = f" ({total.seconds / 60:.1f} min)" if total.hours < 1 else ""
    lines = [
        f"path        {info.path}",
        f"layout      {info.layout}",
        f"skeleton    {skeletons}",
        f"fps         {', '.join(f'{fps:g}' for fps in info.frame_rates) or '-'}",
        f"clips       {total.clips:,} · {total.frames:,} frames · {total.hours:,.2f} h{minutes}",
    ]
    if info.statistics:
        lines.append(f"statistics  {', '.join(str(p) for p in info.statistics)}")
    if info.splits:
        width = max(len("split"), *(len(s.name) for s in info.splits))
        lines += ["", f"{'split':<{width}}  {'clips':>8}  {'frames':>11}  {'hours':>8}  {'missing':>7}"]
        lines += [_split_row(split, width) for split in info.splits]
    if info.unreadable:
        lines += ["", f"unreadable  {len(info.unreadable):,} files, left out of the counts:"]
        lines += [f"  {path}: {reason}" for path, reason in info.unreadable[:UNREADABLE_SHOWN]]
        if len(info.unreadable) > UNREADABLE_SHOWN:
            lines.append(f"  and {len(info.unreadable) - UNREADABLE_SHOWN:,} more")
    return "\n".join(lines)


def _split_row(split: Tally, width: int) -> str:
    return f"{split.name:<{width}}  {split.clips:>8,}  {split.frames:>11,}  {split.hours:>8,.2f}  {split.missing:>7,}"
