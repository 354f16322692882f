"""``rvq-motion export CKPT --family momask|syntalker|gesturelsm --out PATH``: a tokenizer trained here in
the container a peer codebase loads (MoMask's run folder, SynTalker's and GestureLSM's ``{'net': ...}``),
so it drops into that project's generation pipeline (:mod:`core.model.peers.export`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from core.model.peers.names import EXPORT_FAMILIES


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export",
        help="write a tokenizer as MoMask, SynTalker or GestureLSM save theirs",
        description="Write a checkpoint in a peer project's format: for momask a run folder "
        "(model/net_best_fid.tar, opt.txt, meta/mean.npy, meta/std.npy; HumanML3D checkpoints), for "
        "syntalker and gesturelsm a .pth holding {'net': state_dict} (body-part checkpoints). Prints "
        "where the peer expects the files and what its code must be told.",
    )
    parser.add_argument("checkpoint", type=Path, help="checkpoint folder or run folder")
    parser.add_argument("--family", required=True, choices=EXPORT_FAMILIES, help="the peer project")
    parser.add_argument(
        "--out", type=Path, required=True, metavar="PATH", help="new run folder (momask) or .pth file"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from core.model.peers.export import export_for_peer

    result = export_for_peer(args.checkpoint, args.family, args.out)
    for path in result.files:
        print(f"wrote {path}")
    for note in result.notes:
        print(note)
    return 0
