"""Grading with real kernels: the fixture homework's solution, its student edition, and crafted bad
submissions, all graded in ONE parallel run (module fixture) to keep the suite fast."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from fixtures.homework import homework_fixture as hf  # tests/ is on sys.path (pytest rootdir import mode)

from course_tools.homework import grade as grade_module
from course_tools.homework.__main__ import main
from course_tools.homework.lint import student_run_problems
from course_tools.homework.markers import parse_notebook
from course_tools.homework.release import release

CELL_TIMEOUT = 5


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Release the fixture repo, craft submissions, grade them all once with 2 jobs."""
    base = tmp_path_factory.mktemp("grading")
    root = hf.make_instructor_repo(base / "instructor")
    out = base / "dist" / "student"
    result = release(root / "notebooks", out)
    subs = base / "submissions"
    cases = hf.crafted_submissions(hf.load(root / "notebooks" / hf.FIXTURE_NAME), subs)
    cases["student_edition"] = hf.save(hf.load(out / "notebooks" / hf.FIXTURE_NAME), subs / "student_edition.ipynb")
    csv_path = base / "grades.csv"
    lines = []
    results = grade_module.grade([subs], result.key_path, csv_path, jobs=2, cell_timeout=CELL_TIMEOUT,
                                 total_timeout=60, log=lines.append)
    by_case = {case: results[grade_module.submission_label(path)] for case, path in cases.items()}
    with open(csv_path, newline="") as fh:
        rows = {Path(r["submission"]).stem: r for r in csv.DictReader(fh)}
    return {"root": root, "key": result.key_path, "subs": subs, "csv": csv_path, "cases": cases,
            "results": by_case, "rows": rows, "log": lines, "feedback": base / "grades-feedback"}


def _notes(graded, case):
    return " ".join(graded["results"][case]["notes"])


def test_every_submission_gets_one_csv_row_with_task_columns(graded):
    rows = graded["rows"]
    assert set(rows) == set(graded["cases"])
    with open(graded["csv"], newline="") as fh:
        header = next(csv.reader(fh))
    assert header[:3] == ["submission", "notebook", "status"]
    assert ["fx.square", "fx.unit", "fx.counter", "total", "max_points"] == header[3:8]
    assert rows["solution"]["total"] == "5" and rows["solution"]["max_points"] == "5"


def test_solution_scores_full_marks_without_notes(graded):
    result = graded["results"]["solution"]
    assert result["status"] == "graded" and result["total"] == 5.0
    assert result["notes"] == [] and result["cell_errors"] == []
    assert all(c["passed"] for c in result["checks"]) and len(result["checks"]) == 6


def test_student_edition_scores_zero_and_fails_only_at_the_blanks(graded):
    result = graded["results"]["student_edition"]
    assert result["status"] == "graded" and result["total"] == 0.0
    homework = parse_notebook(hf.load(graded["root"] / "notebooks" / hf.FIXTURE_NAME), hf.FIXTURE_NAME)
    import nbformat

    homework.nb = nbformat.from_dict(homework.nb)
    assert student_run_problems(homework, result) == []
    errors = [r["ename"] for r in result["runs"] if r["status"] == "error"]
    assert errors.count("NotImplementedError") >= 4 and set(errors) <= {"NotImplementedError", "NameError"}
    messages = {c["name"]: c["message"] for c in result["checks"]}
    assert messages["fx.square"] == "not done yet: fx.square: return x multiplied by itself"


def test_syntax_error_costs_only_its_task(graded):
    result = graded["results"]["syntax_error"]
    assert result["status"] == "graded"
    assert result["points"] == {"fx.square": 0.0, "fx.unit": 2.0, "fx.counter": 2.0}
    assert "has a SyntaxError" in _notes(graded, "syntax_error")


def test_wrong_answer_gets_the_beginner_message(graded):
    result = graded["results"]["wrong_answer"]
    assert result["points"]["fx.unit"] == 0.0 and result["total"] == 3.0
    message = next(c["message"] for c in result["checks"] if c["name"] == "fx.unit")
    assert "row lengths of unit" in message and "Hint: divide each row by its own length" in message


