"""Decoding only the frames asked for: each layer computes just the positions those frames depend on.

A windowed decode runs every layer over its whole input window (``2R`` steps wider than the frames
asked for), although what the output depends on narrows layer by layer toward those frames: the
receptive-field *cone*. Walking the layer stack backwards gives, for every layer, the interval of its
output that is needed; the forward pass then evaluates each layer on that interval alone, with zero
padding only where an interval passes the sequence's ends, exactly as the full decode pads. For the
frames of one token step of the seed decoder this is several times less work than the window, which
is what lets an edit show the frame on screen within one display frame.

Written for the dilated-resnet decoder (stride-1 explicitly padded convs, nearest upsampling,
pointwise layers, residual blocks); other stacks use the windowed decode.
"""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn

from core.model.encdec import _POINTWISE, Decoder, _input_interval
from core.model.resnet import ResConv1DBlock, Resnet1D


def decode_frames(decoder: Decoder, z: Tensor, z_start: int, steps: int, start: int, stop: int) -> Tensor:
    """Frames ``[start, stop)`` (``(B, stop - start, D)``) of ``decoder`` applied to a latent of ``steps``
    steps, of which ``z`` (``(B, w, C)``) holds steps ``z_start .. z_start + w - 1``: at least the
    ones those frames depend on. Equal, up to float rounding, to slicing the full decode."""
    out = _run(decoder.model, z.transpose(1, 2), z_start, steps, start, stop - 1)
    return out.transpose(1, 2)


def supports(decoder: nn.Module) -> bool:
    """Whether :func:`decode_frames` can run ``decoder`` (the dilated-resnet one)."""
    return isinstance(decoder, Decoder)


def _out_length(module: nn.Module, length: int) -> int:
    if isinstance(module, nn.Sequential):
        for child in module:
            length = _out_length(child, length)
        return length
    if isinstance(module, nn.Conv1d):
        return length + 2 * module.padding[0] - module.dilation[0] * (module.kernel_size[0] - 1)
    if isinstance(module, nn.Upsample):
        return length * int(module.scale_factor)
    return length


def _run(module: nn.Module, x: Tensor, x_lo: int, length: int, lo: int, hi: int) -> Tensor:
    """Output positions ``lo..hi`` (inclusive, within the output's length) of ``module`` over an input
    of ``length`` positions, of which ``x`` holds ``x_lo ..``."""
    if isinstance(module, Resnet1D):
        return _run(module.model, x, x_lo, length, lo, hi)
    if isinstance(module, nn.Sequential):
        return _run_sequence(list(module), x, x_lo, length, lo, hi)
    if isinstance(module, ResConv1DBlock):
        return _run_block(module, x, x_lo, length, lo, hi)
    if isinstance(module, nn.Conv1d):
        return _run_conv(module, x, x_lo, length, lo, hi)
    if isinstance(module, nn.Upsample):
        scale = int(module.scale_factor)
        first = lo // scale
        held = x[..., first - x_lo : hi // scale - x_lo + 1].repeat_interleave(scale, dim=-1)
        return held[..., lo - first * scale : hi - first * scale + 1]
    if isinstance(module, _POINTWISE):
        return module(x[..., lo - x_lo : hi - x_lo + 1])
    raise ValueError(f"cone decode: unsupported layer {type(module).__name__}")


def _run_sequence(children: list[nn.Module], x: Tensor, x_lo: int, length: int, lo: int, hi: int) -> Tensor:
    lengths = [length]
    for child in children:
        lengths.append(_out_length(child, lengths[-1]))
    needed = [(lo, hi)]
    for child, child_length in zip(reversed(children), reversed(lengths[:-1]), strict=True):
        a, b = _input_interval(child, *needed[-1])
        needed.append((max(a, 0), min(b, child_length - 1)))
    needed.reverse()
    for child, child_length, (a, b) in zip(children, lengths[:-1], needed[1:], strict=True):
        x, x_lo = _run(child, x, x_lo, child_length, a, b), a
    return x


def _run_conv(conv: nn.Conv1d, x: Tensor, x_lo: int, length: int, lo: int, hi: int) -> Tensor:
    pad, dilation = conv.padding[0], conv.dilation[0]
    first, last = lo - pad, hi - pad + dilation * (conv.kernel_size[0] - 1)
    held = x[..., max(first, 0) - x_lo : min(last, length - 1) - x_lo + 1]
    left, right = max(0, -first), max(0, last - (length - 1))
    if left or right:
        held = F.pad(
            held, (left, right), mode="constant" if conv.padding_mode == "zeros" else conv.padding_mode
        )
    return F.conv1d(held, conv.weight, conv.bias, dilation=dilation)


def _run_block(block: ResConv1DBlock, x: Tensor, x_lo: int, length: int, lo: int, hi: int) -> Tensor:
    """``x + conv2(act(norm(conv1(act(norm(x))))))`` at ``lo..hi``: the pointwise parts on what conv1
    reads, conv1 on its cone, the rest on ``lo..hi``."""
    reach = block.conv1.dilation[0]
    a, b = max(lo - reach, 0), min(hi + reach, length - 1)
    h = block.activation1(block._normalise(block.norm1, x[..., a - x_lo : b - x_lo + 1]))
    h = _run_conv(block.conv1, h, a, length, lo, hi)
    h = block.conv2(block.activation2(block._normalise(block.norm2, h)))
    return x[..., lo - x_lo : hi - x_lo + 1] + block.dropout(h)
