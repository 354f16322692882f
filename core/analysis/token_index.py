"""Every clip's codes, end to end, and the search for the token sequences closest to a range of steps.

The index keeps the (steps, Q) code grid of every clip of a dataset in one int16 array (two bytes per
step and layer: HumanML3D's 2 M frames are 3 MB at six layers), with each clip's place in it. Every
occurrence of a code is read from it on demand, so the atlas does not keep lists of occurrences.

:func:`find_similar` slides a query (the codes of a range of steps, e.g. the steps selected in the
app) over every clip and ranks the windows: by the share of (step, layer) cells whose code differs
(``by="codes"``), or by the distance between the quantized latents the codes sum to (``by="latents"``,
in the codebooks' units). It is a generator: it yields :class:`SearchProgress` after each chunk of
clips and stops when ``should_stop()`` turns true, so the app runs it on a background job.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

CHUNK_STEPS = 65536
"""Steps searched between two progress reports (whole clips: a chunk ends at a clip's end)."""


@dataclass(frozen=True)
class IndexedClip:
    path: str
    frames: int
    fps: float
    offset: int
    """Where the clip's first step is in :attr:`TokenIndex.codes`."""
    steps: int

    @property
    def name(self) -> str:
        return Path(self.path).name


class TokenIndex:
    """The code grids of a dataset's clips (see the module docstring)."""

    def __init__(self, factor: int, codebooks: np.ndarray | None = None) -> None:
        self.factor = factor
        """Frames per token step."""
        self.codebooks = codebooks
        """(Q, nb_code, code_dim) float32, for searching by latents."""
        self.clips: list[IndexedClip] = []
        self._parts: list[np.ndarray] = []
        self._codes: np.ndarray | None = None
        self._offsets: np.ndarray | None = None

    def add(self, path: str, frames: int, fps: float, codes: np.ndarray) -> int:
        """Append a clip's (steps, Q) codes; returns its clip number."""
        offset = self.clips[-1].offset + self.clips[-1].steps if self.clips else 0
        self.clips.append(IndexedClip(str(path), int(frames), float(fps), offset, len(codes)))
        self._parts.append(np.asarray(codes, dtype=np.int16 if codes.max(initial=0) < 2**15 else np.int32))
        self._codes = self._offsets = None
        return len(self.clips) - 1

    @property
    def codes(self) -> np.ndarray:
        """(total steps, Q) every clip's codes, end to end."""
        if self._codes is None:
            layers = self.codebooks.shape[0] if self.codebooks is not None else 0
            self._codes = np.concatenate(self._parts) if self._parts else np.zeros((0, layers), np.int16)
            self._parts = [self._codes]
        return self._codes

    @property
    def steps(self) -> int:
        return self.clips[-1].offset + self.clips[-1].steps if self.clips else 0

    def clip_codes(self, clip: int) -> np.ndarray:
        c = self.clips[clip]
        return self.codes[c.offset : c.offset + c.steps]

    @property
    def offsets(self) -> np.ndarray:
        """(clips,) where each clip starts in :attr:`codes`."""
        if self._offsets is None:
            self._offsets = np.asarray([c.offset for c in self.clips], dtype=np.int64)
        return self._offsets

    def clip_of(self, rows: np.ndarray) -> np.ndarray:
        """The clip number of each row of :attr:`codes`."""
        return np.searchsorted(self.offsets, rows, side="right") - 1

    def occurrences(self, layer: int, code: int) -> tuple[np.ndarray, np.ndarray]:
        """(clips, steps) of every step where ``layer`` (0-based) uses ``code``, in clip and step order."""
        rows = np.flatnonzero(self.codes[:, layer] == code)
        clips = self.clip_of(rows)
        return clips, rows - self.offsets[clips]

    def frames_of(self, clip: int, step: int) -> tuple[int, int]:
        """The frames ``[start, stop)`` of ``clip`` that ``step`` covers (the last step may be short)."""
        start = step * self.factor
        return start, min(start + self.factor, self.clips[clip].frames)


@dataclass(frozen=True)
class Match:
    """A window of the dataset like the query: ``steps`` steps of ``clip`` from ``start``."""

    clip: int
    path: str
    start: int
    steps: int
    distance: float
    frame: int
    """The first frame of the window (``start`` x frames per step): where the app opens the clip."""


@dataclass(frozen=True)
class SearchProgress:
    done: int
    """Steps searched so far."""
    total: int


def find_similar(
    source: TokenIndex | object,
    query: np.ndarray,
    layers: Sequence[int] = (0, 1),
    by: str = "codes",
    top: int = 20,
    should_stop: Callable[[], bool] = lambda: False,
) -> Generator[SearchProgress, None, list[Match]]:
    """The ``top`` windows of the dataset closest to ``query`` ((steps, Q) codes of a range), best first.

    ``source`` is a :class:`TokenIndex` or anything holding one as ``.index`` (an atlas). ``layers``
    (0-based) are the layers compared; ``by="codes"`` ranks by the share of their cells whose code
    differs (0: the same codes), ``by="latents"`` by the root mean square, over the range's steps, of
    the distance between the latents those layers' code vectors sum to. Windows of one clip that
    overlap a better one are left out, so the list is of different places. A stopped search returns
    what it ranked so far."""
    index: TokenIndex = getattr(source, "index", source)  # type: ignore[assignment]
    query = np.asarray(query)
    layers = list(layers)
    if query.ndim != 2 or not len(query):
        raise ValueError(f"the query is a (steps, layers) code grid, got shape {query.shape}")
    if by not in ("codes", "latents"):
        raise ValueError(f"by must be 'codes' or 'latents', got {by!r}")
    if by == "latents" and index.codebooks is None:
        raise ValueError("searching by latents needs the codebooks; this index has none")
    score = _code_mismatch if by == "codes" else _latent_distance
    found: list[Match] = []
    for first, last in _chunks(index):
        if should_stop():
            break
        rows = slice(index.clips[first].offset, index.clips[last].offset + index.clips[last].steps)
        distances = score(index, index.codes[rows], query, layers)
        found = _best(found + _chunk_matches(index, first, last, distances, len(query), top), top)
        yield SearchProgress(rows.stop, index.steps)
    return found


def _chunks(index: TokenIndex) -> Generator[tuple[int, int], None, None]:
    """(first, last) clip numbers of runs of whole clips of about :data:`CHUNK_STEPS` steps."""
    first = 0
    while first < len(index.clips):
        last, start = first, index.clips[first].offset
        while last + 1 < len(index.clips):
            following = index.clips[last + 1]
            if following.offset + following.steps - start > CHUNK_STEPS:
                break
            last += 1
        yield first, last
        first = last + 1


def _code_mismatch(index: TokenIndex, codes: np.ndarray, query: np.ndarray, layers: list[int]) -> np.ndarray:
    m, n = len(query), len(codes) - len(query) + 1
    if n <= 0:
        return np.zeros(0)
    differ = np.zeros(n)
    for i in range(m):
        differ += (codes[i : i + n, layers] != query[i, layers]).sum(axis=1)
    return differ / (m * len(layers))


def _latent_distance(
    index: TokenIndex, codes: np.ndarray, query: np.ndarray, layers: list[int]
) -> np.ndarray:
    assert index.codebooks is not None
    m, n = len(query), len(codes) - len(query) + 1
    if n <= 0:
        return np.zeros(0)
    books = index.codebooks[layers]
    picks = np.arange(len(layers))[None]
    z = books[picks, codes[:, layers]].sum(axis=1, dtype=np.float64)
    q = books[picks, query[:, layers]].sum(axis=1, dtype=np.float64)
    squares = (z**2).sum(axis=1)
    cross = z @ q.T
    total = np.zeros(n)
    for i in range(m):
        total += squares[i : i + n] - 2.0 * cross[i : i + n, i]
    total += (q**2).sum()
    return np.sqrt(np.maximum(total, 0.0) / m)


def _chunk_matches(
    index: TokenIndex, first: int, last: int, distances: np.ndarray, m: int, top: int
) -> list[Match]:
    """The chunk's best windows that stay inside one clip, each clear of a better one in its clip."""
    base = index.clips[first].offset
    valid = np.zeros(len(distances), dtype=bool)
    for clip in index.clips[first : last + 1]:
        valid[clip.offset - base : clip.offset - base + max(clip.steps - m + 1, 0)] = True
    starts = np.flatnonzero(valid)
    order = starts[np.argsort(distances[starts], kind="stable")]
    taken: dict[int, list[int]] = {}
    matches: list[Match] = []
    clip_numbers = index.clip_of(order + base)
    for row, clip_number in zip(order.tolist(), clip_numbers.tolist(), strict=True):
        start = row + base - index.clips[clip_number].offset
        if any(abs(start - other) < m for other in taken.get(clip_number, ())):
            continue
        taken.setdefault(clip_number, []).append(start)
        clip = index.clips[clip_number]
        matches.append(Match(clip_number, clip.path, start, m, float(distances[row]), start * index.factor))
        if len(matches) == top:
            break
    return matches


def _best(matches: list[Match], top: int) -> list[Match]:
    return sorted(matches, key=lambda match: (match.distance, match.clip, match.start))[:top]
