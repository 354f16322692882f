"""``rvq-motion compare A B``: two checkpoints on the same clips, per number of layers and per clip."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from core.cli.selection_args import add_dataset_arguments, selected_files


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "compare",
        help="root-aligned MPJPE of two checkpoints on the same clips, and the difference",
        description="Evaluate checkpoints A and B on every clip under the given folders and print both "
        "summaries, their difference (B - A) per number of layers, and every clip from B's largest "
        "loss to its largest gain.",
    )
    parser.add_argument("a", type=Path, metavar="A", help="checkpoint folder or run folder")
    parser.add_argument("b", type=Path, metavar="B", help="checkpoint folder or run folder")
    add_dataset_arguments(parser, "compare on", "its held-out clips")
    parser.add_argument(
        "--json", type=Path, metavar="OUT", help="also write both evaluations and the differences"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from core.analysis.dataset import compare_checkpoints
    from core.cli.evaluate import evaluate_with_bar
    from core.errors import MotionFileError
    from core.model.checkpoint import load_checkpoint

    a, b = load_checkpoint(args.a), load_checkpoint(args.b)
    files = selected_files(args)
    comparison = evaluate_with_bar(compare_checkpoints(a, b, files), files)
    if files and not comparison.clips:
        raise MotionFileError(files[0], "no clip fits both checkpoints")
    print(comparison.table())
    if args.json:
        args.json.write_text(json.dumps(comparison.to_json(), indent=1) + "\n")
    return 0
