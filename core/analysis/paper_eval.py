"""A tokenizer measured the way papers report it: the T2M evaluator protocol over a dataset's clips,
on fixed crops or on MoMask's random crops repeated N times (mean and 95% interval of each figure).

:func:`paper_evaluation` is a generator, like :func:`core.analysis.dataset.evaluate_dataset`: it yields
a :class:`ProtocolProgress` per batch and returns the :class:`PaperEvaluation`, so the CLI draws a
bar and the app runs it on a background job. The measurement itself is :mod:`core.analysis.t2m_protocol`.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.analysis import distribution
from core.analysis.crops import BATCH, Crop, check_crop, draw_crops, eligible, resolve
from core.analysis.t2m_protocol import CropMeasures, CropMeter
from core.errors import MotionFileError
from core.features.humanml3d import HumanML3D
from core.formats.humanml3d import read_humanml3d_rows
from core.model.checkpoint import Checkpoint
from core.model.peers.t2m_evaluator import T2MEvaluator

FIGURES = ("fid", "diversity", "mpjpe_mm")
INTERVAL_Z = 1.96
"""95% interval of a mean over repeats: 1.96 x std / sqrt(N) (NumPy's std, as MoMask prints it)."""


@dataclass(frozen=True)
class ProtocolProgress:
    done: int
    total: int
    """Batches, over every repeat."""


@dataclass(frozen=True)
class ProtocolRun:
    """One set of crops measured: per number of layers FID, diversity and MPJPE (mm)."""

    layers: dict[int, dict[str, float]]
    diversity_real: float
    crops: int
    poses: int


@dataclass(frozen=True)
class PaperEvaluation:
    """Every run of the protocol and how they were made; the figures are the runs' means."""

    runs: list[ProtocolRun]
    evaluator_folder: str
    evaluator_sha256: str
    evaluator_dataset: str
    evaluator_sizes: dict[str, int]
    shared_normalisation: bool
    crops_file: str | None = None
    crops: list[Crop] | None = None
    """The fixed crops measured (None with random crops)."""
    seed: int | None = None
    pairs_file: str | None = None
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """Clips left out of random crops and why (unreadable, or outside MoMask's length range)."""
    complete: bool = True

    @property
    def repeats(self) -> int:
        return len(self.runs)

    def _values(self, k: int | None, figure: str) -> np.ndarray:
        return np.array([r.diversity_real if k is None else r.layers[k][figure] for r in self.runs])

    @property
    def layers(self) -> dict[int, dict[str, float]]:
        """Mean over the runs of each figure, per number of layers."""
        ks = sorted(self.runs[0].layers) if self.runs else []
        return {k: {f: float(self._values(k, f).mean()) for f in FIGURES} for k in ks}

    @property
    def diversity_real(self) -> float:
        return float(self._values(None, "diversity").mean()) if self.runs else float("nan")

    def interval(self, k: int | None, figure: str = "diversity") -> float | None:
        """Half-width of the 95% interval over the runs (None for one run); ``k`` None: real diversity."""
        if self.repeats < 2:
            return None
        return float(INTERVAL_Z * self._values(k, figure).std() / np.sqrt(self.repeats))

    @property
    def normalisation(self) -> str:
        if self.shared_normalisation:
            return "the tokenizer and the evaluator share one normalisation"
        return "the tokenizer reads its own normalisation, the evaluator its own (each network's statistics)"

    @property
    def sampling(self) -> str:
        if self.crops is not None:
            return f"{len(self.crops)} fixed crops from {self.crops_file}"
        return f"MoMask's random crops, seed {self.seed}, {self.repeats} repeats (mean and 95% interval)"

    def to_json(self) -> dict:
        intervals = None
        if self.repeats > 1:
            intervals = {
                "layers": {str(k): {f: self.interval(k, f) for f in FIGURES} for k in self.layers},
                "diversity_real": self.interval(None),
            }
        return {
            "protocol": "MoMask eval_t2m_vq.py (T2M evaluator embeddings, 196-frame zero padding, "
            "root-aligned MPJPE of recover_from_ric)",
            "folder": self.evaluator_folder,
            "finest_sha256": self.evaluator_sha256,
            "dataset": self.evaluator_dataset,
            "sizes": self.evaluator_sizes,
            "normalisation": "shared" if self.shared_normalisation else "separate",
            "layers": {str(k): v for k, v in self.layers.items()},
            "diversity_real": self.diversity_real,
            "crops_file": self.crops_file,
            "crops": None if self.crops is None else [c.to_json() for c in self.crops],
            "seed": self.seed,
            "diversity_pairs_file": self.pairs_file,
            "repeats": self.repeats,
            "intervals": intervals,
            "samples": self.runs[0].crops if self.runs else 0,
            "poses": self.runs[0].poses if self.runs else 0,
            "skipped": [{"path": p, "reason": r} for p, r in self.skipped],
            "complete": self.complete,
            "units": {"fid": "", "diversity": "evaluator embedding units", "mpjpe_mm": "mm"},
        }

    def cell(self, k: int | None, figure: str, digits: int) -> str:
        """A figure as tables show it, with its 95% interval after repeats (``k`` None: real diversity)."""
        value = self.diversity_real if k is None else self.layers[k][figure]
        half = self.interval(k, figure)
        return f"{value:.{digits}f}" + ("" if half is None else f" ±{half:.{digits}f}")

    def table(self) -> str:
        lines = [
            f"T2M evaluator {self.evaluator_folder} ({self.evaluator_dataset}, finest.tar sha256 "
            f"{self.evaluator_sha256[:12]}); MoMask protocol",
            f"{self.sampling}; {self.runs[0].crops if self.runs else 0} crops, "
            f"{self.runs[0].poses if self.runs else 0} poses per run; {self.normalisation}",
            "layers            FID        diversity         MPJPE mm",
        ]
        for k in self.layers:
            lines.append(
                f"{k:>6}  {self.cell(k, 'fid', 4):>14}  {self.cell(k, 'diversity', 4):>15}  "
                f"{self.cell(k, 'mpjpe_mm', 2):>15}"
            )
        lines.append(f"real data diversity {self.cell(None, 'diversity', 4)}")
        if not self.complete:
            lines.append("stopped before the last run")
        return "\n".join(lines)

    def markdown(self) -> str:
        rows = [
            f"{self.sampling}; {self.normalisation}; evaluator `{self.evaluator_sha256[:12]}`",
            "",
            "| layers used | FID | diversity | MPJPE (mm) |",
            "|---|---|---|---|",
        ]
        rows += [
            f"| {k} | {self.cell(k, 'fid', 3)} | {self.cell(k, 'diversity', 3)} | {self.cell(k, 'mpjpe_mm', 1)} |"
            for k in self.layers
        ]
        rows.append(f"| real data | | {self.cell(None, 'diversity', 3)} | |")
        return "\n".join(rows)


def check_fits(ckpt: Checkpoint, evaluator: T2MEvaluator) -> None:
    """Refuse a checkpoint whose features the evaluator cannot read, naming both."""
    rep = ckpt.representation
    if not isinstance(rep, HumanML3D) or rep.dim != evaluator.dim:
        raise MotionFileError(
            ckpt.path,
            f"the T2M evaluator in {evaluator.folder} reads {evaluator.dim}-dim "
            f"{'HumanML3D' if evaluator.dim == 263 else 'KIT-ML'} rows; this checkpoint's features are "
            f"{rep.describe()}",
        )


class _Rows:
    """Crop rows read from their clips' files, one batch at a time (a test split does not fit in memory)."""

    def __init__(self) -> None:
        self.cache: dict[Path, np.ndarray] = {}

    def crops(self, crops: Sequence[Crop], files: Sequence[Path]) -> list[np.ndarray]:
        wanted = set(files)
        self.cache = {f: r for f, r in self.cache.items() if f in wanted}
        for f in wanted - self.cache.keys():
            self.cache[f] = read_humanml3d_rows(f)
        return [self.cache[f][c.start : c.start + c.length] for c, f in zip(crops, files, strict=True)]


def _run(
    meter: CropMeter, crops: list[Crop], files: list[Path], pairs: np.ndarray, reader: _Rows
) -> Generator[int, None, ProtocolRun]:
    parts = []
    for i in range(0, len(crops), BATCH):
        parts.append(meter.batch(reader.crops(crops[i : i + BATCH], files[i : i + BATCH])))
        yield 1
    measures = CropMeasures.joined(parts, sum(c.length for c in crops))
    layers, real = measures.figures(pairs)
    return ProtocolRun(layers, real, len(crops), measures.poses)


def _check_pairs(pairs: np.ndarray, crops: int, source: str | Path) -> None:
    if pairs.ndim != 2 or pairs.shape[0] != 2 or not pairs.size or pairs.min() < 0 or pairs.max() >= crops:
        raise MotionFileError(
            source, f"diversity pairs must be (2, n) row indices below {crops}, the crops measured"
        )


def _clip_lengths(files: Sequence[Path], dataset: str) -> tuple[dict[str, Path], dict[str, int], list]:
    """The clips random crops are drawn from, their frame counts, and those left out and why."""
    paths, lengths, skipped = {}, {}, []
    for f in files:
        try:
            frames = len(read_humanml3d_rows(f))
        except MotionFileError as exc:
            skipped.append((str(f), exc.reason))
            continue
        if not eligible(frames, dataset):
            skipped.append((str(f), f"{frames} frames, outside MoMask's evaluation range"))
        elif f.stem in paths:
            skipped.append((str(f), f"same name as {paths[f.stem]}"))
        else:
            paths[f.stem], lengths[f.stem] = f, frames
    return paths, lengths, skipped


def paper_evaluation(
    ckpt: Checkpoint,
    evaluator: T2MEvaluator,
    files: Sequence[Path],
    crops: Sequence[Crop] | None = None,
    crops_file: str | Path | None = None,
    seed: int = 0,
    repeats: int = 20,
    pairs: np.ndarray | None = None,
    pairs_file: str | Path | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> Generator[ProtocolProgress, None, PaperEvaluation]:
    """Measure ``ckpt`` with ``evaluator`` over ``files`` (HumanML3D rows): on ``crops`` (stems
    resolved among ``files``) once, or on ``repeats`` sets of random crops drawn with ``seed``.
    Diversity averages over ``pairs`` when given, else over pairs drawn with ``seed``."""
    check_fits(ckpt, evaluator)
    rng = np.random.default_rng(seed)
    meter, reader = CropMeter(ckpt.model, ckpt.normalizer, evaluator), _Rows()
    unit, skipped = evaluator.unit_length, []
    if crops is not None:
        source = crops_file or "crops"
        paths = resolve(crops, files, source)
        frames = {path: len(read_humanml3d_rows(path)) for path in set(paths)}
        for crop, path in zip(crops, paths, strict=True):
            check_crop(crop, frames[path], unit, source)
        if pairs is not None:
            _check_pairs(pairs, len(crops), pairs_file or "diversity pairs")
        plan = [(list(crops), paths)]
    else:
        by_stem, lengths, skipped = _clip_lengths(files, evaluator.dataset)
        if not lengths:
            where = files[0].parent if files else "--data"
            raise MotionFileError(where, "no clip fits MoMask's evaluation (HumanML3D rows of 40-199 frames)")
        plan = []
        for _ in range(repeats):
            drawn = draw_crops(lengths, unit, rng)
            if pairs is not None:  # before anything is measured, not after a run of many crops
                _check_pairs(pairs, len(drawn), pairs_file or "diversity pairs")
            plan.append((drawn, [by_stem[c.clip] for c in drawn]))
    total = sum(-(-len(c) // BATCH) for c, _ in plan)
    runs, done = [], 0
    for run_crops, run_files in plan:
        if should_stop():
            break
        run_pairs = pairs if pairs is not None else distribution.draw_pairs(len(run_crops), rng)
        work = _run(meter, run_crops, run_files, np.asarray(run_pairs), reader)
        while True:
            try:
                done += next(work)
            except StopIteration as end:
                runs.append(end.value)
                break
            yield ProtocolProgress(done, total)
    return PaperEvaluation(
        runs=runs,
        evaluator_folder=str(evaluator.folder),
        evaluator_sha256=evaluator.sha256,
        evaluator_dataset=evaluator.dataset,
        evaluator_sizes=evaluator.sizes,
        shared_normalisation=meter.shared,
        crops_file=None if crops_file is None else str(crops_file),
        crops=None if crops is None else list(crops),
        seed=None if crops is not None and pairs is not None else seed,
        pairs_file=None if pairs_file is None else str(pairs_file),
        skipped=skipped,
        complete=len(runs) == len(plan),
    )
