"""The Training dock's survey of a HumanML3D-layout root as it grows: time until the panel shows what the
``train`` split holds, cold (empty feature cache) and warm (the cache the cold survey filled), the longest
the window went without drawing meanwhile, and how many progress lines it showed.

The roots are those of ``benchmarks/dataset_scale.py`` (N crops of the real HumanML3D samples, jittered,
with train/val/test/all.txt), written once under ``--where``. The panel is the real one, alone in a
window under the platform Qt picks (run it under Xvfb, as the tests do), what is alive once it is built
frozen out of the garbage collector as ``rvq-studio`` does; a 10 ms timer in the GUI thread measures the
stalls.

  python benchmarks/training_survey.py --sizes 1000 4000 14616

On the 2-core development machine, shared (timings noisy):

    clips cache  seconds  longest stall ms  progress lines
     1000  cold      4.2                19              12
     1000  warm      0.3                16               2
     4000  cold      6.9                25              32
     4000  warm      0.6                20               2
    14616  cold     17.6                58              75
    14616  warm      2.1                37               2
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.dataset_scale import dataset  # noqa: E402


def survey_once(app, panel) -> dict:
    """Survey what the panel is set to and wait for the result: seconds, longest GUI gap, progress lines."""
    from PySide6.QtCore import QTimer

    ticks: list[float] = []
    lines: list[str] = []
    results: list[object] = []
    heartbeat = QTimer()
    heartbeat.timeout.connect(lambda: ticks.append(time.perf_counter()))
    heartbeat.start(10)
    panel.setup.progressed.connect(lines.append)
    panel.setup.surveyed.connect(results.append)
    start = time.perf_counter()
    panel.setup.refresh_survey()
    while not results:
        app.processEvents()
        time.sleep(0.001)
    seconds = time.perf_counter() - start
    heartbeat.stop()
    panel.setup.progressed.disconnect(lines.append)
    panel.setup.surveyed.disconnect(results.append)
    gaps = [b - a for a, b in zip(ticks, ticks[1:], strict=False)]
    survey = results[0]
    return {
        "seconds": seconds,
        "stall_ms": 1000 * max(gaps, default=0.0),
        "lines": len(lines),
        "said": survey.selection if not isinstance(survey, str) else survey,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 4000])
    parser.add_argument("--where", type=Path, default=Path(tempfile.gettempdir()) / "rvq-dataset-scale")
    args = parser.parse_args()

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from app.state.errors import ErrorReporter
    from app.training.training_panel import TrainingPanel

    app = QApplication.instance() or QApplication(sys.argv[:1])
    print(
        f"{'clips':>7} {'cache':>5} {'seconds':>8} {'longest stall ms':>17} {'progress lines':>15}  the panel says"
    )
    for size in args.sizes:
        folder, _ = dataset("humanml3d", size, args.where)
        root = folder.parent
        with tempfile.TemporaryDirectory() as tmp:
            os.environ["RVQ_MOTION_CACHE"] = str(Path(tmp) / "cache")
            settings = QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat)
            settings.setValue("training/split", "train")
            panel = TrainingPanel(ErrorReporter(), settings)
            panel.resize(330, 620)
            panel.show()
            gc.collect()
            gc.freeze()  # as rvq-studio does once its window is built (app.shell.main)
            panel.preset_box.setCurrentText("motion-s")
            panel.setup.set_data_paths([root])
            for cache in ("cold", "warm"):
                row = survey_once(app, panel)
                print(
                    f"{size:>7} {cache:>5} {row['seconds']:>8.1f} {row['stall_ms']:>17.0f} {row['lines']:>15}"
                    f"  {row['said']}"
                )
            panel.setup.survey_job.shutdown()
            panel.close()


if __name__ == "__main__":
    main()
