"""The body parts SynTalker and GestureLSM train tokenizers on, by SMPL-X joint index (facts from their
training scripts, ../shared/docs/peer-tokenizers.md section 2.2). Kept apart from the representation,
which needs torch, so the command line lists them without importing it."""

from __future__ import annotations

_LOWER = (0, 1, 2, 4, 5, 7, 8, 10, 11)
PARTS: dict[str, tuple[tuple[int, ...], bool]] = {
    "upper": ((3, 6, 9, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21), False),
    "hands": (tuple(range(25, 55)), False),
    "lower": (_LOWER, False),
    "lower_trans": (_LOWER, True),
    "whole_trans": (tuple(range(22)) + tuple(range(25, 55)), True),
}
"""SynTalker's parts: SMPL-X joint indices, and whether the root channels follow."""
