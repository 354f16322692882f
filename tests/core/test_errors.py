"""The one wording of failures, shared by the CLI (one line) and the app (a dialog)."""

from __future__ import annotations

import subprocess
import sys

import torch

from core.errors import ConfigError, MotionFileError, TrainingError, describe, details, one_line


def test_a_bad_file_is_its_reason_then_the_file():
    exc = MotionFileError("/data/walk.bvh", "truncated at line 12")
    assert describe(exc) == "truncated at line 12\n\nFile: /data/walk.bvh"


def test_a_bad_file_on_one_line_is_the_path_then_the_reason():
    exc = MotionFileError("/data/walk.bvh", "truncated\n  at line 12")
    assert one_line(exc) == "/data/walk.bvh: truncated at line 12"


def test_training_and_setting_failures_are_their_own_message():
    assert describe(TrainingError("loss became nan by step 10")) == "loss became nan by step 10"
    assert one_line(ConfigError("window 10 must be a multiple of 4")) == "window 10 must be a multiple of 4"


def test_running_out_of_memory_advises_a_smaller_batch_or_window():
    for exc in (MemoryError("big"), torch.OutOfMemoryError("CUDA out of memory")):
        assert "smaller batch size or window" in describe(exc)
        assert "\n" not in one_line(exc) and type(exc).__name__ in one_line(exc)


def test_an_os_error_names_the_file_and_the_system_reason():
    exc = PermissionError(13, "Permission denied", "/runs/x")
    assert one_line(exc) == "/runs/x: Permission denied"
    assert describe(exc) == "Permission denied\n\nFile: /runs/x"


def test_an_unexpected_error_names_its_type_and_keeps_its_traceback():
    try:
        raise KeyError("codes")
    except KeyError as exc:
        assert describe(exc) == "KeyError: 'codes'"
        assert "Traceback" in details(exc) and "raise KeyError" in details(exc)


def test_expected_failures_carry_no_traceback():
    for exc in (MotionFileError("x", "y"), ConfigError("z"), TrainingError("w")):
        assert details(exc) == ""


def test_the_wording_module_imports_no_torch():
    code = "import sys, core.errors; print('torch' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
