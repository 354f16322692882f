"""FID, diversity and MPJPE of a tokenizer per number of layers, measured as MoMask's ``eval_t2m_vq.py``
measures them, so the figures can stand beside a paper's.

For each batch of 32 crops (in order): every crop is normalised with the evaluator's statistics and
zero-padded to 196 frames; the tokenizer reconstructs the padded batch, with all its layers and with
its first k (codes of the later layers dropped); the evaluator embeds the padded originals and the
padded reconstructions (movement encoder on all channels but the foot contacts, motion encoder over
``length // 4`` steps). FID compares the originals' embeddings with each reconstruction's,
diversity averages the distance of fixed row pairs, and MPJPE is the root-aligned joint error of
``recover_from_ric`` on each crop's own frames, denormalised, summed over all frames and divided by
their count, in millimetres.

A tokenizer trained with other statistics than the evaluator's reads the crop in its own
normalisation, zero-padded in that space, and its output is brought into the evaluator's: each
network sees what it was trained on. (MoMask's released models share the evaluator's statistics, so
there the two are one.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from core.analysis import distribution
from core.analysis.crops import BATCH, PADDED_FRAMES
from core.features.representation import Normalizer
from core.formats.humanml3d import recover_from_ric
from core.model import RVQVAE
from core.model.peers.t2m_evaluator import T2MEvaluator


def shares_statistics(normalizer: Normalizer, evaluator: T2MEvaluator) -> bool:
    """Whether the tokenizer normalises as the evaluator does (then it reads the evaluator's batch)."""
    return normalizer.mean.shape == evaluator.mean.shape and bool(
        np.allclose(normalizer.mean, evaluator.mean, rtol=1e-6, atol=1e-7)
        and np.allclose(normalizer.std, evaluator.std, rtol=1e-6, atol=1e-7)
    )


@dataclass(frozen=True)
class CropMeasures:
    """What one set of crops gives: the embeddings and the summed joint errors, per number of layers."""

    real: np.ndarray
    """(N, E) embeddings of the originals, in crop order."""
    reconstructed: np.ndarray
    """(L, N, E) embeddings of the reconstructions with each measured number of layers (1..Q)."""
    error_sums_m: np.ndarray
    """(L,) root-aligned per-frame joint errors in metres, summed over every frame of every crop."""
    poses: int
    """Frames measured (the sum of the crops' lengths)."""

    @classmethod
    def joined(cls, parts: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]], poses: int) -> CropMeasures:
        """The measures of consecutive batches (:meth:`CropMeter.batch` results) as one set."""
        return cls(
            real=np.concatenate([p[0] for p in parts]),
            reconstructed=np.concatenate([p[1] for p in parts], axis=1),
            error_sums_m=np.sum([p[2] for p in parts], axis=0),
            poses=poses,
        )

    def mpjpe_mm(self, k: int) -> float:
        return float(1000.0 * self.error_sums_m[k - 1] / max(self.poses, 1))

    def figures(self, pairs: np.ndarray) -> tuple[dict[int, dict[str, float]], float]:
        """Per number of layers FID, diversity (over ``pairs``) and MPJPE, and the originals' diversity."""
        layers = {
            k: {
                "fid": distribution.frechet_distance(self.real, emb),
                "diversity": distribution.diversity(emb, pairs),
                "mpjpe_mm": self.mpjpe_mm(k),
            }
            for k, emb in enumerate(self.reconstructed, start=1)
        }
        return layers, distribution.diversity(self.real, pairs)


def _padded(rows: Sequence[np.ndarray], normalizer: Normalizer | None, evaluator: T2MEvaluator) -> np.ndarray:
    """(B, 196, D) float32: each crop normalised (the evaluator's statistics, or ``normalizer``'s)
    and followed by zeros."""
    batch = np.zeros((len(rows), PADDED_FRAMES, evaluator.dim), dtype=np.float32)
    for i, r in enumerate(rows):
        r = np.asarray(r, dtype=np.float32)
        batch[i, : len(r)] = (
            (r - evaluator.mean) / evaluator.std if normalizer is None else normalizer.normalize(r)
        )
    return batch


def _root_aligned_error_sum(truth: np.ndarray, pred: np.ndarray) -> float:
    """Sum over frames of the mean distance of the joints from the original's, roots put together."""
    truth = truth - truth[:, :1]
    pred = pred - pred[:, :1]
    return float(np.linalg.norm(truth - pred, axis=-1).mean(axis=1).sum())


class CropMeter:
    """Measures batches of crops through one tokenizer and one evaluator on one device."""

    def __init__(
        self,
        model: RVQVAE,
        normalizer: Normalizer,
        evaluator: T2MEvaluator,
        levels: Sequence[int] | None = None,
    ) -> None:
        self.model, self.normalizer, self.evaluator = model, normalizer, evaluator
        self.shared = shares_statistics(normalizer, evaluator)
        self.device = next(model.parameters()).device
        evaluator.to(self.device)
        self.levels = list(range(1, model.config.num_quantizers + 1)) if levels is None else list(levels)
        """The numbers of layers measured (all by default; training measures only the whole model)."""

    @torch.inference_mode()
    def batch(self, rows: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``rows``: raw (length, D) crops. Returns their embeddings (B, E), the reconstructions'
        (L, B, E) and the summed joint errors (L,), one per measured number of layers."""
        ev = self.evaluator
        lengths = torch.tensor([len(r) for r in rows])
        originals = _padded(rows, None, ev)
        source = originals if self.shared else _padded(rows, self.normalizer, ev)
        x = torch.from_numpy(originals).to(self.device)
        real = ev.embed(x, lengths.to(self.device)).float().cpu().numpy()
        codes = self.model.encode(torch.from_numpy(source).to(self.device))
        truths = [recover_from_ric(np.asarray(r, dtype=np.float64)) for r in rows]
        embeddings, sums = [], np.zeros(len(self.levels))
        for level, k in enumerate(self.levels):
            decoded = self.model.decode(codes, k, length=PADDED_FRAMES).float().cpu().numpy()
            raw = decoded * ev.std + ev.mean if self.shared else self.normalizer.denormalize(decoded)
            seen = decoded if self.shared else ((raw - ev.mean) / ev.std).astype(np.float32)
            embeddings.append(ev.embed(torch.from_numpy(seen).to(self.device), lengths.to(self.device)))
            for i, truth in enumerate(truths):
                pred = recover_from_ric(raw[i, : len(truth)].astype(np.float64))
                sums[level] += _root_aligned_error_sum(truth, pred)
        return real, torch.stack(embeddings).float().cpu().numpy(), sums

    def measure(self, rows: Sequence[np.ndarray]) -> CropMeasures:
        """Every crop of ``rows``, in batches of 32 in the given order."""
        parts = [self.batch(rows[i : i + BATCH]) for i in range(0, len(rows), BATCH)]
        return CropMeasures.joined(parts, sum(len(r) for r in rows))
