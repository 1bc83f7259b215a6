"""Grading with real kernels: the fixture homework's solution, its student edition, and crafted bad
submissions, all graded in ONE parallel sandboxed run (module fixture) to keep the suite fast."""

from __future__ import annotations

import csv
import json

import pytest
from fixtures.homework import homework_fixture as hf  # tests/ is on sys.path (pytest rootdir import mode)

from course_tools.homework import grade as grade_module
from course_tools.homework import sandbox as sandbox_module
from course_tools.homework.__main__ import main
from course_tools.homework.lint import run_problems, student_run_problems
from course_tools.homework.markers import parse_notebook
from course_tools.homework.release import release
from course_tools.homework.report import ManualPointsError, merge_manual

pytestmark = pytest.mark.integration

CELL_TIMEOUT = 5


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Release the fixture repo, craft submissions, grade them all once with 2 jobs."""
    base = tmp_path_factory.mktemp("grading")
    root = hf.make_instructor_repo(base / "instructor")
    out = base / "dist" / "student"
    result = release(root / "notebooks", out)
    subs = base / "submissions"
    solution = hf.load(root / "notebooks" / hf.FIXTURE_NAME)
    edition = hf.load(out / "notebooks" / hf.FIXTURE_NAME)
    cases = hf.crafted_submissions(solution, subs)
    cases["student_edition"] = hf.save(edition, subs / "student_edition.ipynb")
    (subs / "alice").mkdir()
    cases["honest"] = hf.save(hf.honest_submission(solution, edition), subs / "alice" / "homework.ipynb")
    raising = hf.wrong_submission(edition)
    raising["cells"][hf.find(raising, "# TASK fx.square")]["source"] = (
        "# TASK fx.square (1 point): write square(x)\ndef square(x):\n    return x.shape * 2")
    cases["raises_in_check"] = hf.save(raising, subs / "raises_in_check.ipynb")
    after_last_test = hf.honest_submission(solution, edition)   # what follows the last test cannot cost points
    after_last_test["cells"].append(hf.code_cell("import os\nos._exit(3)"))
    cases["crash_after_last_test"] = hf.save(after_last_test, subs / "crash_after_last_test.ipynb")
    hog = hf.honest_submission(solution, edition)   # resource limits: errors in their cells, marks kept
    hog["cells"].insert(hf.find(hog, "import numpy as np") + 1, hf.code_cell(
        "try:\n    big = bytearray(6 * 1024**3)\nexcept MemoryError:\n    print('no memory')\n"
        "huge = bytearray(6 * 1024**3)"))
    hog["cells"].insert(hf.find(hog, "import numpy as np") + 1, hf.code_cell(
        "with open('big.bin', 'wb') as fh:\n    fh.write(bytes(20 * 1024**2))"))
    cases["resource_hog"] = hf.save(hog, subs / "resource_hog.ipynb")
    csv_path = base / "grades.csv"
    lines = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(grade_module.config, "KERNEL_FILE_BYTES", 10 * 1024**2)
        results = grade_module.grade([subs], result.key_path, csv_path, jobs=2, cell_timeout=CELL_TIMEOUT,
                                     total_timeout=60, log=lines.append)
    labels = {case: path.relative_to(subs).as_posix() for case, path in cases.items()}
    by_case = {case: results[labels[case]] for case in cases}
    with open(csv_path, newline="") as fh:
        rows = {r["submission"]: r for r in csv.DictReader(fh)}
    return {"root": root, "key": result.key_path, "subs": subs, "csv": csv_path, "cases": cases, "labels": labels,
            "results": by_case, "rows": {case: rows[labels[case]] for case in cases}, "log": lines,
            "feedback": base / "grades-feedback", "out": out}


def _notes(graded, case):
    return " ".join(graded["results"][case].notes)


def _feedback(graded, case):
    return grade_module.feedback_path(graded["feedback"], graded["labels"][case]).read_text()


def test_every_submission_gets_one_csv_row_with_task_and_manual_columns(graded):
    rows = graded["rows"]
    assert set(rows) == set(graded["cases"])
    with open(graded["csv"], newline="") as fh:
        header = next(csv.reader(fh))
    assert header[:3] == ["submission", "notebook", "status"]
    assert header[3:8] == ["fx.square", "fx.unit", "fx.counter", "manual:fx.q1", "total"]
    assert "flags" in header and "max_points" in header
    assert rows["solution"]["total"] == "5" and rows["solution"]["max_points"] == "5"
    assert rows["honest"]["manual:fx.q1"] == ""


def test_labels_are_relative_to_the_submissions_folder(graded):
    assert graded["labels"]["honest"] == "alice/homework.ipynb"
    assert (graded["feedback"] / "alice" / "homework.md").is_file()
    assert grade_module.submission_label(graded["cases"]["honest"], graded["subs"]) == "alice/homework.ipynb"
    assert grade_module.submission_label(graded["cases"]["honest"]) == "homework.ipynb"


def test_honest_solution_scores_full_marks_without_notes_or_flags(graded):
    result = graded["results"]["honest"]
    assert result.status == "graded" and result.total == 5.0
    assert result.notes == [] and result.cell_errors == [] and result.flags == []
    assert all(c.passed for c in result.checks) and len(result.checks) == 5   # one per requirement
    assert {t: c.status for t, c in result.self_checks.items()} == dict.fromkeys(result.points, "passed")
    assert len(result.questions) == 5 and all(q.passed for q in result.questions)
    assert result["total"] == 5.0  # mapping-style access for older callers


def test_cells_after_the_last_test_are_not_run_and_the_feedback_says_so(graded):
    honest, crash = graded["results"]["honest"], graded["results"]["crash_after_last_test"]
    last_test = max(run.cell for run in honest.runs if run.kind == "test")
    assert honest.not_run and min(honest.not_run) > last_test
    assert not any(run.cell in honest.not_run for run in honest.runs)
    assert "Cells after the last test" in _feedback(graded, "honest")
    # a kernel-killing cell after the last test never runs: full marks, "graded", not "partial"
    assert crash.status == "graded" and crash.total == 5.0 and crash.notes == []
    assert crash.not_run == honest.not_run + [max(honest.not_run) + 1]


def test_memory_and_file_size_limits_stop_the_cell_not_the_grading(graded):
    result = graded["results"]["resource_hog"]
    assert result.status == "graded" and result.total == 5.0
    assert sorted(e.text.split(" ")[0] for e in result.cell_errors) == ["MemoryError", "OSError"]
    notes = _notes(graded, "resource_hog")
    assert "ran out of memory: the grader gives each notebook 4 GiB" in notes
    assert "wrote a file larger than the grader allows (10 MiB)" in notes


def test_the_instructors_notebook_scores_full_marks_and_is_flagged_for_its_markers(graded):
    result = graded["results"]["solution"]
    assert result.total == 5.0 and result.notes == []
    # and for its first code cell, the bootstrap, which is not as released (an edition never has the instructor's
    # bootstrap: it points at the student repository, or at none): its subprocess and importlib are scanned
    assert [f.split(" ")[0] for f in result.flags] == ["markers", "processes", "sys.modules"]


def test_student_edition_scores_zero_and_fails_only_at_the_blanks(graded):
    result = graded["results"]["student_edition"]
    assert result.status == "graded" and result.total == 0.0
    homework = parse_notebook(hf.load(graded["root"] / "notebooks" / hf.FIXTURE_NAME), hf.FIXTURE_NAME)
    import nbformat

    homework.nb = nbformat.from_dict(homework.nb)
    assert student_run_problems(homework, result) == []
    errors = [r.ename for r in result.runs if r.status == "error"]
    assert errors.count("NotImplementedError") == 3 and set(errors) <= {"NotImplementedError", "NameError"}
    assert len(result.questions) == 5 and all(q.message.startswith("not done yet") for q in result.questions)
    messages = {c.name: c.message for c in result.checks}
    assert messages["fx.square: square"] == "not done yet: fx.square: return x multiplied by itself"
    assert result.self_checks["fx.square"].message == "not done yet: fx.square: return x multiplied by itself"
    assert [w.answer for w in result.written] == [""]


def test_an_error_inside_a_check_gives_the_tasks_hint_and_the_errors_type_never_its_message(graded):
    # the message ("'int' object has no attribute 'shape'") is the student's code's to choose: not shown
    result = graded["results"]["raises_in_check"]
    message = next(c.message for c in result.checks if c.task == "fx.square")
    assert message == ("your code raised AttributeError. Hint: return x "
                       "multiplied by itself")


def test_syntax_error_costs_only_its_task(graded):
    result = graded["results"]["syntax_error"]
    assert result.status == "graded"
    assert result.points == {"fx.square": 0.0, "fx.unit": 2.0, "fx.counter": 2.0}
    assert "has a SyntaxError" in _notes(graded, "syntax_error")
    (error,) = result.cell_errors
    assert error.costs_points and error.text.startswith("SyntaxError")
    assert "(in a task that scored 0): SyntaxError" in _feedback(graded, "syntax_error")


def test_wrong_answer_gets_the_beginner_message(graded):
    result = graded["results"]["wrong_answer"]
    assert result.points["fx.unit"] == 1.0 and result.total == 4.0   # points per requirement: the shape is right
    lost = {c.requirement: c.message for c in result.checks if c.task == "fx.unit" and not c.passed}
    assert list(lost) == ["rows"], "the shape is right: only the requirement about the rows is lost"
    assert lost["rows"] == "the rows are not data's rows scaled to length 1"
    said = result.self_checks["fx.unit"]
    assert said.status == "failed"
    assert "row lengths of unit" in said.message and "Hint: divide each row by its own length" in said.message
    assert "checks/selfcheck.py" not in said.message and "checks/homework.py" not in said.message and "Traceback" not in said.message


def test_infinite_loop_is_stopped_and_the_rest_still_graded(graded):
    result = graded["results"]["infinite_loop"]
    assert result.status == "graded" and result.total == 5.0
    assert f"ran longer than {CELL_TIMEOUT} s and was stopped" in _notes(graded, "infinite_loop")
    assert "(costs no points): stopped after" in _feedback(graded, "infinite_loop")


@pytest.mark.parametrize("case", ["os_exit", "segfault"])
def test_crashed_kernel_keeps_earlier_scores(graded, case):
    result = graded["results"][case]
    assert result.status == "partial"
    assert result.points == {"fx.square": 1.0, "fx.unit": 0.0, "fx.counter": 0.0}
    assert "kernel crashed" in _notes(graded, case)
    assert any(c.message.startswith("not asked") for c in result.checks)


def test_huge_output_is_noted_not_kept(graded):
    result = graded["results"]["huge_output"]
    assert result.total == 5.0
    assert "printed 3,000,300 characters" in _notes(graded, "huge_output")


@pytest.mark.parametrize("case, words", [("not_a_notebook", "not a notebook"), ("corrupt", "damaged")])
def test_files_that_are_not_notebooks_are_invalid(graded, case, words):
    result = graded["results"][case]
    assert result.status == "invalid" and result.total == 0.0
    assert words in _notes(graded, case)
    assert graded["rows"][case]["status"] == "invalid"


def test_tampered_test_cells_are_restored_and_reported(graded):
    result, notes = graded["results"]["tampered"], _notes(graded, "tampered")
    assert "test cell fx.square was changed" in notes
    assert result.points["fx.square"] == 0.0, "the original test ran, not the student's 'pass'"
    assert "test cell fx.counter was deleted" in notes and result.points["fx.counter"] == 2.0
    assert "test cell fx.unit is duplicated" in notes and result.points["fx.unit"] == 2.0
    assert sum(c.task == "fx.unit" for c in result.checks) == 2, "a duplicate is asked once (two requirements)"
    assert sum(q.task == "fx.unit" for q in result.questions) == 2


def test_feedback_is_a_checklist_per_task_and_never_shows_the_questions_code(graded):
    key = json.loads(graded["key"].read_text())
    code = [line.strip() for item in key["notebooks"][hf.FIXTURE_NAME]["questions"].values()
            for line in item["source"].splitlines() if len(line.strip()) >= 12]
    files = sorted(graded["feedback"].rglob("*.md"))
    assert len(files) == len(graded["cases"])
    for path in files:
        text = path.read_text()
        assert [line for line in code if line in text] == [], path.name
    text = _feedback(graded, "wrong_answer")
    assert "Score: **4 / 5**" in text
    assert "### fx.unit: 1 / 2 point(s)" in text
    assert "- [x] unit_rows(data) has the shape of data (1 point)" in text
    assert ("- [ ] each row of unit_rows(data) is that row of data divided by its length (1 point): the rows are not "
            "data's rows scaled to length 1") in text
    assert "Your self-check (the test cell) failed: \\`row lengths of unit\\`" in text  # escaped: shown as typed
    assert "- [x] square(x) is x multiplied by itself, for a number and for an array (1 point)" in text
    honest = _feedback(graded, "honest")
    assert "## Written answers (graded by hand)" in honest
    assert "Your answer:\n\n```text\nSo that rows compare by direction, not by size.\n```" in honest


def test_merge_manual_points_into_the_grades(graded, tmp_path):
    grades = tmp_path / "grades.csv"
    grades.write_bytes(graded["csv"].read_bytes())
    ledger = graded["csv"].with_name("grades.csv.ledger.json")
    grades.with_name("grades.csv.ledger.json").write_bytes(ledger.read_bytes())
    book = graded["csv"].with_name("grades.csv.written.json")
    grades.with_name("grades.csv.written.json").write_bytes(book.read_bytes())
    feedback = tmp_path / "grades-feedback"
    import shutil

    shutil.copytree(graded["feedback"], feedback)
    points = tmp_path / "manual.csv"
    points.write_text("submission,fx.q1\nalice/homework.ipynb,1.5\n")   # the question declares no maximum: 1
    with pytest.raises(ManualPointsError, match=r"1.5 point\(s\) is more than the maximum of fx.q1 \(1\)"):
        merge_manual(grades, points)
    points.write_text("submission,fx.q1,fx.q1 comment\nalice/homework.ipynb,1,Well put.\nstudent_edition.ipynb,,\n")
    assert merge_manual(grades, points) == ["alice/homework.ipynb: fx.q1 = 1", "alice/homework.ipynb: fx.q1 comment"]
    with open(grades, newline="") as fh:
        rows = {r["submission"]: r for r in csv.DictReader(fh)}
    assert rows["alice/homework.ipynb"]["manual:fx.q1"] == "1" and rows["alice/homework.ipynb"]["manual_pending"] == ""
    assert rows["alice/homework.ipynb"]["total_with_manual"] == "6" and rows["alice/homework.ipynb"]["total"] == "5"
    assert rows["alice/homework.ipynb"]["max_with_manual"] == "6"
    assert rows["student_edition.ipynb"]["manual:fx.q1"] == ""
    text = grade_module.feedback_path(feedback, "alice/homework.ipynb").read_text()
    assert "Points for your written answers: **1 / 1**." in text and "Well put." in text
    review = (tmp_path / "grades-review" / "fx.q1.md").read_text()
    assert "## `alice/homework.ipynb`" in review and "So that rows compare by direction, not by size." in review
    lines: list = []
    assert grade_module.grade([graded["subs"]], graded["key"], grades, log=lines.append) == {}, "still up to date"
    # alice hands in a changed answer: graded again, her manual point is cleared and the question listed to regrade
    nb = hf.load(graded["cases"]["honest"])
    (cell,) = [c for c in nb["cells"] if "So that rows compare" in hf.src(c)]
    cell["source"] = hf.src(cell).replace("So that rows compare by direction, not by size.", "Because.")
    changed = tmp_path / "resubmitted" / "alice"
    changed.mkdir(parents=True)
    hf.save(nb, changed / "homework.ipynb")
    grade_module.grade([tmp_path / "resubmitted"], graded["key"], grades, feedback_dir=feedback, log=lines.append)
    with open(grades, newline="") as fh:
        alice = {r["submission"]: r for r in csv.DictReader(fh)}["alice/homework.ipynb"]
    assert alice["manual:fx.q1"] == "" and alice["manual_pending"] == "fx.q1" and alice["total_with_manual"] == ""
    assert "written answer fx.q1 changed since it was graded (1 point(s))" in alice["notes"]
    points.write_text("submission,fx.q9\nnobody.ipynb,x\n")
    assert main(["merge-manual", str(grades), str(points)]) == 1


def test_rerun_skips_graded_force_regrades_and_edited_rows_are_regraded(graded, tmp_path):
    lines = []
    again = grade_module.grade([graded["subs"]], graded["key"], graded["csv"], jobs=2, log=lines.append)
    assert again == {} and sum("already graded" in line for line in lines) == len(graded["cases"])
    before = graded["csv"].read_text()
    forced = grade_module.grade([graded["cases"]["not_a_notebook"]], graded["key"], graded["csv"], force=True,
                                log=lines.append)
    assert list(forced) == ["not_a_notebook.ipynb"]
    after = graded["csv"].read_text()
    assert len(after.splitlines()) == len(before.splitlines()), "rows are replaced, not added"
    edited = after.replace("corrupt.ipynb,,invalid,", "corrupt.ipynb,,graded,")
    assert edited != after
    graded["csv"].write_text(edited)
    lines.clear()
    regraded = grade_module.grade([graded["subs"]], graded["key"], graded["csv"], log=lines.append)
    assert list(regraded) == ["corrupt.ipynb"]
    assert any("changed outside the grader" in line for line in lines)


def test_cli_grade_bad_key_explains(tmp_path, capsys):
    (tmp_path / "a.ipynb").write_text("{}")
    code = main(["grade", str(tmp_path / "a.ipynb"), "--key", str(tmp_path / "missing.json"), "--out",
                 str(tmp_path / "g.csv")])
    assert code == 2 and "release" in capsys.readouterr().err
    assert not (tmp_path / "g.csv").exists()


def test_a_key_of_another_format_is_refused(graded, tmp_path):
    key = json.loads(graded["key"].read_text())
    key["format"] = "course_tools.homework/grading-key/1"
    old = tmp_path / "old.grading-key.json"
    old.write_text(json.dumps(key))
    with pytest.raises(grade_module.GradingError, match="release again"):
        grade_module.load_key(old)


def test_grading_refuses_without_a_sandbox_unless_told(graded, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sandbox_module, "_CHECKED", {"bwrap": "bubblewrap (`bwrap`) is not installed: "
                                                              + sandbox_module.INSTALL_HINT})
    code = main(["grade", str(graded["cases"]["honest"]), "--key", str(graded["key"]), "--out",
                 str(tmp_path / "g.csv")])
    err = capsys.readouterr().err
    assert code == 2 and "sudo apt-get install bubblewrap" in err and "--unsafe-no-sandbox" in err
    assert not (tmp_path / "g.csv").exists()
    code = main(["grade", str(graded["cases"]["honest"]), "--key", str(graded["key"]), "--out",
                 str(tmp_path / "g.csv"), "--unsafe-no-sandbox"])
    assert code == 0
    assert "WITHOUT a sandbox" in capsys.readouterr().out
    with open(tmp_path / "g.csv", newline="") as fh:
        (row,) = list(csv.DictReader(fh))
    assert row["total"] == "5" and row["submission"] == "homework.ipynb"


def test_lint_run_grades_the_fresh_student_edition(graded):
    assert run_problems(graded["root"] / "notebooks", cell_timeout=20, total_timeout=60) == []



def test_a_python_environment_under_tmp_stays_visible_in_the_sandbox(tmp_path, monkeypatch):
    """The sandbox's fresh /tmp must not hide a virtual environment that lives under /tmp (a CI clone):
    bubblewrap applies mounts in order, so the tmpfs has to come before the environment's bind."""
    venv = "/tmp/some-clone/.venv"
    monkeypatch.setattr(sandbox_module, "_python_roots", lambda: [venv])
    argv = sandbox_module.bwrap_argv(sandbox_module.Sandbox(edition=tmp_path), tmp_path / "w", tmp_path / "s")
    pairs = list(zip(argv, argv[1:]))
    tmpfs = pairs.index(("--tmpfs", "/tmp"))
    bind = next(i for i, pair in enumerate(pairs) if pair[0] == "--ro-bind" and pair[1] == venv)
    assert tmpfs < bind


