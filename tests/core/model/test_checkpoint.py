"""Checkpoints: what they hold, what they refuse, and that a killed save never breaks the last one."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch

import core.model.checkpoint
from core.errors import MotionFileError
from core.model.checkpoint import load_checkpoint, resolve_checkpoint_dir, save_checkpoint


@pytest.fixture()
def ckpt_dir(tiny_checkpoint, tmp_path) -> Path:
    """A private copy of the tiny checkpoint, free to damage."""
    return Path(shutil.copytree(resolve_checkpoint_dir(tiny_checkpoint), tmp_path / "ckpt"))


def test_a_checkpoint_restores_the_model_and_everything_needed_to_use_it(ckpt_dir):
    ckpt = load_checkpoint(ckpt_dir)
    assert ckpt.skeleton.num_joints == 22 and ckpt.representation.dim == 22 * 6 + 3
    assert ckpt.normalizer.mean.shape == (ckpt.representation.dim,)
    assert ckpt.fps == 30.0 and ckpt.step == 40 and not ckpt.model.training


def test_a_run_folder_or_a_file_inside_the_checkpoint_both_resolve(tiny_checkpoint, ckpt_dir):
    assert (
        load_checkpoint(tiny_checkpoint).weights_sha256
        == load_checkpoint(ckpt_dir / "model.safetensors").weights_sha256
    )


def test_saving_and_loading_keeps_the_outputs_identical(ckpt_dir, tmp_path):
    ckpt = load_checkpoint(ckpt_dir)
    copy = save_checkpoint(
        tmp_path / "copy", ckpt.model, ckpt.skeleton, ckpt.representation, ckpt.normalizer, ckpt.fps
    )
    x = torch.randn(1, 32, ckpt.representation.dim)
    assert torch.equal(load_checkpoint(copy).model.encode(x), ckpt.model.encode(x))


def test_half_precision_weights_load_as_float32_and_decode_closely(ckpt_dir, tmp_path):
    ckpt = load_checkpoint(ckpt_dir)
    half = save_checkpoint(
        tmp_path / "half",
        ckpt.model,
        ckpt.skeleton,
        ckpt.representation,
        ckpt.normalizer,
        ckpt.fps,
        half=True,
    )
    tokens = torch.zeros(1, 8, 3, dtype=torch.long)
    np.testing.assert_allclose(
        load_checkpoint(half).model.decode(tokens).detach(), ckpt.model.decode(tokens).detach(), atol=2e-2
    )


def test_an_existing_checkpoint_is_never_overwritten(ckpt_dir):
    ckpt = load_checkpoint(ckpt_dir)
    with pytest.raises(FileExistsError):
        save_checkpoint(ckpt_dir, ckpt.model, ckpt.skeleton, ckpt.representation, ckpt.normalizer, ckpt.fps)


def test_damaged_weights_are_refused_as_corrupt(ckpt_dir):
    weights = ckpt_dir / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(MotionFileError, match="corrupt"):
        load_checkpoint(ckpt_dir)


def test_a_checkpoint_for_another_feature_width_is_refused(ckpt_dir):
    meta_path = ckpt_dir / "checkpoint.json"
    meta = json.loads(meta_path.read_text())
    meta["model"]["input_dim"] = 330
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(MotionFileError, match="width"):
        load_checkpoint(ckpt_dir)


def test_a_folder_without_a_checkpoint_says_so(tmp_path):
    with pytest.raises(MotionFileError, match="not a checkpoint"):
        load_checkpoint(tmp_path)


WRITER = """
import sys, time
from pathlib import Path
from core.model.checkpoint import load_checkpoint, save_checkpoint
from core.model import RVQVAE
from dataclasses import replace
src = load_checkpoint(sys.argv[1])
big = RVQVAE(replace(src.config, width=768))
run = Path(sys.argv[2])
for i in range(1000):
    print("saving", flush=True)
    save_checkpoint(run / f"step-{i:04d}", big, src.skeleton, src.representation, src.normalizer, src.fps, step=i)
    (run / "latest.tmp").write_text(f"step-{i:04d}")
    (run / "latest.tmp").replace(run / "latest")
