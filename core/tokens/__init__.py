"""Token grids: clip <-> codes through a checkpoint, editing with undo, token files, refinement, recovery."""
