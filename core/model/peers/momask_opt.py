"""MoMask's ``opt.txt``, read and written by the rules of its own ``utils/get_opt.py``.

``options/vq_option.py`` writes one ``key: value`` line per option (``str(value)``) between a header
and a footer; ``get_opt`` splits each line at ``": "`` and converts the value: ``True``/``False`` to
bools, a decimal (``^[-+]?[0-9]+\\.[0-9]+$`` after stripping the sign) to a float, digits after
stripping the sign to an int, anything else stays a string (``vq_norm: None`` is the string "None",
``2e-05`` a string too). Reading and writing share :func:`read_value`, so what we write is what
MoMask reads back.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np

HEADER = "------------ Options -------------"
FOOTER = "-------------- End ----------------"
_DECIMAL = re.compile(r"^[-+]?[0-9]+\.[0-9]+$")


def read_value(text: str) -> object:
    """The value ``get_opt`` makes of one option's text."""
    text = text.strip()
    unsigned = text.lstrip("-").lstrip("+")
    if text in ("True", "False"):
        return text == "True"
    if _DECIMAL.match(unsigned):
        return float(text)
    if unsigned.isdigit():
        try:
            return int(text)
        except ValueError:  # "--3": get_opt itself would fail here; keep the text
            return text
    return text


def parse(text: str) -> dict[str, object]:
    """Every option of an ``opt.txt``; lines without ``": "`` (header, footer, odd lines) are skipped."""
    options: dict[str, object] = {}
    for line in text.splitlines():
        line = line.strip()
        if ": " not in line or line.startswith("---"):
            continue
        key, value = line.split(": ", 1)
        options[key.strip()] = read_value(value)
    return options


def _text(value: object) -> str:
    if isinstance(value, float):
        return np.format_float_positional(value, trim="0")  # get_opt reads '1e-05' as a string
    return str(value)


def format_options(options: Mapping[str, object]) -> str:
    """``opt.txt`` text as ``options/vq_option.py`` writes it; raises ValueError for a value that
    ``get_opt`` would read back as something else (a name that looks like a number, a ``': '``)."""
    lines = [HEADER]
    for key, value in sorted(options.items()):
        text = _text(value)
        expected = "None" if value is None else value  # get_opt keeps 'None' a string; MoMask reads it so
        back = read_value(text) if ": " not in text and "\n" not in text else None
        if back is None or back != expected or type(back) is not type(expected):
            raise ValueError(f"MoMask's get_opt would not read {key}: {value!r} back")
        lines.append(f"{key}: {text}")
    lines.append(FOOTER)
    return "\n".join(lines) + "\n"
