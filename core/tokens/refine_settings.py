"""How a refinement searches (:mod:`core.tokens.refine`), apart from the search itself.

Imports no torch, so ``rvq-motion --help`` can show the defaults without loading it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class RefineSettings:
    """How long and how hard to search. The defaults are what lowered held-out Bandai MPJPE the most
    per second on the demo checkpoint (docs/model.md); the weights are the demo's training weights."""

    steps: int = 200
    lr: float = 0.05
    velocity_weight: float = 0.5
    position_weight: float = 4.0

    def __post_init__(self) -> None:
        if self.steps < 0:
            raise ValueError(f"refinement steps must be >= 0, got {self.steps}")
        if not self.lr > 0:
            raise ValueError(f"refinement learning rate must be > 0, got {self.lr}")

    def to_json(self) -> dict:
        return asdict(self)
