"""``rvq-motion eval``: reconstruction quality of a checkpoint per number of quantizer layers."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from core.cli.refine_args import add_refine_arguments, refine_settings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "eval",
        help="MPJPE, velocity/acceleration error and codebook use of a checkpoint on clips",
        description="Evaluate a checkpoint on every clip under the given folders (1..Q layers used).",
    )
    parser.add_argument("--checkpoint", type=Path, required=True, help="checkpoint folder or run folder")
    parser.add_argument(
        "--data", nargs="+", type=Path, required=True, metavar="DIR", help="clip folders or files"
    )
    parser.add_argument(
        "--split", type=Path, metavar="SPLIT.json", help="evaluate only the clips this split holds out"
    )
    add_refine_arguments(parser)
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the figures as JSON")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables instead of text")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from core.analysis.evaluate import evaluate
    from core.formats import load_motion
    from core.formats.discovery import find_motion_files, read_holdout
    from core.model.checkpoint import load_checkpoint

    ckpt = load_checkpoint(args.checkpoint)
    files = find_motion_files(args.data)
    if args.split:
        held_out = read_holdout(args.split)
        files = [f for f in files if f.name in held_out]
    clips = [load_motion(f) for f in files]
    refine = refine_settings(args)
    with tqdm(total=len(clips), unit="clip", disable=refine is None, leave=False) as bar:
        report = evaluate(ckpt, clips, refine=refine, on_clip=lambda clip: bar.update())
    print(report.markdown() if args.markdown else report.table())
    if args.json:
        args.json.write_text(json.dumps(report.to_json(), indent=1) + "\n")
    return 0
