"""The cheat corpus: submissions that attack the grader, graded in the sandbox as an instructor would.

Each cheat is the fixture homework's student edition with a wrong answer in every task (an honest
0) plus the cheating code. A victim (a correct, honest submission) is graded before the cheats, in
a run of its own, and again after them. Every cheat must score 0 and be flagged, the victim must
keep full marks, no feedback may carry a line of the grading questions or the key, and the grades
CSV must not change after the grader has returned (the daemon case).
"""

from __future__ import annotations

import csv
import json
import os
import time
from pathlib import Path

import pytest
from fixtures.homework import homework_fixture as hf  # tests/ is on sys.path (pytest rootdir import mode)

from course_tools.homework import grade as grade_module
from course_tools.homework.release import release
from course_tools.homework.sandbox import sandbox_problem

pytestmark = pytest.mark.integration

CHEATS = ["input_transformer", "ast_transformer", "redefine_checks", "sys_modules", "shadow_builtins",
          "copy_solutions", "forge_result", "forge_without_notebook", "malformed_reply", "garbage_messages",
          "leak_hidden", "sabotage",
          "daemon", "lying_objects"]
FORMULA_NAME = '=HYPERLINK("evil.example","click me").ipynb'


def _processes_with(marker: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes():
                    found.append(entry.name)
            except OSError:
                continue
    return found


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    problem = sandbox_problem()
    assert problem is None, f"the cheat corpus needs the sandbox: {problem}"
    base = tmp_path_factory.mktemp("cheats")
    root = hf.make_instructor_repo(base / "instructor")
    out = base / "dist" / "student"
    key_path = release(root / "notebooks", out).key_path
    key = json.loads(key_path.read_text())
    hidden = [line for item in key["notebooks"][hf.FIXTURE_NAME]["questions"].values()
              for line in item["source"].splitlines()]
    edition = hf.load(out / "notebooks" / hf.FIXTURE_NAME)
    victim = hf.honest_submission(hf.load(root / "notebooks" / hf.FIXTURE_NAME), edition)
    wrong = hf.wrong_submission(edition)
    csv_path = base / "grades" / "grades.csv"
    marker = f"{os.getpid() % 1000}.{int(time.time()) % 100000}"
    sources = hf.cheat_sources(instructor_notebook=root / "notebooks" / hf.FIXTURE_NAME, key_path=key_path,
                               edition=out, csv_path=csv_path, marker=marker)
    (base / "before").mkdir()
    (base / "after").mkdir()
    (base / "cheats").mkdir()
    hf.save(victim, base / "before" / "victim_before.ipynb")
    hf.save(victim, base / "after" / "victim_after.ipynb")
    for case in CHEATS:
        hf.save(hf.cheat_submission(wrong, sources[case]), base / "cheats" / f"{case}.ipynb")
    hf.save(wrong, base / "cheats" / "honest_wrong.ipynb")
    hf.save(wrong, base / "cheats" / FORMULA_NAME)
    log: list = []
    # run_all: every cheat cell runs, even one after the last test (by default the grader stops there)
    kwargs = dict(cell_timeout=10, total_timeout=60, run_all=True, log=log.append)
    results = grade_module.grade([base / "before"], key_path, csv_path, jobs=1, **kwargs)
    results.update(grade_module.grade([base / "cheats"], key_path, csv_path, jobs=2, **kwargs))
    written = csv_path.read_bytes(), csv_path.with_name("grades.csv.ledger.json").read_bytes()
    time.sleep(3)  # the daemon writes every 0.1 s for 10 s, if it is still alive
    later = csv_path.read_bytes(), csv_path.with_name("grades.csv.ledger.json").read_bytes()
    daemons = _processes_with(marker)
    results.update(grade_module.grade([base / "after"], key_path, csv_path, jobs=1, **kwargs))
    return {"results": results, "csv": csv_path, "written": written, "later": later, "daemons": daemons,
            "hidden": hidden, "key": key_path.read_text(), "base": base, "log": log, "key_path": key_path,
            "feedback": csv_path.with_name("grades-feedback")}


@pytest.mark.parametrize("case", CHEATS)
def test_every_cheat_scores_zero_and_is_flagged(corpus, case):
    result = corpus["results"][f"{case}.ipynb"]
    failed = [c.name for c in result.checks if c.passed]
    assert result.total == 0.0 and not failed, (case, failed, result.notes)
    assert result.status in ("graded", "partial")
    assert result.flags, f"{case} is not flagged"


def test_honest_wrong_answers_score_zero_without_flags(corpus):
    for label in ("honest_wrong.ipynb", FORMULA_NAME):
        result = corpus["results"][label]
        assert result.total == 0.0 and result.flags == [] and result.status == "graded"


@pytest.mark.parametrize("label", ["victim_before.ipynb", "victim_after.ipynb"])
def test_victim_keeps_full_marks_before_and_after_the_saboteurs(corpus, label):
    result = corpus["results"][label]
    assert result.status == "graded" and result.total == result.max_points == 5.0
    assert result.notes == [] and result.flags == []
    assert result.cell_errors == [], "its own copy of the data was changed by a saboteur"
    assert [w.answer for w in result.written] == ["So that rows compare by direction, not by size."]


def test_no_feedback_carries_the_questions_the_key_or_grader_paths(corpus):
    files = sorted(corpus["feedback"].rglob("*.md"))
    assert len(files) == len(corpus["results"])
    base = str(corpus["base"])
    secret = [line.strip() for line in corpus["hidden"] if len(line.strip()) >= 12]
    for path in files:
        text = path.read_text()
        for line in secret:
            assert line not in text, (path.name, line)
        assert "Instructor only" not in text and base not in text and "/course/" not in text, path.name
    leak = (corpus["feedback"] / "leak_hidden.md").read_text()
    # what the cheat found in its caller's frame goes out only as its error's type: the message is the code's to choose
    assert "your code raised ValueError" in leak and "caller: (" not in leak   # its own line is quoted, not its message


def test_the_grades_do_not_change_after_the_grader_returns(corpus):
    assert corpus["written"] == corpus["later"], "something rewrote the grades after the grader returned"
    assert corpus["daemons"] == [], "a process started by a submission outlived its kernel"
    with open(corpus["csv"], newline="") as fh:
        rows = {r["submission"]: r for r in csv.DictReader(fh)}
    assert rows["daemon.ipynb"]["total"] == "0" and rows["victim_before.ipynb"]["total"] == "5"


def test_malformed_kernel_replies_cost_only_that_submission(corpus):
    result = corpus["results"]["malformed_reply.ipynb"]
    assert "not in the grader's format" in " ".join(result.notes)
    assert any(flag.startswith("malformed-reply") for flag in result.flags)
    assert all(c.message.startswith("no valid answer came back") for c in result.checks)


def test_csv_cells_cannot_start_a_formula(corpus):
    raw = corpus["csv"].read_text()
    assert "'=HYPERLINK" in raw
    with open(corpus["csv"], newline="") as fh:
        for row in csv.reader(fh):
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    reread = grade_module.GradeStore(corpus["csv"])
    assert FORMULA_NAME in reread.rows  # the label reads back as it was


def test_rerun_skips_everything_graded(corpus):
    lines: list = []
    again = grade_module.grade([corpus["base"] / "before", corpus["base"] / "cheats", corpus["base"] / "after"],
                               corpus["key_path"], corpus["csv"], log=lines.append)
    assert again == {} and sum("already graded" in line for line in lines) == len(corpus["results"])


def test_run_all_runs_the_cells_after_the_last_test(corpus):
    """The corpus is graded with run_all: the leak_hidden cheat's last cell (after the last test) ran."""
    result = corpus["results"]["leak_hidden.ipynb"]
    last_test = max(run.cell for run in result.runs if run.kind == "test")
    assert result.not_run == []
    assert any(run.kind == "student" and run.cell > last_test and run.status == "error" for run in result.runs)


def test_flags_name_what_the_cheat_used(corpus):
    flags = {label: " ".join(r.flags) for label, r in corpus["results"].items()}
    assert "ipython-hooks" in flags["input_transformer.ipynb"]
    assert "redefines-checks" in flags["redefine_checks.ipynb"]
    assert "sys.modules" in flags["sys_modules.ipynb"]
    assert "builtins" in flags["shadow_builtins.ipynb"]
    assert "signals" in flags["forge_result.ipynb"]
    assert "history" in flags["leak_hidden.ipynb"] and "frames" in flags["leak_hidden.ipynb"]
    assert "writes-module-files" in flags["sabotage.ipynb"]
    assert "processes" in flags["daemon.ipynb"]
    assert "spoofed-types" in flags["lying_objects.ipynb"]
    assert "dynamic-code" in flags["copy_solutions.ipynb"]


IN_KERNEL = ["input_transformer", "ast_transformer", "redefine_checks", "sys_modules", "shadow_builtins",
             "lying_objects", "malformed_reply"]


def test_in_kernel_defences_hold_even_without_the_sandbox(corpus, tmp_path):
    """Defence in depth: the cheats that only tamper with the kernel score 0 without the sandbox too."""
    folder = tmp_path / "in_kernel"
    folder.mkdir()
    for case in IN_KERNEL:
        (folder / f"{case}.ipynb").write_bytes((corpus["base"] / "cheats" / f"{case}.ipynb").read_bytes())
    results = grade_module.grade([folder], corpus["key_path"], tmp_path / "grades.csv", jobs=2, cell_timeout=10,
                                 total_timeout=60, unsafe_no_sandbox=True, log=lambda line: None)
    assert {label: r.total for label, r in results.items()} == {f"{case}.ipynb": 0.0 for case in IN_KERNEL}
