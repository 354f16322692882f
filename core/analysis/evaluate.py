"""Reconstruction quality of a tokenizer on held-out clips, per number of quantizer layers used.

Positions come from forward kinematics on each clip's own skeleton, so the numbers measure the
tokenizer alone. MPJPE is in millimetres; velocity and acceleration errors are mean joint
errors of the first and second frame differences, in millimetres per frame (and per frame^2).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import astuple, dataclass, field

import numpy as np

from core.analysis import metrics, plausibility
from core.analysis.batched import batch_frames_for, reconstruct_batch, step_batches
from core.analysis.plausibility import Plausibility
from core.model.checkpoint import Checkpoint
from core.motion.clip import Motion
from core.motion.skeleton import Skeleton
from core.tokens.codec import decode_features, fit_clip, tokenize
from core.tokens.refine import RefineSettings, refine_tokens


@dataclass(frozen=True)
class LayerMetrics:
    mpjpe_mm: float
    mpjpe_root_aligned_mm: float
    velocity_error: float
    accel_error: float
    feature_error: float
    """Mean absolute error of the decoded features, in normalised units (what the model is trained on)."""


@dataclass(frozen=True)
class EvalReport:
    layers: dict[int, LayerMetrics]
    codebook_usage: list[float]
    perplexity: list[float]
    clips: int
    frames: int
    refine: RefineSettings | None = None
    """How the codes were refined (analysis by synthesis), or None for the encoder's own codes."""
    measured: str = ""
    """Which joints the errors are over (a body part's), empty for all of them."""
    plausibility: dict[int, Plausibility] = field(default_factory=dict)
    """Foot skating, jitter, penetration and floating of the reconstruction with 1..Q layers."""
    plausibility_original: Plausibility = field(default_factory=Plausibility)
    """The same figures of the original clips."""

    @property
    def encoding(self) -> str:
        codes = (
            "encoder codes"
            if self.refine is None
            else (f"codes refined {self.refine.steps} steps (lr {self.refine.lr:g})")
        )
        return codes + (f"; errors over the {self.measured}" if self.measured else "")

    def to_json(self) -> dict:
        return {
            "layers": {str(k): vars(m) for k, m in self.layers.items()},
            "codebook_usage": self.codebook_usage,
            "perplexity": self.perplexity,
            "clips": self.clips,
            "frames": self.frames,
            "refine": None if self.refine is None else self.refine.to_json(),
            "measured": self.measured or "all joints",
            "units": {
                "mpjpe": "mm",
                "velocity_error": "mm/frame",
                "accel_error": "mm/frame^2",
                "feature_error": "normalised features",
            },
            "plausibility": {
                "original": self.plausibility_original.to_json(),
                "layers": {str(k): p.to_json() for k, p in self.plausibility.items()},
                "units": {
                    "foot_skating": "share of frame pairs (0-1); null without feet",
                    "jitter_m_s3": "m/s^3",
                    "penetration_mm": "mm below the original's floor",
                    "floating_mm": "mm above the 5 cm contact band",
                },
            },
        }

    def _plausibility_rows(self) -> list[tuple[str, tuple[str, str, str, str]]]:
        rows = [("original", self.plausibility_original.cells())]
        return rows + [(str(k), p.cells()) for k, p in sorted(self.plausibility.items())]

    def table(self) -> str:
        lines = [
            f"{self.clips} clips, {self.frames} frames, {self.encoding}",
            "layers  MPJPE mm  root-aligned mm  vel err mm/f  accel err mm/f^2  feature err",
        ]
        for k, m in sorted(self.layers.items()):
            lines.append(
                f"{k:>6}  {m.mpjpe_mm:8.2f}  {m.mpjpe_root_aligned_mm:15.2f}  "
                f"{m.velocity_error:12.3f}  {m.accel_error:16.3f}  {m.feature_error:11.4f}"
            )
        lines.append("layer   codebook usage  perplexity")
        for i, (use, ppl) in enumerate(zip(self.codebook_usage, self.perplexity, strict=True)):
            lines.append(f"{i + 1:>5}  {use * 100:13.1f}%  {ppl:10.1f}")
        if self.plausibility:
            lines.append("layers    foot skating  jitter m/s^3  penetration mm  floating mm")
            for name, cells in self._plausibility_rows():
                lines.append(f"{name:>8}  {cells[0]:>12}  {cells[1]:>12}  {cells[2]:>14}  {cells[3]:>11}")
        return "\n".join(lines)

    def markdown(self) -> str:
        """The same figures as two Markdown tables, for a README or a report (no hand-copied numbers)."""
        lines = [
            f"{self.clips} clips, {self.frames:,} frames, {self.encoding}",
            "",
            "| layers used | MPJPE, root-aligned (mm) | MPJPE, global (mm) | velocity error (mm/frame) "
            "| acceleration error (mm/frame^2) |",
            "|---|---|---|---|---|",
        ]
        for k, m in sorted(self.layers.items()):
            lines.append(
                f"| {k} | {m.mpjpe_root_aligned_mm:.1f} | {m.mpjpe_mm:.1f} | {m.velocity_error:.2f} "
                f"| {m.accel_error:.2f} |"
            )
        q = len(self.codebook_usage)
        lines += [
            "",
            "| layer | " + " | ".join(str(i + 1) for i in range(q)) + " |",
            "|---" * (q + 1) + "|",
            "| codebook usage | " + " | ".join(f"{u * 100:.1f}%" for u in self.codebook_usage) + " |",
            "| perplexity | " + " | ".join(f"{p:.1f}" for p in self.perplexity) + " |",
        ]
        if self.plausibility:
            lines += [
                "",
                "| layers used | foot skating | jitter (m/s^3) | penetration (mm) | floating (mm) |",
                "|---|---|---|---|---|",
                *(f"| {name} | " + " | ".join(cells) + " |" for name, cells in self._plausibility_rows()),
            ]
        return "\n".join(lines)


