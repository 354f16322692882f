"""Decoding windows of a token grid at chosen truncation levels, as fast as the model allows.

The edit preview's budget is one frame at 60 Hz, so the work that does not depend on the edit is done
once per checkpoint: the stacked codebooks (a ``torch.stack`` of Q x nb_code x code_dim on every call
otherwise) and the decoder's receptive-field radius (a walk over the layer stack). Only the latent
steps a window needs are looked up and summed over layers, and the decoder computes, layer by layer,
only the positions the window's frames depend on (:mod:`core.model.cone`), under ``inference_mode``.
"""

from __future__ import annotations

import numpy as np
import torch

from core.model import cone
from core.model.checkpoint import Checkpoint


class LevelDecoder:
    """Denormalised features of step windows of a code grid, for any set of truncation levels."""

    def __init__(self, ckpt: Checkpoint) -> None:
        self.ckpt = ckpt
        model = ckpt.model
        self.device = next(model.parameters()).device
        self.radius = model.decoder_receptive_field()
        self.factor = model.downsample_factor
        with torch.inference_mode():
            self.codebooks = model.quantizer.codebooks.detach().float().clone()
            """(Q, nb_code, code_dim) on the model's device: the same for every decode."""

    def features(
        self, indices: np.ndarray, levels: np.ndarray, start: int, stop: int, num_frames: int
    ) -> np.ndarray:
        """(L, frames, D) features of steps ``[start, stop)`` decoded with the first ``levels[i]`` layers.

        Equal to slicing a full decode (the decoder sees the ``R`` steps either side it depends on);
        ``num_frames`` crops the clip's last, partial step.
        """
        n = indices.shape[0]
        lo, hi = max(0, start - self.radius), min(n, stop + self.radius)
        levels = np.asarray(levels, dtype=np.int64)
        layers = int(levels.max())
        with torch.inference_mode():
            window = torch.from_numpy(np.array(indices[lo:hi, :layers], dtype=np.int64))
            window = window.to(self.device)
            codes = self.codebooks[torch.arange(layers, device=self.device)[None], window]  # (n, L, C)
            latents = torch.cumsum(codes, dim=1)[:, torch.from_numpy(levels - 1).to(self.device)]
            latents = latents.permute(1, 0, 2).contiguous()
            f, decoder = self.factor, self.ckpt.model.decoder
            if cone.supports(decoder) and (start, stop) != (0, n):
                frames = cone.decode_frames(decoder, latents, lo, n, start * f, stop * f)
            else:
                frames = self.ckpt.model.decode_latent(latents)[:, (start - lo) * f : (stop - lo) * f]
            frames = frames.cpu().numpy()
        f0, f1 = start * self.factor, min(stop * self.factor, num_frames)
        return self.ckpt.normalizer.denormalize(frames[:, : f1 - f0])
