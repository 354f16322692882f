"""Datasets as they ship and at full size: which clips a command uses, what a dataset root holds, and
reading many clips into features.

:func:`core.datasets.selection.select_clips` turns folders, a split and speakers into a
:class:`~core.datasets.selection.Selection` (the files, sorted, and how they were chosen);
:func:`core.datasets.inventory.describe_dataset` counts a root's clips, frames and hours per split from
file headers alone (what ``rvq-motion info DIR`` prints). One module per layout: HumanML3D and KIT-ML
(``humanml3d_root``), BEAT2 (``beat2_root``), AMASS (``amass_root``), plain folders and files (``folder``).
:func:`core.datasets.reader.read_files` reads files into features in worker processes, through the
feature cache on disk (``cache``); ``rows`` grows the one contiguous array training keeps.
Listing and counting need no torch; reading features does (the representations are torch's).
"""
