"""The ``--refine`` options that ``tokenize`` and ``eval`` share (analysis-by-synthesis codes)."""

from __future__ import annotations

import argparse

from core.token_refine import RefineSettings


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
    defaults = RefineSettings()
    parser.add_argument(
        "--refine",
        type=_steps,
        default=0,
        metavar="STEPS",
        help="choose the codes by this many steps of analysis by synthesis: slower, closer to the clip "
        f"(0, the default: the encoder's nearest codes; {defaults.steps} is a good start, see docs/model.md)",
    )
    parser.add_argument(
        "--refine-lr", type=_lr, default=defaults.lr, metavar="LR", help="step size of the refinement"
    )


def refine_settings(args: argparse.Namespace) -> RefineSettings | None:
    """None when no refinement was asked for."""
    if args.refine == 0:
        return None
    return RefineSettings(steps=args.refine, lr=args.refine_lr)
