"""Peer tokenizer checkpoints (MoMask, SynTalker, GestureLSM, T2M-GPT): reading them in (importer, safe_load)
and writing ours out (export)."""
