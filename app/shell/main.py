"""``rvq-studio``: start the app on the demo, on a given clip and checkpoint, or save a screenshot.

rvq-studio                                  the bundled demo clip and checkpoint, playing
rvq-studio CLIP [--checkpoint C]            a clip (with the demo checkpoint when it fits)
rvq-studio --screenshot PNG [CLIP] [...]    render the window once, save it and exit
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSettings, Qt
from PySide6.QtGui import QSurfaceFormat
from PySide6.QtWidgets import QApplication

from app.shell.main_window import MainWindow
from app.state.resources import APPLICATION, DEMO_CHECKPOINT, DEMO_CLIP, ORGANIZATION, demo_available
from app.style.theme import apply_theme
from core.errors import MotionFileError
from core.formats import load_motion
from core.tokens.codec import fit_clip

EXIT_ERROR = 2


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="rvq-studio",
        description="Inspect, edit and train RVQ-VAE motion tokenizers. Without arguments it opens the demo.",
    )
    parser.add_argument("clip", nargs="?", type=Path, help="a .bvh, SMPL-X .npz or HumanML3D .npy clip")
    parser.add_argument("--checkpoint", type=Path, metavar="DIR", help="a checkpoint folder or run folder")
    parser.add_argument(
        "--screenshot", type=Path, metavar="PNG", help="render the main window once, save it as PNG and exit"
    )
    return parser.parse_args(argv)


def create_application(argv: list[str]) -> QApplication:
    """The QApplication, themed, with a GL format suited to the 3D view (depth buffer, multisampling)."""
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    surface = QSurfaceFormat.defaultFormat()
    surface.setDepthBufferSize(24)
    surface.setSamples(4)
    QSurfaceFormat.setDefaultFormat(surface)
    app = QApplication.instance() or QApplication(argv)
    app.setApplicationDisplayName("RVQ Motion Studio")
    apply_theme(app)
    return app


def pick_checkpoint(clip: Path | None, checkpoint: Path | None) -> Path | None:
    """The checkpoint to open: the one given, else the demo one when it fits the clip."""
    if checkpoint is not None or not demo_available():
        return checkpoint
    if clip is None:
        return DEMO_CHECKPOINT
    from core.model.checkpoint import load_checkpoint

    try:
        fit_clip(load_checkpoint(DEMO_CHECKPOINT), load_motion(clip))
    except MotionFileError:
        return None
    return DEMO_CHECKPOINT


def open_initial(window: MainWindow, clip: Path | None, checkpoint: Path | None) -> None:
    """Open the start-up files; problems show as dialogs, like any other open."""
    if clip is None and demo_available():
        clip = DEMO_CLIP
    checkpoint = pick_checkpoint(clip, checkpoint)
    if checkpoint is not None:
        window.documents.open_checkpoint(checkpoint)
    if clip is not None:
        window.documents.open_clip(clip)
    if window.session.checkpoint is None and window.session.motion is not None:
        window.statusBar().showMessage(
            "No checkpoint fits this clip: open one with File > Open checkpoint", 10000
        )


def take_screenshot(window: MainWindow, app: QApplication, path: Path) -> None:
    """Show a representative frame, let the window lay out and render, then save it."""
    session = window.session
    if session.motion is not None:
        window.playback.seek(int(session.motion.num_frames * 0.4))
    if session.editor is not None:
        step = session.editor.num_steps // 2
        session.select(step, 0)
    window.show()
    for _ in range(5):
        app.processEvents()
    window.viewer.view.repaint()
    app.processEvents()
    image = window.grab_window()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(path)):
        raise OSError(f"could not write {path}")


def screenshot_main(app: QApplication, args: argparse.Namespace) -> int:
    """Screenshot mode: a fresh layout and no recovery prompt (not the user's saved state), messages
    on stderr, status 2 on errors."""
    with tempfile.TemporaryDirectory() as tmp:
        window = MainWindow(
            settings=QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat),
            recovery_dir=Path(tmp) / "recovery",
        )
        problems: list[str] = []

        def report(kind: str, title: str, text: str) -> None:
            print(f"rvq-studio: {kind}: {title}: {text}", file=sys.stderr)
            if kind == "error":
                problems.append(text)

        window.reporter.reported.connect(report)
        window.show()
        open_initial(window, args.clip, args.checkpoint)
        try:
            take_screenshot(window, app, args.screenshot)
        except OSError as exc:
            problems.append(str(exc))
            print(f"rvq-studio: error: {exc}", file=sys.stderr)
        window.close()
    return EXIT_ERROR if problems else 0


def freeze_startup_objects() -> None:
    """What is alive once the window is built (modules, classes, the window) is never garbage: frozen,
    it is not scanned again by the collection each background job starts with, which would otherwise
    stall the window for a third of a second with torch loaded."""
    gc.collect()
    gc.freeze()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    app = create_application(sys.argv[:1])
    if args.screenshot is not None:
        return screenshot_main(app, args)
    window = MainWindow()
    freeze_startup_objects()
    window.reporter.install_excepthook()
    window.show()
    open_initial(window, args.clip, args.checkpoint)
    window.playback.play()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