def clip_errors(pred: np.ndarray, true: np.ndarray, joints: np.ndarray, feature_error: float) -> LayerMetrics:
    """One clip's figures over ``joints`` (see :mod:`core.analysis.metrics`); root alignment uses the
    whole skeleton's root, whether or not it is measured."""
    aligned = metrics.joint_errors(pred, true, aligned=True)[:, joints]
    pred, true = pred[:, joints], true[:, joints]
    return LayerMetrics(
        mpjpe_mm=metrics.mpjpe_mm(pred, true),
        mpjpe_root_aligned_mm=float(1000.0 * aligned.mean()),
        velocity_error=metrics.velocity_error_mm(pred, true),
        accel_error=metrics.accel_error_mm(pred, true),
        feature_error=feature_error,
    )


@dataclass(frozen=True)
class ClipEvaluation:
    """One clip's figures: what :func:`evaluate` sums and what a per-clip table shows."""

    frames: int
    layers: dict[int, LayerMetrics]
    indices: np.ndarray
    """The (steps, Q) codes the figures were decoded from (for codebook statistics)."""
    frame_mpjpe_mm: np.ndarray
    """(frames,) root-aligned MPJPE of each frame with all Q layers, over the measured joints."""
    renamed_joints: tuple[tuple[str, str], ...] = ()
    """(clip's name, checkpoint's name) of joints matched by position (:func:`fit_clip`)."""
    plausibility: dict[int, Plausibility] = field(default_factory=dict)
    """The reconstruction's foot skating, jitter, penetration and floating with 1..Q layers."""
    plausibility_original: Plausibility = field(default_factory=Plausibility)


def plausibility_judge(
    skeleton: Skeleton, fps: float, truth: np.ndarray, joints: np.ndarray
) -> Callable[[np.ndarray], Plausibility]:
    """Measures positions on ``skeleton`` for plausibility: jitter over ``joints``, the feet (when the
    skeleton names them and they are measured) against the floor of the original ``truth``."""
    feet = plausibility.find_feet(skeleton)
    if feet is not None and not set(feet.joints) <= set(np.asarray(joints).tolist()):
        feet = None  # a body part without the feet: they are the source clip's, not the tokenizer's
    floor = plausibility.floor_height(truth, feet) if feet is not None else None
    return lambda positions: plausibility.measure(positions, fps, feet, floor, joints)


def evaluate_clip(ckpt: Checkpoint, clip: Motion, refine: RefineSettings | None = None) -> ClipEvaluation:
    """Tokenize ``clip`` (with the encoder, or refined) and measure its decoding with 1..Q layers.

    Raises MotionFileError when the clip does not fit the checkpoint's skeleton (see ``fit_clip``)."""
    clip = fit_clip(ckpt, clip)  # in the checkpoint's joint order, on its own bone lengths
    indices = tokenize(ckpt, clip) if refine is None else refine_tokens(ckpt, clip, refine)
    layers = range(1, ckpt.config.num_quantizers + 1)
    decoded = {k: decode_features(ckpt, indices, k, clip.num_frames) for k in layers}
    return measure_clip(ckpt, clip, indices, decoded)


