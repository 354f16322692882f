"""What the T2M evaluator protocol costs, and how it grows with the number of crops.

Times :class:`core.analysis.t2m_protocol.CropMeter` (tokenizer on the 196-frame padded batch for 1..6
layers, the evaluator's embeddings, ``recover_from_ric`` and the root-aligned errors) and the figures
(FID, diversity) on N crops, with networks of the released sizes and random weights (cost does not
depend on what the weights learned): MoMask's RVQ (width 512, 6 x 512 x 512 codes, 263 features) and
the T2M evaluator (movement 512/512, motion GRU 1024, co-embedding 512). Crops are MoMask-style random
crops of the shared HumanML3D clips, repeated up to N. HumanML3D's test split gives about 4,000 crops
per repeat, and MoMask repeats 20 times: the last column says what that would take at the measured rate.

Run: ``.venv/bin/python benchmarks/paper_eval.py [--crops 64 256 1024] [--threads 1] [--device cpu]
[--json OUT]``.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import time
from pathlib import Path

import numpy as np
import torch

from core.analysis.crops import draw_crops
from core.analysis.distribution import draw_pairs
from core.analysis.t2m_protocol import CropMeter
from core.features.representation import Normalizer
from core.model import RVQVAE, RVQVAEConfig
from core.model.peers.t2m_evaluator import MotionEncoder, MovementEncoder, T2MEvaluator

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "humanml3d"
TEST_SPLIT_CROPS = 4000
REPEATS = 20


def released_evaluator(mean: np.ndarray, std: np.ndarray) -> T2MEvaluator:
    torch.manual_seed(0)
    return T2MEvaluator(
        movement=MovementEncoder(259, 512, 512).eval(),
        motion=MotionEncoder(512, 1024, 512).eval(),
        mean=mean,
        std=std,
        unit_length=4,
        dataset="t2m",
        folder=Path("random weights"),
        sha256="",
    )


def momask_sized_model() -> RVQVAE:
    torch.manual_seed(0)
    config = RVQVAEConfig(input_dim=263, width=512, code_dim=512, nb_code=512, num_quantizers=6)
    return RVQVAE(config).eval()


def crop_rows(n: int) -> list[np.ndarray]:
    """``n`` random crops (MoMask's rule) of the shared HumanML3D clips."""
    clips = {p.stem: np.load(p) for p in sorted((DATA / "new_joint_vecs").glob("*.npy"))}
    rng = np.random.default_rng(0)
    rows: list[np.ndarray] = []
    while len(rows) < n:
        for crop in draw_crops({k: len(v) for k, v in clips.items()}, 4, rng):
            rows.append(clips[crop.clip][crop.start : crop.start + crop.length])
    return rows[:n]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--crops", type=int, nargs="+", default=[64, 256, 1024])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    mean, std = np.load(DATA / "Mean.npy").astype(np.float32), np.load(DATA / "Std.npy").astype(np.float32)
    model = momask_sized_model().to(args.device)
    meter = CropMeter(model, Normalizer(mean, std), released_evaluator(mean, std))
    print(
        f"machine: {platform.processor() or platform.machine()}, {args.threads} thread(s), device {args.device}"
    )
    print(f"{'crops':>6} {'seconds':>9} {'crops/s':>9} {'peak RSS MB':>12} {'test split x 20 (est.)':>24}")
    results = []
    for n in args.crops:
        rows = crop_rows(n)
        start = time.perf_counter()
        measures = meter.measure(rows)
        measures.figures(draw_pairs(n, np.random.default_rng(0)))
        seconds = time.perf_counter() - start
        estimate = TEST_SPLIT_CROPS * REPEATS / (n / seconds)
        results.append(
            {"crops": n, "seconds": seconds, "crops_per_s": n / seconds, "peak_rss_mb": peak_rss_mb()}
        )
        print(f"{n:>6} {seconds:>9.2f} {n / seconds:>9.1f} {peak_rss_mb():>12.0f} {estimate / 60:>20.1f} min")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
