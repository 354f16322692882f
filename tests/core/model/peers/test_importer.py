"""Importing tokenizers other projects trained (core.model.peers): parity with the peers' own outputs,
the safe loader, the plan's fields and sources, the CLI, and fine-tuning an import.

The fixtures in ../shared/peer_tokenizers were saved by MoMask's, SynTalker's, GestureLSM's and
T2M-GPT's own code, with the tokens and reconstructions their code makes of a fixed input
(reference/README.json says how). Lengths: the project pads a clip to a multiple of 2**down_t frames
by repeating its last frame, where the peers floor; every reference input is already a multiple of 4
frames (196 and 256), so the two agree and the comparison is exact.
"""

from __future__ import annotations

import argparse
import os
import shutil
import zipfile
from pathlib import Path, PurePosixPath

import numpy as np
import pytest
import torch

from core.cli.main import main
from core.errors import MotionFileError
from core.formats import load_motion
from core.formats.humanml3d import humanml3d_motion, recover_from_ric
from core.model.checkpoint import load_checkpoint
from core.model.peers import momask_opt
from core.model.peers.ema import grace_count
from core.model.peers.importer import ImportPlan, is_peer_checkpoint, plan_import, write_import
from core.model.peers.safe_load import load_peer_pickle
from core.model.peers.sidecars import parse_opt_txt
from core.tokens.codec import decode_features, tokenize
from tests.helpers.paths import PEERS

FIXTURES = {
    "momask": ("momask/t2m/rvq_small_w128_dc64_nc128", "model/net_best_fid.tar"),
    "syntalker": ("syntalker/rvq_upper", "net_300.pth"),
    "gesturelsm": ("gesturelsm/rvq_upper", "net_300.pth"),
    "t2mgpt": ("t2mgpt/vq", "net_last.pth"),
}
RELATIVE_TOLERANCE = {"momask": 1e-4, "syntalker": 1e-4, "gesturelsm": 1e-3, "t2mgpt": 1e-4}
"""Largest reconstruction error over the reference's largest magnitude (GestureLSM's codebooks are
folded through its projection, which rounds differently)."""
BEAT2_CLIP = "beat2/2_scott_0_1_1.npz"


def fixture_file(family: str) -> Path:
    folder, name = FIXTURES[family]
    return PEERS / folder / name


def reference(family: str, name: str) -> np.ndarray:
    return np.load(PEERS / FIXTURES[family][0] / "reference" / f"{name}.npy")


@pytest.fixture(scope="session")
def peers() -> Path:
    if not PEERS.is_dir():
        pytest.skip(f"peer tokenizer fixtures not found at {PEERS}")
    return PEERS


@pytest.fixture(scope="session")
def beat2_stats(data_dir: Path) -> tuple[Path, Path]:
    folder = data_dir / "beat2" / "mean_std"
    return folder / "beatx_2_330_mean.npy", folder / "beatx_2_330_std.npy"


def plan_for(family: str, beat2_stats: tuple[Path, Path]) -> ImportPlan:
    stats = beat2_stats if family in ("syntalker", "gesturelsm") else ()
    return plan_import(fixture_file(family), stats=stats)


