"""The state a window shows, Qt-free: what a GUI observes and a script or test drives directly."""
