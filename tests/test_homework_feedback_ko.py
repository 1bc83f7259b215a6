"""Grading feedback in the student's language (issue 27): a submission of the Korean edition
(``SubmissionResult.lang == "ko"``) gets its feedback file in Korean, while the CSV, the terminal and an English
submission's feedback stay English, as they were.

The results are made the way the grader makes them (its own functions make the notes and messages: ``judge``,
``submission``, ``limits``, ``feedback_text``), without kernels; ``test_ko03_graded.py`` and the homework tests
run the real grader.
"""

from __future__ import annotations

import copy
import pickle

from course_tools.homework import feedback_ko
from course_tools.homework.feedback_ko import REQUIREMENT_TEXTS, requirement_text, requirement_text_problems
from course_tools.homework.feedback_text import error_text
from course_tools.homework.judge import _error_message, _forbidden_message, score
from course_tools.homework.limits import Limits, cell_note, stop_note
from course_tools.homework.manual import WrittenBook, merge_manual, record_of, written_section
from course_tools.homework.records import (
    CellError,
    Outcome,
    PlanItem,
    QuestionResult,
    SubmissionResult,
    WrittenAnswer,
)
from course_tools.homework.report import (
    GradeStore,
    feedback_markdown,
    feedback_path,
    result_row,
    summary_line,
)
from course_tools.homework.said import Said, in_language, said
from course_tools.homework.submission import build_plan, scrub, self_check
from course_tools.homework.written import answer_digest

MODEL = "two linear layers with biases, 784 -> 256 and 256 -> 10 (203,530 parameters)"
FORWARD = ("forward flattens each image to 784 numbers but keeps the batch dimension (images or flat rows, any batch "
           "size) and returns the logits of first layer, ReLU, second layer: no softmax, still carrying gradients")
FLOAT = "the result is a Python float"
HINT = "compare the largest logit of each row with its label"


def _entry() -> dict:
    """A key entry of two tasks, as ``release`` writes one (requirements from the English homework)."""
    return {"tasks": [{"id": "mlp.model", "points": 3, "hint": "two nn.Linear layers"},
                      {"id": "mlp.accuracy", "points": 1, "hint": HINT}],
            "questions": {"mlp.model": {"requirements": [{"id": "layers", "text": MODEL, "points": 1},
                                                         {"id": "forward", "text": FORWARD, "points": 2}]},
                          "mlp.accuracy": {"requirements": [{"id": "float", "text": FLOAT, "points": 1}]}}}


def _result(lang: str) -> SubmissionResult:
    """One graded submission with every part of the feedback: notes, a passed and two failed requirements (a
    NameError, a raised error with the task's hint), self-checks, a cell's error, a written answer, cells not run."""
    results = [QuestionResult(task="mlp.model", requirement="layers", name="q1", passed=True),
               QuestionResult(task="mlp.model", requirement="forward", name="q2", passed=False,
                              message=_error_message(("NameError", "name 'flat' is not defined", False))),
               QuestionResult(task="mlp.accuracy", requirement="float", name="q3", passed=False,
                              message=_error_message(("ZeroDivisionError", "division by zero", False)))]
    points, checks = score(_entry(), results)
    nb = {"cells": [{"cell_type": "code", "source": "# TEST mlp.model\ncheck_model(MLP)"}]}
    entry = {"tests": [{"id": "mlp.model", "visible": "# TEST mlp.model\n...", "checksum": "x",
                        "source_checksum": "y"}, {"id": "mlp.accuracy", "visible": "", "checksum": "z",
                                              "source_checksum": "w"}]}
    _, notes = build_plan(nb, entry)
    notes.append(stop_note(said("feedback.breach.memory", limit="1 GiB", measured="2 GiB"),
                           PlanItem(kind="student", source="", cell=7).where))
    notes.append("a plain note of the instructor's")
    result = SubmissionResult(status="graded", notebook="04_mlp_homework.ipynb", points=points,
                              task_points={"mlp.model": 3.0, "mlp.accuracy": 1.0}, checks=checks, notes=notes,
                              lang=lang)
    result.recompute()
    result.max_points = 4.0
    result.self_checks = {
        "mlp.model": self_check("mlp.model", Outcome(status="error", ename="ValueError", at=[5, 2, "x = model(y)"])),
        "mlp.accuracy": self_check("mlp.accuracy", Outcome(status="timeout", seconds=30.0))}
    result.cell_errors = [CellError(cell=5, costs_points=True,
                                    text=scrub(error_text("ValueError", "secret", [5, 2, "x = model(y)"])))]
    result.written = [WrittenAnswer(id="mlp.q1", question="**질문 1** (2점)" if lang == "ko" else "**Question 1** (2 points)", answer="Because ReLU.",
                                    points=2.0, sha256=answer_digest("Because ReLU."))]
    result.not_run = [9, 10]
    return result


