"""``rvq-motion cache info|clear``: the feature cache's folder, entries and size; emptying it."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "cache",
        help="show or empty the feature cache that training reads datasets through",
        description="The features of every clip a run reads are kept, memory-mappable, in a cache folder "
        "(the platform's user cache folder, or $RVQ_MOTION_CACHE), so a second run over an unchanged dataset "
        "does not read its files again. A changed file or other settings are never served an old entry.",
    )
    parser.add_argument(
        "action", choices=("info", "clear"), help="info: folder, entries, size; clear: empty it"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from core.datasets.cache import FeatureCache

    cache = FeatureCache()
    if args.action == "info":
        print(cache.usage().summary())
    else:
        removed = cache.clear()
        print(f"removed {removed.entries} entries ({removed.bytes / 1e6:,.1f} MB) from {removed.folder}")
    return 0
