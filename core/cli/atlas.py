"""``rvq-motion atlas``: what each code means, across a dataset, as a folder of pages and a JSON file."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from core.cli.selection_args import add_checkpoint_argument, add_dataset_arguments, selected_files

if TYPE_CHECKING:
    from core.analysis.atlas import Atlas, AtlasProgress, AtlasSettings
    from core.model.checkpoint import Checkpoint


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "atlas",
        help="a browsable atlas of the codes: where each is used and what movement it stands for",
        description="Tokenize every clip, then write DIR/index.html (per layer, the codes in use as a grid of "
        "animated previews, most used first, with count and spread; dead codes greyed; a page per code listing "
        "its occurrences) and DIR/atlas.json (every occurrence of every code).",
    )
    add_checkpoint_argument(parser)
    add_dataset_arguments(parser, "use", "its held-out clips")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="the atlas folder (created)")
    parser.add_argument(
        "--layers",
        type=_layers,
        default=(1, 2),
        metavar="1,2",
        help="layers (from 1) whose codes get previews and a motion summary (default 1,2)",
    )
    parser.add_argument(
        "--per-code", type=int, default=8, metavar="N", help="occurrences sampled per code (default 8)"
    )
    parser.add_argument(
        "--context", type=int, default=2, metavar="STEPS", help="steps shown either side of a code's step"
    )
    parser.add_argument("--size", type=int, default=160, metavar="PX", help="preview size (default 160)")
    parser.add_argument("--seed", type=int, default=0, help="which occurrences are sampled (default 0)")
    parser.add_argument("--no-previews", action="store_true", help="write the pages without previews")
    parser.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="processes tokenizing clips, each with one PyTorch thread (default: one per core; 1 works in "
        "this process)",
    )
    parser.set_defaults(run=run)


def _layers(text: str) -> tuple[int, ...]:
    try:
        layers = tuple(sorted({int(part) for part in text.split(",") if part.strip()}))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"layers are numbers from 1 separated by commas, got {text!r}"
        ) from None
    if not layers or min(layers) < 1:
        raise argparse.ArgumentTypeError(f"layers are numbers from 1 separated by commas, got {text!r}")
    return layers


def run(args: argparse.Namespace) -> int:
    import torch

    from core.analysis.atlas import AtlasSettings, default_workers
    from core.analysis.atlas_json import write_atlas_json
    from core.analysis.atlas_page import write_atlas_pages
    from core.errors import ConfigError, MotionFileError
    from core.model.checkpoint import load_checkpoint

    ckpt = load_checkpoint(args.checkpoint)
    q = ckpt.config.num_quantizers
    if max(args.layers) > q:
        raise ConfigError(f"--layers: this checkpoint has layers 1 to {q}, got {max(args.layers)}")
    workers = default_workers() if args.workers is None else args.workers
    if args.per_code < 1 or args.context < 0 or not 32 <= args.size <= 1024 or workers < 1:
        raise ConfigError(
            "--per-code and --workers must be at least 1, --context at least 0, --size between 32 and 1024"
        )
    torch.set_num_threads(1)  # a clip is too little work to share between threads (see atlas_clips)
    if args.out.exists() and not args.out.is_dir():
        raise MotionFileError(args.out, "is a file; --out names the atlas folder")
    files = selected_files(args)
    if not files:
        raise MotionFileError(args.data[0], "no clips to make an atlas of (.bvh, .npz or .npy files)")
    settings = AtlasSettings(
        tuple(n - 1 for n in args.layers), args.per_code, args.context, args.seed, workers
    )
    started = time.perf_counter()
    atlas = _build_with_bar(ckpt, files, settings)
    if not atlas.clips:
        first = atlas.skipped[0]
        raise MotionFileError(first.path, f"no clip fits this checkpoint ({first.reason})")
    tokenized = time.perf_counter() - started
    _make_folder(args.out)
    previews = {} if args.no_previews else _previews_with_bar(atlas, args.out, args.size)
    drawn = time.perf_counter() - started - tokenized
    write_atlas_json(args.out / "atlas.json", atlas, previews)
    index = write_atlas_pages(args.out, atlas, previews)
    for layer in atlas.layers:
        used = len(atlas.by_use(layer))
        print(f"layer {layer + 1}: {used} of {atlas.nb_code} codes used, {atlas.nb_code - used} dead")
    print(
        f"{len(atlas.clips)} clips tokenized in {tokenized:.1f} s, {len(previews)} previews drawn in {drawn:.1f} s "
        f"-> {index}"
    )
    return 0


def _build_with_bar(ckpt: Checkpoint, files: list[Path], settings: AtlasSettings) -> Atlas:
    """The atlas under a terminal progress bar (hidden when stderr is not a terminal), naming each
    skipped clip on stderr."""
    from tqdm import tqdm

    from core.analysis.atlas import build_atlas
    from core.analysis.dataset import SkippedClip
    from core.progress import run_to_end

    with tqdm(total=len(files), unit="clip", desc="tokenizing", disable=None, leave=False) as bar:

        def step(progress: AtlasProgress) -> None:
            bar.update(progress.done - bar.n)
            if isinstance(progress.item, SkippedClip):
                bar.write(
                    f"rvq-motion: skipped {progress.item.path}: {progress.item.reason}", file=sys.stderr
                )

        return run_to_end(build_atlas(ckpt, files, settings), step)


def _previews_with_bar(atlas: Atlas, folder: Path, size: int) -> dict[tuple[int, int], str]:
    from tqdm import tqdm

    from core.progress import run_to_end
    from core.render.atlas_preview import write_previews

    total = sum(len(atlas.by_use(layer)) for layer in atlas.layers)
    with tqdm(total=total, unit="code", desc="previews", disable=None, leave=False) as bar:
        return run_to_end(write_previews(atlas, folder, size), lambda p: bar.update(p.done - bar.n))


def _make_folder(folder: Path) -> None:
    from core.errors import MotionFileError

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise MotionFileError(folder, f"cannot create the atlas folder: {exc.strerror}") from None
