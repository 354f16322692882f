"""The Training dock: setup, settings form, run control and curves."""
