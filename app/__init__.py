"""RVQ Motion Studio desktop app (PySide6): views and controls over :mod:`core`, which does all the math."""
