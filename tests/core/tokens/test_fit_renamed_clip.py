"""A clip whose converter named the checkpoint's tree otherwise (same shape, same order) opens, tokenizes
and evaluates through fit_clip with a notice naming the pairs; its tokens are the original's."""

from __future__ import annotations

import numpy as np
import pytest

from core.cli.main import main
from core.errors import MotionFileError
from core.formats import load_motion
from core.model.checkpoint import load_checkpoint
from core.session.opening import CLIP, prepare
from core.tokens.codec import fit_clip, renaming_notice, tokenize
from core.train.driver import TrainingRequest, run_training
from core.train.overrides import TrainOverrides
from tests.helpers.bvh_fixtures import renamed_copy

CMU = ("cmu_iclone", "subjects", "002", "002_04.bvh")
LEGS = {"CC_Base_L_Thigh": "LeftHip", "CC_Base_L_Calf": "LeftKnee", "CC_Base_L_Foot": "LeftAnkle"}


@pytest.fixture(scope="module")
def cmu(data_dir, tmp_path_factory):
    """A tiny checkpoint trained on the real CMU clip, the clip, and a copy with renamed legs."""
    folder = tmp_path_factory.mktemp("cmu-ckpt")
    source = data_dir.joinpath(*CMU)
    quick = TrainOverrides(steps=2, batch_size=2, window=16, nb_code=8, log_every=1, checkpoint_every=2)
    request = TrainingRequest((source,), folder / "run", overrides=quick, device="cpu", tensorboard=False)
    for _ in run_training(request):
        pass
    renamed = renamed_copy(source, folder / "002_04_legs.bvh", LEGS)
    return load_checkpoint(folder / "run"), source, renamed


def test_a_renamed_clip_fits_with_a_notice_naming_the_pairs(cmu):
    ckpt, _, renamed = cmu
    fitted = fit_clip(ckpt, load_motion(renamed))
    assert fitted.skeleton.joint_names == ckpt.skeleton.joint_names
    assert renaming_notice(fitted).endswith(
        "matched by position: LeftHip = CC_Base_L_Thigh, LeftKnee = CC_Base_L_Calf, LeftAnkle = CC_Base_L_Foot"
    )


def test_its_tokens_are_the_originals(cmu):
    ckpt, source, renamed = cmu
    np.testing.assert_array_equal(tokenize(ckpt, load_motion(renamed)), tokenize(ckpt, load_motion(source)))


def test_a_clip_named_like_the_checkpoint_gets_no_notice(cmu):
    ckpt, source, _ = cmu
    assert renaming_notice(fit_clip(ckpt, load_motion(source))) == ""


def test_by_name_only_it_is_refused(cmu):
    ckpt, _, renamed = cmu
    with pytest.raises(MotionFileError, match="LeftHip"):
        fit_clip(ckpt, load_motion(renamed), by_position=False)


def test_opening_it_in_the_app_carries_the_notice(cmu):
    ckpt, _, renamed = cmu
    opening = prepare(load_motion(renamed), renamed, ckpt, CLIP)
    assert opening.mismatch is None and opening.reconstruction is not None
    assert "LeftHip = CC_Base_L_Thigh" in opening.notice


def test_eval_and_tokenize_accept_it_and_say_so(cmu, tmp_path, capsys):
    ckpt, _, renamed = cmu
    assert main(["eval", "--checkpoint", str(ckpt.path), "--data", str(renamed)]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("1 clips,") and captured.err.count("matched by position") == 1
    assert (
        main(["tokenize", "--checkpoint", str(ckpt.path), str(renamed), "--out", str(tmp_path / "t.npy")])
        == 0
    )
    assert "LeftHip = CC_Base_L_Thigh" in capsys.readouterr().err
