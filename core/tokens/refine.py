"""Analysis-by-synthesis tokenization: codes chosen by what the decoder makes of them.

The encoder proposes a latent and each quantizer layer takes the nearest code, but nothing checks
that a nearby choice of codes would not decode closer to the clip: the encoder was trained on
other clips, and nearest-code rounding ignores the decoder. Refinement starts at the encoder's
latent and descends the training objective (feature, velocity and joint-position errors) of the
*quantized* decode, straight-through past the rounding, with the decoder and codebooks frozen. It
keeps the codes of the lowest loss it has seen, the encoder's own included, so it never returns
worse codes than plain tokenization by that objective. The codes are ordinary codes of the same
checkpoint: any decoder call, edit or token file takes them unchanged.

A stop request is answered within one torch operation, not one step: a step of a seed-size model
(width 512) over a minute of motion takes a second or more on a 2-core CPU, one of its operations
milliseconds (Stop measured at 3-7 ms median, 90 ms at worst, ``benchmarks/refine.py``).
``should_stop`` is polled before every operation of the step's forward pass and before the
backward pass of each (:class:`_StopChecks`). The step cut short is dropped: the codes kept are the
best of those evaluated before the request, exactly as an uninterrupted run had them then.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch.overrides import TorchFunctionMode

from core.features.rot6d import Rot6D
from core.model.checkpoint import Checkpoint
from core.model.objective import PositionLoss, rvq_losses
from core.motion.clip import Motion
from core.tokens.codec import fit_clip
from core.tokens.refine_settings import RefineSettings


@dataclass(frozen=True)
class RefineProgress:
    """After each step: how far the search is, and the lowest objective found so far."""

    step: int
    steps: int
    best_loss: float


class _Stopped(Exception):
    """Raised inside a step when a stop was requested; :meth:`TokenRefinement.run` ends on it."""


def _takes_tensors(args: tuple[Any, ...]) -> bool:
    """Whether an operation works on tensors (``cat`` takes a list of them); grad-mode switches such as
    ``no_grad``'s exit take none and are never interrupted, or the mode would stay switched."""
    return any(
        isinstance(a, torch.Tensor) or (isinstance(a, list | tuple) and a and isinstance(a[0], torch.Tensor))
        for a in args
    )


class _StopChecks(TorchFunctionMode):
    """Polls ``should_stop`` before each torch operation on tensors run under it and, through a hook on
    the operation's output, before that operation's backward pass; raises :class:`_Stopped` once, then
    lets the rest through so that the code it unwinds can clean up. A torch function mode is local to
    the thread that enters it: the GUI thread's own decoding with the same model is never checked."""

    def __init__(self, should_stop: Callable[[], bool]) -> None:
        super().__init__()
        self._should_stop = should_stop
        self._stopped = False

    def check(self, *_: object) -> None:
        if not self._stopped and self._should_stop():
            self._stopped = True
            raise _Stopped

    def __torch_function__(
        self,
        func: Callable[..., Any],
        types: tuple[type, ...],
        args: tuple[Any, ...] = (),
        kwargs: dict[str, Any] | None = None,
    ) -> Any:
        if _takes_tensors(args):
            self.check()
        out = func(*args, **(kwargs or {}))
        if isinstance(out, torch.Tensor) and out.grad_fn is not None:
            out.register_hook(self.check)
        return out


class TokenRefinement:
    """One clip's refinement; iterate :meth:`run` for progress, then read :attr:`indices`."""

    def __init__(self, ckpt: Checkpoint, motion: Motion, settings: RefineSettings | None = None) -> None:
        motion = fit_clip(ckpt, motion)  # in the checkpoint's joint order, with its own bone lengths
        self.settings = settings or RefineSettings()
        self._model = ckpt.model
        device = next(self._model.parameters()).device
        features = ckpt.normalizer.normalize(ckpt.representation.features(motion))
        self._target = torch.from_numpy(features)[None].to(device)
        rep = ckpt.representation
        # The joint-position term runs FK on 6D rotations of the whole skeleton; other features get none.
        self._position = (
            PositionLoss(rep, motion.skeleton, ckpt.normalizer) if isinstance(rep, Rot6D) else None
        )
        with torch.no_grad():
            self._latent = self._model.encode_latent(self._target)
        self.initial_loss = float("nan")
        self.best_loss = float("inf")
        self.steps_done = 0
        self._best: torch.Tensor | None = None

    @property
    def indices(self) -> np.ndarray:
        """(steps, layers) int64: the best codes found so far (the encoder's before :meth:`run`)."""
        if self._best is None:
            return self._model.quantizer.quantize(self._latent)[1][0].cpu().numpy()
        return self._best[0].cpu().numpy()

    def _loss(self, latent: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Objective of the codes ``latent`` rounds to; its gradient reaches ``latent`` straight through."""
        quantized, indices = self._model.quantizer.quantize(latent)
        through = latent + (quantized - latent).detach()
        reconstruction = self._model.decode_latent(through)[:, : self._target.shape[1]]
        terms = rvq_losses(
            reconstruction,
            self._target,
            torch.zeros((), device=latent.device),
            velocity_weight=self.settings.velocity_weight,
            commit_weight=0.0,
            position_loss=self._position,
            position_weight=self.settings.position_weight,
        )
        return terms.loss, indices

    def _keep(self, loss: torch.Tensor, indices: torch.Tensor) -> None:
        value = float(loss.detach())
        if self.steps_done == 0:
            self.initial_loss = value
        if value < self.best_loss:
            self.best_loss, self._best = value, indices

    def run(self, should_stop: Callable[[], bool] = lambda: False) -> Iterator[RefineProgress]:
        """Adam on the latent for ``settings.steps`` steps. ``should_stop`` is polled between the
        operations of each step (see the module docstring): a stop ends the run at once and keeps the
        best codes of the completed steps. Run it once; the model is put in eval mode and left there."""
        self._model.eval()
        latent = self._latent.clone().requires_grad_(True)
        optimizer = torch.optim.Adam([latent], lr=self.settings.lr)
        total = self.settings.steps
        checks = _StopChecks(should_stop)
        try:
            while True:
                with checks:
                    loss, indices = self._loss(latent)
                self._keep(loss, indices)
                if self.steps_done == total:
                    return
                with checks:
                    (gradient,) = torch.autograd.grad(loss, [latent])
                latent.grad = gradient
                optimizer.step()
                self.steps_done += 1
                yield RefineProgress(step=self.steps_done, steps=total, best_loss=self.best_loss)
                checks.check()
        except _Stopped:
            return


def refine_tokens(ckpt: Checkpoint, motion: Motion, settings: RefineSettings | None = None) -> np.ndarray:
    """(steps, layers) int64 codes of ``motion`` after a full refinement (see the module docstring)."""
    refinement = TokenRefinement(ckpt, motion, settings)
    for _ in refinement.run():
        pass
    return refinement.indices
