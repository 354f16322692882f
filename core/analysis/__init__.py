"""What a tokenizer does to a motion: metrics, a clip beside its reconstruction, dataset evaluation.

A new analysis view computes its numbers here, so a script reproduces what the window shows.
"""