def test_the_feedback_of_a_korean_submission_is_korean():
    text = feedback_markdown("kim.ipynb", _result("ko"))
    lines = text.split("\n")
    assert lines[0] == "# `kim.ipynb` 피드백"
    assert "과제: `04_mlp_homework.ipynb`  " in lines
    assert ("점수: **1 / 4** (채점 완료), 여기에 손으로 채점하는 서술형 답의 점수가 더해집니다" in lines)
    for heading in ("## 알림", "## 과제", "### mlp.model: 1 / 3점", "## 서술형 답 (손으로 채점)",
                    "## 여러분의 셀에서 난 오류", "## 마지막 테스트 뒤의 셀"):
        assert heading in lines, heading
    # the checklist: the requirement in Korean (by its English wording), the point word, why one was missed
    assert f"- [x] {REQUIREMENT_TEXTS[MODEL]} (1점)" in lines
    assert (f"- [ ] {REQUIREMENT_TEXTS[FORWARD]} (2점): 이름 'flat'이(가) 정의되어 있지 않습니다(NameError): 과제 셀을 "
            "오류 없이 실행하고, 과제가 요구하는 이름을 그대로 쓰세요") in lines
    assert f"- [ ] {REQUIREMENT_TEXTS[FLOAT]} (1점): 여러분의 코드에서 오류가 났습니다: ZeroDivisionError. 힌트: {HINT}" \
        in lines
    # the self-checks, the notes (a nested one too: "cell 7" inside the limit's note), a cell's error
    assert "여러분의 자체 확인(테스트 셀): 실패했습니다: ValueError: 여러분의 셀 5, 2번째 줄: x = model(y)" in lines
    assert "여러분의 자체 확인(테스트 셀): 실패했습니다: 30초 뒤에 멈췄습니다" in lines
    assert any(line.startswith("\\- 셀 1: 테스트 셀 mlp.model이(가) 바뀌어") or line.startswith("- 셀 1: 테스트 셀 mlp.model")
               for line in lines)
    assert "- 테스트 셀 mlp.accuracy이(가) 지워져 있어서 원래 셀을 과제 셀 뒤에 다시 넣었습니다" in lines
    assert ("- 셀 7을(를) 실행하는 동안 채점기가 노트북을 멈췄습니다: 노트북의 프로세스들이 함께 1 GiB보다 많은 메모리를 "
            "썼습니다(채점기의 제한. 잰 값: 2 GiB). 그 뒤는 아무것도 실행되지 않았습니다") in lines
    assert "- a plain note of the instructor's" in lines  # a plain str is shown as it is
    assert "- 셀 5 (0점을 받은 과제 안): ValueError: 여러분의 셀 5, 2번째 줄: x = model(y)" in lines
    # the written answer, as the student wrote it
    assert "서술형 답(2점)은 손으로 채점합니다. 점수가 나오면 여기에 표시됩니다." in lines
    assert "여러분의 답:" in lines and "Because ReLU." in lines
    assert any("마지막 코드 셀 2개(셀 9부터 10까지)" in line for line in lines)
    # no English sentence of the grader is left (the English words are code, names and the student's own)
    for english in ("Feedback for", "Score:", "## Tasks", "Your self-check", "point)", "points)", "Your answer:",
                    "not defined: run", "your code raised", "Hint:", "was changed", "stopped after", "in your cell"):
        assert english not in text, english


