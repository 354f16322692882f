"""Where a model runs: the CPU, or a CUDA GPU when one is present. One resolver for training, the
app's decoding and refinement, and the benchmarks.

A seed-size model trains and decodes many times faster on a GPU; the CPU is always there and is what
machines without one (and CI) use. Asking for a device the machine lacks is an error that says what it
has, never a silent fall back to the CPU.
"""

from __future__ import annotations

import torch

CPU = "cpu"
AUTO = "auto"
"""The first CUDA GPU when there is one, else the CPU."""


def available_devices() -> list[tuple[str, str]]:
    """(name, label) of every device this machine can run on, the CPU first."""
    devices = [(CPU, "CPU")]
    if torch.cuda.is_available():
        for i in range(torch.cuda.device_count()):
            devices.append((f"cuda:{i}", f"GPU {i}: {torch.cuda.get_device_name(i)}"))
    return devices


def resolve_device(name: str) -> torch.device:
    """The device ``name`` means on this machine ("auto", "cpu", "cuda", "cuda:N"); a ValueError
    that says which devices it has otherwise."""
    if name == AUTO:
        return torch.device("cuda" if torch.cuda.is_available() else CPU)
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError("CUDA was requested but no GPU is available; use --device cpu or auto")
    names = [n for n, _ in available_devices()]
    if name not in (*names, "cuda"):
        raise ValueError(f"no compute device {name!r} on this machine; it has {', '.join(names)}")
    return torch.device(name)
