"""Written answers are found wherever a student writes them (issue 24, item 4), on the course's own homework.

Each case edits the student edition of notebook 04 or 05 the way a student would (in place, in new cells below the
question as Colab adds them, several cells, prose in a code cell, a heading removed) and checks what the grader
finds for each question.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from course_tools.homework.markers import parse_notebook
from course_tools.homework.release import key_entry, load_notebook, student_notebook
from course_tools.homework.written import answer_digest, find_answers

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def _edition(name: str):
    homework = parse_notebook(load_notebook(NOTEBOOKS / name), name)
    entry = key_entry(homework, f"notebooks/{name}", "")
    edition = student_notebook(homework)
    cells = [{"cell_type": c.cell_type, "source": c.source} for c in edition.cells]
    return entry, cells


@pytest.fixture(scope="module")
def mlp():
    return _edition("04_mlp_homework.ipynb")


@pytest.fixture(scope="module")
def notmnist():
    return _edition("05_notmnist_dataset_homework.ipynb")


def _find(cells: list, start: str) -> int:
    (index,) = [i for i, c in enumerate(cells) if c["source"].lstrip().startswith(start)]
    return index


def _answers(entry: dict, cells: list) -> dict:
    return {a.id: a.answer for a in find_answers(cells, entry)}


def _md(text: str) -> dict:
    return {"cell_type": "markdown", "source": text}


def test_each_question_is_in_its_own_cell_with_a_maximum(mlp, notmnist):
    entry, cells = mlp
    assert [(q["id"], q["points"], q["label"]) for q in entry["written"]] == [("mlp.q1", 2.0, "**Question 1**"),
                                                                            ("mlp.q2", 3.0, "**Question 2**")]
    assert not entry["written"][0]["question"].startswith("##"), "the section heading has a cell of its own"
    assert [(q["id"], q["points"]) for q in notmnist[0]["written"]] == [("hw05.q1", 2.0)]


def test_the_fresh_edition_has_blank_answers(mlp, notmnist):
    for entry, cells in (mlp, notmnist):
        assert set(_answers(entry, cells).values()) == {""}


def test_an_answer_written_in_place_of_the_prompt(mlp):
    entry, cells = copy.deepcopy(mlp)
    q1 = _find(cells, "**Question 1**")
    cells[q1]["source"] = cells[q1]["source"].split("**Your answer")[0] + "Because the loss applies log_softmax."
    assert _answers(entry, cells) == {"mlp.q1": "Because the loss applies log_softmax.", "mlp.q2": ""}


def test_an_answer_after_the_prompt_label_keeps_only_the_answer(mlp):
    entry, cells = copy.deepcopy(mlp)
    q2 = _find(cells, "**Question 2**")
    cells[q2]["source"] = cells[q2]["source"].replace("_double-click this cell and write it here._",
                                                      "A linear map, so it cannot fit curves.")
    assert _answers(entry, cells)["mlp.q2"] == "A linear map, so it cannot fit curves."


def test_answers_in_new_cells_below_the_question_colab_style(mlp):
    entry, cells = copy.deepcopy(mlp)
    q1 = _find(cells, "**Question 1**")
    cells[q1 + 1:q1 + 1] = [_md("Softmax is monotonic,"), _md("so argmax is unchanged."),
                            {"cell_type": "code", "source": "and the loss has log_softmax inside"}]
    q2 = _find(cells, "**Question 2**")
    cells.insert(q2 + 1, _md("It is one linear layer."))
    answers = _answers(entry, cells)
    assert answers["mlp.q1"] == "Softmax is monotonic,\n\nso argmax is unchanged.\n\nand the loss has log_softmax inside"
    assert answers["mlp.q2"] == "It is one linear layer.", "the Korean summary after it is the instructor's cell"


def test_a_code_cell_with_python_is_not_an_answer(mlp):
    entry, cells = copy.deepcopy(mlp)
    q2 = _find(cells, "**Question 2**")
    cells.insert(q2 + 1, {"cell_type": "code", "source": "print(best)"})
    cells.insert(q2 + 2, {"cell_type": "code", "source": "# one linear map: W2 W1 x + ..."})
    assert _answers(entry, cells)["mlp.q2"] == "# one linear map: W2 W1 x + ..."


def test_removing_the_section_heading_loses_nothing(mlp):
    entry, cells = copy.deepcopy(mlp)
    q1 = _find(cells, "**Question 1**")
    cells.insert(q1 + 1, _md("My answer."))
    del cells[_find(cells, "## 6. Questions")]
    assert _answers(entry, cells)["mlp.q1"] == "My answer."


def test_a_heading_removed_from_a_shared_cell_is_found_by_the_question():
    """An older layout: the heading and the first question share a cell; the student deletes the heading."""
    entry = {"written": [{"id": "x.q1", "question": "## 6. Questions\n\n**Question 1** (2 points). Why?",
                          "title": "**Question 1** (2 points). Why?", "label": "**Question 1**",
                          "prompt": "**Your answer:** _double-click this cell and write it here._", "after": "",
                          "points": 2.0}]}
    cells = [_md("**Question 1** (2 points). Why?\n\nBecause."), {"cell_type": "code", "source": "# TASK x.t"}]
    assert _answers(entry, cells) == {"x.q1": "Because."}
    cells[0]["source"] = "**Question 1** (2 points). Why, exactly? (I reworded it)\n\nBecause."
    assert _answers(entry, cells) == {"x.q1": "(2 points). Why, exactly? (I reworded it)\n\nBecause."}


def test_a_question_with_an_edited_ending_is_found_by_its_title(mlp):
    entry, cells = copy.deepcopy(mlp)
    q1 = _find(cells, "**Question 1**")
    assert entry["written"][0]["title"].endswith(" ..."), "a long title is cut"
    cells[q1]["source"] = cells[q1]["source"].replace("neither for the loss nor for the accuracy?", "(edited)")
    cells.insert(q1 + 1, _md("Because."))
    assert _answers(entry, cells)["mlp.q1"].endswith("Because.")


def test_a_deleted_question_is_reported_not_found(mlp):
    entry, cells = copy.deepcopy(mlp)
    del cells[_find(cells, "**Question 1**")]
    answers = find_answers(cells, entry)
    assert [(a.id, a.answer, a.status) for a in answers] == [("mlp.q1", None, "missing"), ("mlp.q2", "", "blank")]


def test_an_answer_stops_at_the_next_task(notmnist):
    entry, cells = copy.deepcopy(notmnist)
    question = _find(cells, "**Question** (2 points")
    cells.insert(question + 1, _md("Some images count twice."))
    task = _find(cells, "# TASK hw05.bad")
    cells.insert(task + 1, _md("A note I wrote after the task: not an answer."))
    assert _answers(entry, cells) == {"hw05.q1": "Some images count twice."}


def test_the_answer_digest_ignores_whitespace_only():
    assert answer_digest("a  b\n c") == answer_digest("a b c") != answer_digest("a b d")
    assert answer_digest(None) == "" and len(answer_digest("")) == 64
