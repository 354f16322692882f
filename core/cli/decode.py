"""``rvq-motion decode``: a token grid back to a clip (.bvh or SMPL-X .npz)."""

from __future__ import annotations

import argparse
from pathlib import Path

from core.cli.selection_args import add_checkpoint_argument


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "decode",
        help="decode tokens to a clip",
        description="Decode a token grid (.npy) to a clip; --layers K uses only the first K quantizer layers.",
    )
    add_checkpoint_argument(parser)
    parser.add_argument("tokens", type=Path, help="TOKENS.npy written by tokenize (or edited in the app)")
    parser.add_argument("--out", type=Path, required=True, metavar="CLIP.bvh|CLIP.npz")
    parser.add_argument("--layers", type=int, metavar="K", help="decode with the first K layers only")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from core.errors import MotionFileError
    from core.formats import save_motion
    from core.model.checkpoint import load_checkpoint
    from core.tokens.codec import decode_motion
    from core.tokens.files import load_tokens

    ckpt = load_checkpoint(args.checkpoint)
    tokens = load_tokens(args.tokens)
    tokens.check_checkpoint(ckpt, args.tokens)
    q, nb_code = ckpt.config.num_quantizers, ckpt.config.nb_code
    if tokens.indices.shape[1] > q or tokens.indices.max() >= nb_code:
        raise MotionFileError(
            args.tokens, f"tokens do not fit this checkpoint ({q} layers of {nb_code} codes)"
        )
    if args.layers is not None and not 1 <= args.layers <= tokens.indices.shape[1]:
        raise MotionFileError(args.tokens, f"--layers must be between 1 and {tokens.indices.shape[1]}")
    steps = tokens.indices.shape[0]
    frames = (
        tokens.frames if tokens.frames and tokens.frames <= steps * ckpt.model.downsample_factor else None
    )
    start = np.asarray(tokens.root_start) if tokens.root_start is not None else None
    motion = decode_motion(ckpt, tokens.indices, args.layers, frames=frames, root_start=start)
    save_motion(motion, args.out)
    print(f"{motion.num_frames} frames at {motion.fps:g} fps -> {args.out}")
    return 0