def test_lint_wrong_checks_self_check_parity_on_a_corpus(graded, tmp_path):
    """The parity check catches a wrong solution that passes its test cell (a control), a grade other than the
    one written beside it, and passes honest entries."""
    from course_tools.homework.lint import wrong_problems

    corpus = tmp_path / "wrong"
    corpus.mkdir()
    (corpus / "90_fixture_homework.txt").write_text(
        "# WRONG fx.unit: halves the rows [loses: rows]\ndef unit_rows(data):\n    return data / 2\n\n"
        "# WRONG fx.square: right only for plain numbers [loses: square]\ndef square(x):\n"
        "    return x * x if not hasattr(x, 'shape') else x\n\n"
        "# WRONG fx.counter: always adds 1 [loses: default]\nclass Counter:\n    def __init__(self):\n"
        "        self.count = 0\n\n    def add(self, n=1):\n        self.count += 1\n        return self.count\n")
    problems = wrong_problems(graded["root"] / "notebooks", corpus, jobs=2, cell_timeout=20, total_timeout=60)
    assert len(problems) == 2, problems
    assert "'right only for plain numbers' of fx.square (line 5) passes the visible self-check but loses points" \
        in problems[0] and "add a visible check" in problems[0]
    assert "'always adds 1' of fx.counter (line 9) loses the requirements ['adds'], not ['default']" in problems[1]
