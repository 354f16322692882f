"""What every feature reads: the Qt adapter of the session, opening, playback, background jobs, errors, bundled resources."""
