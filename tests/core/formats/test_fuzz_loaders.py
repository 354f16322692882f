"""Fuzzing every loader with thousands of mutated real files (property-based, hypothesis).

The promise under test is core/errors.py's: whatever bytes a loader is handed, the only exception
that escapes is MotionFileError, naming that file and giving a reason. On top of that no load may
hang (hypothesis's per-example deadline, plus a hard limit that interrupts a runaway load), and a
header that claims more data than the file holds must be refused before memory is allocated for it.

``RVQ_FUZZ_EXAMPLES`` sets the examples per loader (default 1000). Examples are derandomized and
no database is kept, so every CI run tries exactly the same files.
"""

from __future__ import annotations

import copy
import faulthandler
import io
import json
import os
import shutil
import signal
import time
import tracemalloc
import zipfile
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import MotionFileError
from core.formats import load_motion
from core.model.checkpoint import META_NAME, WEIGHTS_NAME, load_checkpoint, resolve_checkpoint_dir
from core.model.peers.importer import plan_import
from core.tokens.files import TokenFile, load_tokens, save_tokens, sidecar_path
from tests.helpers.mutations.bvh_text import bvh_files
from tests.helpers.mutations.json_docs import WRONG_JSON, dump_json, json_files
from tests.helpers.mutations.npy import header_text, npy_bytes, npy_files, save_npy, split_npy
from tests.helpers.mutations.npz import npz_files, save_npz, zip_bytes, zip_field_edits
from tests.helpers.mutations.raw_bytes import byte_edits, damaged
from tests.helpers.mutations.safetensors import safetensors_edits, sha256
from tests.helpers.paths import PEERS

pytestmark = pytest.mark.filterwarnings(
    "ignore:Reading `.npy` or `.npz` file required additional header parsing:UserWarning"
)

EXAMPLES = int(os.environ.get("RVQ_FUZZ_EXAMPLES", "1000"))
LOADERS = ("bvh", "smplx_npz", "humanml3d", "tokens", "checkpoint", "peer")
EXAMPLE_COUNTS: dict[str, int] = dict.fromkeys(LOADERS, 0)
"""Mutated files handed to each loader by its fuzz test in this session (each test checks its own count)."""

DEADLINE = timedelta(seconds=2)
HARD_LIMIT_S = 5.0
MAX_MEMORY = 200 * 2**20
"""Bytes a single load may add to the process's peak (resident or, where traced, allocated)."""

BANDAI_CLIP = "bandai/dataset-1/dataset-1_dash_normal_001.bvh"
CMU_CLIP = "cmu_iclone/subjects/002/002_04.bvh"
BEAT2_CLIP = "beat2/2_scott_0_1_1.npz"
HUMANML3D_CLIP = "humanml3d/new_joint_vecs/012314.npy"
PEER_CHECKPOINT = PEERS / "t2mgpt" / "vq"


def fuzz_settings(examples: int = EXAMPLES) -> settings:
    return settings(
        max_examples=examples,
        deadline=DEADLINE,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.function_scoped_fixture,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
        derandomize=True,
        database=None,
    )


# --- the property: only MotionFileError, in time, in memory -----------------------------------------------


class LoaderHung(Exception):
    """A load ran past HARD_LIMIT_S. Not an OSError or ValueError, which loaders catch and rename."""


