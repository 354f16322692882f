"""The arguments commands share: ``--data``, ``--split`` and ``--speakers`` (the clips a command uses:
:func:`core.datasets.selection.select_clips` does the choosing), ``--checkpoint``, ``--no-cache``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_checkpoint_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--checkpoint", type=Path, required=True, help="checkpoint folder or run folder")


def add_cache_flag(parser: argparse.ArgumentParser) -> None:
    """``--no-cache``: read every clip from its file."""
    parser.add_argument(
        "--no-cache",
        dest="use_cache",
        action="store_false",
        help="read every clip from its file, without the feature cache (see rvq-motion cache info)",
    )


def add_dataset_arguments(parser: argparse.ArgumentParser, verb: str, json_split: str) -> None:
    """``--data``, ``--split`` and ``--speakers``: which clips (see :mod:`core.datasets.selection`);
    ``json_split`` says what a JSON split file means to the command."""
    from core.datasets.beat2_root import parse_speakers

    parser.add_argument(
        "--data",
        nargs="+",
        type=Path,
        required=True,
        metavar="DIR",
        help="clip folders or files, or dataset roots as they ship (HumanML3D, KIT-ML, BEAT2, AMASS)",
    )
    parser.add_argument(
        "--split",
        metavar="train|val|test|FILE",
        help=f"{verb} only a split: one the dataset root ships (train, val, test, all...: HumanML3D's and "
        "KIT-ML's <name>.txt, BEAT2's train_test_split.csv), a text file of clip ids, or a JSON split file "
        f"({json_split})",
    )
    parser.add_argument(
        "--speakers",
        type=parse_speakers,
        metavar="N[,N...]",
        help=f"{verb} only these BEAT2 speakers (the number before the first _ of a clip's name), e.g. 2 or 2,4",
    )


def selected_files(args: argparse.Namespace) -> list[Path]:
    """The clips ``--data``, ``--split`` and ``--speakers`` choose; what was chosen, and any split entry that
    names no clip, said on stderr."""
    from core.datasets.selection import select_clips

    selection = select_clips(args.data, args.split, args.speakers or ())
    for warning in selection.warnings:
        print(f"rvq-motion: warning: {warning}", file=sys.stderr)
    print(f"rvq-motion: {selection.summary()}", file=sys.stderr)
    return list(selection.files)