def test_the_same_result_in_english_is_the_english_feedback():
    """Control: the same result, ``lang="en"``, is written in English as before (the other feedback tests compare
    English feedback files line by line)."""
    text = feedback_markdown("kim.ipynb", _result("en"))
    lines = text.split("\n")
    assert lines[0] == "# Feedback for `kim.ipynb`"
    assert "Score: **1 / 4** (graded) plus your written answers, graded by hand" in lines
    assert f"- [x] {MODEL} (1 point)" in lines
    assert (f"- [ ] {FORWARD} (2 points): name 'flat' is not defined: run the task cell without errors and keep the "
            "names the task asks for") in lines
    assert f"- [ ] {FLOAT} (1 point): your code raised ZeroDivisionError. Hint: {HINT}" in lines
    assert "Your self-check (the test cell) failed: ValueError in your cell 5, line 2: x = model(y)" in lines
    assert "Your self-check (the test cell) failed: stopped after 30 s" in lines
    assert ("- the grader stopped the notebook while cell 7 ran: the notebook's processes used more than 1 GiB of "
            "memory together (the grader's limit; it measured 2 GiB); nothing after it ran") in lines
    assert "- cell 5 (in a task that scored 0): ValueError in your cell 5, line 2: x = model(y)" in lines
    assert not any("\uac00" <= ch <= "\ud7a3" for ch in text)


def test_the_instructor_reads_english_whatever_the_language():
    result = _result("ko")
    row = result_row("kim.ipynb", result, "sha", "key")
    assert row["notes"].startswith("cell 1: test cell mlp.model was changed: the original ran in its place")
    assert "the grader stopped the notebook while cell 7 ran" in row["notes"]
    assert summary_line("kim.ipynb", result).startswith("kim.ipynb: 1/4 (graded, 0.0 s) - cell 1: test cell")
    assert result.notes == _result("en").notes  # the same English strings: only the feedback differs


def test_a_said_text_is_its_english_string_and_keeps_its_key_through_copies():
    note = said("feedback.limit.stopped", where=said("feedback.where.cell", cell=3), breach="a breach")
    assert note == "the grader stopped the notebook while cell 3 ran: a breach; nothing after it ran"
    assert isinstance(note, str) and "; ".join([note, "x"]).endswith("ran; x")
    for again in (copy.deepcopy(note), pickle.loads(pickle.dumps(note)), SubmissionResult(notes=[note]).to_dict()
                  ["notes"][0]):
        assert isinstance(again, Said) and again == note
        assert in_language(again, "ko") == "셀 3을(를) 실행하는 동안 채점기가 노트북을 멈췄습니다: a breach. 그 뒤는 아무것도 실행되지 않았습니다"
    assert in_language("a plain string", "ko") == "a plain string"
    # English is the fallback of a key the Korean catalogue lacks
    from course_utils.messages import catalogue

    korean = catalogue("ko")
    saved = korean.pop("feedback.where.cell")
    try:
        assert in_language(said("feedback.where.cell", cell=3), "ko") == "cell 3"
    finally:
        korean["feedback.where.cell"] = saved


def test_a_said_text_that_needed_scrubbing_comes_back_as_plain_english():
    path_line = error_text("ValueError", "", [2, 1, "open('/home/teacher/secret/key.json')"])
    assert isinstance(path_line, Said)
    cleaned = scrub(path_line)
    assert cleaned == "ValueError in your cell 2, line 1: open('key.json')" and not isinstance(cleaned, Said)
    assert isinstance(scrub(error_text("ValueError", "", [2, 1, "x = 1"])), Said)


