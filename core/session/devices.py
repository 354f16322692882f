"""Where the open checkpoint decodes and refines: the CPU, or a CUDA GPU when one is present.

A seed-size model decodes a minute of motion many times faster on a GPU; the CPU is always there and
is what machines without one (and CI) use, so the app falls back to it.
"""

from __future__ import annotations

import torch

CPU = "cpu"


def available_devices() -> list[tuple[str, str]]:
    """(name, label) of every device this machine can decode on, the CPU first."""
    devices = [(CPU, "CPU")]
    if torch.cuda.is_available():
        for i in range(torch.cuda.device_count()):
            devices.append((f"cuda:{i}", f"GPU {i}: {torch.cuda.get_device_name(i)}"))
    return devices


def check_device(name: str) -> str:
    """``name`` if this machine has it; a ValueError that says which it has otherwise."""
    names = [n for n, _ in available_devices()]
    if name not in names:
        raise ValueError(f"no compute device {name!r} on this machine; it has {', '.join(names)}")
    return name
