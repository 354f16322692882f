"""The window itself: entry point, main window layout and wiring, commands, docks, status-bar chrome, help."""
