"""The glyph generator: formats, planted bad files, determinism, and the committed embedded data."""

from __future__ import annotations

import base64
import io
import json
import tarfile
import time

import numpy as np
from PIL import Image

from course_tools import synth
from course_utils.data.idx import read_idx
from course_utils.env import embedded_data_dir

TINY_NOTMNIST = synth.NotMNISTSpec(folder="notMNIST_small", counts=(3,) * 10,
                                   bad=(("A", "empty"), ("F", "invalid"), ("C", "size")), seed=3)
TINY_MNIST = synth.MNISTSpec(train_per_class=3, test_per_class=1, seed=4)


def test_render_is_a_light_glyph_on_dark():
    image = synth.render("A", "DejaVuSans.ttf", np.random.default_rng(0))
    assert image.shape == (28, 28) and image.dtype == np.uint8
    border = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
    assert image.max() >= 150 and np.median(border) < 40


def test_render_depends_only_on_the_seed():
    a = synth.render("G", "cmr10.ttf", np.random.default_rng(7), synth.MNIST_STYLE)
    b = synth.render("G", "cmr10.ttf", np.random.default_rng(7), synth.MNIST_STYLE)
    c = synth.render("G", "cmr10.ttf", np.random.default_rng(8), synth.MNIST_STYLE)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


#: Fonts of LETTER_FONTS that matplotlib ships only from 3.11 on (the generator runs in the pinned
#: environment; with an older matplotlib, as on Colab, the rest of the tests still apply).
_FONTS_SINCE_MPL_3_11 = {"cmti10.ttf"}


def test_fonts_exist_and_draw_distinct_glyphs():
    import matplotlib

    old_matplotlib = tuple(int(p) for p in matplotlib.__version__.split(".")[:2]) < (3, 11)
    for font in synth.LETTER_FONTS:
        if old_matplotlib and font in _FONTS_SINCE_MPL_3_11:
            continue
        assert synth.font_path(font).is_file(), font
    style = synth.Style(rotation_deg=0, shear=0, scale_jitter=0, max_stroke=0, thin_prob=0, crop_prob=0,
                        shift_max=0, blur_max=0, noise_prob=0)
    glyphs = {synth.render(c, "DejaVuSerif.ttf", np.random.default_rng(0), style).tobytes() for c in synth.LETTERS}
    assert len(glyphs) == 10


def test_notmnist_archive_layout_and_bad_files(tmp_path):
    summary = synth.write_notmnist_archive(tmp_path / "a.tar.gz", TINY_NOTMNIST, workers=1)
    assert summary["files"] == 33 and summary["good"] == 30 and len(summary["bad"]) == 3
    with tarfile.open(tmp_path / "a.tar.gz") as tar:
        files = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
        members = tar.getmembers()
    # reproducible metadata: one fixed date for every member (not the time of writing), owner root
    assert len({m.mtime for m in members}) == 1 and members[0].mtime < time.time() - 365 * 86400
    assert {(m.uid, m.gid) for m in members} == {(0, 0)}
    assert len(files) == 33
    by_letter = {}
    for name in files:
        top, letter, file_name = name.split("/")
        assert top == "notMNIST_small" and file_name.endswith(".png")
        by_letter.setdefault(letter, set()).add(file_name)
        decoded = base64.b64decode(file_name[:-4], validate=True).decode()  # real notMNIST's naming
        stem, variant = decoded[:-len(".ttf")].rsplit(" ", 1)
        assert variant.isdigit() and stem + ".ttf" in synth.LETTER_FONTS + ("cmsy10.ttf",)
    assert by_letter["B"] == by_letter["J"], "one font+variant name is used for every letter"
    bad = {name.split("/")[1]: files[name] for name in summary["bad"]}
    assert bad["A"] == b""
    assert bad["F"].startswith(b"\x89PNG") and len(bad["F"]) > 8
    assert Image.open(io.BytesIO(bad["C"])).size == (30, 30)
    good = Image.open(io.BytesIO(files[next(n for n in files if n not in summary["bad"])]))
    assert good.size == (28, 28) and good.mode == "L"


def test_generator_is_deterministic_and_worker_independent(tmp_path):
    one = synth.write_notmnist_archive(tmp_path / "one.tar.gz", TINY_NOTMNIST, workers=1, chunk=4)
    two = synth.write_notmnist_archive(tmp_path / "two.tar.gz", TINY_NOTMNIST, workers=2, chunk=7)
    assert one["sha256"] == two["sha256"]
    first = synth.generate_embedded(tmp_path / "e1", notmnist=TINY_NOTMNIST, mnist=TINY_MNIST)
    second = synth.generate_embedded(tmp_path / "e2", notmnist=TINY_NOTMNIST, mnist=TINY_MNIST)
    assert first["files"] == second["files"]
    assert (tmp_path / "e1" / "MANIFEST.json").read_bytes() == (tmp_path / "e2" / "MANIFEST.json").read_bytes()


def test_mnist_files(tmp_path):
    paths = synth.write_mnist(tmp_path, TINY_MNIST)
    assert sorted(p.name for p in paths.values()) == sorted(synth.MNIST_FILES.values())
    images, labels = read_idx(paths["train_images"]), read_idx(paths["train_labels"])
    assert images.shape == (30, 28, 28) and images.dtype == np.uint8
    assert sorted(np.bincount(labels).tolist()) == [3] * 10
    assert labels.tolist() != sorted(labels.tolist()), "shuffled, like MNIST"
    assert read_idx(paths["test_images"]).shape == (10, 28, 28)


def test_committed_embedded_data_matches_its_manifest():
    folder = embedded_data_dir()
    manifest = json.loads((folder / "MANIFEST.json").read_text())
    total = 0
    for name, info in manifest["files"].items():
        path = folder / name
        assert path.stat().st_size == info["bytes"]
        assert synth.sha256_file(path) == info["sha256"], f"{name} differs from MANIFEST.json"
        total += info["bytes"]
    assert total < 5_000_000, "the embedded data must stay a few MB"
    assert manifest["MNIST"] == {**manifest["MNIST"], "train": 5000, "test": 1000}
