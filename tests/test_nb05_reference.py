"""Homework 05 has one answer: the notebook's solution. The instructor's tools that apply the same rules
(``course_tools.reference.fonts``, used by the reference ``NotMNIST`` and by the stand-in's generator) agree with
it on tricky names, and the embedded stand-in's split by font is what notebook 05 says it is.

The notebook's solution functions are taken from its task cells (the instructor's notebook) and run here.
"""

from __future__ import annotations

import base64
import tarfile
from pathlib import Path

import pytest
from _homework_harness import Harness  # tests/ is on sys.path (pytest rootdir import mode)

from course_tools import synth
from course_tools.reference import fonts
from course_tools.reference.notmnist import NotMNIST, split_codes

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "05_notmnist_dataset_homework.ipynb"
SETUP = """
import base64, hashlib, os, shutil, tarfile, tempfile, urllib.request
from pathlib import Path
import numpy as np
import torch
from PIL import Image
from torch.utils.data import Dataset
LETTERS = "ABCDEFGHIJ"
"""


def b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


#: File names a font rule can get wrong, and why each is tricky.
TRICKY = {
    b64("FreightDispBookItalic.ttf") + ".png": "a real notMNIST name (with == padding)",
    b64("DejaVuSans#00012.ttf") + ".png": "a '#' inside the decoded name (older stand-in names): the whole name",
    b64("DejaVuSans-Bold 00012.ttf") + ".png": "a stand-in variant: the whole name is the font",
    b64("DejaVuSans-Bold 00013.ttf") + ".png": "the next variant: another font",
    b64("Times>>.ttf") + ".png": "'+' in the base64 text",
    b64("Kappa?>.ttf") + ".png": "'/' in the base64 text",
    b64("Arial Bold.ttf").rstrip("=") + ".png": "base64 without its padding: not valid, its own font",
    b64("Times>>.ttf").replace("+", "-") + ".png": "the URL-safe alphabet: not standard base64, its own font",
    "QXJp YWwudHRm.png": "a space inside: validate=True refuses it",
    "//79.png": "base64 of bytes that are not UTF-8",
    "AAAA.png": "base64 of three NUL bytes: valid UTF-8, so that is the font",
    "not base64!.png": "not base64 at all",
    b64("Arial.ttf") + ".PNG": "an upper-case ending is not '.png': nothing is removed",
    b64("Ünïcödé.otf") + ".png": "a non-ASCII font name",
    "QQ==QQ==.png": "padding in the middle",
    ".png": "nothing before .png",
}


@pytest.fixture(scope="module")
def notebook():
    """The notebook's solution functions (its task cells run in one namespace)."""
    harness = Harness(NOTEBOOK, SETUP)
    namespace: dict = {"__name__": "__main__"}
    exec(compile(SETUP, "<setup>", "exec"), namespace)
    for task_id, source in harness.tasks.items():
        exec(compile(source, f"<task {task_id}>", "exec"), namespace)
    return namespace


@pytest.mark.parametrize("name", list(TRICKY), ids=list(TRICKY.values()))
def test_font_of_agrees_with_the_notebook(notebook, name):
    assert fonts.font_of(name) == notebook["font_of"](name)


def test_the_tricky_names_are_really_tricky():
    """The old reference rule (padding added, URL-safe alphabet, printable check, cut at '#') differed on these."""
    assert fonts.font_of(b64("DejaVuSans#00012.ttf") + ".png") == "DejaVuSans#00012.ttf"
    assert fonts.font_of(b64("Arial Bold.ttf").rstrip("=") + ".png") == b64("Arial Bold.ttf").rstrip("=")
    assert fonts.font_of(b64("Times>>.ttf").replace("+", "-") + ".png") == b64("Times>>.ttf").replace("+", "-")
    assert fonts.font_of("AAAA.png") == "\x00\x00\x00"


