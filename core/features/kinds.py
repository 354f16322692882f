"""Every kind of representation by name: what a checkpoint's "representation" entry is read back as."""

from __future__ import annotations

from core.features.body_part import BodyPart
from core.features.humanml3d import HumanML3D
from core.features.representation import Representation
from core.features.rot6d import Rot6D

KINDS: dict[str, type[Representation]] = {cls.kind: cls for cls in (Rot6D, HumanML3D, BodyPart)}


def representation_from_dict(data: dict) -> Representation:
    """The representation a checkpoint describes; a missing kind is the original rot6d."""
    kind = data.get("kind", Rot6D.kind)
    if kind not in KINDS:
        raise ValueError(f"unknown representation kind {kind!r}; known: {', '.join(KINDS)}")
    return KINDS[kind].from_dict(data)
