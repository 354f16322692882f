"""``rvq-motion export``: a tokenizer trained here written as MoMask, SynTalker or GestureLSM write theirs.

Each family's export of a project checkpoint built at the bundled peer fixture's sizes must have exactly
the fixture's container, keys and shapes, and its weights, mapped back onto the project's RVQVAE, must
give the original checkpoint's tokens and reconstructions (facts: ../shared/docs/peer-tokenizers.md).
"""

from __future__ import annotations

import dataclasses
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch

from core.cli.main import main
from core.errors import MotionFileError
from core.features.body_part import BodyPart
from core.features.humanml3d import HumanML3D
from core.features.representation import Normalizer
from core.features.rot6d import Rot6D
from core.formats.humanml3d import humanml3d_motion
from core.formats.smplx_skeleton import smplx_skeleton
from core.model import RVQVAE, RVQVAEConfig
from core.model.checkpoint import load_checkpoint, save_checkpoint
from core.model.peers.export import export_for_peer, peer_state_dict
from core.model.peers.names import EMA_BUFFERS
from core.model.peers.names import EXPORT_FAMILIES as FAMILIES
from tests.helpers.paths import PEERS

MOMASK_RUN = Path("momask", "t2m", "rvq_small_w128_dc64_nc128")
FIXTURE = {
    "momask": (MOMASK_RUN, Path("model", "net_best_fid.tar"), "vq_model"),
    "syntalker": (Path("syntalker", "rvq_upper"), Path("net_300.pth"), "net"),
    "gesturelsm": (Path("gesturelsm", "rvq_upper"), Path("net_300.pth"), "net"),
}


@pytest.fixture(scope="module")
def peers() -> Path:
    if not PEERS.is_dir():
        pytest.skip(f"peer tokenizer fixtures not found at {PEERS} (set RVQ_PEER_TOKENIZERS)")
    return PEERS


def _load(path: Path) -> dict:
    return torch.load(path, map_location="cpu", weights_only=True)


def _fixture_config(family: str) -> RVQVAEConfig:
    if family == "momask":
        return RVQVAEConfig(
            input_dim=263,
            width=128,
            code_dim=64,
            nb_code=128,
            num_quantizers=6,
            depth=2,
            dilation_growth_rate=2,
        )
    return RVQVAEConfig(
        input_dim=78, width=128, code_dim=64, nb_code=128, num_quantizers=6, depth=3, dilation_growth_rate=3
    )


def _reference_input(peers: Path, family: str) -> np.ndarray:
    return np.load(peers / FIXTURE[family][0] / "reference" / "input_features.npy")


def _trained(config: RVQVAEConfig, x: torch.Tensor) -> RVQVAE:
    """A model whose codebooks were seeded and EMA-stepped on ``x`` (one training forward), so tokens vary."""
    model = RVQVAE(config)
    model.train()
    with torch.no_grad():
        model(x)
    return model.eval()


def _project_checkpoint(peers: Path, family: str, out: Path, **overrides) -> Path:
    """A project checkpoint of the fixture's sizes with the fixture's representation and statistics."""
    features = _reference_input(peers, family)
    if family == "momask":
        meta = peers / MOMASK_RUN / "meta"
        normalizer = Normalizer.from_dict(
            {"mean": np.load(meta / "mean.npy").tolist(), "std": np.load(meta / "std.npy").tolist()}
        )
        skeleton, rep, fps, train = humanml3d_motion(features).skeleton, HumanML3D(), 20.0, {}
    else:
        stats = peers.parent / "data" / "beat2" / "mean_std"
        files = [stats / "beatx_2_330_mean.npy", stats / "beatx_2_330_std.npy"]
        rep = BodyPart.named("upper")
        normalizer = rep.normalizer_from(np.load(files[0]), np.load(files[1]), None, None)
        skeleton, fps, train = smplx_skeleton(), 30.0, {"stats": [str(f) for f in files]}
    x = torch.from_numpy(normalizer.normalize(features))[None]
    model = _trained(dataclasses.replace(_fixture_config(family), **overrides), x)
    return save_checkpoint(out, model, skeleton, rep, normalizer, fps, step=300, train_config=train)


