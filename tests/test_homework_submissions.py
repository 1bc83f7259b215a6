"""The course's homework notebooks graded by the real grader, as students hand them in.

One parallel grading run (module fixture) of crafted submissions for homework 04 and 05:

- another correct style saved from Colab (Colab's notebook and cell metadata, an output with Colab's own MIME
  type), with imports that no graded cell needs deleted: full marks;
- partial work (the fresh student edition with some blanks filled in): exactly the points of those tasks;
- beginner's mistakes (the ones of the homework review): each costs its own task's points only, and the feedback
  names the mistake.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from course_tools.homework.grade import grade, submission_label
from course_tools.homework.markers import cell_source, header_of
from course_tools.homework.release import release

REPO = Path(__file__).resolve().parents[1]
NB04, NB05 = "04_mlp_homework.ipynb", "05_notmnist_dataset_homework.ipynb"


def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _task_cell(nb: dict, task_id: str) -> dict:
    (cell,) = [c for c in nb["cells"] if c["cell_type"] == "code" and header_of(c) == ("task", task_id)]
    return cell


def _edit(nb: dict, task_id: str, old: str, new: str) -> None:
    cell = _task_cell(nb, task_id)
    source = cell_source(cell)
    assert source.count(old) == 1, f"{old!r} is no longer in {task_id}'s solution: update this test"
    cell["source"] = source.replace(old, new)


def _colab(nb: dict) -> dict:
    """``nb`` as Colab saves it: its metadata, a cell id per cell, an output of Colab's own MIME type."""
    nb = copy.deepcopy(nb)
    nb["metadata"] = {"colab": {"provenance": [], "toc_visible": True}, "accelerator": "GPU",
                      "kernelspec": {"display_name": "Python 3", "name": "python3"},
                      "language_info": {"name": "python"}}
    for number, cell in enumerate(nb["cells"]):
        cell["metadata"] = {"id": f"colab{number:04d}", "colab": {"base_uri": "https://localhost:8080/"}}
        if cell["cell_type"] == "code":
            cell["outputs"] = [{"output_type": "display_data", "metadata": {},
                                "data": {"application/vnd.colab-display-data+json": {"pinned_output": True},
                                         "text/plain": ["<IPython.core.display.Javascript object>"]}}]
    return nb


def _without_line(nb: dict, first_line: str, line: str) -> None:
    (cell,) = [c for c in nb["cells"] if cell_source(c).startswith(first_line)]
    source = cell_source(cell)
    assert line in source.splitlines(), line
    cell["source"] = "\n".join(x for x in source.splitlines() if x != line)


