"""Hypothesis strategies that damage real files the way disks, editors, exporters and attackers do.

Every strategy takes a seed (bytes, text, arrays or a parsed JSON document) already in memory and
draws new file bytes, so a fuzz example costs one file write. Positions are biased towards the
start of a file, where the headers that loaders parse (and trust) live. One module per kind of file:
:mod:`.raw_bytes` (any file), :mod:`.bvh_text`, :mod:`.npy`, :mod:`.npz`, :mod:`.json_docs` and
:mod:`.safetensors`.
"""