def _exported_weights(family: str, out: Path) -> Path:
    return out / FIXTURE["momask"][1] if family == "momask" else out


def _momask_get_opt(path: Path) -> dict:
    """MoMask's ``utils/get_opt.py`` parsing rules, reimplemented: ``key: value`` lines between the two
    banner lines, 'True'/'False' -> bool, ``[-+]?digits.digits`` -> float, digits -> int, else str."""
    skip = ("-------------- End ----------------", "------------ Options -------------", "\n")
    options = {}
    for line in path.read_text().splitlines(keepends=True):
        if line.strip() in skip:
            continue
        key, value = line.strip("\n").split(": ")
        unsigned = value.strip().lstrip("-").lstrip("+")
        if value in ("True", "False"):
            options[key] = value == "True"
        elif re.match(r"^[-+]?[0-9]+\.[0-9]+$", unsigned):
            options[key] = float(value)
        elif unsigned.isdigit():
            options[key] = int(value)
        else:
            options[key] = value
    return options


def _project_model_from_peer(state: dict, config: RVQVAEConfig) -> RVQVAE:
    """Test-local import: encoder/decoder one to one, codebooks (GestureLSM's projection folded), the
    EMA buffers synthesised as the peers' post-initialisation state."""
    mapped = {k: v for k, v in state.items() if not k.startswith("quantizer.")}
    for q in range(1 if config.shared_codebook else config.num_quantizers):
        book = state[f"quantizer.layers.{q}.codebook"]
        if f"quantizer.layers.{q}.embedding_proj.weight" in state:
            weight = state[f"quantizer.layers.{q}.embedding_proj.weight"]
            book = book @ weight.T + state[f"quantizer.layers.{q}.embedding_proj.bias"]
        mapped[f"quantizer.layers.{q}.codebook"] = book
        mapped[f"quantizer.layers.{q}.code_sum"] = book.clone()
        mapped[f"quantizer.layers.{q}.code_count"] = torch.ones(config.nb_code)
        mapped[f"quantizer.layers.{q}.initialized"] = torch.tensor(True)
    model = RVQVAE(config)
    model.load_state_dict(mapped)
    return model.eval()


@pytest.mark.parametrize("family", FAMILIES)
def test_the_export_has_exactly_the_fixtures_container_keys_and_shapes(peers, family, tmp_path):
    ckpt = _project_checkpoint(peers, family, tmp_path / "ckpt")
    out = tmp_path / ("rvq_ours" if family == "momask" else "net_ours.pth")
    export_for_peer(ckpt, family, out)
    weights = _exported_weights(family, out)
    directory, name, key = FIXTURE[family]
    fixture = _load(peers / directory / name)[key]
    container = _load(weights)
    assert set(container) == ({"vq_model", "ep"} if family == "momask" else {"net"})
    exported = container[key]
    assert list(exported) == list(fixture), "same keys, in the order the peer writes them"
    assert {k: tuple(v.shape) for k, v in exported.items()} == {k: tuple(v.shape) for k, v in fixture.items()}
    assert all(v.dtype == torch.float32 and v.device.type == "cpu" for v in exported.values())
    assert not any(k.endswith(EMA_BUFFERS) for k in exported)
    with zipfile.ZipFile(weights) as archive:  # torch.save's zip format, top folder = the file's stem
        assert f"{weights.stem}/data.pkl" in archive.namelist()
    if family == "momask":
        assert container["ep"] == 300


