"""Motion data: skeletons, clips (local rotations + root path), rotations and forward kinematics.

The lowest layer of core: it imports nothing else of the project but ``core.errors``.
"""
