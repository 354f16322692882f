"""Every window command declared once: its text, keys, tip and menu place.

The menus, the shortcuts and Help > Keyboard shortcuts are all built from :data:`ACTIONS` and
:data:`MENUS`, so a command can not be bound in one place and missing in another. What a command
does is wired by name in the main window; commands owned by a view (the 3D view's toggles) or by Qt
(a dock's show/hide) enter the menus by name too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar, QStyle, QWidget

from app.style.commands import ActionSpec, make_action

SP = QStyle.StandardPixmap
ACTIONS: dict[str, ActionSpec] = {
    "open_clip": ActionSpec(
        "Open clip…",
        QKeySequence.StandardKey.Open,
        "Open a .bvh, SMPL-X .npz or HumanML3D .npy clip",
        SP.SP_DialogOpenButton,
    ),
    "open_checkpoint": ActionSpec(
        "Open checkpoint…", "Ctrl+Shift+O", "Open a checkpoint folder or a run folder", SP.SP_DirOpenIcon
    ),
    "load_tokens": ActionSpec("Load tokens…", "Ctrl+L", "Load saved (edited) tokens of this clip"),
    "save_tokens": ActionSpec(
        "Save tokens…",
        QKeySequence.StandardKey.Save,
        "Save the current tokens (.npy and .json)",
        SP.SP_DialogSaveButton,
    ),
    "export": ActionSpec("Export decoded motion…", "Ctrl+E", "Save the reconstruction as BVH or SMPL-X .npz"),
    "export_video": ActionSpec("Export video…", "Ctrl+Shift+E", "Save the comparison as an MP4 or GIF video"),
    "quit": ActionSpec("Quit", QKeySequence.StandardKey.Quit, "Quit RVQ Motion Studio"),
    "undo": ActionSpec("Undo", QKeySequence.StandardKey.Undo, "Undo the last token edit"),
    "redo": ActionSpec("Redo", "Ctrl+Shift+Z", "Redo the token edit"),
    "copy": ActionSpec(
        "Copy steps", QKeySequence.StandardKey.Copy, "Copy the selected token steps (all layers)"
    ),
    "paste": ActionSpec(
        "Paste steps",
        QKeySequence.StandardKey.Paste,
        "Paste copied steps at the selected step (works across clips)",
    ),
    "interpolate": ActionSpec(
        "Interpolate steps",
        "Ctrl+I",
        "Re-code the steps between the selected range's ends from a straight path between their latents",
    ),
    "reset_selection": ActionSpec(
        "Reset selection", ("Delete", "Backspace"), "Give the selected steps back the encoder's codes"
    ),
    "reset_all": ActionSpec(
        "Reset all edits", "Ctrl+Shift+Backspace", "Give every step back the encoder's codes"
    ),
    "refine": ActionSpec(
        "Refine codes",
        "Ctrl+R",
        "Search, in the background, for codes that decode closer to the clip (analysis by synthesis)",
    ),
    "clear_selection": ActionSpec("Clear selection", "Escape", "Deselect the token"),
    "more_layers": ActionSpec("More layers", ".", "Decode with one more quantizer layer"),
    "fewer_layers": ActionSpec("Fewer layers", ",", "Decode with one quantizer layer fewer"),
    "zoom_in": ActionSpec("Zoom timeline in", QKeySequence.StandardKey.ZoomIn),
    "zoom_out": ActionSpec("Zoom timeline out", QKeySequence.StandardKey.ZoomOut),
    "fit": ActionSpec("Fit timeline", "Ctrl+0"),
    "checkpoint_b": ActionSpec(
        "Compare with checkpoint B…",
        "Ctrl+Shift+B",
        "Draw a second checkpoint's reconstruction of the clip as a third skeleton, with its error",
    ),
    "close_checkpoint_b": ActionSpec("Close checkpoint B", None, "Stop drawing checkpoint B"),
    "play": ActionSpec("Play", "Space", "Play or pause"),
    "previous_frame": ActionSpec("Previous frame", "Left", "One frame back"),
    "next_frame": ActionSpec("Next frame", "Right", "One frame forward"),
    "first_frame": ActionSpec("First frame", "Home"),
    "last_frame": ActionSpec("Last frame", "End"),
    "slower": ActionSpec("Slower", "[", "Halve the playback speed"),
    "faster": ActionSpec("Faster", "]", "Double the playback speed"),
    "loop": ActionSpec("Loop", "L", "Start again at the end", checkable=True),
    "shortcuts": ActionSpec("Keyboard shortcuts", QKeySequence.StandardKey.HelpContents),
    "about": ActionSpec("About RVQ Motion Studio"),
}

MENUS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "&File",
        (
            "open_clip",
            "open_checkpoint",
            "recent",
            "-",
            "load_tokens",
            "save_tokens",
            "export",
            "export_video",
            "-",
            "quit",
        ),
    ),
    (
        "&Edit",
        (
            "undo",
            "redo",
            "-",
            "copy",
            "paste",
            "interpolate",
            "-",
            "refine",
            "-",
            "reset_selection",
            "reset_all",
            "clear_selection",
        ),
    ),
    (
        "&View",
        (
            "align_roots",
            "overlay",
            "follow",
            "root_paths",
            "ghost",
            "meshes",
            "smplx_folder",
            "reset_camera",
            "-",
            "checkpoint_b",
            "close_checkpoint_b",
            "-",
            "more_layers",
            "fewer_layers",
            "device",
            "-",
            "zoom_in",
            "zoom_out",
            "fit",
            "-",
            "tokens_dock",
            "editor_dock",
            "training_dock",
            "analysis_dock",
            "dataset_dock",
        ),
    ),
    (
        "&Playback",
        (
            "play",
            "previous_frame",
            "next_frame",
            "first_frame",
            "last_frame",
            "-",
            "slower",
            "faster",
            "loop",
        ),
    ),
    ("&Help", ("shortcuts", "about")),
)
"""Menu titles and their entries by name; "-" is a separator, "recent" the File > Open recent submenu."""


def create_actions(window: QWidget, slots: Mapping[str, Callable[..., object]]) -> dict[str, QAction]:
    """One QAction per :data:`ACTIONS` entry, added to ``window`` (so its keys work anywhere in it) and
    connected to ``slots[name]``: ``toggled(bool)`` for checkable ones, ``triggered`` otherwise."""
    actions = {}
    for name, spec in ACTIONS.items():
        action = make_action(window, spec)
        slot = slots[name]
        if spec.checkable:
            action.toggled.connect(slot)
        else:
            action.triggered.connect(lambda _checked=False, slot=slot: slot())
        actions[name] = action
    return actions


def fill_menus(bar: QMenuBar, actions: Mapping[str, QAction], submenus: Mapping[str, QMenu]) -> None:
    """The menu bar from :data:`MENUS`; ``actions`` holds the window's, the views' and the docks' actions,
    ``submenus`` the menus built elsewhere (recent files, compute device)."""
    for title, entries in MENUS:
        menu = bar.addMenu(title)
        for entry in entries:
            if entry == "-":
                menu.addSeparator()
            elif entry in submenus:
                menu.addMenu(submenus[entry])
            else:
                menu.addAction(actions[entry])