def evaluate_clips(
    ckpt: Checkpoint, clips: Sequence[Motion], batch_frames: int | None = None
) -> list[ClipEvaluation]:
    """:func:`evaluate_clip` of each clip (already made to fit by ``fit_clip``) with the encoder's codes,
    the model run on batches of clips of equal token steps (see :mod:`core.analysis.batched`): the same
    figures to float rounding, in a fraction of the time. ``batch_frames`` defaults to the device's
    (:func:`core.analysis.batched.batch_frames_for`)."""
    rep, normalizer = ckpt.representation, ckpt.normalizer
    features = [normalizer.normalize(rep.features(clip)) for clip in clips]
    layers = range(1, ckpt.config.num_quantizers + 1)
    results: list[ClipEvaluation | None] = [None] * len(clips)
    frames = batch_frames or batch_frames_for(ckpt.model)
    for batch in step_batches([len(f) for f in features], ckpt.model.downsample_factor, frames):
        codes, decoded = reconstruct_batch(ckpt.model, [features[i] for i in batch], layers)
        for j, i in enumerate(batch):
            own = {k: normalizer.denormalize(decoded[k][j]) for k in layers}
            results[i] = measure_clip(ckpt, clips[i], codes[j], own, features[i])
    return [r for r in results if r is not None]


def measure_clip(
    ckpt: Checkpoint,
    clip: Motion,
    indices: np.ndarray,
    decoded: dict[int, np.ndarray],
    target: np.ndarray | None = None,
) -> ClipEvaluation:
    """The figures of a fitted clip from its codes and its (denormalised) decoding with each number of
    layers; ``target`` is its normalised features when already at hand."""
    rep, normalizer = ckpt.representation, ckpt.normalizer
    joints = rep.measured_joints(ckpt.skeleton)
    truth = clip.joint_positions()
    if target is None:
        target = normalizer.normalize(rep.features(clip))
    judge = plausibility_judge(clip.skeleton, clip.fps, truth, joints)
    layers, plausible = {}, {}
    for k in sorted(decoded):
        feature_error = float(np.abs(normalizer.normalize(decoded[k]) - target).mean())
        pred = rep.positions(decoded[k], clip)
        layers[k] = clip_errors(pred, truth, joints, feature_error)
        plausible[k] = judge(pred)
    per_frame = 1000.0 * metrics.joint_errors(pred, truth, aligned=True)[:, joints].mean(axis=1)
    return ClipEvaluation(
        clip.num_frames,
        layers,
        indices,
        per_frame,
        renamed_joints=clip.renamed_joints,
        plausibility=plausible,
        plausibility_original=judge(truth),
    )


class Tally:
    """Frame-weighted sums of clip figures and code counts, read out as an :class:`EvalReport`; the
    one summary :func:`evaluate` and the dataset evaluation share."""

    def __init__(self, ckpt: Checkpoint, refine: RefineSettings | None = None) -> None:
        self.ckpt, self.refine = ckpt, refine
        q = ckpt.config.num_quantizers
        self.sums = np.zeros((q, 5))
        self.counts = np.zeros((q, ckpt.config.nb_code), dtype=np.int64)
        self.clips = 0
        self.frames = 0
        self.plausibility = {k: Plausibility() for k in range(1, q + 1)}
        self.plausibility_original = Plausibility()

    def add(self, clip: ClipEvaluation) -> None:
        for layer in range(self.counts.shape[0]):
            self.counts[layer] += np.bincount(clip.indices[:, layer], minlength=self.counts.shape[1])
        for k, m in clip.layers.items():
            self.sums[k - 1] += np.asarray(astuple(m)) * clip.frames
        for k, p in clip.plausibility.items():
            self.plausibility[k] += p
        self.plausibility_original += clip.plausibility_original
        self.clips += 1
        self.frames += clip.frames

    def report(self) -> EvalReport:
        ckpt, rep = self.ckpt, self.ckpt.representation
        means = self.sums / max(self.frames, 1)
        probs = self.counts / np.maximum(self.counts.sum(1, keepdims=True), 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            entropy = -np.nansum(np.where(probs > 0, probs * np.log(probs), 0.0), axis=1)
        measured = len(rep.measured_joints(ckpt.skeleton)) != ckpt.skeleton.num_joints
        return EvalReport(
            layers={k + 1: LayerMetrics(*map(float, means[k])) for k in range(len(means))},
            codebook_usage=[float(v) for v in (self.counts > 0).mean(1)],
            perplexity=[float(v) for v in np.exp(entropy)],
            clips=self.clips,
            frames=self.frames,
            refine=self.refine,
            measured=rep.describe() if measured else "",
            plausibility=dict(self.plausibility),
            plausibility_original=self.plausibility_original,
        )


def evaluate(
    ckpt: Checkpoint,
    clips: Sequence[Motion],
    refine: RefineSettings | None = None,
    on_clip: Callable[[Motion], None] = lambda clip: None,
) -> EvalReport:
    """Metrics for 1..Q layers, frame-weighted over ``clips``, with codebook statistics per layer.

    With ``refine`` each clip's codes come from :func:`refine_tokens` instead of the encoder alone.
    ``on_clip`` is called after each clip (a progress bar's hook).
    """
    tally = Tally(ckpt, refine)
    for clip in clips:
        tally.add(evaluate_clip(ckpt, clip, refine))
        on_clip(clip)
    return tally.report()