def test_the_momask_run_folder_reads_back_through_get_opts_rules(peers, tmp_path):
    ckpt = load_checkpoint(_project_checkpoint(peers, "momask", tmp_path / "ckpt"))
    out = tmp_path / "t2m" / "rvq_ours"
    result = export_for_peer(ckpt, "momask", out)
    assert sorted(result.files) == sorted(
        [
            out / "model" / "net_best_fid.tar",
            out / "opt.txt",
            out / "meta" / "mean.npy",
            out / "meta" / "std.npy",
        ]
    )
    lines = (out / "opt.txt").read_text().splitlines()
    assert (
        lines[0] == "------------ Options -------------"
        and lines[-1] == "-------------- End ----------------"
    )
    keys = [line.split(": ")[0] for line in lines[1:-1]]
    assert keys == sorted(keys), "MoMask writes its options sorted"
    opt = _momask_get_opt(out / "opt.txt")
    c = ckpt.config
    assert (
        opt["dataset_name"] == "t2m"
        and opt["name"] == "rvq_ours"
        and opt["checkpoints_dir"] == "./checkpoints"
    )
    expected = {
        "code_dim": c.code_dim,
        "output_emb_width": c.code_dim,
        "nb_code": c.nb_code,
        "down_t": c.down_t,
        "stride_t": c.stride_t,
        "width": c.width,
        "depth": c.depth,
        "dilation_growth_rate": c.dilation_growth_rate,
        "vq_act": c.activation,
        "vq_norm": "None",
        "num_quantizers": c.num_quantizers,
        "shared_codebook": c.shared_codebook,
        "quantize_dropout_prob": c.quantize_dropout_prob,
        "mu": c.mu,
    }
    assert {k: opt[k] for k in expected} == expected
    assert all(type(opt[k]) is type(v) for k, v in expected.items())
    for name, array in (("mean", ckpt.normalizer.mean), ("std", ckpt.normalizer.std)):
        written = np.load(out / "meta" / f"{name}.npy")
        assert written.dtype == np.float32 and written.shape == (263,)
        np.testing.assert_array_equal(written, array)
    assert any("meta/" in note and "verbatim" in note for note in result.notes)


@pytest.mark.parametrize("family", FAMILIES)
def test_the_exported_weights_give_the_original_tokens_and_reconstructions(peers, family, tmp_path):
    ckpt = load_checkpoint(_project_checkpoint(peers, family, tmp_path / "ckpt"))
    out = tmp_path / ("rvq_ours" if family == "momask" else "net_ours.pth")
    export_for_peer(ckpt, family, out)
    state = _load(_exported_weights(family, out))[FIXTURE[family][2]]
    back = _project_model_from_peer(state, ckpt.config)
    features = _reference_input(peers, family)
    x = torch.from_numpy(ckpt.normalizer.normalize(features))[None]
    with torch.no_grad():
        tokens, expected_tokens = back.encode(x), ckpt.model.encode(x)
        recon, expected_recon = back(x).reconstruction, ckpt.model(x).reconstruction
    assert len(torch.unique(expected_tokens[..., 0])) > 3, "a test model that quantizes to varied codes"
    torch.testing.assert_close(tokens, expected_tokens, rtol=0, atol=0)
    torch.testing.assert_close(recon, expected_recon, rtol=0, atol=1e-6)
    torch.testing.assert_close(back.decode(tokens, length=x.shape[1]), expected_recon, rtol=0, atol=1e-6)


def test_gesturelsms_projection_is_the_identity_so_its_projected_codebook_is_ours(peers, tmp_path):
    ckpt = load_checkpoint(_project_checkpoint(peers, "gesturelsm", tmp_path / "ckpt"))
    state = peer_state_dict(ckpt.model, "gesturelsm")
    for q in range(ckpt.config.num_quantizers):
        weight = state[f"quantizer.layers.{q}.embedding_proj.weight"]
        bias = state[f"quantizer.layers.{q}.embedding_proj.bias"]
        book = state[f"quantizer.layers.{q}.codebook"]
        torch.testing.assert_close(torch.nn.functional.linear(book, weight, bias), book, rtol=0, atol=0)
        torch.testing.assert_close(book, ckpt.model.quantizer.layer(q).codebook, rtol=0, atol=0)


