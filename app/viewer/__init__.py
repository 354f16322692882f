"""The 3D comparison: original, reconstruction and checkpoint B, error colours, meshes, paths, ghost, hover."""
