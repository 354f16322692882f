"""What File > Open checkpoint was given: a checkpoint of this studio, one of its training runs, or a
tokenizer of another codebase (imported first), each a file or a folder.

Folders matter as much as files: a MoMask run folder (``opt.txt``, ``meta/``, ``model/*.tar``) is what
``rvq-motion import`` takes, and a training run of ours opens its latest checkpoint. The file dialog
(:mod:`app.documents.checkpoint_dialog`) and the controller both ask :func:`recognise`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.model.checkpoint import META_NAME, STATE_NAME, WEIGHTS_NAME
from core.model.peers.importer import is_peer_checkpoint

ACCEPTED = (
    "a checkpoint folder of this studio (checkpoint.json), a training run folder, a MoMask run folder "
    "(opt.txt and model/*.tar) or its model/ folder, or a .tar/.pth/.pt file of MoMask, SynTalker, "
    "GestureLSM or T2M-GPT"
)
"""What can be opened as a checkpoint, in words (messages and the file dialog's hint)."""


@dataclass(frozen=True)
class CheckpointChoice:
    """A path the user chose, as what it is."""

    path: Path
    """What to open, or to import (a MoMask run's model/ folder becomes the run folder)."""
    imported: bool
    """Another codebase's tokenizer, imported before it opens."""
    what: str
    """What it is, in words ("a MoMask run folder")."""


def recognise(path: str | Path) -> CheckpointChoice | None:
    """What ``path`` is as a checkpoint, or None when it is none of :data:`ACCEPTED`."""
    p = Path(path)
    try:
        if p.is_file():
            if p.name in (META_NAME, WEIGHTS_NAME, STATE_NAME):
                return CheckpointChoice(p, False, "a file of a checkpoint folder of this studio")
            if is_peer_checkpoint(p):
                return CheckpointChoice(p, True, "another codebase's tokenizer file (imported)")
            return None
        if not p.is_dir():
            return None
        if (p / META_NAME).is_file():
            return CheckpointChoice(p, False, "a checkpoint folder of this studio")
        if (p / "latest").is_file():
            return CheckpointChoice(p, False, "a training run of this studio (its latest checkpoint opens)")
        if is_peer_checkpoint(p):
            return CheckpointChoice(p, True, "a MoMask run folder (imported)")
        if p.name == "model" and is_peer_checkpoint(p.parent):
            return CheckpointChoice(p.parent, True, "the model/ folder of a MoMask run (the run is imported)")
    except OSError:
        return None
    return None
