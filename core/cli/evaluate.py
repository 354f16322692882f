"""``rvq-motion eval``: reconstruction quality of a checkpoint per number of quantizer layers."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Generator
from pathlib import Path
from typing import TYPE_CHECKING

from core.cli.paper_args import add_paper_arguments, check_paper_arguments, paper_figures, paper_inputs
from core.cli.refine_args import add_refine_arguments, refine_settings
from core.cli.selection_args import add_checkpoint_argument, add_dataset_arguments, selected_files

if TYPE_CHECKING:
    from core.analysis.dataset import DatasetComparison, DatasetEval, Progress


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "eval",
        help="MPJPE, velocity/acceleration error and codebook use of a checkpoint on clips",
        description="Evaluate a checkpoint on every clip under the given folders (1..Q layers used). "
        "Clips that do not fit the checkpoint's skeleton are skipped, each named on stderr.",
    )
    add_checkpoint_argument(parser)
    add_dataset_arguments(parser, "evaluate", "its held-out clips")
    add_refine_arguments(parser)
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the figures as JSON")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables instead of text")
    parser.add_argument(
        "--report",
        type=Path,
        metavar="REPORT.html",
        help="also write one self-contained HTML report: per-layer and per-clip tables, codebook usage "
        "histograms, error over time of the worst clips",
    )
    add_paper_arguments(parser)
    parser.set_defaults(run=run)


def evaluate_with_bar(
    work: Generator[Progress, None, DatasetEval | DatasetComparison], files: list[Path]
) -> DatasetEval | DatasetComparison:
    """Run a generator of :mod:`core.analysis.dataset` under a terminal progress bar (hidden when
    stderr is not a terminal), naming each skipped clip on stderr."""
    from tqdm import tqdm

    from core.analysis.dataset import SkippedClip
    from core.progress import run_to_end

    with tqdm(total=len(files), unit="clip", disable=None, leave=False) as bar:

        def step(progress: Progress) -> None:
            bar.total = progress.total
            bar.update(progress.done - bar.n)
            if isinstance(progress.item, SkippedClip):
                bar.write(
                    f"rvq-motion: skipped {progress.item.path}: {progress.item.reason}", file=sys.stderr
                )

        return run_to_end(work, step)


def run(args: argparse.Namespace) -> int:
    from core.analysis.dataset import evaluate_dataset
    from core.analysis.report import write_report
    from core.errors import MotionFileError
    from core.model.checkpoint import load_checkpoint

    check_paper_arguments(args)
    ckpt = load_checkpoint(args.checkpoint)
    inputs = paper_inputs(args, ckpt)
    files = selected_files(args)
    work = evaluate_dataset(ckpt, files, refine_settings(args))
    result = evaluate_with_bar(work, files)
    if files and not result.rows:
        first = result.skipped[0]
        raise MotionFileError(first.path, f"no clip fits this checkpoint ({first.reason})")
    paper = paper_figures(args, inputs, ckpt, files)
    for line in result.renaming_lines():
        print(f"rvq-motion: {line}", file=sys.stderr)
    report = result.summary
    print(report.markdown() if args.markdown else report.table())
    if paper is not None:
        print("\n" + (paper.markdown() if args.markdown else paper.table()))
    # Where the files went; beside Markdown on stderr, so the tables stay ready to paste.
    written = sys.stderr if args.markdown else sys.stdout
    if args.json:
        figures = report.to_json() | ({"evaluator": paper.to_json()} if paper is not None else {})
        args.json.write_text(json.dumps(figures, indent=1) + "\n")
        print(f"wrote the figures to {args.json}", file=written)
    if args.report:
        write_report(args.report, result, paper=paper)
        print(f"wrote the report to {args.report}", file=written)
    return 0
