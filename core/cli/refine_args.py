"""The ``--refine`` options that ``tokenize`` and ``eval`` share (analysis-by-synthesis codes).

Nothing here imports torch: building the parser (``rvq-motion --help``) stays fast.
"""

from __future__ import annotations

import argparse

from core.tokens.refine_settings import RefineSettings


def _steps(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def _lr(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {text}")
    return value


def add_refine_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--refine",
        type=_steps,
        default=0,
        metavar="STEPS",
        help="choose the codes by this many steps of analysis by synthesis: slower, closer to the clip "
        f"(default: 0, the encoder's nearest codes; docs/model.md measures {RefineSettings.steps})",
    )
    parser.add_argument(
        "--refine-lr",
        type=_lr,
        metavar="LR",
        help=f"step size of the refinement (default: {RefineSettings.lr:g}, see docs/model.md)",
    )


def refine_settings(args: argparse.Namespace) -> RefineSettings | None:
    """None when no refinement was asked for; unset options keep RefineSettings' defaults."""
    if args.refine == 0:
        return None
    if args.refine_lr is None:
        return RefineSettings(steps=args.refine)
    return RefineSettings(steps=args.refine, lr=args.refine_lr)
