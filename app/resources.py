"""Where the bundled demo lives, resolved from the package so it works from any working directory."""

from __future__ import annotations

from pathlib import Path

RESOURCES_DIR = Path(__file__).resolve().parents[1] / "resources"
DEMO_CHECKPOINT = RESOURCES_DIR / "demo_checkpoint"
DEMO_CLIP = RESOURCES_DIR / "demo_clip.bvh"

ORGANIZATION = "RVQ Motion Studio"
APPLICATION = "rvq-studio"


def demo_available() -> bool:
    """True when both the demo clip and the demo checkpoint are present (a source checkout has them)."""
    return DEMO_CLIP.is_file() and (DEMO_CHECKPOINT / "checkpoint.json").is_file()