@contextmanager
def hard_time_limit(seconds: float = HARD_LIMIT_S) -> Iterator[None]:
    """Interrupt a load still running after ``seconds``; one stuck in native code (which a signal cannot
    interrupt) gets every thread's stack dumped and the process ended after ten times as long, so CI fails
    with a traceback instead of hanging."""

    def interrupt(signum: int, frame: object) -> None:
        raise LoaderHung(f"load still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    faulthandler.dump_traceback_later(10 * seconds, exit=True)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        faulthandler.cancel_dump_traceback_later()


def _status_bytes(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(field)


class PeakResident:
    """How far resident memory peaked above its level at entry (torch's allocations included).

    Uses Linux's resettable high-water mark (``/proc/self/clear_refs``); reports 0 where that is missing.
    """

    def __enter__(self) -> PeakResident:
        self.growth = 0
        try:
            Path("/proc/self/clear_refs").write_text("5")
            self.start: int | None = _status_bytes("VmRSS")
        except OSError:
            self.start = None
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.start is not None:
            self.growth = _status_bytes("VmHWM") - self.start


@contextmanager
def traced_peak() -> Iterator[Callable[[], int]]:
    """Peak bytes allocated through Python and NumPy (tracemalloc sees NumPy's buffers, even unused ones)."""
    tracemalloc.start()
    try:
        yield lambda: tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def check_load(
    load: Callable[[Path], object], path: Path, blame: Collection[Path] = ()
) -> MotionFileError | None:
    """Load ``path``: it works, or fails with MotionFileError naming ``path`` (or one of ``blame``) and why;
    either way within HARD_LIMIT_S and MAX_MEMORY. Any other exception escapes to fail the example."""
    allowed = {str(path), *map(str, blame)}
    error = None
    start = time.perf_counter()
    with PeakResident() as memory, hard_time_limit():
        try:
            load(path)
        except MotionFileError as caught:
            error = caught
    assert time.perf_counter() - start < HARD_LIMIT_S
    assert memory.growth < MAX_MEMORY, f"load raised the resident peak by {memory.growth / 2**20:.0f} MiB"
    if error is not None:
        assert error.path in allowed, f"error names {error.path}, not the file"
        assert error.reason.strip(), "error has no reason"
    return error


def refused_without_allocating(load: Callable[[Path], object], path: Path) -> MotionFileError:
    """The load fails with MotionFileError for ``path`` and never allocates MAX_MEMORY on the way."""
    with traced_peak() as peak, PeakResident() as resident, hard_time_limit():
        with pytest.raises(MotionFileError) as caught:
            load(path)
        allocated = peak()
    assert allocated < MAX_MEMORY, f"allocated {allocated / 2**20:.0f} MiB for a claim the file cannot back"
    assert resident.growth < MAX_MEMORY
    assert caught.value.path == str(path) and caught.value.reason.strip()
    return caught.value


def run_fuzz(loader: str, strategy: st.SearchStrategy[Any], example: Callable[[Any], None]) -> None:
    """Hand ``example`` EXAMPLES draws of ``strategy`` and check they all ran."""
    before = EXAMPLE_COUNTS[loader]

    @fuzz_settings()
    @given(strategy)
    def fuzz(drawn: Any) -> None:
        EXAMPLE_COUNTS[loader] += 1
        example(drawn)

    fuzz()
    assert EXAMPLE_COUNTS[loader] - before >= EXAMPLES


def test_the_hard_limit_interrupts_a_runaway_load() -> None:
    """The guard that stands between a hanging loader and a hanging CI run does fire."""
    with pytest.raises(LoaderHung), hard_time_limit(0.05):
        while True:
            pass


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="needs Linux's resettable peak RSS")
def test_the_memory_watch_sees_a_large_allocation() -> None:
    """The guard behind MAX_MEMORY does see memory a load touches, NumPy's or torch's alike."""
    with PeakResident() as memory:
        np.ones(2 * MAX_MEMORY // 8).sum()
    assert memory.growth > MAX_MEMORY


# --- seeds: real files, trimmed so one example costs milliseconds ---------------------------------------------
# Each seed fixture loads its seed once: that proves every refusal is the mutation's doing, and imports
# the loader's modules before hypothesis's deadline clock runs.


def trimmed_bvh(text: str, frames: int) -> str:
    """The header and the first ``frames`` frames, with the Frames: line fixed to match."""
    header, _, motion = text.partition("MOTION")
    lines = motion.strip().splitlines()
    return "\n".join([header.rstrip(), "MOTION", f"Frames: {frames}", lines[1], *lines[2 : 2 + frames], ""])


@pytest.fixture(scope="module")
def seed_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("seeds")


@pytest.fixture(scope="module")
def bvh_seeds(data_dir: Path, seed_dir: Path) -> dict[str, str]:
    """A 20-frame Bandai clip and a CMU iClone clip cut to 5 frames."""
    cmu = seed_dir / "cmu_5_frames.bvh"
    cmu.write_text(trimmed_bvh((data_dir / CMU_CLIP).read_text(), 5))
    assert load_motion(data_dir / BANDAI_CLIP).num_frames == 20 and load_motion(cmu).num_frames == 5
    return {"bandai": (data_dir / BANDAI_CLIP).read_text(), "cmu": cmu.read_text()}


@pytest.fixture(scope="module")
def beat2_arrays(data_dir: Path, seed_dir: Path) -> dict[str, np.ndarray]:
    """The BEAT2 clip's arrays, 20 frames of them."""
    with np.load(data_dir / BEAT2_CLIP, allow_pickle=False) as npz:
        arrays = {key: npz[key] for key in npz.files}
    arrays = {key: value[:20] if np.ndim(value) == 2 else value for key, value in arrays.items()}
    (seed_dir / "beat2.npz").write_bytes(save_npz(arrays))
    assert load_motion(seed_dir / "beat2.npz").num_frames == 20
    return arrays


@pytest.fixture(scope="module")
def humanml3d_seed(data_dir: Path) -> bytes:
    assert load_motion(data_dir / HUMANML3D_CLIP).num_frames > 20
    return (data_dir / HUMANML3D_CLIP).read_bytes()


@dataclass(frozen=True)
class TokenSeed:
    grid: np.ndarray
    npy: bytes
    sidecar: dict[str, Any]


@pytest.fixture(scope="module")
def token_seed(seed_dir: Path) -> TokenSeed:
    """A (32, 6) int16 code grid and its sidecar, as save_tokens writes them."""
    path = seed_dir / "clip.tokens.npy"
    grid = np.random.default_rng(0).integers(-1, 512, size=(32, 6)).astype(np.int16)
    save_tokens(path, TokenFile(grid, "ab" * 32, 128, 30.0, (0.1, -0.2), "clip.bvh", [(3, 1)]))
    assert load_tokens(path).frames == 128
    return TokenSeed(grid, path.read_bytes(), json.loads(sidecar_path(path).read_text()))


@dataclass(frozen=True)
class CheckpointSeed:
    meta: dict[str, Any]
    weights: bytes


@pytest.fixture(scope="module")
def checkpoint_seed(tiny_checkpoint: Path) -> CheckpointSeed:
    """The tiny trained checkpoint's description and weights (its training state is never read here)."""
    folder = resolve_checkpoint_dir(tiny_checkpoint)
    assert load_checkpoint(folder).step > 0
    return CheckpointSeed(json.loads((folder / META_NAME).read_text()), (folder / WEIGHTS_NAME).read_bytes())


# --- BVH ------------------------------------------------------------------------------------------------------


def test_bvh_loader_raises_only_motion_file_error(bvh_seeds: dict[str, str], tmp_path: Path) -> None:
    """Truncation, byte flips, token edits, odd numbers, Frames/Frame Time/CHANNELS edits, unbalanced braces,
    a repeated HIERARCHY, megabyte lines, deep rigs, other encodings and line endings."""
    path = tmp_path / "fuzz.bvh"
    strategy = st.one_of(bvh_files(bvh_seeds["bandai"]), bvh_files(bvh_seeds["cmu"]))

    def example(data: bytes) -> None:
        path.write_bytes(data)
        check_load(load_motion, path)

    run_fuzz("bvh", strategy, example)


@fuzz_settings(max(EXAMPLES // 10, 10))
@given(frames=st.one_of(st.integers(1000, 10**12), st.sampled_from([10**9, 10**30, 2**63, 2**64 + 1])))
def test_bvh_frame_counts_beyond_the_file_are_refused_without_allocating(
    bvh_seeds: dict[str, str], tmp_path: Path, frames: int
) -> None:
    path = tmp_path / "claims.bvh"
    path.write_text(bvh_seeds["bandai"].replace("Frames:\t20\n", f"Frames:\t{frames}\n"))
    assert "can hold at most" in refused_without_allocating(load_motion, path).reason


# --- SMPL-X .npz --------------------------------------------------------------------------------------------


def test_smplx_npz_loader_raises_only_motion_file_error(
    beat2_arrays: dict[str, np.ndarray], tmp_path: Path
) -> None:
    """Dropped keys, wrong shapes/dtypes/values, frame counts that disagree, bad frame rates, object arrays,
    members that lie about their shape, zip headers with odd flags, methods or sizes, truncated or flipped
    archives, files that are no zip at all."""
    path = tmp_path / "fuzz.npz"

    def example(data: bytes) -> None:
        path.write_bytes(data)
        check_load(load_motion, path)

    run_fuzz("smplx_npz", npz_files(beat2_arrays), example)


# --- HumanML3D .npy -----------------------------------------------------------------------------------------


def test_humanml3d_loader_raises_only_motion_file_error(humanml3d_seed: bytes, tmp_path: Path) -> None:
    """Wrong width or rank, other dtypes, NaN/Inf/huge values, object arrays, empty arrays, headers that lie,
    truncation and byte damage."""
    path = tmp_path / "fuzz.npy"
    array = np.load(io.BytesIO(humanml3d_seed), allow_pickle=False)

    def example(data: bytes) -> None:
        path.write_bytes(data)
        check_load(load_motion, path)

    run_fuzz("humanml3d", npy_files(humanml3d_seed, array), example)


NPY_CLAIMS = st.tuples(
    st.one_of(st.integers(10**4, 10**12), st.sampled_from([10**30, 2**63, 2**64])),
    st.sampled_from(["<f4", "<f8", "<i2", "<i8", "<c16", "|V2000000000", "<U500000000"]),
)


def lying_npy(seed: bytes, frames: int, width: int, descr: str) -> bytes:
    """The seed's data under a header claiming (frames, width) values of ``descr``."""
    _, body = split_npy(seed)
    return npy_bytes(header_text({"descr": descr, "fortran_order": False, "shape": (frames, width)}), body)


@pytest.mark.parametrize("kind", ["humanml3d", "tokens"])
@fuzz_settings(max(EXAMPLES // 10, 10))
@given(claim=NPY_CLAIMS)
def test_npy_shapes_beyond_the_file_are_refused_without_allocating(
    kind: str, humanml3d_seed: bytes, token_seed: TokenSeed, tmp_path: Path, claim: tuple[int, str]
) -> None:
    path = tmp_path / "claims.npy"
    if kind == "humanml3d":
        path.write_bytes(lying_npy(humanml3d_seed, claim[0], 263, claim[1]))
        refused_without_allocating(load_motion, path)
    else:
        path.write_bytes(lying_npy(token_seed.npy, claim[0], 6, claim[1]))
        refused_without_allocating(load_tokens, path)


@fuzz_settings(max(EXAMPLES // 10, 10))
@given(claim=NPY_CLAIMS, compressed=st.booleans())
def test_npz_members_claiming_more_than_they_hold_are_refused_without_allocating(
    beat2_arrays: dict[str, np.ndarray], tmp_path: Path, claim: tuple[int, str], compressed: bool
) -> None:
    members = {f"{key}.npy": save_npy(value) for key, value in beat2_arrays.items()}
    members["poses.npy"] = lying_npy(members["poses.npy"], claim[0], 165, claim[1])
    path = tmp_path / "claims.npz"
    path.write_bytes(zip_bytes(list(members.items()), compressed))
    refused_without_allocating(load_motion, path)


# --- token files ----------------------------------------------------------------------------------------------


def write_tokens(path: Path, npy: bytes, sidecar: bytes | None) -> None:
    """The grid and its sidecar (None: no sidecar)."""
    path.write_bytes(npy)
    if sidecar is None:
        sidecar_path(path).unlink(missing_ok=True)
    else:
        sidecar_path(path).write_bytes(sidecar)


def test_token_loader_raises_only_motion_file_error(token_seed: TokenSeed, tmp_path: Path) -> None:
    """The grid damaged as any .npy, the JSON sidecar truncated, retyped, stripped of keys, given huge or
    negative numbers, NaN fps or bytes that are not UTF-8, or both at once."""
    path = tmp_path / "fuzz.npy"
    sidecar = dump_json(token_seed.sidecar)
    grids = npy_files(token_seed.npy, token_seed.grid)
    sidecars = st.one_of(json_files(token_seed.sidecar), st.none())
    strategy = st.one_of(
        st.tuples(grids, st.just(sidecar)),
        st.tuples(st.just(token_seed.npy), sidecars),
        st.tuples(grids, sidecars),
    )

    def example(files: tuple[bytes, bytes | None]) -> None:
        write_tokens(path, *files)
        check_load(load_tokens, path, blame=[sidecar_path(path)])

    run_fuzz("tokens", strategy, example)


# --- checkpoints ----------------------------------------------------------------------------------------------


def write_checkpoint(folder: Path, meta: bytes | None, weights: bytes | None) -> None:
    """A fresh checkpoint folder holding just these files (None: the file is missing)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    if meta is not None:
        (folder / META_NAME).write_bytes(meta)
    if weights is not None:
        (folder / WEIGHTS_NAME).write_bytes(weights)


@st.composite
def checkpoint_meta_edits(draw: st.DrawFn, meta: dict[str, Any]) -> dict[str, Any]:
    """What a hand edit or another version does to checkpoint.json, the weights hash left valid: a section or
    field of the wrong type, another input width or skeleton, a bad fps, another format or version, a missing
    key, an absurd model size."""
    meta = copy.deepcopy(meta)
    edit = draw(
        st.sampled_from(
            ["retype", "retype", "input_dim", "skeleton", "fps", "format", "version", "missing", "size"]
        )
    )
    if edit == "retype":
        section = draw(st.sampled_from(sorted(meta)))
        if isinstance(meta[section], dict) and meta[section] and draw(st.booleans()):
            meta[section][draw(st.sampled_from(sorted(meta[section])))] = draw(WRONG_JSON)
        else:
            meta[section] = draw(WRONG_JSON)
    elif edit == "input_dim":
        meta["model"]["input_dim"] = draw(
            st.integers(1, 10**6).filter(lambda d: d != meta["model"]["input_dim"])
        )
    elif edit == "skeleton":
        skeleton = meta["skeleton"]
        change = draw(st.sampled_from(["fewer", "more", "parent"]))
        if change == "fewer":
            for key in ("joint_names", "parents", "offsets"):
                skeleton[key] = skeleton[key][:-1]
        elif change == "more":
            skeleton["joint_names"].append("Extra")
            skeleton["parents"].append(0)
            skeleton["offsets"].append([0.0, 0.0, 0.0])
        else:
            joints = len(skeleton["parents"])
            skeleton["parents"][draw(st.integers(0, joints - 1))] = draw(
                st.one_of(st.integers(-2, joints + 2), WRONG_JSON)
            )
    elif edit == "fps":
        meta["fps"] = draw(
            st.sampled_from([-30.0, 0.0, -1e-9, float("nan"), float("inf"), "30", [30], None, True])
        )
    elif edit == "format":
        meta["format"] = draw(
            st.sampled_from(["rvq-motion-checkpoint-v2", "", None, 1, ["rvq-motion-checkpoint"]])
        )
    elif edit == "version":
        meta["version"] = draw(st.sampled_from([0, 2, "1", 1.5, None, 10**30, [1]]))
    elif edit == "missing":
        del meta[draw(st.sampled_from(sorted(meta)))]
    else:
        field = draw(st.sampled_from(MODEL_SIZE_FIELDS))
        meta["model"][field] = draw(st.sampled_from([1_000, 100_000, 10**9, 2**40]))
    return meta


MODEL_SIZE_FIELDS = ["width", "depth", "nb_code", "code_dim", "num_quantizers", "down_t", "stride_t"]


def checkpoint_files(seed: CheckpointSeed) -> st.SearchStrategy[tuple[bytes | None, bytes | None]]:
    """(checkpoint.json, model.safetensors) pairs, None for a missing file."""
    meta = dump_json(seed.meta)

    def rehashed(weights: bytes) -> tuple[bytes, bytes]:
        return dump_json({**seed.meta, "weights_sha256": sha256(weights)}), weights

    return st.one_of(
        checkpoint_meta_edits(seed.meta).map(lambda edited: (dump_json(edited), seed.weights)),
        json_files(seed.meta).map(lambda edited: (edited, seed.weights)),
        damaged(seed.weights).map(lambda weights: (meta, weights)),
        safetensors_edits(seed.weights).map(rehashed),
        damaged(seed.weights).map(rehashed),
        st.sampled_from([(None, seed.weights), (meta, None), (None, None)]),
    )


def test_checkpoint_loader_raises_only_motion_file_error(
    checkpoint_seed: CheckpointSeed, tmp_path: Path
) -> None:
    """checkpoint.json edited (types, keys, widths, skeletons, fps, versions, model sizes) or damaged, the
    weights damaged, or their header forged and the hash recomputed so the parser itself must cope."""
    folder = tmp_path / "ckpt"
    blame = [folder / META_NAME, folder / WEIGHTS_NAME]

    def example(files: tuple[bytes | None, bytes | None]) -> None:
        write_checkpoint(folder, *files)
        check_load(load_checkpoint, folder, blame)

    run_fuzz("checkpoint", checkpoint_files(checkpoint_seed), example)


@fuzz_settings(max(EXAMPLES // 10, 10))
@given(pointer=st.one_of(damaged(b"checkpoints/step-0000040\n"), st.text().map(str.encode)))
def test_a_run_folder_with_a_damaged_latest_pointer_raises_only_motion_file_error(
    checkpoint_seed: CheckpointSeed, tmp_path: Path, pointer: bytes
) -> None:
    """Run folders (what the app and the CLI are usually given) name their newest checkpoint in ``latest``."""
    run = tmp_path / "run"
    (run / "checkpoints").mkdir(parents=True, exist_ok=True)
    write_checkpoint(
        run / "checkpoints" / "step-0000040", dump_json(checkpoint_seed.meta), checkpoint_seed.weights
    )
    (run / "latest").write_bytes(pointer)
    check_load(
        load_checkpoint,
        run,
        [run / "checkpoints" / "step-0000040" / name for name in (META_NAME, WEIGHTS_NAME)],
    )


@pytest.mark.parametrize(
    ("load", "suffix"),
    [
        (load_motion, ".bvh"),
        (load_motion, ".npz"),
        (load_motion, ".npy"),
        (load_tokens, ".npy"),
        (load_checkpoint, ""),
    ],
)
def test_a_file_name_too_long_for_the_file_system_is_a_motion_file_error(
    tmp_path: Path, load: Callable[[Path], object], suffix: str
) -> None:
    """Once an OSError from the existence check (found while fuzzing the checkpoint's 'latest' pointer)."""
    check_load(load, tmp_path / ("x" * 300 + suffix))


@fuzz_settings(max(EXAMPLES // 5, 10))
@given(data=st.data())
def test_damaged_weights_are_caught_by_the_hash(
    checkpoint_seed: CheckpointSeed, tmp_path: Path, data: st.DataObject
) -> None:
    """Any change to model.safetensors that checkpoint.json does not vouch for is reported as corruption."""
    weights = data.draw(damaged(checkpoint_seed.weights).filter(lambda w: w != checkpoint_seed.weights))
    folder = tmp_path / "ckpt"
    write_checkpoint(folder, dump_json(checkpoint_seed.meta), weights)
    with hard_time_limit(), pytest.raises(MotionFileError) as caught:
        load_checkpoint(folder)
    assert caught.value.path == str(folder / WEIGHTS_NAME)
    assert "corrupt" in caught.value.reason


@pytest.mark.parametrize("field", MODEL_SIZE_FIELDS)
def test_a_config_claiming_a_huge_model_is_refused_without_building_it(
    checkpoint_seed: CheckpointSeed, tmp_path: Path, field: str
) -> None:
    """A model size no weights file backs (a typo, a hostile edit) must not allocate or loop for it."""
    meta = copy.deepcopy(checkpoint_seed.meta)
    meta["model"][field] = 10**9
    folder = tmp_path / "ckpt"
    write_checkpoint(folder, dump_json(meta), checkpoint_seed.weights)
    error = check_load(load_checkpoint, folder, [folder / META_NAME, folder / WEIGHTS_NAME])
    assert error is not None


# --- peer tokenizer checkpoints (torch.save zips holding a pickle) ----------------------------------------


@dataclass(frozen=True)
class PeerSeed:
    data: bytes
    members: list[tuple[str, bytes]]


@pytest.fixture(scope="module")
def peer_seed(seed_dir: Path) -> PeerSeed:
    """T2M-GPT's checkpoint from ../shared/peer_tokenizers (4 MB: the smallest), with its meta/ beside it."""
    if not PEER_CHECKPOINT.is_dir():
        pytest.skip(f"peer tokenizer fixtures not found at {PEER_CHECKPOINT}")
    folder = seed_dir / "peer"
    shutil.copytree(PEER_CHECKPOINT, folder, ignore=shutil.ignore_patterns("reference"))
    assert plan_import(folder / "net_last.pth").family == "t2mgpt"
    data = (folder / "net_last.pth").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = [(info.filename, archive.read(info.filename)) for info in archive.infolist()]
    return PeerSeed(data, members)


@st.composite
def rezipped_peer(draw: st.DrawFn, seed: PeerSeed) -> bytes:
    """The archive rebuilt with its pickle or one tensor record damaged, or members dropped, renamed or
    repeated: what reaches the unpickler and torch's record reader rather than the zip parser."""
    members = list(seed.members)
    edit = draw(st.sampled_from(["pickle", "pickle", "record", "drop", "rename", "repeat"]))
    index = 0 if edit == "pickle" else draw(st.integers(0, len(members) - 1))
    name, content = members[index]
    if edit in ("pickle", "record"):
        members[index] = (name, draw(byte_edits(content)))
    elif edit == "drop":
        del members[index]
    elif edit == "rename":
        members[index] = (
            draw(st.sampled_from(["other/data.pkl", name.upper(), "net_last/data/999", "data.pkl"])),
            content,
        )
    else:
        members.insert(draw(st.integers(0, len(members))), (name, content))
    return zip_bytes(members)


def test_peer_checkpoint_import_raises_only_motion_file_error(peer_seed: PeerSeed, seed_dir: Path) -> None:
    """A torch.save archive truncated, flipped (in the pickle its first bytes hold, a tensor, the zip
    directory), its zip numbers edited, rebuilt with a damaged pickle or tensor record or with members
    dropped, renamed or repeated, or no zip at all: the importer reads it all through the safe loader."""
    path = seed_dir / "peer" / "net_last.pth"
    head, tail = peer_seed.data[:4096], peer_seed.data[-8192:]  # first local header; central directory
    body = peer_seed.data[len(head) : -len(tail)]
    strategy = st.one_of(
        damaged(peer_seed.data),
        zip_field_edits(head).map(lambda edited: edited + body + tail),
        zip_field_edits(tail).map(lambda edited: head + body + edited),
        rezipped_peer(peer_seed),
    )

    def example(data: bytes) -> None:
        path.write_bytes(data)
        check_load(plan_import, path)

    run_fuzz("peer", strategy, example)
