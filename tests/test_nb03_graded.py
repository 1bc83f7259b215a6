"""Lesson 03's two graded exercises are fair: right in any correct style, wrong only where the mistake is.

``basics.mlp_backward`` (Exercise 4) and ``basics.init`` (Exercise 8) are graded in the homework format. Each case
runs the task cells (the solution, or one task replaced), then each visible test cell and its task's grading questions,
in this process (``_homework_harness``). Every wrong solution of ``tests/fixtures/homework/wrong/03_pytorch_basics.txt``
must lose exactly the requirements written beside it and fail its visible check (the same parity ``make hw-lint``
checks in real kernels); other correct styles must earn every point.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _homework_harness import Harness  # tests/ is on sys.path (pytest rootdir import mode)

from course_tools.homework.lint import read_wrong
from course_tools.homework.markers import parse_notebook
from course_tools.homework.release import load_notebook

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "03_pytorch_basics.ipynb"
CORPUS = REPO / "tests" / "fixtures" / "homework" / "wrong" / "03_pytorch_basics.txt"


def _forward_cell() -> str:
    """The lesson's own mlp_forward (the given forward pass the task calls), from its cell."""
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    source, = ["".join(c["source"]) for c in cells if "".join(c["source"]).startswith("def mlp_forward(")]
    return source.split("\n\n\n")[0] + "\n"


SETUP = ("import math\nimport numpy as np\nimport torch\nfrom torch import nn\n"
         "from course_utils.lessons.demos import mlp_backprop\n") + _forward_cell()


@pytest.fixture(scope="module")
def harness():
    return Harness(NOTEBOOK, SETUP)


def test_two_graded_exercises_worth_three_points_each(harness):
    assert list(harness.tasks) == ["basics.mlp_backward", "basics.init"]
    assert harness.points == {"basics.mlp_backward": 3, "basics.init": 3}


def test_the_solution_passes_every_check_and_question(harness):
    run = harness.run({})
    assert run.self_check == {} and run.lost == {}
    assert run.points == run.worth


def test_another_submission_gets_other_inputs_and_the_same_points(harness):
    run = harness.run({}, seed="another student")
    assert run.lost == {} and run.points == run.worth


BACKWARD_LOG_SOFTMAX = '''
def mlp_backward(X, y, W1, b1, W2, b2):
    S, Z1, A1 = mlp_forward(X, W1, b1, W2, b2)
    shifted = S - S.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    d_scores = np.exp(log_p)
    d_scores[np.arange(len(y)), y] -= 1
    d_scores /= X.shape[0]
    d_hidden = np.where(Z1 > 0, d_scores @ W2.T, 0.0)
    return (np.einsum("nd,nh->dh", X, d_hidden), d_hidden.sum(0), np.einsum("nh,nc->hc", A1, d_scores),
            d_scores.sum(0))
'''
INIT_OTHER_STYLE = '''
def predicted_std(weight_var, fan_in, layers):
    gain = fan_in * weight_var
    return math.sqrt(gain * (gain / 2) ** (layers - 1))


def he_normal_(weight):
    fan_out, fan_in = weight.shape
    with torch.no_grad():
        weight.copy_(torch.randn(fan_out, fan_in) * (2 / fan_in) ** 0.5)
    return weight
'''


@pytest.mark.parametrize("task, source", [("basics.mlp_backward", BACKWARD_LOG_SOFTMAX),
                                          ("basics.init", INIT_OTHER_STYLE)], ids=["log-softmax+einsum", "copy_"])
def test_other_correct_styles_earn_every_point(harness, task, source):
    header = harness.tasks[task].splitlines()[0]
    run = harness.run({task: header + "\n" + source})
    assert run.self_check == {} and run.lost == {}, (run.self_check, run.messages(task))


def _corpus():
    homework = parse_notebook(load_notebook(NOTEBOOK), NOTEBOOK.name)
    wrong, problems = read_wrong(CORPUS, homework)
    assert problems == []
    return wrong


WRONG = _corpus()


def test_the_corpus_has_typical_mistakes_of_both_tasks():
    assert {item.task for item in WRONG} == {"basics.mlp_backward", "basics.init"}
    assert all(item.loses for item in WRONG)


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning",
                            "ignore:invalid value encountered:RuntimeWarning")   # the naive softmax, on purpose
@pytest.mark.parametrize("item", WRONG, ids=[f"{w.task}:{w.what[:40]}" for w in WRONG])
def test_each_wrong_solution_loses_what_is_written_beside_it_and_fails_its_self_check(harness, item):
    run = harness.run({item.task: item.source})
    assert item.task in run.self_check, "the visible check passed a wrong solution"
    assert set(run.self_check) == {item.task}
    assert {task: sorted(lost) for task, lost in run.lost.items()} == {item.task: sorted(item.loses)}
    message = run.messages(item.task)
    assert message and "[" not in message            # a sentence, never an array of expected values