@pytest.fixture(scope="module")
def imported(peers: Path, beat2_stats: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("imported")
    return {family: write_import(plan_for(family, beat2_stats), out / family) for family in FIXTURES}


def codes_grid(family: str) -> np.ndarray:
    codes = reference(family, "codes")
    return codes.reshape(len(codes), -1)


# --- parity with the peers' own outputs ------------------------------------------------------------------


@pytest.mark.parametrize("family", FIXTURES)
def test_the_imported_model_gives_the_peers_tokens_and_reconstruction(imported: dict, family: str) -> None:
    ckpt = load_checkpoint(imported[family])
    features = ckpt.normalizer.normalize(reference(family, "input_features"))
    with torch.no_grad():
        tokens = ckpt.model.encode(torch.from_numpy(features)[None])[0].numpy()
    np.testing.assert_array_equal(tokens, codes_grid(family))
    expected = reference(family, "recon_features")
    recon = decode_features(ckpt, codes_grid(family))
    error = np.abs(recon - expected).max() / np.abs(expected).max()
    print(f"{family}: tokens identical, reconstruction max error {error:.2e} of the largest value")
    assert error <= RELATIVE_TOLERANCE[family]


@pytest.mark.parametrize("family", ["momask", "syntalker"])
def test_decoding_the_first_k_layers_matches_the_peer(imported: dict, family: str) -> None:
    ckpt = load_checkpoint(imported[family])
    by_layers = reference(family, "recon_features_by_layers")
    worst = 0.0
    for k in range(1, len(by_layers) + 1):
        recon = decode_features(ckpt, codes_grid(family)[:, :k], layers_used=k)
        worst = max(worst, float(np.abs(recon - by_layers[k - 1]).max() / np.abs(by_layers[k - 1]).max()))
    print(f"{family}: 1..{len(by_layers)} layers, max error {worst:.2e} of the largest value")
    assert worst <= RELATIVE_TOLERANCE[family]


def test_momask_joints_recovered_from_the_reconstruction_match_within_a_millimetre(imported: dict) -> None:
    recon = decode_features(load_checkpoint(imported["momask"]), codes_grid("momask"))
    joints = recover_from_ric(recon.astype(np.float64))
    error = np.abs(joints - reference("momask", "recon_joints")).max()
    print(f"momask: recovered joints within {error * 1000:.4f} mm")
    assert error < 1e-3
    np.testing.assert_allclose(
        recover_from_ric(reference("momask", "input_features").astype(np.float64)),
        reference("momask", "input_joints"),
        atol=1e-4,
    )


@pytest.mark.parametrize("family", ["momask", "t2mgpt"])
def test_tokenizing_the_humanml3d_clip_through_the_codec_gives_the_reference_codes(
    imported: dict, family: str
) -> None:
    ckpt = load_checkpoint(imported[family])
    motion = humanml3d_motion(reference(family, "input_features"), {"path": "000612.npy"})
    np.testing.assert_array_equal(tokenize(ckpt, motion), codes_grid(family))


@pytest.mark.parametrize("family", ["syntalker", "gesturelsm"])
def test_tokenizing_the_beat2_clip_through_the_codec_gives_the_reference_codes(
    imported: dict, family: str, data_dir: Path
) -> None:
    """The reference input is the last 256 frames of the BEAT2 clip, as 6D rotations of the part."""
    ckpt = load_checkpoint(imported[family])
    clip = load_motion(data_dir / BEAT2_CLIP)
    clip = clip.slice(clip.num_frames - 256, clip.num_frames)
    features = ckpt.representation.features(ckpt.representation.fit(clip, ckpt.skeleton))
    np.testing.assert_allclose(features, reference(family, "input_features"), atol=1e-5)
    np.testing.assert_array_equal(tokenize(ckpt, clip), codes_grid(family))


# --- what the plan says ----------------------------------------------------------------------------------


@pytest.mark.parametrize("family", FIXTURES)
def test_the_family_and_the_sizes_are_read_from_the_tensors(
    peers: Path, beat2_stats: tuple[Path, Path], family: str
) -> None:
    plan = plan_for(family, beat2_stats)
    assert plan.family == family and plan.value("family") == family
    sizes = {"width": 128, "code_dim": 64, "nb_code": 128, "num_quantizers": 1 if family == "t2mgpt" else 6}
    sizes["depth"] = 2 if family in ("momask", "t2mgpt") else 3
    for name, value in sizes.items():
        assert plan.get(name).value == value and plan.get(name).source == "inferred from shapes"
    assert plan.value("shared_codebook") is False and plan.value("norm") is None
    assert plan.value("input_dim") == (263 if family in ("momask", "t2mgpt") else 78)
    assert not plan.get("width").editable and plan.get("dilation_growth_rate").editable


def test_momask_takes_the_growth_rate_from_opt_txt_and_the_statistics_verbatim_from_meta(
    peers: Path, imported: dict
) -> None:
    plan = plan_import(PEERS / FIXTURES["momask"][0])  # the run folder
    assert plan.source == fixture_file("momask")
    assert (plan.value("dilation_growth_rate"), plan.get("dilation_growth_rate").source) == (2, "opt.txt")
    assert plan.get("normalisation").source == "meta/"
    meta = PEERS / FIXTURES["momask"][0] / "meta"
    ckpt = load_checkpoint(imported["momask"])
    np.testing.assert_array_equal(ckpt.normalizer.std, np.load(meta / "std.npy"))
    np.testing.assert_array_equal(ckpt.normalizer.mean, np.load(meta / "mean.npy"))
    assert (ckpt.fps, ckpt.representation.kind, ckpt.skeleton.num_joints) == (20.0, "humanml3d", 22)
    record = ckpt.extra["imported_from"]
    assert record["family"] == "momask" and len(record["sha256"]) == 64
    assert record["fields"]["dilation_growth_rate"] == [2, "opt.txt"]


def test_meta_statistics_are_never_floored(peers: Path, tmp_path: Path) -> None:
    """MoMask divides the std of the root and foot-contact channels (docs 2.1): whatever meta/ holds is used."""
    run = tmp_path / "run"
    shutil.copytree(PEERS / FIXTURES["momask"][0], run, ignore=shutil.ignore_patterns("reference"))
    std = np.load(run / "meta" / "std.npy")
    std[[0, 259]] = [1e-5, 2e-4]
    np.save(run / "meta" / "std.npy", std)
    np.testing.assert_array_equal(plan_import(run).normalizer.std, std)


def test_without_opt_txt_the_growth_rate_is_assumed_and_can_be_corrected(peers: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(PEERS / FIXTURES["momask"][0], run, ignore=shutil.ignore_patterns("opt.txt", "reference"))
    plan = plan_import(run)
    assert plan.value("dilation_growth_rate") == 3 and plan.get("dilation_growth_rate").source.startswith(
        "assumed"
    )
    wrong = load_checkpoint(write_import(plan, tmp_path / "wrong"))
    motion = humanml3d_motion(reference("momask", "input_features"))
    assert not np.array_equal(tokenize(wrong, motion), codes_grid("momask"))
    fixed = plan.with_values(dilation_growth_rate=2)
    assert fixed.get("dilation_growth_rate").source == "option"
    np.testing.assert_array_equal(
        tokenize(load_checkpoint(write_import(fixed, tmp_path / "ok")), motion), codes_grid("momask")
    )
    with pytest.raises(ValueError, match="cannot be changed"):
        plan.with_values(width=64)
    with pytest.raises(ValueError):
        plan.with_values(activation="tanh")
    with pytest.raises(ValueError):
        plan.with_values(dilation_growth_rate="2")


def test_a_run_log_beside_the_checkpoint_is_read(
    peers: Path, beat2_stats: tuple[Path, Path], tmp_path: Path
) -> None:
    shutil.copy(fixture_file("syntalker"), tmp_path / "net_300.pth")
    (tmp_path / "run.log").write_text(
        '2024-05-01 10:00:00,000 INFO {\n    "dilation_growth_rate": 3,\n    "vq_act": "relu",\n    "nb_code": 128\n}\n'
        "2024-05-01 10:00:01,000 INFO Training start\n"
    )
    plan = plan_import(tmp_path / "net_300.pth", stats=beat2_stats)
    assert plan.get("dilation_growth_rate").source == "run.log" and plan.get("activation").source == "run.log"


def test_opt_txt_is_read_as_momask_reads_it(tmp_path: Path) -> None:
    opt = tmp_path / "opt.txt"
    opt.write_bytes(
        b"------------ Options -------------\nnb_code: 512\nmu: 0.99\nshared_codebook: False\nvq_norm: None\n"
        b"lr_scheduler: [150000, 250000]\nlr: 2e-05\nname: a: b\nno separator\n\xff\xfe\n-------------- End ----------------\n"
    )
    options = parse_opt_txt(opt)
    assert options["nb_code"] == 512 and options["mu"] == 0.99 and options["shared_codebook"] is False
    assert options["vq_norm"] == "None" and options["lr"] == "2e-05" and options["name"] == "a: b"


def test_opt_txt_signed_numbers_are_numbers_as_get_opt_strips_the_sign_first() -> None:
    options = momask_opt.parse("quantize_dropout_cutoff_index: -3\nbias: -0.5\nseed: +7\n")
    assert options == {"quantize_dropout_cutoff_index": -3, "bias": -0.5, "seed": 7}


def test_opt_txt_written_here_reads_back_the_same_values() -> None:
    options = {"nb_code": 512, "mu": 0.99, "lr": 2e-05, "vq_norm": None, "offset": -3, "name": "rvq"}
    back = momask_opt.parse(momask_opt.format_options(options))
    assert back == {**options, "vq_norm": "None"}


def test_statistics_are_required_and_the_error_names_the_option(peers: Path, tmp_path: Path) -> None:
    with pytest.raises(MotionFileError, match="--stats MEAN STD") as caught:
        plan_import(fixture_file("syntalker"))
    assert caught.value.path == str(fixture_file("syntalker"))
    shutil.copy(fixture_file("t2mgpt"), tmp_path / "net_last.pth")
    with pytest.raises(MotionFileError, match="--stats"):
        plan_import(tmp_path / "net_last.pth")


def test_a_body_part_that_does_not_fit_the_width_is_refused(
    peers: Path, beat2_stats: tuple[Path, Path]
) -> None:
    with pytest.raises(MotionFileError, match="180 features"):
        plan_import(fixture_file("syntalker"), body_part="hands", stats=beat2_stats)
    plan = plan_import(fixture_file("syntalker"), body_part="upper", stats=beat2_stats)
    assert plan.get("body_part").source == "option"


def test_a_family_the_keys_contradict_is_refused(peers: Path) -> None:
    with pytest.raises(MotionFileError, match="t2mgpt's layout"):
        plan_import(fixture_file("t2mgpt"), family="gesturelsm")


def test_peer_checkpoints_are_recognised_for_file_open(peers: Path, tmp_path: Path) -> None:
    assert all(is_peer_checkpoint(fixture_file(f)) for f in FIXTURES)
    assert is_peer_checkpoint(PEERS / FIXTURES["momask"][0])
    assert not is_peer_checkpoint(PEERS / FIXTURES["syntalker"][0])
    assert not is_peer_checkpoint(tmp_path / "clip.npz") and not is_peer_checkpoint(tmp_path)


# --- configurations the fixtures do not cover, built from the key schema ----------------------------------


def peer_file_from_our_model(folder: Path, config_changes: dict, shared: bool = False) -> tuple[Path, object]:
    """A MoMask-style ``{'net': state_dict}`` written from one of our models (the EMA buffers dropped, Q
    aliases of a shared codebook), with HumanML3D statistics in meta/ beside it."""
    from core.model import RVQVAE, RVQVAEConfig

    config = RVQVAEConfig(
        input_dim=263, width=64, code_dim=32, nb_code=16, num_quantizers=3, depth=2, **config_changes
    )
    model = RVQVAE(config).eval()
    for layer in model.quantizer.layers:
        layer.codebook.normal_()
    state = {
        k: v
        for k, v in model.state_dict().items()
        if not k.endswith(("code_sum", "code_count", "initialized"))
    }
    if shared:
        for q in range(1, config.num_quantizers):
            state[f"quantizer.layers.{q}.codebook"] = state["quantizer.layers.0.codebook"]
    folder.mkdir(parents=True, exist_ok=True)
    torch.save({"net": state}, folder / "net.pth")
    (folder / "meta").mkdir()
    np.save(folder / "meta" / "mean.npy", np.zeros(263, np.float32))
    np.save(folder / "meta" / "std.npy", np.ones(263, np.float32))
    return folder / "net.pth", model


@pytest.mark.parametrize(
    ("changes", "shared", "norm_source"),
    [
        ({"norm": "BN"}, False, "inferred from shapes"),
        ({"norm": "LN"}, False, "assumed"),
        ({}, True, "inferred from shapes"),
    ],
)
def test_batch_norm_layer_norm_and_shared_codebooks_round_trip(
    tmp_path: Path, changes: dict, shared: bool, norm_source: str
) -> None:
    path, model = peer_file_from_our_model(tmp_path / "peer", changes | {"shared_codebook": shared}, shared)
    plan = plan_import(path)
    assert plan.value("shared_codebook") is shared and plan.get("norm").source.startswith(norm_source)
    ckpt = load_checkpoint(write_import(plan, tmp_path / "ckpt"))
    x = torch.randn(1, 32, 263)
    with torch.no_grad():
        torch.testing.assert_close(ckpt.model.encode(x), model.encode(x))


# --- the safe loader -------------------------------------------------------------------------------------


class _Payload:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple:
        return (os.system, (f"touch {self.marker}",))


def test_a_pickle_naming_a_forbidden_global_is_refused_by_name_and_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    path = tmp_path / "evil.pth"
    torch.save({"net": _Payload(marker)}, path)
    with pytest.raises(MotionFileError, match="system") as caught:
        load_peer_pickle(path)
    assert caught.value.path == str(path) and not marker.exists()
    torch.save({"net": {}, "path": PurePosixPath("x")}, path)  # harmless, but not a tokenizer's business
    with pytest.raises(MotionFileError, match="pathlib.PurePosixPath"):
        load_peer_pickle(path)


def test_options_and_numpy_arrays_load_through_the_allowlist(tmp_path: Path) -> None:
    path = tmp_path / "ok.tar"
    torch.save(
        {"net": {"w": torch.ones(2)}, "args": argparse.Namespace(nb_code=512), "mean": np.arange(3.0)}, path
    )
    data = load_peer_pickle(path)
    assert data["args"].nb_code == 512 and data["mean"].tolist() == [0.0, 1.0, 2.0]


def _zip_with(path: Path, source: Path, rename: dict | None = None, compress: bool = False) -> None:
    with zipfile.ZipFile(source) as archive:
        entries = [(i.filename, archive.read(i.filename)) for i in archive.infolist()]
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(path, "w", method) as out:
        for name, data in entries:
            out.writestr(name, data)
        for old, new in (rename or {}).items():
            out.writestr(new, dict(entries)[old])


@pytest.mark.parametrize(
    "damage", ["truncated", "legacy", "not a zip", "two pickles", "compressed", "a list"]
)
def test_damaged_or_foreign_containers_are_a_motion_file_error_naming_the_file(
    peers: Path, tmp_path: Path, damage: str
) -> None:
    path = tmp_path / "bad.pth"
    seed = fixture_file("t2mgpt")
    if damage == "truncated":
        path.write_bytes(seed.read_bytes()[: seed.stat().st_size // 2])
    elif damage == "legacy":
        torch.save({"net": {"w": torch.ones(2)}}, path, _use_new_zipfile_serialization=False)
    elif damage == "not a zip":
        path.write_bytes(b"not a checkpoint at all")
    elif damage == "two pickles":
        _zip_with(path, seed, rename={"net_last/data.pkl": "other/data.pkl"})
    elif damage == "compressed":
        _zip_with(path, seed, compress=True)
    else:
        torch.save([torch.ones(2)], path)
    with pytest.raises(MotionFileError) as caught:
        plan_import(path)
    assert caught.value.path == str(path) and caught.value.reason
    if damage == "legacy":
        assert "legacy" in caught.value.reason


def test_files_over_the_size_gate_are_refused_before_reading(
    peers: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import core.model.peers.safe_load as safe_load

    monkeypatch.setattr(safe_load, "MAX_BYTES", 1000)
    with pytest.raises(MotionFileError, match="at most"):
        load_peer_pickle(fixture_file("t2mgpt"))


@pytest.mark.parametrize("damage", ["nan", "shape", "dtype", "missing"])
def test_bad_weights_are_a_motion_file_error_naming_the_file(
    peers: Path, tmp_path: Path, damage: str
) -> None:
    state = dict(load_peer_pickle(fixture_file("t2mgpt"))["net"])
    key = "vqvae.decoder.model.6.weight"
    if damage == "nan":
        state[key] = state[key].clone()
        state[key][0, 0, 0] = float("nan")
    elif damage == "shape":
        state[key] = state[key][:100]
    elif damage == "dtype":
        state[key] = state[key].long()
    else:
        del state["vqvae.decoder.model.4.bias"]
    path = tmp_path / "net_last.pth"
    torch.save({"net": state}, path)
    shutil.copytree(PEERS / FIXTURES["t2mgpt"][0] / "meta", tmp_path / "meta")
    with pytest.raises(MotionFileError) as caught:
        plan_import(path)
    assert caught.value.path == str(path)
    assert {"nan": "NaN", "shape": "differ", "dtype": "int64", "missing": "decoder.model.4.bias"}[
        damage
    ] in caught.value.reason


def test_an_unknown_input_width_asks_for_a_body_part(peers: Path, tmp_path: Path) -> None:
    state = dict(load_peer_pickle(fixture_file("t2mgpt"))["net"])
    state["vqvae.encoder.model.0.weight"] = state["vqvae.encoder.model.0.weight"][:, :100]
    path = tmp_path / "net.pth"
    torch.save({"net": state}, path)
    with pytest.raises(MotionFileError, match="--body-part"):
        plan_import(path)


def test_write_import_refuses_an_existing_folder_and_a_file_changed_since_planning(
    peers: Path, tmp_path: Path
) -> None:
    shutil.copytree(PEERS / FIXTURES["t2mgpt"][0], tmp_path / "vq")
    plan = plan_import(tmp_path / "vq" / "net_last.pth")
    (tmp_path / "taken").mkdir()
    with pytest.raises(MotionFileError, match="already exists"):
        write_import(plan, tmp_path / "taken")
    with (tmp_path / "vq" / "net_last.pth").open("ab") as fh:
        fh.write(b"\0")
    with pytest.raises(MotionFileError, match="changed"):
        write_import(plan, tmp_path / "new")


# --- the command line ------------------------------------------------------------------------------------


def test_the_import_command_prints_every_field_with_its_source_and_writes_a_checkpoint(
    peers: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["import", str(PEERS / FIXTURES["momask"][0]), "--out", str(tmp_path / "ckpt")])
    out = capsys.readouterr().out
    assert code == 0
    assert (
        "dilation_growth_rate" in out
        and "opt.txt" in out
        and "inferred from shapes" in out
        and "meta/" in out
    )
    assert load_checkpoint(tmp_path / "ckpt").config.dilation_growth_rate == 2


def test_the_import_command_exits_2_with_one_line_for_bad_input(
    peers: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["import", str(fixture_file("syntalker")), "--out", str(tmp_path / "ckpt")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert (
        err.startswith("rvq-motion: error: ") and str(fixture_file("syntalker")) in err and "--stats" in err
    )


# --- fine-tuning an import -------------------------------------------------------------------------------


def _fine_tune_setup(imported: dict, data_dir: Path, tmp_path: Path, **changes: object):
    from dataclasses import replace

    from core.train.config import TrainConfig
    from core.train.data import prepare_data

    ckpt = load_checkpoint(imported["momask"])
    config = TrainConfig(
        model=replace(ckpt.config, **changes),
        representation="humanml3d",
        batch_size=16,
        window=64,
        steps=1,
        lr=1e-4,
        warmup_steps=0,
        lr_milestones=(),
        log_every=1,
        checkpoint_every=1,
    )
    data = prepare_data([data_dir / "humanml3d" / "new_joint_vecs"], config, normalizer=ckpt.normalizer)
    return ckpt, config, data


def _codebook_moves(ckpt, model) -> torch.Tensor:
    """How far each code moved, relative to the typical length of an imported code (per layer)."""
    before, after = ckpt.model.quantizer.codebooks, model.quantizer.codebooks.detach().cpu()
    return (after - before).norm(dim=-1) / before.norm(dim=-1).median(dim=-1, keepdim=True).values


def test_fine_tuning_an_import_calibrates_the_codebook_statistics_and_resets_no_code(
    imported: dict, data_dir: Path, tmp_path: Path
) -> None:
    from core.train.trainer import Trainer

    ckpt, config, data = _fine_tune_setup(imported, data_dir, tmp_path)
    trainer = Trainer(config, data, tmp_path / "run", device="cpu", init_from=imported["momask"])
    layers = trainer.model.quantizer.layers
    assert torch.equal(trainer.model.quantizer.codebooks, ckpt.model.quantizer.codebooks)  # untouched
    assert all(
        bool(layer.initialized) and layer.code_count.min() >= grace_count(layer.mu) - 1e-4 for layer in layers
    )
    assert max(float(layer.code_count.max()) for layer in layers) > grace_count(
        0.99
    )  # calibrated on the data
    for layer in layers:
        torch.testing.assert_close(layer.code_sum, layer.codebook * layer.code_count[:, None])
    for _ in trainer.run():
        pass
    moved = _codebook_moves(ckpt, trainer.model)
    print(f"one fine-tuning step moved a code by at most {float(moved.max()):.4f} of a typical code's length")
    assert float(moved.max()) < 0.15 and not bool((moved > 0.25).any())

    # The same step from statistics a naive import would write (counts of 1, as a fresh codebook has)
    # re-seeds every code the first batch misses (measured: 88 of layer 0's 128), what calibration prevents.
    naive = Trainer(config, data, tmp_path / "naive", device="cpu", init_from=imported["momask"])
    for layer in naive.model.quantizer.layers:
        layer.code_count.fill_(1.0)
        layer.code_sum.copy_(layer.codebook)
    for _ in naive.run():
        pass
    assert int((_codebook_moves(ckpt, naive.model) > 0.25).sum()) > 20


def test_an_import_cannot_be_resumed_and_a_fine_tune_must_match_it(
    imported: dict, data_dir: Path, tmp_path: Path
) -> None:
    from core.errors import ConfigError
    from core.train.trainer import Trainer

    ckpt, config, data = _fine_tune_setup(imported, data_dir, tmp_path)
    run = tmp_path / "run"
    shutil.copytree(imported["momask"], run)
    with pytest.raises(MotionFileError, match="imported"):
        Trainer(config, data, run, device="cpu", resume=True)
    _, other, other_data = _fine_tune_setup(imported, data_dir, tmp_path, nb_code=64)
    with pytest.raises(ConfigError, match="another model"):
        Trainer(other, other_data, tmp_path / "other", device="cpu", init_from=imported["momask"])


def test_an_imported_tokenizer_fine_tunes_from_the_command_line(tmp_path, data_dir):
    from core.cli.main import main
    from core.model.checkpoint import load_checkpoint

    peers = data_dir.parent / "peer_tokenizers"
    imported = tmp_path / "imported"
    assert (
        main(["import", str(peers / "momask" / "t2m" / "rvq_small_w128_dc64_nc128"), "--out", str(imported)])
        == 0
    )
    run = tmp_path / "run"
    args = [
        "train",
        "--data",
        str(data_dir / "humanml3d" / "new_joint_vecs"),
        "--out",
        str(run),
        "--init",
        str(imported),
    ]
    assert (
        main(
            [
                *args,
                "--preset",
                "seed",
                "--steps",
                "2",
                "--batch-size",
                "2",
                "--window",
                "16",
                "--no-tensorboard",
            ]
        )
        == 0
    )
    before, after = load_checkpoint(imported), load_checkpoint(run)
    assert after.config.width == before.config.width and after.representation == before.representation
    np.testing.assert_array_equal(after.normalizer.std, before.normalizer.std)
    moved = (after.model.quantizer.codebooks - before.model.quantizer.codebooks).norm(dim=-1)
    assert float(moved.max()) < 0.5 * float(before.model.quantizer.codebooks.norm(dim=-1).mean())
