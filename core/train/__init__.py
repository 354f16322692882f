"""Training: windowed dataset, losses, schedule, the loop as a generator of progress events, checkpoints."""
