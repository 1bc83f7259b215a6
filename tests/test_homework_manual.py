"""Written answers graded by hand (issue 24, item 5): merge-manual refuses what cannot be right, keys points to the
answer they were given for, writes points and comments into the feedback, and writes review pages.

The grades here are stored the way ``grade`` stores a graded submission (without kernels: the results are made
by hand); ``test_homework_grading.py`` runs the same path with the real grader.
"""

from __future__ import annotations

import csv

import pytest

from course_tools.homework import manual
from course_tools.homework.__main__ import main
from course_tools.homework.manual import ManualPointsError, WrittenBook, merge_manual
from course_tools.homework.records import SubmissionResult, WrittenAnswer
from course_tools.homework.report import GradeStore, feedback_markdown, feedback_path, result_row
from course_tools.homework.written import answer_digest

MLP, NOTMNIST = "04_mlp_homework.ipynb", "05_notmnist_dataset_homework.ipynb"


def _answer(question_id: str, text, points: float) -> WrittenAnswer:
    return WrittenAnswer(id=question_id, question=f"**{question_id}** ({points:g} points). Why?", answer=text,
                         points=points, sha256=answer_digest(text))


def _result(notebook: str, answers: dict) -> SubmissionResult:
    maxima = {"mlp.q1": 2.0, "mlp.q2": 3.0, "hw05.q1": 2.0}
    task = "mlp.model" if notebook == MLP else "hw05.font"
    return SubmissionResult(status="graded", notebook=notebook, points={task: 1.0}, task_points={task: 3.0},
                            total=1.0, max_points=11.0 if notebook == MLP else 16.0,
                            written=[_answer(qid, text, maxima[qid]) for qid, text in answers.items()])


def _grade(folder, submissions: dict) -> None:
    """Store graded results as ``grade`` does: CSV row, written book, feedback file."""
    csv_path = folder / "grades.csv"
    store, book = GradeStore(csv_path), WrittenBook(csv_path)
    middle = store.middle_columns() or ["mlp.model", "hw05.font", "manual:mlp.q1", "manual:mlp.q2", "manual:hw05.q1"]
    for label, (notebook, answers) in submissions.items():
        result = _result(notebook, answers)
        row = result_row(label, result, "file-sha", "key-sha")
        record = book.record(label, result, store.rows.get(label), row)
        store.put(label, row)
        path = feedback_path(folder / "grades-feedback", label)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(feedback_markdown(label, result, record, store.rows[label]))
    store.write(middle)
    book.write()


def _rows(folder) -> dict:
    with open(folder / "grades.csv", newline="") as fh:
        return {r["submission"]: r for r in csv.DictReader(fh)}


@pytest.fixture
def graded(tmp_path):
    _grade(tmp_path, {
        "alice/04.ipynb": (MLP, {"mlp.q1": "Softmax keeps the order.", "mlp.q2": "A linear map <b>only</b>."}),
        "bob/04.ipynb": (MLP, {"mlp.q1": "", "mlp.q2": None}),
        "carol/05.ipynb": (NOTMNIST, {"hw05.q1": "Images count twice ```;"}),
    })
    return tmp_path


def _points_file(folder, text: str):
    path = folder / "points.csv"
    path.write_text(text)
    return path


def test_grading_keeps_answers_and_lists_what_is_to_grade(graded):
    rows = _rows(graded)
    assert rows["alice/04.ipynb"]["manual_pending"] == "mlp.q1 mlp.q2"
    assert rows["bob/04.ipynb"]["manual_pending"] == "", "a blank or missing answer has nothing to grade"
    assert rows["alice/04.ipynb"]["max_with_manual"] == "16" and rows["carol/05.ipynb"]["max_with_manual"] == "18"
    record = WrittenBook(graded / "grades.csv").records["bob/04.ipynb"]["questions"]
    assert [record[q]["status"] for q in ("mlp.q1", "mlp.q2")] == ["blank", "missing"]


def test_merge_manual_refuses_every_problem_at_once_and_writes_nothing(graded):
    before = {p.name: p.read_bytes() for p in graded.rglob("*") if p.is_file()}
    code = manual.answer_code(answer_digest("Softmax keeps the order."))
    points = _points_file(graded, (
        "submission,mlp.q1,mlp.q1 answer,mlp.q2,hw05.q1,mlp.q9\n"
        f"alice/04.ipynb,99,{code},-1,2,\n"            # above the maximum; negative; another homework's question
        "carol/05.ipynb,,,2,,\n"                        # a 05 row given points for a 04 question
        "bob/04.ipynb,1,000000000000,,,\n"              # an answer code that is not the answer's any more
        "dave/04.ipynb,1,,,,\n"))                       # not graded
    with pytest.raises(ManualPointsError) as info:
        merge_manual(graded / "grades.csv", points)
    message = str(info.value)
    assert "column 'mlp.q9' is not a written question" in message
    assert "line 2, column 'mlp.q1': 99 point(s) is more than the maximum of mlp.q1 (2)" in message
    assert "line 2, column 'mlp.q2': '-1' is not a number of points >= 0" in message
    assert ("line 2, column 'hw05.q1': alice/04.ipynb is homework 04_mlp_homework.ipynb, whose written questions are "
            "['mlp.q1', 'mlp.q2']: hw05.q1 belongs to another homework") in message
    assert "line 3, column 'mlp.q2': carol/05.ipynb is homework 05_notmnist_dataset_homework.ipynb" in message
    assert "line 4, column 'mlp.q1': the answer changed after the review you graded from" in message
    assert "line 5: submission 'dave/04.ipynb' is not in" in message
    assert {p.name: p.read_bytes() for p in graded.rglob("*") if p.is_file() and p.name != "points.csv"} == \
           {name: data for name, data in before.items()}
    assert main(["merge-manual", str(graded / "grades.csv"), str(points)]) == 1


