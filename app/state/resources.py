"""Where the bundled demo lives, resolved from the package so it works from any working directory."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

RESOURCES_DIR = Path(__file__).resolve().parents[2] / "resources"
DEMO_CHECKPOINT = RESOURCES_DIR / "demo_checkpoint"
DEMO_CLIP = RESOURCES_DIR / "demo_clip.bvh"

ORGANIZATION = "RVQ Motion Studio"
APPLICATION = "rvq-studio"
DATA_DIR_ENV = "RVQ_STUDIO_DATA_DIR"


def app_data_dir() -> Path:
    """Where the app keeps what it makes (recovery files, imported checkpoints): ``$RVQ_STUDIO_DATA_DIR``
    (tests, portable installs), else the platform's user data directory."""
    return Path(os.environ.get(DATA_DIR_ENV) or platformdirs.user_data_dir(APPLICATION, ORGANIZATION))


def demo_available() -> bool:
    """True when both the demo clip and the demo checkpoint are present (a source checkout has them)."""
    return DEMO_CLIP.is_file() and (DEMO_CHECKPOINT / "checkpoint.json").is_file()
