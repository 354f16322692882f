"""What a command of the :class:`core.session.edit_session.EditSession` changed, in words a view can
act on: the flags of :class:`Changed`, the frames an edit reached and a notice for the user. A Qt
adapter turns each flag into one signal; a script or a test just reads the state."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Changed(enum.Flag):
    """What a command changed; views redraw only what depends on it."""

    NOTHING = 0
    CLIP = enum.auto()
    CHECKPOINT = enum.auto()
    RECONSTRUCTION = enum.auto()
    """A new reconstruction (or none): everything derived from the token grid starts over."""
    TOKENS = enum.auto()
    LAYERS_USED = enum.auto()
    SELECTION = enum.auto()
    CLIPBOARD = enum.auto()
    SAVED = enum.auto()
    DEVICE = enum.auto()
    ALIGNED = enum.auto()
    LEVELS = enum.auto()
    """Truncation levels decoded in the background arrived: per-level views can fill in."""
    ERROR_SCALE = enum.auto()
    PREVIEW = enum.auto()
    """A code previewed in the selected cell (a hovered chip), or the preview ended."""
    HIGHLIGHT = enum.auto()
    CHECKPOINT_B = enum.auto()
    """Checkpoint B opened or closed, or its reconstruction followed another clip."""


@dataclass(frozen=True)
class Notice:
    """Something the user should be told that is not an error (e.g. why there is no reconstruction)."""

    title: str
    text: str
    interrupts: bool = True
    """Whether it stops the user (a dialog) or is said in passing (the status bar): a clip that does not
    fit the checkpoint is said where the reconstruction would be, so it never needs a dialog too."""


@dataclass(frozen=True)
class Update:
    changed: Changed = Changed.NOTHING
    frames: tuple[int, int] | None = None
    """Frames whose decoded motion an edit changed, at the number of layers used."""
    notice: Notice | None = None

    def __or__(self, other: Update) -> Update:
        frames = self.frames or other.frames
        if self.frames and other.frames:
            frames = (min(self.frames[0], other.frames[0]), max(self.frames[1], other.frames[1]))
        return Update(self.changed | other.changed, frames, self.notice or other.notice)


@dataclass(frozen=True)
class Selection:
    """The selected cell (``step``, ``layer``) and the step range ``[start, stop)`` that copy, paste
    and reset use; ``anchor`` is where a shift-click or drag range started."""

    step: int
    layer: int
    start: int
    stop: int
    anchor: int
