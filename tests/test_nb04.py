"""The checks of notebook 04 (the MLP homework) catch the usual wrong answers.

``test_homework_notebooks.py`` proves that the solution scores full marks and the blank edition
zero. This file proves the checks in between are worth something: each test cell of the notebook
(visible and hidden checks) is run, in this process, against the solution and against typical
mistakes, and must pass the first and fail every one of the others with a ``CheckFailure``.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from course_tools.homework.markers import cell_source, parse_notebook, split_test
from course_tools.homework.release import load_notebook
from course_utils.checks import homework as checks

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "04_mlp_homework.ipynb"

pytestmark = pytest.mark.skipif(not NOTEBOOK.is_file(), reason="notebooks/04_mlp_homework.ipynb is missing")


@pytest.fixture(scope="module")
def homework():
    nb = load_notebook(NOTEBOOK)
    hw = parse_notebook(nb, NOTEBOOK.name)
    tasks = {task_id: cell_source(nb.cells[info.index]) for task_id, info in hw.tasks.items()}
    tests = {}
    for test_id, info in hw.tests.items():
        visible, hidden = split_test(cell_source(nb.cells[info.index]), info)
        tests[test_id] = visible + "\n" + hidden
    return tasks, tests


def _namespace() -> dict:
    names = {"torch": torch, "nn": nn, "math": math, "np": np}
    names.update({name: getattr(checks, name) for name in checks.__all__})
    return names


def _run(source: str, namespace: dict) -> None:
    exec(compile(source, "<notebook 04 cell>", "exec"), namespace)


def _replace(source: str, old: str, new: str) -> str:
    assert source.count(old) == 1, f"{old!r} is no longer in the solution: update this test"
    return source.replace(old, new)


def _with_task(tasks: dict, task_id: str, source: str) -> dict:
    namespace = _namespace()
    for other, other_source in tasks.items():  # every other task's solution, as a student who solved them
        _run(source if other == task_id else other_source, namespace)
    return namespace


def test_the_notebook_has_the_four_tasks_worth_ten_points(homework):
    tasks, tests = homework
    assert list(tasks) == ["mlp.layers", "mlp.forward", "mlp.accuracy", "mlp.train_step"]
    assert set(tests) == set(tasks)
    hw = parse_notebook(load_notebook(NOTEBOOK), NOTEBOOK.name)
    assert hw.total_points == 10


@pytest.mark.parametrize("task_id", ["mlp.layers", "mlp.forward", "mlp.accuracy", "mlp.train_step"])
def test_solution_passes_visible_and_hidden_checks(homework, task_id, capsys):
    tasks, tests = homework
    namespace = _with_task(tasks, task_id, tasks[task_id])
    _run(tests[task_id], namespace)
    assert f"{task_id}: the visible checks passed" in capsys.readouterr().out


# (task, wrong code replacing a piece of the solution): each must fail its task's checks.
MISTAKES = [
    ("mlp.layers", "nn.Linear(28 * 28, 256)", "nn.Linear(256, 28 * 28)"),             # in/out swapped
    ("mlp.layers", "nn.Linear(28 * 28, 256)", "nn.Linear(28 * 28, 256, bias=False)"),  # no bias
    ("mlp.layers", "nn.Linear(256, 10)", "nn.Linear(256, 9)"),                         # wrong class count
    ("mlp.forward", "return model.fc2(torch.relu(model.fc1(x)))",
     "return torch.softmax(model.fc2(torch.relu(model.fc1(x))), dim=1)"),               # softmax on top
    ("mlp.forward", "return model.fc2(torch.relu(model.fc1(x)))", "return model.fc2(model.fc1(x))"),  # no ReLU
    ("mlp.forward", "return model.fc2(torch.relu(model.fc1(x)))",
     "return model.fc2(torch.relu(model.fc1(x))).detach()"),                            # graph cut
    ("mlp.accuracy", "return (y_pred == y_true).float().mean().item()",
     "return (y_pred == y_true).float().mean()"),                                       # a tensor
    ("mlp.accuracy", "return (y_pred == y_true).float().mean().item()",
     "return (y_pred == y_true).sum().item()"),                                         # a count
    ("mlp.accuracy", "y_pred = logits.argmax(dim=1)", "y_pred = logits.argmax(dim=0)"),  # wrong axis
    ("mlp.train_step", "optimizer.zero_grad()\n", "\n"),                                # gradients add up
    ("mlp.train_step", "return loss.item()", "return loss"),                            # the tensor
    ("mlp.train_step", "optimizer.step()\n", "\n"),                                     # no update
    ("mlp.train_step", "return loss.item()",
     "return loss_fn(model(x), y).item()"),                                             # loss after the step
]


@pytest.mark.parametrize("task_id,old,new", MISTAKES, ids=[f"{t}:{n.strip()[:40]}" for t, _, n in MISTAKES])
def test_checks_reject_a_typical_mistake(homework, task_id, old, new):
    tasks, tests = homework
    namespace = _with_task(tasks, task_id, _replace(tasks[task_id], old, new))
    with pytest.raises(checks.CheckFailure):
        _run(tests[task_id], namespace)
