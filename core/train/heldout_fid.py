"""FID of the held-out clips while a run trains, by the T2M evaluator protocol, and the checkpoint with
the best FID so far kept at ``checkpoints/best-fid`` (as MoMask keeps ``net_best_fid.tar``).

The crops are drawn once, as MoMask's evaluation draws them (seed 0; clips of 40-199 frames), and
kept for every evaluation, so the curve moves with the model alone. FID is measured with every
layer; the figures of a finished run come from ``rvq-motion eval --evaluator``.
"""

from __future__ import annotations

import math
import os
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.analysis import distribution
from core.analysis.crops import BATCH, draw_crops, eligible
from core.analysis.t2m_protocol import CropMeter
from core.errors import ConfigError, MotionFileError
from core.features.humanml3d import HumanML3D
from core.features.representation import Normalizer, Representation
from core.model import RVQVAE
from core.model.checkpoint import read_checkpoint_meta, save_checkpoint
from core.model.peers.t2m_evaluator import T2MEvaluator
from core.motion.clip import Motion
from core.train.data import TrainingData

BEST_FID = Path("checkpoints") / "best-fid"
CROP_SEED = 0


class HeldOutFID:
    """FID of fixed crops of the held-out clips through a model, with all its layers."""

    def __init__(
        self,
        lengths: Sequence[int],
        clips: Iterable[tuple[int, Motion]],
        rep: Representation,
        normalizer: Normalizer,
        evaluator: T2MEvaluator,
    ) -> None:
        """Crops are drawn from the clips' ``lengths`` first; then each (index, clip) is read once and
        only its crops' rows are kept, so a large held-out split costs its crops, not its clips."""
        if not isinstance(rep, HumanML3D) or rep.dim != evaluator.dim:
            raise ConfigError(
                f"--evaluator measures {evaluator.dim}-dim HumanML3D rows; this run trains on {rep.describe()}"
            )
        self.normalizer, self.evaluator = normalizer, evaluator
        eligible_lengths = {str(i): n for i, n in enumerate(lengths) if eligible(n, evaluator.dataset)}
        crops = draw_crops(eligible_lengths, evaluator.unit_length, np.random.default_rng(CROP_SEED), batch=1)
        wanted: dict[str, list] = {}
        for crop in crops:
            wanted.setdefault(crop.clip, []).append(crop)
        rows: dict[tuple[str, int], np.ndarray] = {}
        for index, clip in clips:
            features = rep.features(clip) if str(index) in wanted else None
            for crop in wanted.get(str(index), ()):
                if crop.start + crop.length <= len(features):
                    rows[(crop.clip, crop.start)] = features[crop.start : crop.start + crop.length]
        self.rows = [rows[(c.clip, c.start)] for c in crops if (c.clip, c.start) in rows]

    @property
    def usable(self) -> bool:
        """FID needs two crops at least (a covariance)."""
        return len(self.rows) >= 2

    def __call__(self, model: RVQVAE) -> float:
        """The FID of the crops' reconstructions; the caller puts ``model`` in eval mode."""
        device = next(model.parameters()).device
        meter = CropMeter(model, self.normalizer, self.evaluator.to(device), [model.config.num_quantizers])
        parts = [meter.batch(self.rows[i : i + BATCH]) for i in range(0, len(self.rows), BATCH)]
        real = np.concatenate([p[0] for p in parts])
        reconstructed = np.concatenate([p[1][0] for p in parts])
        return distribution.frechet_distance(real, reconstructed)


@dataclass(frozen=True)
class BestFID:
    """The run's best-FID checkpoint: where it is, its held-out FID and the step it was kept at."""

    path: Path
    fid: float
    step: int


def best_fid_checkpoint(run_dir: Path) -> BestFID | None:
    """The checkpoint kept at ``run_dir/checkpoints/best-fid`` (None when the run keeps none)."""
    try:
        folder, meta = read_checkpoint_meta(run_dir / BEST_FID)
        return BestFID(folder, float(meta["extra"]["held_out_fid"]), int(meta.get("step", 0)))
    except (MotionFileError, KeyError, TypeError, ValueError):
        return None


def best_fid_so_far(run_dir: Path) -> float:
    """The FID the run's ``best-fid`` checkpoint was kept for (infinity when there is none)."""
    best = best_fid_checkpoint(run_dir)
    return best.fid if best is not None else math.inf


def save_best_fid(
    run_dir: Path, model: RVQVAE, data: TrainingData, step: int, fid: float, train_config: dict, extra: dict
) -> Path:
    """Write the model as ``run_dir/checkpoints/best-fid``, replacing the previous best.

    The new checkpoint is written completely beside it first (itself atomically), then the two are
    swapped by renames, so the name only ever holds a whole checkpoint; a previous best is removed
    only once the new one is in place (a crash in between leaves it as ``.best-fid.old``, put back
    by the next save).
    """
    final = run_dir / BEST_FID
    fresh = final.with_name(f".best-fid.{os.getpid()}.new")
    old = final.with_name(".best-fid.old")
    if old.exists() and not final.exists():
        os.replace(old, final)
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)
    save_checkpoint(
        fresh,
        model,
        data.skeleton,
        data.representation,
        data.normalizer,
        data.fps,
        step=step,
        train_config=train_config,
        extra={**extra, "held_out_fid": fid},
    )
    if final.exists():
        os.replace(final, old)
    os.replace(fresh, final)
    shutil.rmtree(old, ignore_errors=True)
    return final