@pytest.mark.parametrize("fraction", [0.2, 0.4, 0.01, 0.5, 0.25])
def test_split_agrees_with_the_notebook(notebook, fraction, tmp_path):
    # ('/' cannot be in a file name: those names are left out here)
    names = [name for name in TRICKY if "/" not in name] + [b64(f"Font {i:03d}.ttf") + ".png" for i in range(37)]
    pairs = [(tmp_path / letter / name, label) for label, letter in enumerate("AB") for name in names]
    train, test = notebook["split_by_font"](pairs, fraction)
    side = fonts.split_fonts([fonts.font_of(p.name) for p, _ in pairs], fraction)
    assert [pl for pl in pairs if side[fonts.font_of(pl[0].name)] == "test"] == test
    assert [pl for pl in pairs if side[fonts.font_of(pl[0].name)] == "train"] == train
    # the reference NotMNIST's codes (test = 2) for the same images
    file_ids = [names.index(p.name) for p, _ in pairs]
    codes = split_codes(names, file_ids, fraction)
    assert [pl for pl, code in zip(pairs, codes) if code == 2] == test


def test_a_validation_split_takes_fonts_after_the_test_fonts():
    names = [f"Font {i:03d}.ttf" for i in range(100)]
    plain = fonts.split_fonts(names, 0.2)
    with_val = fonts.split_fonts(names, 0.2, 0.1)
    assert [n for n in names if with_val[n] == "test"] == [n for n in names if plain[n] == "test"]
    assert sum(v == "val" for v in with_val.values()) == 10 and sum(v == "test" for v in with_val.values()) == 20
    with pytest.raises(ValueError, match="leave fonts for training"):
        fonts.split_fonts(names, 0.6, 0.5)


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The embedded stand-in, extracted."""
    from course_utils.env import embedded_data_dir

    folder = tmp_path_factory.mktemp("sample")
    with tarfile.open(embedded_data_dir() / "notMNIST_small.tar.gz") as tar:
        tar.extractall(folder, filter="data")
    return folder / "notMNIST_small"


def test_the_reference_dataset_holds_the_notebooks_splits(notebook, sample):
    for split in ("train", "test"):
        mine = notebook["NotMNISTDataset"](sample, split=split)
        reference = NotMNIST.embedded(split=split)
        assert [f"{p.parent.name}/{p.name}" for p, _ in mine.samples] == \
               [reference.path_of(i) for i in range(len(reference))]
        assert sorted(f"{Path(p).parent.name}/{Path(p).name}" for p, _ in mine.bad_files) == \
               sorted(path for path, _ in reference.bad_files)


def test_the_stand_ins_test_typefaces_are_never_in_training(notebook, sample):
    """Notebook 05 says the model has never seen the test fonts: on the stand-in that holds for whole typefaces,
    not only for the variants the split sees as fonts."""
    def typefaces(dataset):
        return {notebook["font_of"](p.name).rsplit(" ", 1)[0] for p, _ in dataset.samples}

    train = notebook["NotMNISTDataset"](sample, split="train")
    test = notebook["NotMNISTDataset"](sample, split="test")
    assert typefaces(train).isdisjoint(typefaces(test))
    assert typefaces(test) == {Path(f).stem for f in synth.EMBEDDED_TEST_FONTS}
    assert len(typefaces(train)) == 16 and (len(train), len(test)) == (1440, 360)


def test_the_test_typefaces_follow_the_splits_own_rule():
    """They are the first fifth of the stand-in's typefaces in SHA-256 order, as the split would pick fonts."""
    ranked = fonts.ranked_fonts(synth.EMBEDDED_LETTER_FONTS)
    assert tuple(sorted(ranked[:4])) == tuple(sorted(synth.EMBEDDED_TEST_FONTS))


def test_the_generator_refuses_counts_that_would_split_a_typeface():
    spec = synth.NotMNISTSpec(folder="notMNIST_small", counts=(14,) * 10, fonts=synth.EMBEDDED_LETTER_FONTS[:7],
                              test_fonts=synth.EMBEDDED_LETTER_FONTS[:1])
    with pytest.raises(ValueError, match="does not keep typefaces together"):
        synth.check_font_split(spec)   # 2 of 14 (font, variant) pairs in test, where the rule takes 3
    fine = synth.NotMNISTSpec(folder="notMNIST_small", counts=(10,) * 10, fonts=synth.EMBEDDED_LETTER_FONTS[:5],
                              test_fonts=synth.EMBEDDED_LETTER_FONTS[:1])
    synth.check_font_split(fine)
