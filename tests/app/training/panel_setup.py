"""A Training dock set up for a run a CPU finishes in seconds: the small preset at batch 4, window 16."""

from __future__ import annotations

from pathlib import Path

from app.training.training_panel import TrainingPanel


def configure_run(panel: TrainingPanel, data: list[Path], run_dir: Path, steps: int = 2) -> None:
    """Fill the dock's data, preset, schedule, device (CPU) and run folder."""
    panel.set_data_paths(data)
    panel.preset_box.setCurrentText("small")
    panel.form["steps"].setValue(steps)
    panel.form["batch_size"].setValue(4)
    panel.form["window"].setValue(16)
    panel.device_box.setCurrentIndex(panel.device_box.findData("cpu"))
    panel.controls.run_edit.setText(str(run_dir))
