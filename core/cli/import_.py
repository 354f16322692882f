"""``rvq-motion import``: a MoMask, SynTalker, GestureLSM or T2M-GPT tokenizer as a project checkpoint.

Prints every field of the import with where its value came from (the tensors' shapes, ``opt.txt``,
``run.log``, ``meta/``, an option, or an assumption and why), then writes the checkpoint folder that
``tokenize``, ``decode``, ``eval`` and the app open. Bad input exits 2 with one line naming the file.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from core.model.peers.names import IMPORT_FAMILIES, PEER_NAMES


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "import",
        help="import a MoMask/SynTalker/GestureLSM/T2M-GPT tokenizer checkpoint",
        description="Read a tokenizer checkpoint another project saved (a .tar/.pth file, or a MoMask run "
        "folder with opt.txt and meta/) without running any code it holds, print what was inferred and "
        "from where, and write it as a checkpoint folder of this project.",
    )
    parser.add_argument("src", type=Path, metavar="SRC", help="the .tar/.pth/.pt file or MoMask run folder")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="the new checkpoint folder")
    parser.add_argument(
        "--family", choices=IMPORT_FAMILIES, help="the project that wrote it (default: from its keys)"
    )
    parser.add_argument(
        "--body-part",
        metavar="PART",
        help="the SMPL-X body part it reads: upper, hands, lower, lower_trans, whole_trans, or joint names "
        "separated by commas (default: from its input width)",
    )
    parser.add_argument(
        "--stats",
        nargs="+",
        type=Path,
        metavar="FILE",
        default=(),
        help="MEAN STD [TRANS_MEAN TRANS_STD] .npy statistics the model was trained with (BEAT2's "
        "beatx_2_330_{mean,std}.npy are sliced to the body part); default: MoMask's meta/",
    )
    parser.add_argument(
        "--dilation-growth-rate", type=int, metavar="N", help="not in the weights (default 3)"
    )
    parser.add_argument(
        "--activation", choices=("relu", "silu", "gelu"), help="not in the weights (default relu)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from core.model.peers.field_words import TRAINING_ONLY_NOTE
    from core.model.peers.importer import plan_import, write_import

    plan = plan_import(
        args.src,
        family=args.family,
        body_part=args.body_part,
        stats=tuple(args.stats),
        dilation_growth_rate=args.dilation_growth_rate,
        activation=args.activation,
    )
    print(f"{PEER_NAMES[plan.family]} tokenizer: {plan.source}")
    width = max(len(f.title) for f in plan.fields)
    for item in plan.fields:
        shown = "None" if item.value is None else str(item.value)
        note = " [training only]" if item.training_only else ""
        print(f"  {item.title:<{width}}  {shown:<24}  {item.source}{note}")
    if any(item.training_only for item in plan.fields):
        print(f"  [training only]: {TRAINING_ONLY_NOTE}")
    out = write_import(plan, args.out)
    print(f"wrote {out}")
    return 0
