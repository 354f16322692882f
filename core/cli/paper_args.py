"""``eval``'s options for the figures papers report: FID, diversity and MPJPE with the user's T2M
evaluator, by MoMask's protocol (:mod:`core.analysis.paper_eval`).

Nothing here imports torch at module level: building the parser stays fast.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import ConfigError, MotionFileError
from core.progress import run_to_end

if TYPE_CHECKING:
    import numpy as np

    from core.analysis.paper_eval import PaperEvaluation, ProtocolProgress
    from core.model.checkpoint import Checkpoint
    from core.model.peers.t2m_evaluator import T2MEvaluator

DEFAULT_REPEATS = 20
"""MoMask's ``eval_t2m_vq.py`` repeats its random crops 20 times."""


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value}")
    return value


def add_paper_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "figures papers report",
        "FID, diversity and MPJPE per number of layers measured as MoMask's eval_t2m_vq.py measures them "
        "(HumanML3D checkpoints; see README, 'Numbers you can put in a paper')",
    )
    group.add_argument(
        "--evaluator",
        type=Path,
        metavar="DIR",
        help="the T2M evaluator folder you downloaded (checkpoints/t2m: text_mot_match/model/finest.tar, "
        "Comp_v6_KLD005/opt.txt and meta/{mean,std}.npy)",
    )
    group.add_argument(
        "--crops",
        type=Path,
        metavar="FILE",
        help='fixed crops: a JSON list of {"clip": file stem, "start": frame, "length": frames} found '
        "under --data (default: MoMask's random crops)",
    )
    group.add_argument(
        "--repeat",
        type=_positive,
        metavar="N",
        help=f"random crop sets to measure, reported as mean and 95%% interval (default {DEFAULT_REPEATS})",
    )
    group.add_argument(
        "--seed", type=int, default=0, help="seed of the random crops and diversity pairs (default 0)"
    )
    group.add_argument(
        "--pairs",
        type=Path,
        metavar="FILE.npy",
        help="(2, n) row indices diversity averages over (default: drawn with --seed)",
    )


def check_paper_arguments(args: argparse.Namespace) -> None:
    """Refuse options that need ``--evaluator`` without it, or that contradict each other."""
    if args.evaluator is None:
        given = [
            flag
            for flag, value in (("--crops", args.crops), ("--repeat", args.repeat), ("--pairs", args.pairs))
            if value is not None
        ]
        if given:
            raise ConfigError(f"{', '.join(given)} need --evaluator DIR (the T2M evaluator folder)")
    elif args.crops is not None and args.repeat is not None:
        raise ConfigError("--repeat draws random crops; fixed --crops are measured once")


@dataclass(frozen=True)
class PaperInputs:
    """The evaluator, crops and diversity pairs the options name, read and checked."""

    evaluator: T2MEvaluator
    crops: list | None
    pairs: np.ndarray | None


def paper_inputs(args: argparse.Namespace, ckpt: Checkpoint) -> PaperInputs | None:
    """Read the evaluator, crops and pairs ``--evaluator``, ``--crops`` and ``--pairs`` name and check
    they fit ``ckpt`` (None without ``--evaluator``): before the dataset is evaluated, so a wrong folder
    fails at once and not after a long run."""
    if args.evaluator is None:
        return None
    import numpy as np

    from core.analysis.crops import read_crops
    from core.analysis.paper_eval import check_fits
    from core.formats.numpy_files import read_npy
    from core.model.peers.t2m_evaluator import load_t2m_evaluator

    evaluator = load_t2m_evaluator(args.evaluator)
    check_fits(ckpt, evaluator)
    crops = read_crops(args.crops) if args.crops is not None else None
    pairs = None
    if args.pairs is not None:
        pairs = read_npy(args.pairs)
        if not np.issubdtype(pairs.dtype, np.integer):
            raise MotionFileError(
                args.pairs, f"diversity pairs are row indices; the array holds {pairs.dtype}"
            )
    return PaperInputs(evaluator, crops, pairs)


def paper_figures(
    args: argparse.Namespace, inputs: PaperInputs | None, ckpt: Checkpoint, files: list[Path]
) -> PaperEvaluation | None:
    """The evaluator protocol on ``files`` as the options ask, under a progress bar; None without
    ``--evaluator``."""
    if inputs is None:
        return None
    from tqdm import tqdm

    from core.analysis.paper_eval import paper_evaluation

    work = paper_evaluation(
        ckpt,
        inputs.evaluator,
        files,
        crops=inputs.crops,
        crops_file=args.crops,
        seed=args.seed,
        repeats=args.repeat or DEFAULT_REPEATS,
        pairs=inputs.pairs,
        pairs_file=args.pairs,
    )
    with tqdm(unit="batch", disable=None, leave=False, desc="T2M evaluator") as bar:

        def step(progress: ProtocolProgress) -> None:
            bar.total = progress.total
            bar.update(progress.done - bar.n)

        result = run_to_end(work, step)
    out_of_range = [path for path, reason in result.skipped if reason.endswith("evaluation range")]
    for path, reason in result.skipped:
        if path not in out_of_range:
            print(f"rvq-motion: skipped {path}: {reason}", file=sys.stderr)
    if out_of_range:
        print(
            f"rvq-motion: {len(out_of_range)} clips outside MoMask's evaluation range "
            "(40-199 frames) are not cropped",
            file=sys.stderr,
        )
    return result
