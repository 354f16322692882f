"""``rvq-motion tokenize``: a clip of any length to its (steps, layers) code grid."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "tokenize",
        help="encode a clip to tokens (.npy + .json sidecar)",
        description="Encode a clip to a (steps, layers) token grid saved as .npy, with a .json sidecar "
        "naming the checkpoint, frame count and start position.",
    )
    parser.add_argument("--checkpoint", type=Path, required=True, help="checkpoint folder or run folder")
    parser.add_argument("clip", type=Path, help="a .bvh, SMPL-X .npz or HumanML3D .npy clip")
    parser.add_argument("--out", type=Path, required=True, metavar="TOKENS.npy")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from core.checkpoint import load_checkpoint
    from core.formats import load_motion
    from core.token_file import save_tokens
    from core.tokenizer import token_file, tokenize

    ckpt = load_checkpoint(args.checkpoint)
    motion = load_motion(args.clip)
    indices = tokenize(ckpt, motion)
    save_tokens(args.out, token_file(ckpt, motion, indices, source=str(args.clip)))
    print(f"{indices.shape[0]} steps x {indices.shape[1]} layers -> {args.out}")
    return 0
