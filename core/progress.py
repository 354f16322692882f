"""Long work as generators: each yields its progress and returns its result, so a terminal's bar, the
app's background job, a script and a test drive the same code and only the driver differs."""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import TypeVar

P = TypeVar("P")
R = TypeVar("R")


def run_to_end(work: Generator[P, None, R], on_progress: Callable[[P], object] = lambda progress: None) -> R:
    """Drive ``work`` to its result, handing each progress to ``on_progress`` (a bar; scripts ignore it)."""
    while True:
        try:
            on_progress(next(work))
        except StopIteration as end:
            return end.value
