"""The checks of homework 05 (the notMNIST Dataset) are fair: right in any correct style, wrong only where the
mistake is, with a message that names it (including the beginner's mistakes of the homework review).

Each case runs every task cell of the notebook (the solution, with one task replaced by a variant), then each visible
test cell and its task's grading questions, in this process (``_homework_harness``), as the grader's kernel would.
A correct variant earns every point; a mistake fails its own task's self-check and loses points on that task only.
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


def test_the_solution_passes_every_check_and_question(harness):
    run = harness.run({})
    assert run.self_check == {} and run.lost == {}
    assert run.points == run.worth


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
    run = harness.run({task_id: source})
    assert run.self_check == {} and run.lost == {}, (run.self_check, run.lost, run.messages(task_id))


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
    # issue 24: mistakes the old visible checks let through, each now caught by the test cell and the questions
    ("hw05.bad", 'return f"size {size[0]}x{size[1]}, expected 28x28"', 'return f"size {size[1]}x{size[0]}, expected 28x28"',
     "(width, height)"),
    ("hw05.load", 'image.convert("L")', "image", "grayscale"),
    ("hw05.split", "key=lambda font: hashlib.sha256(font.encode(\"utf-8\")).hexdigest())", "key=lambda font: font)",
     "SHA-256"),
    ("hw05.dataset", "        return image, int(label)", "        return image, torch.tensor(label)", "int(label)"),
    ("hw05.dataset", '        if split == "all":\n            self.samples = good\n        else:\n'
     '            train, test = split_by_font(good, test_fraction)\n            self.samples = train if split == "train" else test',
     '        train, test = split_by_font(good, test_fraction)\n        self.samples = train if split == "train" else test',
     "split='all'"),
    ("hw05.dataset", "        image = load_image(file)\n        if self.transform is not None:\n"
     "            image = self.transform(image)\n", "        image = load_image(file)\n", "transform"),
    ("hw05.scan", "    if missing:\n", "    if False:\n", "FileNotFoundError"),
    ("hw05.download", "    if final.is_file() and (expected_bytes is None or final.stat().st_size == expected_bytes):",
     "    if final.is_file():", "wrong size"),
    ("hw05.download", "        partial.unlink()\n", "", "temporary"),
    # issue 24: a wrapper of shipped code where the task asks for the student's own
    ("hw05.extract", "    dest = Path(dest)\n    dest.mkdir(parents=True, exist_ok=True)\n",
     "    from course_utils.data import extract_archive\n    return extract_archive(archive, dest)\n", "extract_archive"),
]


@pytest.mark.parametrize("task_id,old,new,words", MISTAKES, ids=[f"{t}:{n.strip()[:40]}" for t, _, n, _ in MISTAKES])
def test_a_mistake_costs_its_own_task_only_with_a_message(harness, task_id, old, new, words):
    run = harness.run({task_id: harness.replace(task_id, old, new)})
    failed = run.self_check
    assert list(failed) == [task_id], failed
    assert failed[task_id].startswith("CheckFailure"), failed[task_id]
    assert words in failed[task_id], failed[task_id]
    assert list(run.lost) == [task_id], (run.lost, run.messages(task_id))


def test_a_wrong_font_of_costs_only_its_own_point(harness):
    broken = "def font_of(file_name):\n    return file_name\n"
    run = harness.run({"hw05.font": broken})
    assert list(run.self_check) == ["hw05.font"] and list(run.lost) == ["hw05.font"]


def test_a_blank_dataset_helper_does_not_cost_the_class(harness):
    blank = "def load_image(path):\n    raise NotImplementedError('hw05.load')\n"
    run = harness.run({"hw05.load": blank})
    assert list(run.self_check) == ["hw05.load"] and list(run.lost) == ["hw05.load"]
    assert "not done yet" in run.messages("hw05.load")
