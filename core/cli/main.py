"""Entry point of ``rvq-motion``: builds the subcommand parser and turns bad input into one error line.

Each subcommand lives in its own module exposing ``register(subparsers)``, which adds its parser
and sets ``run`` (``Namespace -> int`` exit code) as a default; adding a subcommand means writing
that module and listing it in ``SUBCOMMANDS``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from importlib import metadata

from core.cli import (
    atlas,
    cache,
    compare,
    convert,
    decode,
    evaluate,
    export,
    import_,
    info,
    joints,
    render,
    tokenize,
    train,
)
from core.errors import ConfigError, MotionFileError, TrainingError, one_line

PROG = "rvq-motion"
SUBCOMMANDS = (
    info,
    joints,
    convert,
    train,
    evaluate,
    compare,
    tokenize,
    decode,
    export,
    import_,
    render,
    atlas,
    cache,
)
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Inspect and convert motion clips; train, evaluate and run RVQ-VAE motion tokenizers.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in SUBCOMMANDS:
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; returns the exit code: 2 for unreadable input, unwritable output or a
    setting a run cannot take, 1 for a training run that failed."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (MotionFileError, ConfigError) as exc:
        return _fail(exc, EXIT_BAD_INPUT)
    except TrainingError as exc:
        return _fail(exc, EXIT_FAILED)
    except BrokenPipeError:
        # The reader went away (`rvq-motion info x | head`): stay silent, and point stdout at
        # /dev/null so the interpreter's final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as exc:
        return _fail(exc, EXIT_BAD_INPUT)


def _fail(exc: BaseException, code: int) -> int:
    """Print the single ``rvq-motion: error: <path>: <reason>`` line scripts and users can rely on."""
    print(f"{PROG}: error: {one_line(exc)}", file=sys.stderr)
    return code


def _version() -> str:
    try:
        return metadata.version("rvq-motion-studio")
    except metadata.PackageNotFoundError:
        return "unknown"
