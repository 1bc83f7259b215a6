"""The cheat table of issue 12, rerun on the real MLP homework (notebook 04), graded as an instructor would.

``test_homework_cheats.py`` attacks the small fixture homework with every cheat; this file checks the
same attacks on the notebook the issue was about. Each cheat is the blank student edition of
notebook 04 (every answer still raises) plus a fixture cheat cell after the imports cell; the
instructor's solution notebook is the victim, graded before the cheats and again after them. The
cheats are graded with ``run_all`` so that nothing they wrote is skipped.
"""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path

import pytest
from fixtures.homework import homework_fixture as hf  # tests/ is on sys.path (pytest rootdir import mode)

from course_tools.homework import grade as grade_module
from course_tools.homework.release import release
from course_tools.homework.sandbox import sandbox_problem

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[1]
NB = "04_mlp_homework.ipynb"
#: The rows of the issue's table (and the kernel-level variants of the fixture corpus).
CHEATS = ["input_transformer", "ast_transformer", "redefine_checks", "sys_modules", "shadow_builtins",
          "copy_solutions", "forge_result", "forge_without_notebook", "malformed_reply", "garbage_messages",
          "leak_hidden", "sabotage", "daemon"]


def _first_line(cell: dict) -> str:
    return "".join(cell["source"]).splitlines()[0]


@pytest.fixture(scope="module")
def mlp_corpus(tmp_path_factory):
    problem = sandbox_problem()
    assert problem is None, f"the cheat corpus needs the sandbox: {problem}"
    base = tmp_path_factory.mktemp("mlp-cheats")
    (base / "notebooks").mkdir()
    (base / "notebooks" / NB).write_bytes((REPO / "notebooks" / NB).read_bytes())
    key_path = release(base / "notebooks", base / "dist" / "student", root=REPO).key_path
    key = json.loads(key_path.read_text())
    hidden = [line for item in key["notebooks"][NB]["questions"].values() for line in item["source"].splitlines()
              if line.strip()]
    edition = json.loads((base / "dist" / "student" / "notebooks" / NB).read_text())
    csv_path = base / "grades" / "grades.csv"
    marker = f"mlp{int(time.time()) % 100000}"
    sources = hf.cheat_sources(instructor_notebook=REPO / "notebooks" / NB, key_path=key_path,
                               edition=base / "dist" / "student", csv_path=csv_path, marker=marker)
    imports = next(i for i, c in enumerate(edition["cells"]) if "%matplotlib inline" in "".join(c["source"]))
    tasks = {_first_line(c): i for i, c in enumerate(edition["cells"]) if "".join(c["source"]).startswith("# TASK")}
    assert len(tasks) == 6
    for folder in ("before", "after", "cheats"):
        (base / folder).mkdir()
    solution = (REPO / "notebooks" / NB).read_bytes()
    (base / "before" / "victim_before.ipynb").write_bytes(solution)
    (base / "after" / "victim_after.ipynb").write_bytes(solution)
    for case in CHEATS:
        nb = copy.deepcopy(edition)
        if case == "copy_solutions":  # each task cell runs the solution the cheat found, if any
            for first, index in tasks.items():
                nb["cells"][index]["source"] = first + f"\nexec(_answers.get({first.split()[2]!r}, 'pass'), globals())"
        if case == "leak_hidden":  # the first task raises what the calling frame holds
            first, index = next(iter(tasks.items()))
            nb["cells"][index]["source"] = (
                first + "\nimport sys\nclass MLP:\n    def __init__(self, *args, **kwargs):\n"
                "        frame = sys._getframe(1)\n"
                "        raise ValueError('caller: ' + repr(frame.f_code.co_consts))")
        nb["cells"].insert(imports + 1, hf.code_cell(sources[case]["cell"]))
        if sources[case].get("last"):
            nb["cells"].append(hf.code_cell(sources[case]["last"]))
        (base / "cheats" / f"{case}.ipynb").write_text(json.dumps(nb))
    kwargs = dict(cell_timeout=60, total_timeout=300, run_all=True, log=lambda line: None)
    results = grade_module.grade([base / "before"], key_path, csv_path, jobs=1, **kwargs)
    results.update(grade_module.grade([base / "cheats"], key_path, csv_path, jobs=2, **kwargs))
    written = csv_path.read_bytes()
    time.sleep(3)  # the daemon rewrites the grades every 0.1 s for 10 s, if it is still alive
    later = csv_path.read_bytes()
    results.update(grade_module.grade([base / "after"], key_path, csv_path, jobs=1, **kwargs))
    feedback = "\n".join(p.read_text() for p in csv_path.with_name("grades-feedback").rglob("*.md"))
    return {"results": results, "hidden": hidden, "written": written, "later": later, "feedback": feedback,
            "key": key_path.read_text()}


@pytest.mark.parametrize("case", CHEATS)
def test_every_cheat_on_the_mlp_homework_scores_zero_and_is_flagged(mlp_corpus, case):
    result = mlp_corpus["results"][f"{case}.ipynb"]
    assert result.status == "graded" and result.max_points == 14.0
    assert result.total == 0.0, result.points
    assert result.flags, "a cheat must leave a flag for the instructor"


@pytest.mark.parametrize("label", ["victim_before.ipynb", "victim_after.ipynb"])
def test_the_instructors_solution_keeps_full_marks_before_and_after_the_saboteurs(mlp_corpus, label):
    result = mlp_corpus["results"][label]
    assert result.total == result.max_points == 14.0, [c.message for c in result.checks if not c.passed]


def test_no_feedback_shows_the_questions_code_or_the_key(mlp_corpus):
    feedback = mlp_corpus["feedback"]
    assert [line for line in mlp_corpus["hidden"] if len(line.strip()) >= 16 and line.strip() in feedback
            and not line.strip().startswith(("import ", "from "))] == []
    assert '"questions"' not in feedback and mlp_corpus["key"][:200] not in feedback


def test_the_grades_do_not_change_after_the_grader_returns(mlp_corpus):
    assert mlp_corpus["later"] == mlp_corpus["written"]
