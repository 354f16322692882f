"""Write resources/bandai_split.json: the Bandai clips held out from training the demo checkpoint.

Every 20th clip in sorted order across both Bandai folders (about 5%, spread over contents and
styles), plus the demo clip shipped in resources/. Deterministic, so the split can be re-made.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

DEMO_CLIP = "dataset-1_punch_normal_001.bvh"
EVERY = 20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("bandai", type=Path, help="the bandai folder of the shared data")
    parser.add_argument("--out", type=Path, default=Path("resources/bandai_split.json"))
    args = parser.parse_args()
    names = sorted(p.name for p in args.bandai.rglob("*.bvh"))
    holdout = sorted(set(names[::EVERY]) | {DEMO_CLIP})
    args.out.write_text(
        json.dumps(
            {
                "description": f"Bandai clips left out of the demo checkpoint's training: every {EVERY}th "
                f"clip in sorted order plus the demo clip ({len(holdout)} of {len(names)}).",
                "demo_clip": DEMO_CLIP,
                "holdout": holdout,
            },
            indent=1,
        )
        + "\n"
    )
    print(f"{len(holdout)} of {len(names)} clips held out -> {args.out}")


if __name__ == "__main__":
    main()
