"""An editable token grid with undo/redo: what the app's timeline edits.

Every edit, undo and redo returns the one :class:`TokenChange` it made (where, before, after), so a
reconstruction re-decodes only the frames and levels it can reach without diffing grids.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

StepRange = tuple[int, int]


@dataclass(frozen=True)
class TokenChange:
    """Steps ``[start, start + len(before))`` of every layer, before and after the change."""

    start: int
    before: np.ndarray
    after: np.ndarray

    @property
    def steps(self) -> StepRange:
        return self.start, self.start + len(self.before)

    @property
    def first_layer(self) -> int:
        """The coarsest layer whose codes changed: finer truncation levels are the ones to decode."""
        return int(np.argmax(np.any(self.before != self.after, axis=0)))

    def reversed(self) -> TokenChange:
        return TokenChange(self.start, self.after, self.before)


class TokenEditor:
    """The (steps, layers) codes of one clip, their original values, and the edit history."""

    def __init__(self, indices: np.ndarray, nb_code: int | None = None) -> None:
        grid = np.array(indices, dtype=np.int64)
        if grid.ndim != 2 or grid.shape[0] < 1 or grid.shape[1] < 1:
            raise ValueError(f"tokens must be (steps, layers), got shape {grid.shape}")
        self._original = grid.copy()
        self._original.flags.writeable = False
        self._grid = grid
        self._nb_code = nb_code
        self._undo: list[TokenChange] = []
        self._redo: list[TokenChange] = []

    @property
    def indices(self) -> np.ndarray:
        view = self._grid.view()
        view.flags.writeable = False
        return view

    @property
    def original(self) -> np.ndarray:
        return self._original

    @property
    def num_steps(self) -> int:
        return int(self._grid.shape[0])

    @property
    def num_quantizers(self) -> int:
        return int(self._grid.shape[1])

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def edited_mask(self) -> np.ndarray:
        return self._grid != self._original

    def is_edited(self) -> bool:
        return bool(np.any(self._grid != self._original))

    def copy(self, start: int, stop: int) -> np.ndarray:
        """Codes of steps ``[start, stop)``, all layers, for pasting elsewhere (also into another clip)."""
        self._check_range(start, stop)
        return self._grid[start:stop].copy()

    def set_code(self, step: int, layer: int, code: int) -> TokenChange | None:
        if not (0 <= step < self.num_steps and 0 <= layer < self.num_quantizers):
            raise IndexError(
                f"cell ({step}, {layer}) is outside {self.num_steps} steps x {self.num_quantizers} layers"
            )
        self._check_code(np.asarray([code]))
        block = self._grid[step : step + 1].copy()
        block[0, layer] = code
        return self._apply(step, block)

    def paste(self, start: int, block: np.ndarray) -> TokenChange | None:
        """Overwrite steps from ``start`` with ``block`` (clipped at the clip's end); layers beyond the
        block's are left alone, so a block from a model with fewer layers still pastes."""
        data = np.asarray(block, dtype=np.int64)
        if data.ndim != 2 or data.shape[1] > self.num_quantizers or len(data) == 0:
            raise ValueError(
                f"a pasted block must be (steps, <= {self.num_quantizers} layers), got {data.shape}"
            )
        if not 0 <= start < self.num_steps:
            raise IndexError(f"paste position {start} is outside 0..{self.num_steps - 1}")
        data = data[: self.num_steps - start]
        self._check_code(data)
        target = self._grid[start : start + len(data)].copy()
        target[:, : data.shape[1]] = data
        return self._apply(start, target)

    def reset(self, start: int | None = None, stop: int | None = None) -> TokenChange | None:
        """Back to the encoder's codes on ``[start, stop)`` (the whole clip by default)."""
        lo, hi = start or 0, self.num_steps if stop is None else stop
        self._check_range(lo, hi)
        return self._apply(lo, self._original[lo:hi].copy())

    def replace_all(self, indices: np.ndarray) -> TokenChange | None:
        """Load a whole grid (e.g. saved edits) as one undoable change."""
        grid = np.asarray(indices, dtype=np.int64)
        if grid.shape != self._grid.shape:
            raise ValueError(f"tokens of shape {grid.shape} do not fit this clip's {self._grid.shape}")
        self._check_code(grid)
        return self._apply(0, grid.copy())

    def undo(self) -> TokenChange | None:
        if not self._undo:
            return None
        change = self._undo.pop()
        self._grid[change.start : change.start + len(change.before)] = change.before
        self._redo.append(change)
        return change.reversed()

    def redo(self) -> TokenChange | None:
        if not self._redo:
            return None
        change = self._redo.pop()
        self._grid[change.start : change.start + len(change.after)] = change.after
        self._undo.append(change)
        return change

    def _apply(self, start: int, block: np.ndarray) -> TokenChange | None:
        before = self._grid[start : start + len(block)]
        differs = np.any(before != block, axis=1)
        if not differs.any():
            return None
        first, last = int(np.argmax(differs)), len(differs) - int(np.argmax(differs[::-1]))
        change = TokenChange(start + first, before[first:last].copy(), block[first:last].copy())
        self._grid[change.start : change.start + len(change.after)] = change.after
        self._undo.append(change)
        self._redo.clear()
        return change

    def _check_range(self, start: int, stop: int) -> None:
        if not 0 <= start < stop <= self.num_steps:
            raise IndexError(f"step range [{start}, {stop}) is outside 0..{self.num_steps}")

    def _check_code(self, codes: np.ndarray) -> None:
        upper = self._nb_code if self._nb_code is not None else np.iinfo(np.int64).max
        if codes.size and (codes.min() < -1 or codes.max() >= upper):
            raise ValueError(f"codes must lie in [-1, {upper - 1}]")
