"""``rvq-motion atlas`` on real Bandai clips with the demo checkpoint: atlas.json lists exactly the codes
``rvq-motion tokenize`` gives for the same clips, and the folder's pages open in a browser with every
preview loaded."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from core.cli.main import main
from tests.helpers.paths import DEMO_CHECKPOINT

CLIPS = ("dataset-1_bow_active_001.bvh", "dataset-1_bye_giant_001.bvh", "dataset-1_walk_normal_001.bvh")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def clips(data_dir) -> list[Path]:
    return [data_dir / "bandai" / "dataset-1" / name for name in CLIPS]


@pytest.fixture(scope="module")
def out(clips, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("atlas")
    arguments = ["--checkpoint", str(DEMO_CHECKPOINT), "--data", *map(str, clips), "--out", str(folder)]
    assert main(["atlas", *arguments, "--layers", "1,2", "--per-code", "4", "--size", "96"]) == 0
    return folder


@pytest.fixture(scope="module")
def atlas_json(out) -> dict:
    return json.loads((out / "atlas.json").read_text())


@pytest.fixture(scope="module")
def tokens(clips, tmp_path_factory) -> dict[str, np.ndarray]:
    folder = tmp_path_factory.mktemp("tokens")
    grids = {}
    for clip in clips:
        target = folder / f"{clip.stem}.npy"
        assert main(["tokenize", "--checkpoint", str(DEMO_CHECKPOINT), str(clip), "--out", str(target)]) == 0
        grids[str(clip)] = np.load(target)
    return grids


@pytest.mark.parametrize("layer", [1, 2])
def test_the_atlas_lists_exactly_the_codes_tokenize_gives_with_their_counts(atlas_json, tokens, layer):
    codes = atlas_json["layers"][str(layer)]["codes"]
    every = np.concatenate([grid[:, layer - 1] for grid in tokens.values()])
    expected = np.bincount(every, minlength=64)
    assert {int(code): entry["count"] for code, entry in codes.items()} == {
        int(c): int(n) for c, n in enumerate(expected) if n
    }
    assert atlas_json["layers"][str(layer)]["dead"] == np.flatnonzero(expected == 0).tolist()


@pytest.mark.parametrize("layer", [1, 2])
def test_each_codes_occurrences_are_the_clips_and_steps_where_tokenize_chose_it(atlas_json, tokens, layer):
    for code, entry in atlas_json["layers"][str(layer)]["codes"].items():
        expected = [
            {"clip": clip, "step": int(step)}
            for clip, grid in tokens.items()
            for step in np.flatnonzero(grid[:, layer - 1] == int(code))
        ]
        assert entry["occurrences"] == expected
        assert entry["clips"] == len({o["clip"] for o in expected})
        assert 1 <= len(entry["sample"]) <= 4 and all(o in expected for o in entry["sample"])


def test_every_code_in_use_has_a_gif_preview_in_the_folder(out, atlas_json):
    for layer, data in atlas_json["layers"].items():
        for code, entry in data["codes"].items():
            assert entry["preview"] == f"previews/L{layer}/{code}.gif"
            with Image.open(out / entry["preview"]) as gif:
                assert gif.format == "GIF" and gif.n_frames == 20 and gif.size == (96, 96)
            assert len(entry["spread_joint_mm"]) == len(atlas_json["joints"])


def test_spread_is_given_for_codes_seen_whole_and_is_zero_for_one_occurrence(atlas_json):
    entries = [e for data in atlas_json["layers"].values() for e in data["codes"].values()]
    for entry in entries:
        if entry["summarised"] == 0:
            assert entry["spread_mm"] is None
        elif entry["summarised"] == 1:
            assert entry["spread_mm"] == 0.0
        else:
            assert entry["spread_mm"] > 0.5
    assert sum(e["summarised"] for e in entries) >= sum(e["count"] for e in entries) - 6  # 3 clips x 2 layers


def test_the_index_shows_codes_by_use_links_every_page_and_greys_the_dead(out, atlas_json):
    html = (out / "index.html").read_text()
    for layer, data in atlas_json["layers"].items():
        section = html.split(f'<h2 id="L{layer}">')[1].split("<h2")[0]
        shown = [int(c) for c in re.findall(r'<figure class="code" id="L\d+-(\d+)"', section)]
        counts = {int(c): e["count"] for c, e in data["codes"].items()}
        assert sorted(shown) == sorted(counts) and [counts[c] for c in shown] == sorted(
            counts.values(), reverse=True
        )
        assert len(re.findall('class="code dead"', section)) == len(data["dead"])
        for code in shown:
            page = out / "codes" / f"L{layer}" / f"{code}.html"
            assert f'href="codes/L{layer}/{code}.html"' in section and page.is_file()
    for src in re.findall(r'src="([^"]+)"', html):
        assert not src.startswith(("/", "http")) and (out / src).is_file()


def test_a_codes_page_lists_its_occurrences_with_clip_and_time(out, atlas_json):
    code, entry = next(iter(atlas_json["layers"]["1"]["codes"].items()))
    page = (out / "codes" / "L1" / f"{code}.html").read_text()
    rows = re.findall(
        r"<td class=name title=\"([^\"]+)\">[^<]+</td><td>(\d+)</td><td>[^<]+</td><td>([\d.]+)</td>", page
    )
    assert [(path, int(step)) for path, step, _ in rows] == [
        (o["clip"], o["step"]) for o in entry["occurrences"]
    ]
    assert [float(t) for _, _, t in rows] == [round(o["step"] * 4 / 30.0, 2) for o in entry["occurrences"]]
    assert (out / "codes" / "L1" / page.split('src="')[1].split('"')[0]).resolve().is_file()


def test_a_layer_the_checkpoint_does_not_have_is_an_error_line(clips, tmp_path, capsys):
    code = main(
        [
            "atlas",
            "--checkpoint",
            str(DEMO_CHECKPOINT),
            "--data",
            str(clips[0]),
            "--out",
            str(tmp_path),
            "--layers",
            "7",
        ]
    )
    assert code == 2
    assert "rvq-motion: error: --layers: this checkpoint has layers 1 to 6, got 7" in capsys.readouterr().err


def test_without_previews_the_pages_are_written_and_no_gif(clips, tmp_path):
    arguments = ["--checkpoint", str(DEMO_CHECKPOINT), "--data", str(clips[0]), "--out", str(tmp_path)]
    assert main(["atlas", *arguments, "--no-previews"]) == 0
    data = json.loads((tmp_path / "atlas.json").read_text())
    assert all(entry["preview"] is None for entry in data["layers"]["1"]["codes"].values())
    assert not list(tmp_path.rglob("*.gif")) and (tmp_path / "index.html").is_file()


PROBE = """<script>
window.addEventListener("load", () => {
  const images = [...document.images];
  const loaded = images.filter((im) => im.complete && im.naturalWidth > 0).length;
  const probe = document.createElement("pre");
  probe.id = "probe";
  probe.textContent = `${loaded}/${images.length}`;
  document.body.appendChild(probe);
});
</script></body>"""


def _chromium(*arguments: str) -> subprocess.CompletedProcess:
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (Debian: apt-get install chromium); the page is not opened")
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", *arguments]
    return subprocess.run(command, capture_output=True, text=True, timeout=90, check=False)


def test_the_index_opens_in_headless_chromium_with_every_preview_loaded(out, atlas_json):
    probe = out / "probe.html"  # the index with images loaded eagerly and a script that counts them
    html = (out / "index.html").read_text().replace(' loading="lazy"', "")
    probe.write_text(html.replace("</body>", PROBE))
    dom = _chromium("--virtual-time-budget=10000", "--dump-dom", probe.as_uri()).stdout
    used = sum(len(data["codes"]) for data in atlas_json["layers"].values())
    assert re.search(r'<pre id="probe">(\d+)/(\d+)</pre>', dom).groups() == (str(used), str(used))


def test_a_screenshot_of_the_index_shows_the_previews(out, tmp_path):
    shot = tmp_path / "index.png"
    _chromium(
        "--window-size=1000,700",
        "--virtual-time-budget=5000",
        f"--screenshot={shot}",
        (out / "index.html").as_uri(),
    )
    pixels = np.asarray(Image.open(shot).convert("RGB")).astype(int)
    blue = np.abs(pixels - (100, 148, 208)).sum(axis=-1) < 60  # the context steps' bones, first frame
    assert blue.sum() > 500


def test_a_folder_without_clips_is_an_error_line(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    code = main(
        ["atlas", "--checkpoint", str(DEMO_CHECKPOINT), "--data", str(empty), "--out", str(tmp_path / "a")]
    )
    assert code == 2 and "no clips to make an atlas of" in capsys.readouterr().err
    assert not (tmp_path / "a").exists()
