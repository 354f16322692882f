"""File > Export video: the dialog writes the comparison in the background, the window keeps running,
and Cancel stops the export without leaving a file."""

from __future__ import annotations

import time
from pathlib import Path

import imageio_ffmpeg
from PySide6.QtCore import QTimer

from app.documents.video_export import VideoExport, VideoExportDialog


class Heartbeat:
    """A 20 ms timer on the GUI thread; the longest gap between its ticks shows whether the event
    loop was ever blocked."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(20)
        self.last = time.perf_counter()
        self.longest = 0.0
        self.ticks = 0
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self.last)
        self.last = now
        self.ticks += 1


def _dialog(window) -> tuple[VideoExport, VideoExportDialog]:
    """The window's exporter with its dialog open."""
    export = VideoExport.for_window(window)
    export.start()
    return export, export.dialog


def _decoded(path: Path) -> tuple[tuple[int, int], int]:
    frames = imageio_ffmpeg.read_frames(str(path))
    meta = next(frames)
    return tuple(meta["size"]), sum(1 for _ in frames)


def test_the_dialog_starts_from_what_the_window_shows(loaded, tmp_path):
    loaded.session.set_layers_used(2)
    loaded.viewer.set_overlay(True)
    export, dialog = _dialog(loaded)
    assert dialog.isVisible()
    assert dialog.layers_spin.value() == 2 and dialog.layers_spin.maximum() == loaded.session.num_quantizers
    assert dialog.overlay_check.isChecked() and dialog.align_check.isChecked()
    assert dialog.last_spin.value() == loaded.session.num_frames - 1
    assert dialog.path_edit.text().endswith("_2layers.mp4")
    assert VideoExport.for_window(loaded) is export  # one exporter, one dialog per window
    dialog.cancel_button.click()
    assert not dialog.isVisible()


def test_export_writes_the_video_in_the_background_and_the_window_keeps_running(loaded, qtbot, tmp_path):
    export, dialog = _dialog(loaded)
    out = tmp_path / "punch.mp4"
    dialog.path_edit.setText(str(out))
    dialog.width_spin.setValue(640)
    dialog.height_spin.setValue(360)
    dialog.first_spin.setValue(10)
    dialog.last_spin.setValue(69)
    loaded.playback.play()
    beat = Heartbeat()
    with qtbot.waitSignal(export.job.finished, timeout=120_000) as done:
        dialog.export_button.click()
        assert export.job.running and dialog.cancel_button.text() == "Cancel"
    beat.timer.stop()
    loaded.playback.pause()
    result = done.args[0]
    assert result.complete and result.frames == 60 and result.path == out
    assert _decoded(out) == ((640, 360), 60)
    assert beat.ticks > 10 and beat.longest < 1.0, f"the event loop stalled for {beat.longest:.2f} s"
    assert dialog.message.text() == f"Exported a video of 60 frames to {out}"  # and in the status bar
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5_000)


def test_cancel_stops_the_export_and_leaves_no_file(loaded, qtbot, tmp_path):
    export, dialog = _dialog(loaded)
    out = tmp_path / "long.mp4"
    dialog.path_edit.setText(str(out))
    dialog.fps_spin.setValue(240)  # many frames: this export cannot end before Cancel
    with qtbot.waitSignal(export.job.finished, timeout=60_000) as done:
        with qtbot.waitSignal(export.job.progress, timeout=30_000):
            dialog.export_button.click()
        dialog.cancel_button.click()
    assert not done.args[0].complete
    qtbot.waitUntil(lambda: not export.job.running, timeout=10_000)
    assert not out.exists() and not list(tmp_path.glob(".long*"))
    assert dialog.message.text().startswith("Cancelled")
    assert dialog.export_button.isEnabled() and dialog.cancel_button.text() == "Close"


def test_a_bad_file_name_is_a_dialog_before_any_work(loaded, qtbot, tmp_path):
    export = VideoExport.for_window(loaded)
    export.start()
    export.dialog.path_edit.setText(str(tmp_path / "clip.avi"))
    with qtbot.waitSignal(loaded.reporter.reported, timeout=5_000) as reported:
        export.dialog.export_button.click()
    assert reported.args[1] == "Could not export the video" and ".avi" in reported.args[2]
    assert not export.job.running


def test_without_a_checkpoint_the_clip_is_exported_alone(window, qtbot, clip_path, tmp_path):
    assert window.documents.open_clip(clip_path)
    export, dialog = _dialog(window)
    assert not dialog.layers_spin.isEnabled() and "drawn alone" in dialog.message.text()
    out = tmp_path / "alone.gif"
    dialog.path_edit.setText(str(out))
    dialog.width_spin.setValue(160)
    dialog.height_spin.setValue(90)
    dialog.last_spin.setValue(9)
    with qtbot.waitSignal(export.job.finished, timeout=60_000) as done:
        dialog.export_button.click()
    assert done.args[0].complete
    from PIL import Image

    with Image.open(out) as gif:
        assert gif.size == (160, 90) and gif.n_frames == 10


def test_the_video_is_proposed_in_the_videos_folder_then_where_the_last_one_went(
    loaded, qtbot, tmp_path, monkeypatch, clip_path
):
    home = tmp_path / "home"
    (home / "Videos").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # no user-dirs.dirs: ~/Videos
    export, dialog = _dialog(loaded)
    proposed = Path(dialog.path_edit.text())
    assert proposed.parent == home / "Videos" and proposed.parent != clip_path.parent
    elsewhere = tmp_path / "talk"
    elsewhere.mkdir()
    dialog.path_edit.setText(str(elsewhere / "short.gif"))
    dialog.width_spin.setValue(160)
    dialog.height_spin.setValue(90)
    dialog.last_spin.setValue(4)
    with qtbot.waitSignal(export.job.finished, timeout=60_000):
        dialog.export_button.click()
    export.start()
    assert Path(dialog.path_edit.text()).parent == elsewhere
    dialog.cancel_button.click()


def test_the_progress_shows_nothing_before_the_export_starts_then_its_frame_count(loaded, qtbot, tmp_path):
    export, dialog = _dialog(loaded)
    assert not dialog.progress_bar.isVisible()  # not "0 / 1 frames"
    dialog.path_edit.setText(str(tmp_path / "short.gif"))
    dialog.width_spin.setValue(160)
    dialog.height_spin.setValue(90)
    dialog.last_spin.setValue(11)
    with qtbot.waitSignal(export.job.finished, timeout=60_000):
        dialog.export_button.click()
        assert dialog.progress_bar.isVisible() and dialog.progress_bar.maximum() == 12
