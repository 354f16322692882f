"""Where a tokenizer fails: the Analysis dock (joints, layers, codebook) and the Dataset dock."""
