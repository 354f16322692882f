"""What `rvq-motion COMMAND --help` and the commands' last lines tell a new user: defaults as numbers,
no internal names, and where the files went."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from core.cli.main import SUBCOMMANDS, build_parser, main
from core.train.overrides import FIELDS, preset_defaults
from tests.helpers.paths import DEMO_CHECKPOINT as _DEMO_CHECKPOINT

DEMO_CHECKPOINT = str(_DEMO_CHECKPOINT)
SHORT_CLIP = ("bandai", "dataset-2", "dataset-2_raise-up-both-hands_active_022.bvh")


def _help(command: str) -> str:
    """The command's --help as one line of words (argparse wraps at the terminal's width)."""
    done = subprocess.run(
        [sys.executable, "-m", "core.cli", command, "--help"], capture_output=True, text=True, check=True
    )
    return " ".join(done.stdout.split())


def _commands() -> list[str]:
    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command")
    return list(subparsers.choices)


def test_every_command_is_checked():
    assert len(_commands()) == len(SUBCOMMANDS)


@pytest.mark.parametrize("command", _commands())
def test_no_help_names_a_python_attribute(command):
    assert not re.findall(r"\b[A-Z][a-z]+[A-Z]\w*\.\w+", _help(command))


@pytest.mark.parametrize("command", ["eval", "tokenize"])
def test_the_refinement_step_size_help_gives_the_number(command):
    assert "--refine-lr LR step size of the refinement (default: 0.05," in _help(command)


def test_train_help_gives_every_setting_its_default_in_each_preset():
    text = _help("train")
    for setting in FIELDS:
        assert f"(default: {preset_defaults(setting)})" in text, setting.flag
    assert "--codes N codes per quantizer layer (default: 1024 in seed; 64 in small; 512 in motion-s)" in text
    assert "(default: off in seed, motion-s; on in small)" in text  # a switch reads on / off
    assert "--preset PRESET" in text and "(default: small)" in text


def test_a_default_all_presets_share_is_said_once():
    seed = next(f for f in FIELDS if f.name == "seed")
    assert preset_defaults(seed) == "0"


def test_eval_says_where_it_wrote_the_report_and_the_figures(data_dir, tmp_path, capsys):
    report, figures = tmp_path / "report.html", tmp_path / "eval.json"
    clip = str(data_dir.joinpath(*SHORT_CLIP))
    args = ["eval", "--checkpoint", DEMO_CHECKPOINT, "--data", clip, "--report", str(report)]
    assert main([*args, "--json", str(figures)]) == 0
    out = capsys.readouterr().out
    assert f"wrote the report to {report}" in out and f"wrote the figures to {figures}" in out
    assert report.is_file() and figures.is_file()


def test_eval_markdown_stays_paste_ready(data_dir, tmp_path, capsys):
    report = tmp_path / "report.html"
    clip = str(data_dir.joinpath(*SHORT_CLIP))
    assert (
        main(["eval", "--checkpoint", DEMO_CHECKPOINT, "--data", clip, "--markdown", "--report", str(report)])
        == 0
    )
    captured = capsys.readouterr()
    assert "wrote" not in captured.out and f"wrote the report to {report}" in captured.err
