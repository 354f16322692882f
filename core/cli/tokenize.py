"""``rvq-motion tokenize``: a clip of any length to its (steps, layers) code grid."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.cli.refine_args import add_refine_arguments, refine_settings
from core.cli.selection_args import add_checkpoint_argument


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "tokenize",
        help="encode a clip to tokens (.npy + .json sidecar)",
        description="Encode a clip to a (steps, layers) token grid saved as .npy, with a .json sidecar "
        "naming the checkpoint, frame count and start position.",
    )
    add_checkpoint_argument(parser)
    parser.add_argument("clip", type=Path, help="a .bvh, SMPL-X .npz or HumanML3D .npy clip")
    parser.add_argument("--out", type=Path, required=True, metavar="TOKENS.npy")
    add_refine_arguments(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from core.formats import load_motion
    from core.model.checkpoint import load_checkpoint
    from core.tokens.codec import fit_clip, renaming_notice, tokenize
    from core.tokens.files import TokenFile, save_tokens
    from core.tokens.refine import TokenRefinement

    ckpt = load_checkpoint(args.checkpoint)
    motion = load_motion(args.clip)
    notice = renaming_notice(fit_clip(ckpt, motion))
    if notice:
        print(f"rvq-motion: {args.clip}: {notice}", file=sys.stderr)
    refine = refine_settings(args)
    if refine is None:
        indices = tokenize(ckpt, motion)
    else:
        refinement = TokenRefinement(ckpt, motion, refine)
        for _ in tqdm(refinement.run(), total=refine.steps, unit="step", leave=False):
            pass
        indices = refinement.indices
        print(f"refined: loss {refinement.initial_loss:.4f} -> {refinement.best_loss:.4f}")
    save_tokens(args.out, TokenFile.for_clip(ckpt, motion, indices, source=str(args.clip)))
    print(f"{indices.shape[0]} steps x {indices.shape[1]} layers -> {args.out}")
    return 0