"""


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.0, 0.05, 0.15])
def test_a_process_killed_mid_save_leaves_the_previous_checkpoint_loadable(tiny_checkpoint, tmp_path, delay):
    run = tmp_path / "run"
    run.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(tiny_checkpoint), str(run)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "saving"
    while not (run / "latest").exists():
        time.sleep(0.01)
    assert proc.stdout.readline().strip() == "saving"
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert load_checkpoint(run).config.width == 768
    assert all(not p.name.startswith("step-") or (p / "checkpoint.json").exists() for p in run.iterdir())


# --- hand-edited or damaged descriptions (each case below once escaped as another exception type) ----------


def edit_description(folder: Path, keys: tuple, raw: str) -> None:
    """Put raw JSON text (which json.dumps cannot write, e.g. 1e400) at ``keys``; the weights hash stays valid."""
    meta = json.loads((folder / "checkpoint.json").read_text())
    node = meta
    for key in keys[:-1]:
        node = node[key]
    node[keys[-1]] = "\u0000"
    (folder / "checkpoint.json").write_text(json.dumps(meta).replace(json.dumps("\u0000"), raw))


BAD_DESCRIPTIONS = {
    # ValueError, TypeError, OverflowError or AttributeError before (found by test_fuzz_loaders).
    "step not a number": (("step",), '"abc"'),
    "step a list": (("step",), "[1]"),
    "step 1e400": (("step",), "1e400"),
    "parent beyond int64": (("skeleton", "parents", 3), "1" + "0" * 30),
    "parent -1e400": (("skeleton", "parents", 3), "-1e400"),
    "end sites a list": (("skeleton", "end_sites"), "[1, 2]"),
    "representation a list": (("representation",), "[]"),
    "mean beyond float": (("normalizer", "mean", 0), "1" + "0" * 400),
}


@pytest.mark.parametrize(("keys", "raw"), BAD_DESCRIPTIONS.values(), ids=BAD_DESCRIPTIONS.keys())
def test_bad_values_in_the_description_are_refused_naming_it(ckpt_dir, keys, raw):
    edit_description(ckpt_dir, keys, raw)
    with pytest.raises(MotionFileError, match="invalid checkpoint description") as caught:
        load_checkpoint(ckpt_dir)
    assert caught.value.path == str(ckpt_dir / "checkpoint.json")


def test_a_description_nested_too_deep_to_parse_is_refused(ckpt_dir):
    """RecursionError from the JSON parser before."""
    (ckpt_dir / "checkpoint.json").write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(MotionFileError, match="unreadable checkpoint description"):
        load_checkpoint(ckpt_dir)


@pytest.mark.parametrize("fps", ["-30", "0", "NaN", "Infinity"])
def test_a_frame_rate_that_is_not_positive_is_refused(ckpt_dir, fps):
    """Every motion loader refuses such a rate; a checkpoint used to hand it on to the clips it decodes."""
    edit_description(ckpt_dir, ("fps",), fps)
    with pytest.raises(MotionFileError, match="fps must be a positive number"):
        load_checkpoint(ckpt_dir)


@pytest.mark.parametrize(
    ("field", "value"), [("width", 10**9), ("width", 4096), ("nb_code", 10**9), ("depth", 10**9)]
)
def test_a_model_size_the_weights_do_not_back_is_refused_before_building_it(
    ckpt_dir, monkeypatch, field, value
):
    """Torch used to allocate it (width 1e9: RuntimeError; width 4096: 400 MB, then a shape mismatch) or loop
    building 1e9 layers; now the config is compared with the weights' shapes on the meta device first."""
    built = []
    real = core.model.checkpoint.RVQVAE

    def spy(config):
        built.append(torch.get_default_device().type)
        return real(config)

    monkeypatch.setattr(core.model.checkpoint, "RVQVAE", spy)
    edit_description(ckpt_dir, ("model", field), str(value))
    with pytest.raises(MotionFileError, match="weights do not match the model config") as caught:
        load_checkpoint(ckpt_dir)
    assert caught.value.path == str(ckpt_dir / "model.safetensors")
    assert set(built) <= {"meta"}


@pytest.mark.parametrize("pointer", [b"\xff\xfe", b"x" * 5000], ids=["not UTF-8", "name too long"])
def test_a_run_folder_with_an_unreadable_latest_pointer_is_refused(tiny_checkpoint, tmp_path, pointer):
    """UnicodeDecodeError or OSError before (found by test_fuzz_loaders)."""
    run = Path(shutil.copytree(tiny_checkpoint, tmp_path / "run"))
    (run / "latest").write_bytes(pointer)
    with pytest.raises(MotionFileError, match="not a checkpoint") as caught:
        load_checkpoint(run)
    assert caught.value.path == str(run)