def _fill(student: dict, solution: dict, task_ids: list) -> dict:
    nb = copy.deepcopy(student)
    for task_id in task_ids:
        _task_cell(nb, task_id)["source"] = cell_source(_task_cell(solution, task_id))
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("submissions")
    (base / "notebooks").mkdir()
    for name in (NB04, NB05):
        (base / "notebooks" / name).write_bytes((REPO / "notebooks" / name).read_bytes())
    result = release(base / "notebooks", base / "dist" / "student", root=REPO)
    solution = {name: _read(base / "notebooks" / name) for name in (NB04, NB05)}
    student = {name: _read(base / "dist" / "student" / "notebooks" / name) for name in (NB04, NB05)}
    subs = {}

    nb = copy.deepcopy(solution[NB04])            # 04: nn.ReLU module, view, imports deleted, saved by Colab
    _edit(nb, "mlp.model", "        self.fc1 = nn.Linear(28 * 28, 256)\n        self.fc2 = nn.Linear(256, 10)",
          "        self.hidden = nn.Linear(784, 256)\n        self.relu = nn.ReLU()\n        self.out = nn.Linear(256, 10)")
    _edit(nb, "mlp.model", "        flat = x.flatten(start_dim=1)\n        return self.fc2(torch.relu(self.fc1(flat)))",
          "        return self.out(self.relu(self.hidden(x.view(x.shape[0], -1))))")
    _without_line(nb, "%matplotlib inline", "import math")
    _without_line(nb, "%matplotlib inline", "import numpy as np")
    subs["04_colab_style"] = _colab(nb)
    subs["04_partial"] = _fill(student[NB04], solution[NB04], ["mlp.accuracy", "mlp.split"])
    nb = copy.deepcopy(solution[NB04])            # 04: the batch flattened away
    _edit(nb, "mlp.model", "x.flatten(start_dim=1)", "x.flatten()")
    subs["04_flatten_mistake"] = nb

    nb = copy.deepcopy(solution[NB05])            # 05: tarfile's data filter, the toy cell deleted, saved by Colab
    extract = _task_cell(nb, "hw05.extract")
    extract["source"] = ("# TASK hw05.extract (2 points): extract a .tar.gz into `dest`, refusing entries that lead "
                         "outside it\ndef safe_extract(archive, dest):\n    Path(dest).mkdir(parents=True, exist_ok=True)\n"
                         "    with tarfile.open(archive) as tar:\n        tar.extractall(dest, filter=\"data\")\n"
                         "    return Path(dest)\n")
    nb["cells"] = [c for c in nb["cells"] if not cell_source(c).startswith("scratch = Path(tempfile.mkdtemp(")]
    subs["05_colab_style"] = _colab(nb)
    subs["05_partial"] = _fill(student[NB05], solution[NB05], ["hw05.scan", "hw05.font", "hw05.dataset"])
    nb = copy.deepcopy(solution[NB05])            # 05: the three wrong answers of the homework review
    _edit(nb, "hw05.split", "round(test_fraction * len(fonts))", "int(test_fraction * len(fonts))")
    _edit(nb, "hw05.font", "base64.b64decode(stem, validate=True)", "base64.b64decode(stem)")
    _edit(nb, "hw05.extract", "    root = dest.resolve()\n", "    root = Path.cwd().resolve()\n")
    subs["05_review_mistakes"] = nb

    folder = base / "handed_in"
    folder.mkdir()
    paths = {}
    for name, nb in subs.items():
        paths[name] = folder / f"{name}.ipynb"
        paths[name].write_text(json.dumps(nb), encoding="utf-8")
    results = grade([folder], result.key_path, base / "grades.csv", jobs=2, log=lambda line: None)
    return {name: results[submission_label(path)] for name, path in paths.items()}


def _failed(result: dict) -> dict:
    return {c["name"]: c["message"] for c in result["checks"] if not c["passed"]}


@pytest.mark.parametrize("name", ["04_colab_style", "05_colab_style"])
def test_another_correct_style_saved_by_colab_scores_full_marks(graded, name):
    result = graded[name]
    assert result["status"] == "graded", result["notes"]
    assert result["total"] == result["max_points"] > 0, _failed(result)


@pytest.mark.parametrize("name,points", [("04_partial", {"mlp.accuracy": 2, "mlp.split": 2}),
                                         ("05_partial", {"hw05.scan": 2, "hw05.font": 1, "hw05.dataset": 3})])
def test_partial_work_scores_exactly_the_tasks_done(graded, name, points):
    result = graded[name]
    assert result["status"] == "graded", result["notes"]
    assert {task: got for task, got in result["points"].items() if got} == points, _failed(result)


def _lost(result) -> list:
    return sorted(task for task, got in result["points"].items() if got < result["task_points"][task])


def test_a_flattened_batch_costs_only_the_forward_requirement_of_the_model(graded):
    result = graded["04_flatten_mistake"]
    assert _lost(result) == ["mlp.model"]
    assert list(_failed(result)) == ["mlp.model: forward"]
    assert result["total"] == result["max_points"] - 1          # the layers and their initialisation are right
    message = result["self_checks"]["mlp.model"].message
    assert "raised RuntimeError" in message and "keep the batch dimension" in message, message
    assert "keeping the batch dimension" in _failed(result)["mlp.model: forward"]   # the task's hint


def test_each_mistake_of_the_review_costs_its_own_requirement_with_a_message_naming_it(graded):
    result = graded["05_review_mistakes"]
    assert _lost(result) == ["hw05.extract", "hw05.font", "hw05.split"], _failed(result)
    failed = _failed(result)
    assert sorted(failed) == ["hw05.extract: extracts", "hw05.font: decode", "hw05.split: rule"]
    assert result["total"] == result["max_points"] - 3
    assert "round the product to the nearest whole number" in failed["hw05.split: rule"]
    assert "int()" in result["self_checks"]["hw05.split"].message
    assert "validate=True" in result["self_checks"]["hw05.font"].message
    assert "extract into the folder `dest`" in failed["hw05.extract: extracts"]
    assert "dest" in result["self_checks"]["hw05.extract"].message
