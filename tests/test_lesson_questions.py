"""Written questions of the lessons: at least three per lesson, each in its own markdown cell, with a model
answer that only the instructor's edition holds (issue 26).

A question cell starts with ``**Question N**``; its model answer sits between ``<!-- BEGIN SOLUTION -->``
and ``<!-- END SOLUTION -->`` with a ``<!-- HINT: ... -->`` line, so that ``make release`` replaces the
answer by a prompt that carries the hint. The student edition of every lesson then holds the questions,
the hints and no model answer, and its site keeps the figures that follow a question.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from course_tools.homework import markers
from course_tools.homework.release import build_edition

REPO = Path(__file__).resolve().parent.parent
LESSONS = ["01_bayes_theorem.ipynb", "02_deep_learning_history.ipynb", "03_pytorch_basics.ipynb",
           "03b_data_and_files.ipynb"]
QUESTION = re.compile(r"^\*\*Question (\d+)\*\*", re.M)


def _cells(name: str) -> list[dict]:
    return json.loads((REPO / "notebooks" / name).read_text(encoding="utf-8"))["cells"]


def _source(cell: dict) -> str:
    return "".join(cell["source"])


@pytest.mark.parametrize("name", LESSONS)
def test_at_least_three_questions_each_in_its_own_cell_with_a_hidden_model_answer(name):
    questions = [c for c in _cells(name) if c["cell_type"] == "markdown" and QUESTION.search(_source(c))]
    assert len(questions) >= 3, f"{name}: {len(questions)} written questions, at least 3 wanted"
    for cell in questions:
        text = _source(cell)
        assert len(QUESTION.findall(text)) == 1, f"{name}: one question per cell: {text[:80]!r}"
        assert text.lstrip().startswith("**Question"), f"{name}: the question opens its cell: {text[:80]!r}"
        assert text.count("<!-- BEGIN SOLUTION -->") == 1 and text.count("<!-- END SOLUTION -->") == 1, text[:80]
        answer = text.split("<!-- BEGIN SOLUTION -->", 1)[1].split("<!-- END SOLUTION -->", 1)[0]
        assert re.search(r"<!-- HINT: .+ -->", answer), f"{name}: a HINT line inside the answer: {text[:80]!r}"
        assert len(answer.split()) > 40, f"{name}: the model answer is a real answer: {text[:80]!r}"


#: The lessons' graded exercises (TASK cells, graded as homework is); every other lesson has none.
GRADED = {"03_pytorch_basics.ipynb": ["basics.mlp_backward", "basics.init"]}


@pytest.mark.parametrize("name", LESSONS)
def test_questions_are_parsed_as_written_answers(name):
    """The release's own parser sees every question's answer region (and a lesson's only tasks are its graded
    exercises)."""
    nb = json.loads((REPO / "notebooks" / name).read_text(encoding="utf-8"))
    parsed = markers.parse_notebook(nb, name)
    assert list(parsed.tasks) == GRADED.get(name, [])
    regions = [info for info in parsed.cells if info.cell_type == "markdown" and info.regions]
    assert len(regions) == sum(1 for c in nb["cells"] if QUESTION.search(_source(c)))
    assert all(r.hint for info in regions for r in info.regions)


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    """The student edition of the lessons (the release's code on a copy of the lesson notebooks)."""
    src = tmp_path_factory.mktemp("instructor")
    (src / "notebooks").mkdir()
    for name in LESSONS:
        (src / "notebooks" / name).write_bytes((REPO / "notebooks" / name).read_bytes())
    dest = tmp_path_factory.mktemp("edition") / "student"
    build_edition(src / "notebooks", dest, root=src)
    return dest


@pytest.mark.parametrize("name", LESSONS)
def test_the_student_edition_shows_each_question_and_hint_but_no_model_answer(edition, name):
    instructor = [c for c in _cells(name) if not _source(c).startswith("# QUESTIONS")]   # grading only: removed
    student = json.loads((edition / "notebooks" / name).read_text(encoding="utf-8"))["cells"]
    assert [c["id"] for c in student] == [c["id"] for c in instructor]
    for mine, theirs in zip(instructor, student):
        text = _source(mine)
        if not QUESTION.search(text):
            continue
        shown = _source(theirs)
        question = text.split("<!-- BEGIN SOLUTION -->", 1)[0].strip()
        hint = re.search(r"<!-- HINT: (.+?) -->", text).group(1)
        model = text.split("<!-- END SOLUTION -->")[0].split("-->", 2)[-1]
        assert question in shown and hint in shown and "double-click this cell" in shown
        assert "Model answer" not in shown and "SOLUTION" not in shown
        assert model.strip()[:60] not in shown


def test_the_student_site_keeps_the_figures_after_a_question(edition):
    """site/build.py's merge: outputs continue past a question (a markdown cell that differs)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("site_build", REPO / "site" / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    for name in LESSONS:
        executed = json.loads((REPO / "notebooks" / name).read_text(encoding="utf-8"))
        student = json.loads((edition / "notebooks" / name).read_text(encoding="utf-8"))
        merged = build.merge_outputs(student, executed)
        graded = [c for c in executed["cells"] if _source(c).startswith("# QUESTIONS")]   # not in the edition
        released = [c for c in executed["cells"] if c not in graded]
        differing = sum(1 for a, b in zip(student["cells"], released) if _source(a) != _source(b)
                        and not _source(a).startswith("# Course bootstrap"))
        assert merged == len(released) - differing, name
        figures = sum(1 for c in student["cells"] if c["cell_type"] == "code" for o in c["outputs"]
                      if "image/png" in o.get("data", {}))
        assert figures == sum(1 for c in executed["cells"] if c["cell_type"] == "code" for o in c["outputs"]
                              if "image/png" in o.get("data", {})), name
