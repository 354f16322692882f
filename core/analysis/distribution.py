"""How far two sets of motion embeddings lie apart (FID) and how spread one set is (diversity).

Both are defined as the field computes them on the T2M evaluator's embeddings: FID is the Fréchet
distance between Gaussians fitted to the two sets (sample mean, covariance with N - 1); diversity is
the mean Euclidean distance between the rows of fixed pairs.
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.linalg

SQRTM_OFFSET = 1e-6
"""Added to both covariances' diagonals when their product's square root is not finite (a
singular covariance: fewer samples than embedding dimensions)."""


def gaussian(embeddings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance (rows are samples, N - 1 normalisation) in float64."""
    x = np.asarray(embeddings, dtype=np.float64)
    if x.ndim != 2 or len(x) < 2:
        raise ValueError(f"need at least two embeddings as rows, got shape {x.shape}")
    return x.mean(axis=0), np.cov(x, rowvar=False)


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to embeddings ``a`` and ``b``:
    ``|mu_a - mu_b|^2 + tr(S_a + S_b - 2 (S_a S_b)^(1/2))``."""
    (mu_a, cov_a), (mu_b, cov_b) = gaussian(a), gaussian(b)
    with warnings.catch_warnings():  # a singular product is expected with few samples; handled below
        warnings.simplefilter("ignore", scipy.linalg.LinAlgWarning)
        root = scipy.linalg.sqrtm(cov_a @ cov_b)
        if not np.isfinite(root).all():
            offset = np.eye(len(cov_a)) * SQRTM_OFFSET
            root = scipy.linalg.sqrtm((cov_a + offset) @ (cov_b + offset))
    root = np.real(root)
    return float(np.sum((mu_a - mu_b) ** 2) + np.trace(cov_a) + np.trace(cov_b) - 2.0 * np.trace(root))


def diversity_pair_count(samples: int) -> int:
    """How many pairs diversity averages over: 300 (100 below 301 samples) as the field draws them,
    fewer than the samples for a set too small for that."""
    return min(300 if samples > 300 else 100, max(samples - 1, 1))


def draw_pairs(samples: int, rng: np.random.Generator, count: int | None = None) -> np.ndarray:
    """(2, count) row indices: two draws without replacement, as the field pairs rows for diversity."""
    count = diversity_pair_count(samples) if count is None else count
    return np.stack([rng.choice(samples, count, replace=False) for _ in range(2)])


def diversity(embeddings: np.ndarray, pairs: np.ndarray) -> float:
    """Mean distance between the rows ``pairs[0]`` and ``pairs[1]`` (computed in the embeddings' dtype,
    as the field does)."""
    x = np.asarray(embeddings)
    pairs = np.asarray(pairs)
    if pairs.ndim != 2 or pairs.shape[0] != 2 or pairs.size == 0:
        raise ValueError(f"pairs must be (2, n) row indices, got shape {pairs.shape}")
    if pairs.min() < 0 or pairs.max() >= len(x):
        raise ValueError(f"pairs index rows 0..{len(x) - 1}, got {pairs.min()}..{pairs.max()}")
    return float(np.linalg.norm(x[pairs[0]] - x[pairs[1]], axis=1).mean())