def test_the_grader_s_messages_are_the_english_texts_they_were():
    """The English of each message moved into the catalogue is the text the grader wrote before."""
    assert _forbidden_message(("torch.nn.functional.cross_entropy",)) == (
        "while this question ran, your code called `torch.nn.functional.cross_entropy`, which this task asks you to "
        "write yourself: the answer does not count. Write the steps in your own code (the task text says which).")
    assert _error_message(("x", "", True)) == "not done yet"
    assert _error_message(("NameError", "oops", False)) == ("a name is not defined: run the task cell without errors "
                                                             "and keep the names the task asks for")
    assert _error_message(("<bad name>", "", False)) == "your code raised an error"
    assert in_language(_error_message(("<bad name>", "", False)), "ko") == "여러분의 코드에서 오류가 났습니다: 오류"
    limits = Limits(memory_bytes=2 * 1024**3, tasks=64)
    assert cell_note("MemoryError", "", PlanItem(kind="student", source="", cell=4).where, limits) == (
        "cell 4 ran out of memory: the grader gives each notebook 2 GiB")
    assert cell_note("BlockingIOError", "Resource temporarily unavailable", "cell 4", limits) == (
        "cell 4 could not start another process or thread: the grader allows 64 at once")
    assert self_check("t", Outcome(status="error", ename="NotImplementedError", evalue="fill me")).message == (
        "not done yet: fill me")
    assert PlanItem(kind="test", source="", test="mlp.model").where == "the test of mlp.model"


def test_a_failed_grading_is_explained_in_korean():
    result = SubmissionResult(status="failed", lang="ko")
    result.notes.append(said("feedback.note.grader_failed", error="OSError: disk full"))
    text = feedback_markdown("kim.ipynb", result)
    assert "채점기 쪽의 문제로 이번에는 노트북을 채점하지 못했습니다." in text
    assert "- 채점기가 이 노트북을 실행하지 못했습니다(OSError: disk full). 다음 채점 때 다시 채점됩니다" in text.split("\n")


def test_merge_manual_writes_the_points_again_in_the_submission_s_language(tmp_path):
    """The written book keeps a Korean submission's language, so merge-manual's points come out in Korean; an
    English submission's record is as it always was (no "lang")."""
    csv_path = tmp_path / "grades.csv"
    store, book = GradeStore(csv_path), WrittenBook(csv_path)
    for label, lang in (("kim.ipynb", "ko"), ("lee.ipynb", "en")):
        result = _result(lang)
        row = result_row(label, result, "file-sha", "key-sha")
        record = book.record(label, result, store.rows.get(label), row)
        store.put(label, row)
        path = feedback_path(tmp_path / "grades-feedback", label)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(feedback_markdown(label, result, record, store.rows[label]), encoding="utf-8")
    store.write(["mlp.model", "mlp.accuracy", "manual:mlp.q1"])
    book.write()
    assert book.records["kim.ipynb"]["lang"] == "ko" and "lang" not in book.records["lee.ipynb"]
    assert record_of(_result("ko"))["lang"] == "ko" and "lang" not in record_of(_result("en"))
    points = tmp_path / "points.csv"
    points.write_text("submission,mlp.q1,mlp.q1 comment\nkim.ipynb,1.5,좋아요\nlee.ipynb,2,good\n", encoding="utf-8")
    merge_manual(csv_path, points)
    korean = (tmp_path / "grades-feedback" / "kim.md").read_text(encoding="utf-8").split("\n")
    english = (tmp_path / "grades-feedback" / "lee.md").read_text(encoding="utf-8").split("\n")
    assert "서술형 답의 점수: **1.5 / 2**." in korean and "점수: 1.5 / 2" in korean and "코멘트:" in korean
    assert "Points for your written answers: **2 / 2**." in english and "Comment:" in english
    assert written_section(book.records["kim.ipynb"], lang="en")[1] == "## Written answers (graded by hand)"


def test_every_requirement_of_the_homework_has_a_korean_text():
    assert requirement_text_problems() == []  # the control: none missing, none stale
    assert requirement_text(MODEL, "ko") == REQUIREMENT_TEXTS[MODEL] and requirement_text(MODEL, "en") == MODEL
    assert requirement_text("a requirement nobody translated", "ko") == "a requirement nobody translated"


