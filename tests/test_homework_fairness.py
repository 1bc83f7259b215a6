"""The fairness corpus: 32 submissions of homework 04 and 05 graded by the real grader, each against the grade
written beside it, and in every one of them a self-check that says "passed" means the task's full points.

The submissions are what students hand in: the solution, the blank edition, other correct styles, partial work,
and the typical wrong solutions of ``tests/fixtures/homework/wrong/`` (each written there with the requirements it
loses, ``[loses: ...]``), several to a submission and never two for one task (a mistake costs its own task only,
which the grades below check too). ``make hw-lint`` grades the same wrong solutions one by one
(``course_tools.homework lint --wrong``).
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
import test_nb04  # tests/ is on sys.path (pytest rootdir import mode)
import test_nb05

from course_tools.homework.grade import grade, submission_label
from course_tools.homework.lint import read_wrong
from course_tools.homework.markers import cell_source, header_of, parse_notebook
from course_tools.homework.release import load_notebook, release

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[1]
WRONG = REPO / "tests" / "fixtures" / "homework" / "wrong"
NB = {"04": "04_mlp_homework.ipynb", "05": "05_notmnist_dataset_homework.ipynb"}

TRAIN_STEP_STYLE = '''
def train_step(model, x, y, loss_fn, optimizer):
    model.train(True)
    model.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    return float(loss)
'''
#: Correct styles, one submission each (tasks not named keep the instructor's solution).
STYLE_SUBMISSIONS = {
    "04": [
        {"mlp.model": test_nb04.MODEL_RELU_MODULE, **{test_nb04.STYLES[k][0]: test_nb04.STYLES[k][1] for k in (
            "accuracy: count / len", "cross_entropy: gather", "split: randperm and Subset")},
         "mlp.train_step": TRAIN_STEP_STYLE},
        {"mlp.model": test_nb04.MODEL_SEQUENTIAL, "mlp.cross_entropy": test_nb04.STYLES["cross_entropy: nll_loss"][1]},
    ],
    "05": [{task: source for task, source in test_nb05.STYLES.values()}],
}
#: Partial work: only these tasks answered (the instructor's solution), the rest blank as released.
PARTIAL = {"04": [["mlp.accuracy", "mlp.split"], ["mlp.model", "mlp.evaluate", "mlp.train_step"]],
           "05": [["hw05.scan", "hw05.font", "hw05.dataset"], ["hw05.download", "hw05.extract", "hw05.load"]]}
#: At most this many wrong tasks in one submission of the wrong corpus.
WRONG_PER_SUBMISSION = 3


def _strip_markers(source: str) -> str:
    return "\n".join(line for line in source.splitlines()
                     if not re.match(r"^\s*(###\s*(BEGIN|END) SOLUTION|#\s*HINT:)", line))


def _task_cells(nb: dict) -> dict:
    return {header_of(c)[1]: c for c in nb["cells"] if c["cell_type"] == "code" and header_of(c)[0] == "task"}


def _with(edition: dict, answers: dict) -> dict:
    """The edition with the task cells of ``answers`` (task id -> code without its header) filled in."""
    nb = copy.deepcopy(edition)
    for task, cell in _task_cells(nb).items():
        if task in answers:
            header = cell_source(cell).splitlines()[0]
            cell["source"] = header + "\n" + answers[task].strip("\n") + "\n"
    return nb


def _corpus():
    """``[(notebook short name, submission name, answers, {task: lost requirement ids})]``."""
    found = []
    for short, name in NB.items():
        path = REPO / "notebooks" / name
        homework = parse_notebook(load_notebook(path), name)
        solution = {task: _strip_markers(cell_source(homework.nb.cells[info.index])).split("\n", 1)[1]
                    for task, info in homework.tasks.items()}
        found.append((short, "solution", dict(solution), {}))
        found.append((short, "blank", {}, None))
        for number, styles in enumerate(STYLE_SUBMISSIONS[short], start=1):
            found.append((short, f"styles{number}", {**solution, **styles}, {}))
        for number, tasks in enumerate(PARTIAL[short], start=1):
            found.append((short, f"partial{number}", {t: solution[t] for t in tasks}, {"answered": tasks}))
        wrong, problems = read_wrong(WRONG / f"{Path(name).stem}.txt", homework)
        assert problems == [], problems
        groups: list = []
        for item in wrong:
            group = next((g for g in groups if len(g) < WRONG_PER_SUBMISSION and all(o.task != item.task for o in g)),
                         None)
            if group is None:
                groups.append([item])
            else:
                group.append(item)
        for number, group in enumerate(groups, start=1):
            answers = {**solution, **{item.task: item.source.split("\n", 1)[1] for item in group}}
            found.append((short, f"wrong{number:02d}", answers, {item.task: list(item.loses) for item in group}))
    return found


CORPUS = _corpus()


def expected_points(key_entry: dict, lost) -> dict:
    """The grade written beside a submission: every task's points minus the requirements it loses."""
    requirements = {task: {r["id"]: r["points"] for r in item["requirements"]}
                    for task, item in key_entry["questions"].items()}
    worth = {t["id"]: float(t["points"]) for t in key_entry["tasks"]}
    if lost is None:                                                     # the blank edition
        return dict.fromkeys(worth, 0.0)
    if "answered" in lost:                                               # partial work
        return {task: (points if task in lost["answered"] else 0.0) for task, points in worth.items()}
    return {task: points - sum(requirements[task][r] for r in lost.get(task, [])) for task, points in worth.items()}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("fairness")
    (base / "notebooks").mkdir()
    for name in NB.values():
        (base / "notebooks" / name).write_bytes((REPO / "notebooks" / name).read_bytes())
    key_path = release(base / "notebooks", base / "dist" / "student", root=REPO).key_path
    key = json.loads(key_path.read_text())
    editions = {short: json.loads((base / "dist" / "student" / "notebooks" / name).read_text())
                for short, name in NB.items()}
    folder = base / "handed_in"
    folder.mkdir()
    paths = {}
    for short, name, answers, _ in CORPUS:
        paths[(short, name)] = folder / f"{short}_{name}.ipynb"
        paths[(short, name)].write_text(json.dumps(_with(editions[short], answers)), encoding="utf-8")
    results = grade([folder], key_path, base / "grades.csv", jobs=2, log=lambda line: None)
    return {case: results[submission_label(path)] for case, path in paths.items()}, key


