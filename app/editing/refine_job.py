"""Token refinement in the background: ``core.tokens.refine`` as a :class:`BackgroundJob`.

``TokenRefinement.run`` polls the job's stop flag between the torch operations of each step, so
Stop ends the search within one operation (tens of milliseconds, where a seed-size model's step
over a minute of motion takes seconds) and still hands back the best codes of the completed steps. Each result names the checkpoint and clip it was
computed for; the window applies it only if they are still the ones open.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject

from app.state.background_job import BackgroundJob
from core.model.checkpoint import Checkpoint
from core.motion.clip import Motion
from core.tokens.refine import RefineProgress, RefineSettings, TokenRefinement


@dataclass(frozen=True)
class RefineResult:
    checkpoint: Checkpoint
    motion: Motion
    indices: np.ndarray
    initial_loss: float
    best_loss: float
    stopped: bool


def refine(
    checkpoint: Checkpoint,
    motion: Motion,
    settings: RefineSettings | None = None,
    *,
    should_stop: Callable[[], bool],
) -> Generator[RefineProgress, None, RefineResult]:
    """Refine the codes of ``motion``, yielding progress; the result, however early it stopped."""
    settings = settings or RefineSettings()
    refinement = TokenRefinement(checkpoint, motion, settings)
    yield from refinement.run(should_stop=should_stop)
    return RefineResult(
        checkpoint,
        motion,
        refinement.indices,
        refinement.initial_loss,
        refinement.best_loss,
        stopped=refinement.steps_done < settings.steps,
    )


class RefineJob(BackgroundJob):
    """At most one refinement at a time: ``start(checkpoint, motion, settings=None)``; ``progress``
    carries :class:`RefineProgress`, ``finished`` a :class:`RefineResult`."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(refine, parent)
