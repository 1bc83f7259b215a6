"""Every check message names the right cause (issue 24, item 6).

For each message: the wrong input, the message it gives, and that it names the cause (and not a wrong one, nor the
expected value where the cause is enough). The homework cases plant one mistake in the notebook's solution and run
the task and test cells as a kernel would (``_homework_harness``); the others call the checks directly.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from _homework_harness import Harness  # tests/ is on sys.path (pytest rootdir import mode)

from course_utils.checks import selfcheck as checks
from course_utils.checks.notmnist_toy import StandInError, make_toy_notmnist

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
SETUP_04 = "import math\nimport numpy as np\nimport torch\nfrom torch import nn\n"
SETUP_05 = """
import base64, hashlib, os, shutil, tarfile, tempfile, urllib.request
from pathlib import Path
import numpy as np
import torch
from PIL import Image
from torch.utils.data import Dataset
LETTERS = "ABCDEFGHIJ"
"""


@pytest.fixture(scope="module")
def mlp():
    return Harness(NOTEBOOKS / "04_mlp_homework.ipynb", SETUP_04)


@pytest.fixture(scope="module")
def notmnist():
    return Harness(NOTEBOOKS / "05_notmnist_dataset_homework.ipynb", SETUP_05)


def _message(call) -> str:
    with pytest.raises(checks.CheckFailure) as info:
        call()
    return str(info.value)


def _only_failure(harness: Harness, task_id: str, source: str) -> str:
    failed = harness.failing({task_id: source})
    assert list(failed) == [task_id], failed
    assert failed[task_id].startswith("CheckFailure: "), failed[task_id]
    return failed[task_id]


# --------------------------------------------------------------------------- homework 04
def test_a_dropout_layer_is_named_as_randomness_not_as_flattening(mlp):
    source = mlp.replace("mlp.model", "        self.fc2 = nn.Linear(256, 10)\n",
                         "        self.fc2 = nn.Linear(256, 10)\n        self.drop = nn.Dropout(0.5)\n")
    source = source.replace("return self.fc2(torch.relu(self.fc1(flat)))",
                            "return self.fc2(self.drop(torch.relu(self.fc1(flat))))")
    message = _only_failure(mlp, "mlp.model", source)
    assert "computed twice" in message and "random layer" in message
    assert "flatten" not in message


def test_a_helper_defined_in_a_later_cell_is_named_with_the_students_line(mlp):
    source = mlp.replace("mlp.model", "flat = x.flatten(start_dim=1)", "flat = flatten_images(x)")
    message = _only_failure(mlp, "mlp.model", source)
    assert "`flatten_images` is not defined when this check runs" in message
    assert "a cell below the test" in message
    assert "your line `flat = flatten_images(x)` (in forward)" in message
    assert "Hint:" not in message, "the task's flatten hint is not the cause"


def test_mixing_the_images_of_a_batch_is_named_as_that(mlp):
    source = mlp.replace("mlp.model", "return self.fc2(torch.relu(self.fc1(flat)))",
                         "return torch.softmax(self.fc2(torch.relu(self.fc1(flat))), dim=0)")
    message = _only_failure(mlp, "mlp.model", source)
    assert "alone and in a batch" in message and "must not depend on the other images of the batch" in message


def test_an_error_inside_the_model_quotes_the_students_line(mlp):
    source = mlp.replace("mlp.model", "flat = x.flatten(start_dim=1)", "flat = x.view(-1, 28)")
    message = _only_failure(mlp, "mlp.model", source)
    assert "raised RuntimeError" in message   # (the view works; the first layer then gets rows of 28 numbers)
    assert "your line `return self.fc2(torch.relu(self.fc1(flat)))` (in forward)" in message
    assert "Hint: see task mlp.model" in message   # a shape error: the task's flatten hint is the right one


def test_integer_division_in_accuracy_is_named_not_item(mlp):
    source = mlp.replace("mlp.accuracy", "return (predicted == y_true).float().mean().item()",
                         "return (predicted == y_true).sum().item() // len(y_true)")
    message = _only_failure(mlp, "mlp.accuracy", source)
    assert "should be a float, but it is a int: 0" in message and "`//`" in message and "whole number" in message
    assert "0.5" not in message, "the cause is enough: the expected value is not shown"


def test_item_in_cross_entropy_is_named_not_torch_tensor(mlp):
    source = mlp.replace("mlp.cross_entropy", "return -picked.mean()", "return -picked.mean().item()")
    message = _only_failure(mlp, "mlp.cross_entropy", source)
    assert "a plain number" in message and ".item()" in message and "return the tensor itself" in message
    assert "torch.tensor(" not in message


# --------------------------------------------------------------------------- homework 05
def test_an_rgb_image_is_told_to_convert_not_to_squeeze(notmnist):
    source = notmnist.replace("hw05.load", 'np.array(image.convert("L"), dtype=np.uint8)',
                              'np.array(image.convert("RGB"), dtype=np.uint8)')
    message = _only_failure(notmnist, "hw05.load", source)
    assert "(1, 28, 28, 3)" in message and "colour image" in message and 'image.convert("L")' in message
    assert "squeeze" not in message


def test_a_channel_in_the_wrong_place_is_described_without_an_unrelated_guess(notmnist):
    source = notmnist.replace("hw05.load", ".unsqueeze(0)", ".unsqueeze(1)")
    message = _only_failure(notmnist, "hw05.load", source)
    assert "another order: dimension 0 has size 28 where 1 belongs" in message
    assert "nn.Linear" not in message


def test_a_missing_channel_is_named_as_that_not_as_a_batch(notmnist):
    source = notmnist.replace("hw05.load", ".unsqueeze(0)", "")
    message = _only_failure(notmnist, "hw05.load", source)
    assert "The dimension of size 1 at position 0 is missing" in message
    assert "batch" not in message


def test_a_missing_folder_is_named_not_the_rename(notmnist):
    source = notmnist.replace("hw05.download", "    final.parent.mkdir(parents=True, exist_ok=True)\n", "")
    message = _only_failure(notmnist, "hw05.download", source)
    assert "raised FileNotFoundError" in message and "The folder `downloads` does not exist" in message
    assert "your line `with urllib.request.urlopen(url) as response, open(partial, \"wb\") as out:`" in message
    assert "rename" not in message and "Hint:" not in message


def test_bad_files_reaching_the_split_stand_in_name_the_cause_and_the_line(notmnist):
    source = notmnist.replace("hw05.dataset", "train, test = split_by_font(good, test_fraction)",
                              "train, test = split_by_font(scan_folders(self.folder), test_fraction)")
    message = _only_failure(notmnist, "hw05.dataset", source)
    assert "stopped in a stand-in" in message and "a bad file (empty)" in message
    assert "only the good pairs" in message
    assert "your line `train, test = split_by_font(scan_folders(self.folder), test_fraction)` (in __init__)" in message
    assert "KeyError" not in message


SPLIT_WITH_PATHS = '''
def split_by_font(pairs, test_fraction=0.2):
    fonts = sorted({font_of(str(path)) for path, _ in pairs},
                   key=lambda font: hashlib.sha256(font.encode("utf-8")).hexdigest())
    n_test = max(1, round(test_fraction * len(fonts)))
    test_fonts = set(fonts[:n_test])
    return ([(p, label) for p, label in pairs if font_of(str(p)) not in test_fonts],
            [(p, label) for p, label in pairs if font_of(str(p)) in test_fonts])
'''


def test_a_path_given_to_the_font_of_stand_in_is_named(notmnist):
    message = _only_failure(notmnist, "hw05.split", SPLIT_WITH_PATHS)
    assert "stand-in for font_of" in message and "a path: font_of takes a file name" in message
    assert "your line `fonts = sorted({font_of(str(path)) for path, _ in pairs}," in message


def test_stand_ins_refuse_what_the_students_code_should_not_pass(tmp_path):
    toy = make_toy_notmnist(tmp_path)
    empty = next(path for path, kind in toy.bad.items() if kind == "empty")
    with pytest.raises(StandInError, match=r"a bad file \(empty\)"):
        toy.load(empty)
    with pytest.raises(StandInError, match="not a file of the toy folder"):
        toy.font_of("unknown.png")
    with pytest.raises(StandInError, match=r"pass on the test_fraction"):
        toy.split(toy.good_pairs, 0.3)
    with pytest.raises(StandInError, match=r"\(path, label\) pairs"):
        toy.find_bad([p for p, _ in toy.pairs])
    good_name = toy.good_pairs[0][0].name
    assert toy.font_of(good_name) == toy.fonts[good_name]


# --------------------------------------------------------------------------- the checks themselves
@pytest.mark.parametrize("value, expected, words, absent", [
    (torch.zeros(1, 28, 28, 3), (1, 28, 28), ['convert("L")', "colour image"], ["squeeze"]),
    (torch.zeros(1, 28, 28, 4), (1, 28, 28), ["RGBA"], ["squeeze"]),
    (torch.zeros(5, 1, 10), (5, 10), ["extra dimension of size 1 at position 1", ".squeeze(1)"], []),
    (torch.zeros(28, 1, 28), (1, 28, 28), ["another order", "dimension 0 has size 28 where 1 belongs"], ["nn.Linear"]),
    (torch.zeros(28, 28), (1, 28, 28), ["size 1 at position 0 is missing"], ["batch"]),
    (torch.zeros(10), (None, 10), ["any size at position 0 is missing"], []),
    (np.zeros((64, 28, 28)), (64, 784), ["3 dimension(s) instead of 2", ".view()/.reshape()"], []),
    (0.25, (), ["a plain number", ".item()"], ["torch.tensor("]),
    (np.float32(0.25), (), ["a plain number"], []),
    ([1, 2], (2,), ["without a shape", "torch.tensor(...)"], []),
])
def test_check_shape_names_the_difference(value, expected, words, absent):
    message = _message(lambda: checks.check_shape("x", value, expected))
    for word in words:
        assert word in message, message
    for word in absent:
        assert word not in message, message


def test_check_type_names_a_whole_number_where_a_fraction_belongs():
    message = _message(lambda: checks.check_type("acc", 0, float))
    assert "whole number" in message and "`//`" in message
    assert "whole number" not in _message(lambda: checks.check_type("acc", torch.tensor(0.5), float))


def test_check_close_states_a_factor_of_100_without_guessing_why():
    message = _message(lambda: checks.check_close("accuracy", 9.7, 0.097))
    assert "exactly 100 times the expected value" in message and "percentage" not in message


def test_check_call_names_the_students_line_and_keeps_the_hint_for_other_errors():
    namespace = {"__name__": "__main__"}
    source = "def f(x):\n    return x.shape * 2\n"
    import linecache

    linecache.cache["<student cell>"] = (len(source), None, source.splitlines(True), "<student cell>")
    exec(compile(source, "<student cell>", "exec"), namespace)
    message = _message(lambda: checks.check_call("f(3)", namespace["f"], 3, hint="square the number"))
    assert "raised AttributeError" in message and "your line `return x.shape * 2` (in f)" in message
    assert message.endswith("Hint: square the number")
