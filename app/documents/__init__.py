"""Files the user opens and makes: open, save, export, importing other codebases' tokenizers, recovery, recent files, video export."""