def test_infinite_loop_is_stopped_and_the_rest_still_graded(graded):
    result = graded["results"]["infinite_loop"]
    assert result["status"] == "graded" and result["total"] == 5.0
    assert f"ran longer than {CELL_TIMEOUT} s and was stopped" in _notes(graded, "infinite_loop")


@pytest.mark.parametrize("case", ["os_exit", "segfault"])
def test_crashed_kernel_keeps_earlier_scores(graded, case):
    result = graded["results"][case]
    assert result["status"] == "partial"
    assert result["points"] == {"fx.square": 1.0, "fx.unit": 0.0, "fx.counter": 0.0}
    assert "kernel crashed" in _notes(graded, case)
    assert any(c["message"].startswith("not run") for c in result["checks"])


def test_huge_output_is_noted_not_kept(graded):
    result = graded["results"]["huge_output"]
    assert result["total"] == 5.0
    assert "printed 3,000,300 characters" in _notes(graded, "huge_output")


@pytest.mark.parametrize("case, words", [("not_a_notebook", "not a notebook"), ("corrupt", "damaged")])
def test_files_that_are_not_notebooks_are_invalid(graded, case, words):
    result = graded["results"][case]
    assert result["status"] == "invalid" and result["total"] == 0.0
    assert words in _notes(graded, case)
    assert graded["rows"][case]["status"] == "invalid"


def test_tampered_test_cells_are_restored_and_reported(graded):
    result, notes = graded["results"]["tampered"], _notes(graded, "tampered")
    assert "test cell fx.square was changed" in notes
    assert result["points"]["fx.square"] == 0.0, "the original test ran, not the student's 'pass'"
    assert "test cell fx.counter was deleted" in notes and result["points"]["fx.counter"] == 2.0
    assert "test cell fx.unit is duplicated" in notes and result["points"]["fx.unit"] == 2.0
    assert sum(c["name"] == "fx.unit" for c in result["checks"]) == 1, "a duplicate runs once"


def test_feedback_names_checks_and_never_shows_hidden_test_code(graded):
    key = json.loads(graded["key"].read_text())
    hidden = [t["hidden"] for t in key["notebooks"][hf.FIXTURE_NAME]["tests"]]
    files = sorted(graded["feedback"].rglob("*.md"))
    assert len(files) == len(graded["cases"])
    for path in files:
        text = path.read_text()
        for code in hidden:
            assert code not in text
    label = grade_module.submission_label(graded["cases"]["wrong_answer"])
    text = grade_module.feedback_path(graded["feedback"], label).read_text()
    assert "Score: **3 / 5**" in text
    assert "**FAIL** fx.unit:" in text and "**PASS** fx.unit (hidden checks)" not in text
    assert "**PASS** fx.square (hidden checks): passed" in text


def test_rerun_skips_graded_and_force_regrades(graded, tmp_path):
    lines = []
    again = grade_module.grade([graded["subs"]], graded["key"], graded["csv"], jobs=2, log=lines.append)
    assert again == {} and sum("already graded" in line for line in lines) == len(graded["cases"])
    before = graded["csv"].read_text()
    forced = grade_module.grade([graded["cases"]["not_a_notebook"]], graded["key"], graded["csv"], force=True,
                                log=lines.append)
    assert list(forced) == [grade_module.submission_label(graded["cases"]["not_a_notebook"])]
    after = graded["csv"].read_text()
    assert len(after.splitlines()) == len(before.splitlines()), "rows are replaced, not added"


def test_cli_grade_bad_key_explains(tmp_path, capsys):
    (tmp_path / "a.ipynb").write_text("{}")
    code = main(["grade", str(tmp_path / "a.ipynb"), "--key", str(tmp_path / "missing.json"), "--out",
                 str(tmp_path / "g.csv")])
    assert code == 2 and "release" in capsys.readouterr().err
    assert not (tmp_path / "g.csv").exists()