@pytest.mark.parametrize("family", ["momask", "gesturelsm"])
def test_a_shared_codebook_is_written_under_every_layers_name_as_one_tensor(peers, family, tmp_path):
    ckpt = load_checkpoint(_project_checkpoint(peers, family, tmp_path / "ckpt", shared_codebook=True))
    out = tmp_path / ("rvq_shared" if family == "momask" else "shared.pth")
    export_for_peer(ckpt, family, out)
    state = _load(_exported_weights(family, out))[FIXTURE[family][2]]
    books = [state[f"quantizer.layers.{q}.codebook"] for q in range(6)]
    assert len({b.untyped_storage().data_ptr() for b in books}) == 1, "one storage, as MoMask's aliases"
    torch.testing.assert_close(books[0], ckpt.model.quantizer.layers[0].codebook, rtol=0, atol=0)
    assert len(ckpt.model.quantizer.layers) == 1


def _small_checkpoint(out: Path, rep, skeleton, fps: float, **config) -> Path:
    settings = dict(width=32, depth=1, code_dim=16, nb_code=8, num_quantizers=2, input_dim=rep.dim)
    model = RVQVAE(RVQVAEConfig(**{**settings, **config})).eval()
    zeros = np.zeros(rep.dim, np.float32)
    normalizer = Normalizer.from_dict({"mean": zeros.tolist(), "std": (zeros + 1).tolist()})
    return save_checkpoint(out, model, skeleton, rep, normalizer, fps)


@pytest.fixture(scope="module")
def t2m_skeleton(peers):
    return humanml3d_motion(_reference_input(peers, "momask")[:8]).skeleton


@pytest.mark.parametrize(
    ("family", "kind", "config", "message"),
    [
        ("momask", "humanml3d", {"arch": "motion-s"}, "motion-s"),
        ("momask", "rot6d", {}, "HumanML3D"),
        ("momask", "humanml3d", {"stride_t": 4}, "upsample"),
        ("syntalker", "humanml3d", {}, "body part"),
        ("gesturelsm", "custom_part", {}, "upper, hands"),
        ("syntalker", "upper", {"arch": "motion-s"}, "motion-s"),
    ],
)
def test_what_a_peer_cannot_read_is_refused_naming_the_checkpoint(
    t2m_skeleton, tmp_path, family, kind, config, message
):
    reps = {
        "humanml3d": (HumanML3D(), t2m_skeleton, 20.0),
        "rot6d": (Rot6D(num_joints=55), smplx_skeleton(), 30.0),
        "upper": (BodyPart.named("upper"), smplx_skeleton(), 30.0),
        "custom_part": (
            BodyPart.of_joints(["left_wrist", "right_wrist"], smplx_skeleton()),
            smplx_skeleton(),
            30.0,
        ),
    }
    ckpt = _small_checkpoint(tmp_path / "ckpt", *reps[kind], **config)
    out = tmp_path / "out"
    with pytest.raises(MotionFileError, match=message) as err:
        export_for_peer(ckpt, family, out)
    assert Path(err.value.path).resolve() == ckpt.resolve()
    assert not out.exists() and [p.name for p in tmp_path.iterdir()] == ["ckpt"], "nothing left behind"


def test_an_existing_target_is_never_replaced(t2m_skeleton, tmp_path):
    ckpt = _small_checkpoint(tmp_path / "ckpt", HumanML3D(), t2m_skeleton, 20.0)
    (tmp_path / "taken").mkdir()
    with pytest.raises(MotionFileError, match="exists"):
        export_for_peer(ckpt, "momask", tmp_path / "taken")


def test_the_cli_writes_the_peer_files_and_says_where_they_go(peers, tmp_path, capsys):
    ckpt = _project_checkpoint(peers, "syntalker", tmp_path / "ckpt")
    out = tmp_path / "exports" / "net_300000.pth"
    assert main(["export", str(ckpt), "--family", "syntalker", "--out", str(out)]) == 0
    assert out.is_file() and set(_load(out)) == {"net"}
    printed = capsys.readouterr().out
    assert str(out) in printed and "beatx_2_330" in printed and "dilation_growth_rate=3" in printed
    run = tmp_path / "t2m" / "rvq_cli"
    momask = _project_checkpoint(peers, "momask", tmp_path / "h3d")
    assert main(["export", str(momask), "--family", "momask", "--out", str(run)]) == 0
    assert (run / "model" / "net_best_fid.tar").is_file() and (run / "opt.txt").is_file()