def test_the_corpus_has_at_least_thirty_submissions():
    assert len(CORPUS) >= 30
    names = {name.rstrip("0123456789") for _, name, _, _ in CORPUS}
    assert {"solution", "blank", "styles", "partial", "wrong"} <= names


@pytest.mark.parametrize("short,name,answers,lost", CORPUS, ids=[f"{s}_{n}" for s, n, _, _ in CORPUS])
def test_each_grade_is_the_one_written_beside_it(graded, short, name, answers, lost):
    results, key = graded
    result = results[(short, name)]
    assert result.status == "graded", result.notes
    want = expected_points(key["notebooks"][NB[short]], lost)
    failed = {c.name: c.message for c in result.checks if not c.passed}
    assert result.points == want, failed


@pytest.mark.parametrize("short,name,answers,lost", CORPUS, ids=[f"{s}_{n}" for s, n, _, _ in CORPUS])
def test_a_self_check_that_passed_means_the_tasks_full_points(graded, short, name, answers, lost):
    result = graded[0][(short, name)]
    for task, said in result.self_checks.items():
        if said.status == "passed":
            assert result.points[task] == result.task_points[task], (task, [c.message for c in result.checks
                                                                           if c.task == task and not c.passed])
        else:
            assert said.status == "failed" or result.points[task] == 0.0
