"""RVQ Motion Studio core: motion data, the RVQ-VAE tokenizer, training and evaluation.

Plain Python + PyTorch; never imports Qt, so it runs from scripts, notebooks and cluster jobs.
"""
