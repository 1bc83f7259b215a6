"""The course's real graded notebooks (notebooks/*.ipynb with TASK cells: homework 04 and 05, lesson 03), end to end.

For each: the markers parse, the release works, the solution notebook scores full marks and the
fresh student edition scores zero, failing only at the blanks. Both are graded in one parallel
run per notebook. Skipped while no homework notebook exists.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from course_tools.homework import config
from course_tools.homework.grade import grade, submission_label
from course_tools.homework.leaks import leak_shares
from course_tools.homework.lint import student_run_problems
from course_tools.homework.markers import TASK_RE, first_line
from course_tools.homework.release import load_notebook, parse_all, release

REPO = Path(__file__).resolve().parents[1]


def _homework_notebooks() -> list:
    found = []
    for path in sorted((REPO / "notebooks").glob("*.ipynb")):
        try:
            cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError):
            continue  # notebook lint reports unreadable notebooks
        sources = ("".join(c.get("source", "")) if isinstance(c.get("source"), list) else c.get("source", "")
                   for c in cells if c.get("cell_type") == "code")
        if any(TASK_RE.match(first_line(s)) for s in sources):
            found.append(path)
    return found


HOMEWORK = _homework_notebooks()


def test_the_course_has_its_graded_notebooks():
    """A renamed or broken homework notebook must fail here, not silently drop the tests below. Lesson 03 counts:
    two of its exercises are graded tasks (issue 26), in the same format as the homework's."""
    assert [p.name for p in HOMEWORK] == ["03_pytorch_basics.ipynb", "04_mlp_homework.ipynb",
                                          "05_notmnist_dataset_homework.ipynb"]


@pytest.mark.parametrize("path", HOMEWORK, ids=[p.name for p in HOMEWORK])
def test_homework_notebook_solution_full_student_edition_zero(path, tmp_path):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / path.name).write_bytes(path.read_bytes())
    result = release(tmp_path / "notebooks", tmp_path / "dist" / "student", root=REPO)
    student = tmp_path / "dist" / "student" / "notebooks" / path.name
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "solution.ipynb").write_bytes(path.read_bytes())
    (subs / "student.ipynb").write_bytes(student.read_bytes())
    results = grade([subs], result.key_path, tmp_path / "grades.csv", jobs=2, log=lambda line: None)
    solution = results[submission_label(subs / "solution.ipynb")]
    assert solution["status"] == "graded", solution["notes"]
    failed = [f"{c['name']}: {c['message']}" for c in solution["checks"] if not c["passed"]]
    assert solution["total"] == solution["max_points"] > 0, failed
    assert solution["notes"] == []
    fresh = results[submission_label(subs / "student.ipynb")]
    (_, _, homework), = [p for p in parse_all(tmp_path / "notebooks", REPO) if p[0].name == path.name]
    assert load_notebook(path).cells  # readable with nbformat as well
    assert student_run_problems(homework, fresh) == []
    assert fresh["total"] == 0.0


def test_each_student_edition_shows_at_most_a_tenth_of_its_answer():
    """The leak meter of ``make hw-lint`` (course_tools.homework.leaks) on the course's own notebooks."""
    shares = {share.notebook: share for share in leak_shares(REPO / "notebooks", REPO)}
    assert sorted(shares) == [p.name for p in HOMEWORK]
    for name, share in shares.items():
        assert share.lines > 0, name
        assert share.share <= config.LEAK_LIMIT, (name, share.found_in)