def test_merge_manual_writes_points_comments_feedback_and_review_pages(graded):
    code = manual.answer_code(answer_digest("Softmax keeps the order."))
    points = _points_file(graded, "submission,mlp.q1,mlp.q1 answer,mlp.q1 comment,manual:hw05.q1\n"
                                  f"alice/04.ipynb,2,{code},Right: argmax is unchanged.,\n"
                                  "carol/05.ipynb,,,,1.5\n")
    changes = merge_manual(graded / "grades.csv", points)
    assert changes == ["alice/04.ipynb: mlp.q1 = 2", "alice/04.ipynb: mlp.q1 comment", "carol/05.ipynb: hw05.q1 = 1.5"]
    rows = _rows(graded)
    alice = rows["alice/04.ipynb"]
    assert (alice["manual:mlp.q1"], alice["manual_total"], alice["total_with_manual"], alice["max_with_manual"],
            alice["manual_pending"]) == ("2", "2", "3", "16", "mlp.q2")
    assert rows["carol/05.ipynb"]["total_with_manual"] == "2.5"
    feedback = feedback_path(graded / "grades-feedback", "alice/04.ipynb").read_text()
    assert "Points so far: 2 of 5; not graded yet: mlp.q2." in feedback
    assert "Points: 2 / 2" in feedback and "Right: argmax is unchanged." in feedback
    assert feedback.count(manual.BEGIN_MARK) == 1 and feedback.startswith("# Feedback for")
    # the review page: every answer to one question, the students' text fenced (not rendered)
    page = (graded / "grades-review" / "mlp.q2.md").read_text()
    assert "## `alice/04.ipynb`" in page and "## `bob/04.ipynb`" in page
    assert "```text\nA linear map <b>only</b>.\n```" in page
    assert "(the question's cell was not found in this notebook)" in page
    carol = (graded / "grades-review" / "hw05.q1.md").read_text()
    assert "````text\nImages count twice ```;\n````" in carol, "a fence longer than the answer's backticks"
    with open(graded / "grades-review" / "04_mlp_homework.points.csv", newline="") as fh:
        template = list(csv.DictReader(fh))
    assert template[0]["submission"] == "alice/04.ipynb" and template[0]["mlp.q1"] == "2"
    assert template[0]["mlp.q1 answer"] == code and template[0]["mlp.q1 comment"] == "Right: argmax is unchanged."
    # the filled-in template merges as it is (nothing changes)
    assert merge_manual(graded / "grades.csv", graded / "grades-review" / "04_mlp_homework.points.csv") == []


def test_a_changed_answer_loses_its_points_and_is_listed_for_regrading(graded):
    merge_manual(graded / "grades.csv", _points_file(graded, "submission,mlp.q1,mlp.q2\nalice/04.ipynb,2,3\n"))
    assert _rows(graded)["alice/04.ipynb"]["total_with_manual"] == "6"
    # alice resubmits: the same first answer (re-wrapped), a new second answer
    _grade(graded, {"alice/04.ipynb": (MLP, {"mlp.q1": "Softmax keeps\nthe order.", "mlp.q2": "Something else."})})
    alice = _rows(graded)["alice/04.ipynb"]
    assert alice["manual:mlp.q1"] == "2" and alice["manual:mlp.q2"] == ""
    assert alice["manual_pending"] == "mlp.q2" and alice["total_with_manual"] == "3"
    assert "written answer mlp.q2 changed since it was graded (3 point(s)): its points and comment were cleared" \
        in alice["notes"]
    feedback = feedback_path(graded / "grades-feedback", "alice/04.ipynb").read_text()
    assert "not graded yet: mlp.q2" in feedback


def test_the_feedback_shows_answers_escaped_before_any_points(graded):
    feedback = feedback_path(graded / "grades-feedback", "alice/04.ipynb").read_text()
    assert "Your written answers (5 points) are graded by hand" in feedback
    assert "```text\nA linear map <b>only</b>.\n```" in feedback
    bob = feedback_path(graded / "grades-feedback", "bob/04.ipynb").read_text()
    assert "No answer written." in bob and "The question's cell was not found" in bob


def test_quoted_student_text_cannot_close_its_fence_or_reorder_lines():
    lines = manual.quote_student_text("ok ```\n```\n<script>x</script> \u202eevil\x1b[31m")
    assert lines[0] == "````text" and lines[-1] == "````" and all("````" not in line for line in lines[1:-1])
    assert "\u202e" not in "".join(lines) and "\x1b" not in "".join(lines) and "?evil?[31m" in lines[-2]