@pytest.mark.parametrize(("kind", "config"), [("rot6d", {}), ("humanml3d", {"arch": "motion-s"})])
def test_the_cli_exits_2_with_one_clear_line_for_a_checkpoint_momask_cannot_read(
    t2m_skeleton, tmp_path, capsys, kind, config
):
    rep = (
        (Rot6D(num_joints=55), smplx_skeleton(), 30.0)
        if kind == "rot6d"
        else (HumanML3D(), t2m_skeleton, 20.0)
    )
    ckpt = _small_checkpoint(tmp_path / "ckpt", *rep, **config)
    assert main(["export", str(ckpt), "--family", "momask", "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"rvq-motion: error: {ckpt}: ") and "\n" not in err
    assert ("HumanML3D" if kind == "rot6d" else "motion-s") in err


@pytest.mark.parametrize("family", FAMILIES)
def test_the_test_local_mapping_reads_the_peers_own_files_as_the_peers_do(peers, family):
    """Guards the mapping the tests above rely on: on the fixture's own weights it gives the peer's tokens
    and reconstruction (so 'same as ours after mapping' means 'same in the peer')."""
    directory, name, key = FIXTURE[family]
    model = _project_model_from_peer(_load(peers / directory / name)[key], _fixture_config(family))
    reference = peers / directory / "reference"
    features = np.load(reference / "input_features.npy")
    if family == "momask":
        meta = peers / MOMASK_RUN / "meta"
        mean, std = np.load(meta / "mean.npy"), np.load(meta / "std.npy")
    else:
        stats = peers.parent / "data" / "beat2" / "mean_std"
        columns = BodyPart.named("upper").feature_columns()
        mean = np.load(stats / "beatx_2_330_mean.npy")[columns]
        std = np.load(stats / "beatx_2_330_std.npy")[columns]
    x = torch.from_numpy(((features - mean) / std).astype(np.float32))[None]
    with torch.no_grad():
        tokens = model.encode(x)[0].numpy()
        recon = model.decode(model.encode(x), length=x.shape[1])[0].numpy() * std + mean
    np.testing.assert_array_equal(tokens, np.load(reference / "codes.npy"))
    np.testing.assert_allclose(recon, np.load(reference / "recon_features.npy"), rtol=1e-4, atol=1e-4)


def test_export_then_import_gives_the_same_tokens_and_reconstruction(tmp_path, data_dir):
    from core.cli.main import main
    from core.model.checkpoint import load_checkpoint
    from core.tokens.codec import decode_features

    peers = data_dir.parent / "peer_tokenizers"
    reference = peers / "momask" / "t2m" / "rvq_small_w128_dc64_nc128" / "reference"
    assert main(["import", str(reference.parent), "--out", str(tmp_path / "ours")]) == 0
    assert (
        main(["export", str(tmp_path / "ours"), "--family", "momask", "--out", str(tmp_path / "momask_run")])
        == 0
    )
    assert main(["import", str(tmp_path / "momask_run"), "--out", str(tmp_path / "back")]) == 0
    ours, back = load_checkpoint(tmp_path / "ours"), load_checkpoint(tmp_path / "back")
    rows = np.load(reference / "input_features.npy").astype(np.float32)
    codes = [
        c.model.encode(torch.from_numpy(c.normalizer.normalize(rows))[None])[0].numpy() for c in (ours, back)
    ]
    np.testing.assert_array_equal(codes[0], codes[1])
    np.testing.assert_allclose(
        decode_features(back, codes[1]), decode_features(ours, codes[0]), rtol=1e-5, atol=1e-5
    )
