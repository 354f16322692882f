"""One float32 array of rows filled clip by clip, so a dataset's features are held once while being read.

The array is reserved at an estimate of its final size: untouched pages of a large allocation cost no
memory, so a generous estimate is free. Should it fall short it grows with ``realloc``, which moves a
large block by remapping its pages rather than copying them, and at the end it is trimmed the same way.
Neither a list of per-clip arrays nor the copy that joining them makes is ever held.
"""

from __future__ import annotations

import numpy as np

_GROWTH = 1.25


class RowBuffer:
    """Rows of ``dim`` float32 values appended in order; :meth:`array` hands over the result."""

    def __init__(self, dim: int, capacity: int = 0) -> None:
        self._data = np.empty((max(capacity, 1024), dim), dtype=np.float32)
        self.rows = 0

    def append(self, rows: np.ndarray) -> slice:
        """Copy ``rows`` (frames, dim) in after the others; returns where they went."""
        stop = self.rows + len(rows)
        if stop > len(self._data):
            self._data.resize(
                (max(stop, int(len(self._data) * _GROWTH)), self._data.shape[1]), refcheck=False
            )
        self._data[self.rows : stop] = rows
        where = slice(self.rows, stop)
        self.rows = stop
        return where

    def array(self) -> np.ndarray:
        """The rows appended, as one C-contiguous ``(rows, dim)`` array (the buffer's own memory)."""
        self._data.resize((self.rows, self._data.shape[1]), refcheck=False)
        return self._data