def test_a_missing_or_stale_requirement_translation_is_reported():
    table = dict(REQUIREMENT_TEXTS)
    del table[FLOAT]
    table["a requirement that was removed"] = "지워진 요구 사항"
    problems = requirement_text_problems(tables={"ko": table})
    assert len(problems) == 2
    assert "has no translation of 'the result is a Python float' (a requirement of 04_mlp_homework.ipynb)" in problems[0]
    assert "translates 'a requirement that was removed', which no English # QUESTIONS cell has" in problems[1]
    assert feedback_ko.requirement_texts({"cells": [{"cell_type": "code", "source": (
        "# QUESTIONS t.x\ndef questions():\n    requirement('a', 'first', points=1)\n"
        "    requirement('b', text='second', points=1)\n")}]}) == ["first", "second"]


def test_a_graded_korean_blank_edition_gets_its_feedback_in_korean(tmp_path):
    """End to end: homework 03 released in both languages, its two blank editions graded with the one key. The
    Korean one (told apart by its cells, ``editions.localize``) scores 0 and its feedback file is Korean, down to the
    requirements and the Korean task hints; the English one (the control) gets the English feedback."""
    import json
    from pathlib import Path

    from course_tools.homework.grade import grade, submission_label
    from course_tools.homework.release import release
    from course_tools.homework.report import escape_markdown

    repo, name = Path(__file__).resolve().parents[1], "03_pytorch_basics.ipynb"
    (tmp_path / "notebooks" / "ko").mkdir(parents=True)
    for rel in (name, f"ko/{name}"):
        (tmp_path / "notebooks" / rel).write_bytes((repo / "notebooks" / rel).read_bytes())
    key_path = release(tmp_path / "notebooks", tmp_path / "dist", root=repo,
                       repo_url="https://github.com/example-school/dl-course-student").key_path
    entry = json.loads(Path(key_path).read_text(encoding="utf-8"))["notebooks"][name]
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "ko_blank.ipynb").write_bytes((tmp_path / "dist" / "notebooks" / "ko" / name).read_bytes())
    (subs / "en_blank.ipynb").write_bytes((tmp_path / "dist" / "notebooks" / name).read_bytes())
    results = grade([subs], key_path, tmp_path / "grades.csv", jobs=2, log=lambda line: None)
    korean, english = (results[submission_label(subs / f"{who}.ipynb")] for who in ("ko_blank", "en_blank"))
    assert (korean.lang, korean.status, korean.total) == ("ko", "graded", 0.0)
    assert (english.lang, english.status, english.total) == ("en", "graded", 0.0)
    text = (tmp_path / "grades-feedback" / "ko_blank.md").read_text(encoding="utf-8")
    lines = text.split("\n")
    assert lines[0] == "# `ko_blank.ipynb` 피드백" and lines[3].startswith("점수: **0 / ")
    assert "## 과제" in lines and "## 서술형 답 (손으로 채점)" in lines
    hints = entry["translations"]["ko"]["hints"]
    for task in entry["tasks"]:
        said_so = escape_markdown(f"아직 하지 않았습니다: {task['id']}: {hints[task['id']]}")  # as the file shows it
        assert any(line.startswith("- [ ] ") and line.endswith(said_so) for line in lines), task["id"]
    requirement = entry["questions"]["basics.mlp_backward"]["requirements"][0]["text"]
    assert any(line.startswith(f"- [ ] {REQUIREMENT_TEXTS[requirement]} (") for line in lines)
    assert any(line.startswith("여러분의 자체 확인(테스트 셀): 실패했습니다") for line in lines)
    for english_words in ("Feedback for", "Score:", "Your self-check", "not done yet", "point)", "points)"):
        assert english_words not in text, english_words
    control = (tmp_path / "grades-feedback" / "en_blank.md").read_text(encoding="utf-8")
    assert control.startswith("# Feedback for `en_blank.ipynb`") and ": not done yet: basics." in control
    assert "## Written answers (graded by hand)" in control and "Score: **0 / 6** (graded)" in control
    assert not any(words in control for words in ("피드백", "점수:", "## 과제", "여러분의 자체 확인", "아직 하지 않았습니다"))
