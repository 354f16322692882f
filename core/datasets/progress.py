"""How far the reading of many files has come (:func:`core.datasets.reader.read_files` reports it), and how
a progress line says it: what the CLI's bar, the app's Training dock and a notebook show alike.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class ReadProgress:
    """How far reading has come: files done of ``total`` (``cached`` of them from the cache)."""

    done: int
    total: int
    cached: int
    elapsed_s: float

    @property
    def eta_s(self) -> float:
        """Seconds left at the rate so far (inf before the first file)."""
        if self.done == 0 or self.elapsed_s <= 0:
            return float("inf")
        return (self.total - self.done) * self.elapsed_s / self.done

    def status(self) -> str:
        """The line a progress label shows: ``reading clips 1,234 / 4,000 (900 from the cache), about 40 s
        left``; ``read 4,000 clips (900 from the cache)`` once every file is read."""
        cached = f" ({self.cached:,} from the cache)" if self.cached else ""
        if self.done >= self.total:
            return f"read {self.total:,} clip{'' if self.total == 1 else 's'}{cached}"
        left = about(self.eta_s)
        return f"reading clips {self.done:,} / {self.total:,}{cached}" + (f", {left} left" if left else "")


def about(seconds: float) -> str:
    """A time left as people say it: ``about 40 s`` (to 5 s), ``about 3 min``, ``about 2 h 10 min``; empty
    when it is not known yet (no file read: infinite or NaN)."""
    if not math.isfinite(seconds):
        return ""
    if seconds < 57.5:
        return f"about {max(5, 5 * round(seconds / 5))} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"about {minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"about {hours} h" + (f" {minutes} min" if minutes else "")
