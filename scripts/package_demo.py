"""Copy a trained run's checkpoint and the held-out demo clip into resources/ for the app to open.

Only what inference needs is shipped (``model.safetensors`` and ``checkpoint.json``; the optimizer
state stays in the run), plus the demo clip named in ``resources/bandai_split.json`` and its
attribution. Usage: ``python scripts/package_demo.py RUN_DIR --data ../shared/data``.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

from core.model.checkpoint import META_NAME, WEIGHTS_NAME, load_checkpoint, resolve_checkpoint_dir

REPO = Path(__file__).resolve().parents[1]
RESOURCES = REPO / "resources"
LIMIT_MB = 25
ATTRIBUTION = """Demo clip: {clip}
From the Bandai Namco Research Motion Dataset (dataset-1), (c) Bandai Namco Research Inc.,
licensed CC BY-NC 4.0 (https://creativecommons.org/licenses/by-nc/4.0/): non-commercial use only.
Source: https://github.com/BandaiNamcoResearchInc/Bandai-Namco-Research-Motiondataset
Cite: Kobayashi et al., "Motion Capture Dataset for Practical Use of AI-based Motion Editing and
Stylization", 2023, arXiv:2306.08861. The file is unchanged.

Demo checkpoint: trained by RVQ Motion Studio on the Bandai clips not held out in bandai_split.json;
as a model trained on CC BY-NC 4.0 data it is for non-commercial use.
"""


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("run", type=Path, help="training run folder (its latest checkpoint is used)")
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    args = parser.parse_args()
    source = resolve_checkpoint_dir(args.run)
    load_checkpoint(source)
    target = RESOURCES / "demo_checkpoint"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for name in (WEIGHTS_NAME, META_NAME):
        shutil.copy2(source / name, target / name)
    size_mb = sum(f.stat().st_size for f in target.iterdir()) / 1e6
    if size_mb > LIMIT_MB:
        raise SystemExit(f"demo checkpoint is {size_mb:.1f} MB, over the {LIMIT_MB} MB limit")
    clip_name = json.loads((RESOURCES / "bandai_split.json").read_text())["demo_clip"]
    clip = next((args.data / "bandai").rglob(clip_name))
    shutil.copy2(clip, RESOURCES / "demo_clip.bvh")
    (RESOURCES / "ATTRIBUTION.txt").write_text(ATTRIBUTION.format(clip=clip_name))
    print(f"{source} -> {target} ({size_mb:.1f} MB); {clip_name} -> resources/demo_clip.bvh")


if __name__ == "__main__":
    main()
