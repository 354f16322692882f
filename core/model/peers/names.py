"""The peer codebases and the facts about their checkpoints that every part of the project names:
one place, importing no torch, so ``rvq-motion --help`` and the app list them without the model code."""

from __future__ import annotations

IMPORT_FAMILIES = ("momask", "syntalker", "gesturelsm", "t2mgpt")
"""The codebases whose tokenizer checkpoints ``rvq-motion import`` reads."""
EXPORT_FAMILIES = ("momask", "syntalker", "gesturelsm")
"""The codebases ``rvq-motion export`` writes for (T2M-GPT's single-codebook VQ has no RVQ to take ours)."""
PEER_NAMES = {"momask": "MoMask", "syntalker": "SynTalker", "gesturelsm": "GestureLSM", "t2mgpt": "T2M-GPT"}
"""How each family is spelled for people."""
EMA_BUFFERS = ("code_sum", "code_count", "initialized")
"""The project's quantizer buffers that no peer saves (MoMask keeps them as plain attributes)."""
