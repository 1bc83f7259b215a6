"""The checks of homework 05 (the notMNIST Dataset) are fair: right in any correct style, wrong only where the
mistake is, with a message that names it (including the beginner's mistakes of the homework review).

Each case runs every task cell of the notebook (the solution, with one task replaced by a variant) and then every
test cell, visible and hidden, in this process, as the grader's kernel would.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from _homework_harness import Harness  # tests/ is on sys.path (pytest rootdir import mode)

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


@pytest.fixture(scope="module")
def harness():
    return Harness(NOTEBOOK, SETUP)


def test_the_notebook_has_eight_tasks_worth_sixteen_points(harness):
    assert list(harness.tasks) == ["hw05.download", "hw05.extract", "hw05.scan", "hw05.bad", "hw05.load",
                                   "hw05.font", "hw05.split", "hw05.dataset"]
    assert sum(harness.points.values()) == 16


def test_the_solution_passes_every_check(harness):
    assert harness.failing({}) == {}


STYLES = {
    "extract: tarfile's data filter": ("hw05.extract", '''
def safe_extract(archive, dest):
    Path(dest).mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive) as tar:
        tar.extractall(dest, filter="data")
    return Path(dest)
'''),
    "download: urlretrieve": ("hw05.download", '''
def download(url, path, expected_bytes=None):
    path = Path(path)
    if path.exists() and (expected_bytes is None or path.stat().st_size == expected_bytes):
        return path
    os.makedirs(path.parent, exist_ok=True)
    tmp = str(path) + ".download"
    urllib.request.urlretrieve(url, tmp)
    if expected_bytes is not None and os.path.getsize(tmp) != expected_bytes:
        os.remove(tmp)
        raise ValueError("wrong size")
    os.replace(tmp, path)
    return path
'''),
    "load: torch.tensor": ("hw05.load", '''
def load_image(path):
    with Image.open(path) as im:
        return (torch.tensor(np.array(im.convert("L")), dtype=torch.float32) / 255).unsqueeze(0)
'''),
    "font: slicing and binascii.Error": ("hw05.font", '''
import binascii
def font_of(file_name):
    stem = file_name[:-len(".png")] if file_name.endswith(".png") else file_name
    try:
        return base64.b64decode(stem, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return stem
'''),
}


@pytest.mark.parametrize("name", list(STYLES))
def test_another_correct_style_passes(harness, name):
    task_id, source = STYLES[name]
    assert harness.failing({task_id: source}) == {}


# (task, piece of the solution, wrong replacement, words the failure message must contain)
MISTAKES = [
    # issue 18: wrong work that used to score full marks
    ("hw05.split", "n_test = max(1, round(test_fraction * len(fonts)))", "n_test = max(1, int(test_fraction * len(fonts)))",
     "int()"),
    ("hw05.font", "base64.b64decode(stem, validate=True)", "base64.b64decode(stem)", "validate=True"),
    ("hw05.extract", "    root = dest.resolve()\n", "    root = Path.cwd().resolve()\n", "dest"),
    # issue 18: raw errors that must become messages with the task's hint
    ("hw05.bad", "            bad.append((file, reason))", "            bad.append(file)", "(path, reason)"),
    ("hw05.bad", "    except OSError:", "    except Image.UnidentifiedImageError:", "OSError"),
    # other classic mistakes
    ("hw05.scan", "            if not path.name.startswith(\".\"):\n                pairs.append((path, label))",
     "            pairs.append((path, label))", "'._'"),
    ("hw05.scan", "for path in sorted((folder / letter).glob(\"*.png\"))", "for path in (folder / letter).glob(\"*.png\")",
     "sort"),
    ("hw05.bad", "            image.load()              # decode the pixels: a truncated file fails here, not in Image.open\n",
     "", "image.load()"),
    ("hw05.load", ".div_(255.0)", "", "255"),
    ("hw05.download", "    if expected_bytes is not None and size != expected_bytes:", "    if False:", "without an error"),
    ("hw05.extract", "            if not (root / member.name).resolve().is_relative_to(root):\n"
     "                raise ValueError(f\"{archive}: the entry {member.name!r} would land outside {dest}: not extracted\")\n",
     "", "escaped"),
    ("hw05.dataset", "        return len(self.samples)", "        return len(self.samples) + len(self.bad_files)",
     "every good image"),
]


@pytest.mark.parametrize("task_id,old,new,words", MISTAKES, ids=[f"{t}:{n.strip()[:40]}" for t, _, n, _ in MISTAKES])
def test_a_mistake_costs_its_own_task_only_with_a_message(harness, task_id, old, new, words):
    failed = harness.failing({task_id: harness.replace(task_id, old, new)})
    assert list(failed) == [task_id], failed
    assert failed[task_id].startswith("CheckFailure"), failed[task_id]
    assert words in failed[task_id], failed[task_id]


def test_a_wrong_font_of_costs_only_its_own_point(harness):
    broken = "def font_of(file_name):\n    return file_name\n"
    assert list(harness.failing({"hw05.font": broken})) == ["hw05.font"]


def test_a_blank_dataset_helper_does_not_cost_the_class(harness):
    blank = "def load_image(path):\n    raise NotImplementedError('hw05.load')\n"
    assert list(harness.failing({"hw05.load": blank})) == ["hw05.load"]
