"""Homework tooling without kernels: the source format, the release, the audit, and the self-checks."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest
import torch
from fixtures.homework import homework_fixture as hf  # tests/ is on sys.path (pytest rootdir import mode)

from course_tools.homework import config
from course_tools.homework.__main__ import main
from course_tools.homework.audit import audit, student_run_problems
from course_tools.homework.leaks import leak_report, leak_shares, solution_units
from course_tools.homework.markers import MarkerError, parse_notebook, python_error
from course_tools.homework.records import Run, SubmissionResult
from course_tools.homework.release import ReleaseError, release, student_notebook
from course_utils.checks import selfcheck as checks

STUDENT_REPO = "https://github.com/teacher/dl-basics-student"


def fixture_nb():
    import nbformat

    return nbformat.read(str(hf.FIXTURE_NOTEBOOK), as_version=4)


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """A fake instructor repository and its release with a student repository URL."""
    base = tmp_path_factory.mktemp("release")
    root = hf.make_instructor_repo(base / "instructor")
    out = base / "dist" / "student"
    result = release(root / "notebooks", out, repo_url=STUDENT_REPO)
    return root, out, result


# --------------------------------------------------------------------------- the source format
def test_parse_fixture_tasks_tests_points():
    hw = parse_notebook(fixture_nb(), "fx.ipynb")
    assert list(hw.tasks) == ["fx.square", "fx.unit", "fx.counter"]
    assert list(hw.tests) == list(hw.tasks) == list(hw.questions)
    assert [t.points for t in hw.tasks.values()] == [1.0, 2.0, 2.0]
    assert hw.tasks["fx.square"].title == "write square(x)"
    assert hw.total_points == 5.0


def test_student_notebook_stubs_solutions_and_drops_the_questions():
    nb = fixture_nb()
    hw = parse_notebook(nb, "fx.ipynb")
    student = student_notebook(hw)
    text = json.dumps(student)
    for answer in ("x * x", "np.linalg.norm(data, axis=1, keepdims=True)", "self.count += n", "by direction",
                   "QUESTIONS", "requirement(", "course_tools.homework.questions", "BEGIN", "HIDDEN"):
        assert answer not in text, answer
    assert len(student.cells) == len(nb.cells) - 3
    sources = {c.source.splitlines()[0]: c.source for c in student.cells if c.source}
    assert 'raise NotImplementedError("fx.square: return x multiplied by itself")' in sources["# TASK fx.square (1 point): write square(x)"]
    # no HINT line and no title: the default wording; with a title: the title
    counter = sources["# TASK fx.counter (2 points)"]
    assert f'"fx.counter: {config.DEFAULT_CODE_HINT}"' in counter
    assert '"fx.counter: increase self.count by n and return it"' in counter
    assert '"fx.unit: scale each row of data to length 1"' in sources[next(k for k in sources if "fx.unit" in k and "TASK" in k)]
    assert any("one sentence" in c.source and "Your answer" in c.source for c in student.cells if c.cell_type == "markdown")
    for cell in student.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
            assert python_error(cell.source) is None
    # visible tests stay, so students can self-check
    assert 'check_equal("square(3)", square(3), 9)' in sources["# TEST fx.square"]


def _nb(*cells):
    import nbformat

    nb = nbformat.v4.new_notebook()
    for kind, source in cells:
        nb.cells.append(nbformat.v4.new_code_cell(source) if kind == "code" else nbformat.v4.new_markdown_cell(source))
    return nb


TASK = "# TASK t.a (1 point)\n"
GOOD_TEST = ("code", "# TEST t.a\nassert f() == 1")


@pytest.mark.parametrize("cells, cell_no, line_no, words", [
    ([("code", TASK + "def f():\n    ### BEGIN SOLUTION\n    return 1\n"), GOOD_TEST], 1, 3, "never closed"),
    ([("code", TASK + "### BEGIN SOLUTION\n### BEGIN SOLUTION\nx = 1\n### END SOLUTION"), GOOD_TEST], 1, 3, "nest"),
    ([("code", TASK + "x = 1\n### END SOLUTION"), GOOD_TEST], 1, 3, "without a 'BEGIN SOLUTION'"),
    ([("code", TASK + "### BEGIN SOLUTION\nx = 1\n### END HIDDEN TESTS"), GOOD_TEST], 1, 4, "must match"),
    ([("code", TASK + "### BEGIN SOLUTION\nx = 1\n### END SOLUTION"), ("code", "# TEST t.b\npass")], 2, None,
     "no task cell above it"),
    ([("code", TASK + "### BEGIN SOLUTION\nx = 1\n### END SOLUTION")], 1, None, "has no test cell"),
    ([("code", "y = 2\n### BEGIN SOLUTION\nx = 1\n### END SOLUTION")], 1, 2, "outside a task cell"),
    ([("code", TASK + "### BEGIN SOLUTION\nx = 1\n### END SOLUTION"),
      ("code", "assert 1\n### BEGIN HIDDEN TESTS\nassert 2\n### END HIDDEN TESTS")], 2, 2, "no longer supported"),
    ([("code", TASK + "### BEGIN SOLUTIONS\nx = 1\n### END SOLUTION"), GOOD_TEST], 1, 2, "looks like a marker"),
    ([("code", "x = 0\n" + TASK + "### BEGIN SOLUTION\nx = 1\n### END SOLUTION"), GOOD_TEST], 1, 2, "first line"),
    ([("code", "# TASK t.a (2 pts)\n### BEGIN SOLUTION\nx = 1\n### END SOLUTION"), GOOD_TEST], 1, 1,
     "not a valid header"),
    ([("code", TASK + "x = [\n### BEGIN SOLUTION\n 1,\n### END SOLUTION\n]"), GOOD_TEST], 1, None, "not valid Python"),
    ([("code", TASK + "### BEGIN SOLUTION\nx = 1\n### END SOLUTION"),
      ("code", "# TEST t.a\nassert x == 1\n### BEGIN HIDDEN TESTS\nassert x\n### END HIDDEN TESTS")], 2, 3,
     "move these checks into the task's '# QUESTIONS <id>' cell"),
    ([("code", TASK + "### BEGIN SOLUTION\nx = 1\n### END SOLUTION"), GOOD_TEST], 1, None, "has no grading questions"),
    ([("code", TASK + "### BEGIN SOLUTION\nx = 1\n### END SOLUTION"), ("code", "# QUESTIONS t.a\npass"), GOOD_TEST],
     2, None, "no test cell above them"),
    ([("code", TASK + "### BEGIN SOLUTION\nx = 1\n### END SOLUTION"), GOOD_TEST, ("code", "# QUESTIONS t.a\npass"),
      ("code", "# QUESTIONS t.a\npass")], 4, None, "a second questions cell"),
    ([("markdown", "Q?\n<!-- BEGIN SOLUTION -->\nanswer")], 1, 2, "never closed"),
    ([("markdown", "Q?\n### BEGIN SOLUTION\nanswer\n### END SOLUTION")], 1, 2, "not a markdown marker"),
])
def test_malformed_markers_name_notebook_cell_and_line(cells, cell_no, line_no, words):
    with pytest.raises(MarkerError) as info:
        parse_notebook(_nb(*cells), "notebooks/99_bad.ipynb")
    message = str(info.value)
    assert words in message
    problem = next(p for p in info.value.problems if words in p)
    assert problem.startswith(f"notebooks/99_bad.ipynb, cell {cell_no} ")
    if line_no is not None:
        assert f", line {line_no}:" in problem


def test_notebook_without_tasks_is_not_homework():
    hw = parse_notebook(_nb(("markdown", "# Lesson"), ("code", "print(1)")), "lesson.ipynb")
    assert not hw.is_homework


# --------------------------------------------------------------------------- release
def test_release_layout_excludes_instructor_only_files(released):
    root, out, result = released
    assert (out / "notebooks" / hf.FIXTURE_NAME).is_file() and (out / "notebooks" / "01_lesson.ipynb").is_file()
    for rel in ("course_utils/__init__.py", "course_utils/checks/selfcheck.py", "data/embedded/tiny.txt",
                "README.md", "LICENSE", "requirements.txt", "constraints.txt", "pyproject.toml", "Makefile",
                ".gitignore"):
        assert (out / rel).is_file(), rel
    for rel in ("tests", "benchmarks", "dist", ".venv", "data/big_download.bin"):
        assert not (out / rel).exists(), rel
    assert not list(out.rglob("__pycache__"))
    assert result.key_path == out.parent / ("student" + config.KEY_SUFFIX)
    assert result.homework == {hf.FIXTURE_NAME: (3, 5.0)}


def test_release_never_ships_questions_or_solutions(released):
    _, out, result = released
    key = json.loads(result.key_path.read_text())
    (entry,) = key["notebooks"].values()
    questions = [item["source"] for item in entry["questions"].values()]
    assert len(questions) == 3 and all(q.startswith("# QUESTIONS fx.") for q in questions)
    secret = [line.strip() for source in questions for line in source.splitlines()[1:]
              if len(line.strip()) >= 12 and not line.strip().startswith(("import ", "from ", "return True"))]
    for path in out.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            for found in secret + ["x * x"]:
                assert found not in text, (path, found)


def test_the_key_holds_each_tasks_requirements_with_their_points(released):
    _, _, result = released
    (entry,) = json.loads(result.key_path.read_text())["notebooks"].values()
    requirements = {task: [(r["id"], r["points"], r["questions"]) for r in item["requirements"]]
                    for task, item in entry["questions"].items()}
    assert requirements == {"fx.square": [("square", 1.0, ["square.1"])],
                            "fx.unit": [("shape", 1.0, ["shape.1"]), ("rows", 1.0, ["rows.1"])],
                            "fx.counter": [("default", 1.0, ["default.1"]), ("adds", 1.0, ["adds.1"])]}


@pytest.mark.parametrize("edit, words", [
    (("for an array\", points=1)", "for an array\", points=3)"), "add up to 3 point(s), the task is worth 1"),
    (("question(\"square\"", "question(\"nothing\""), "unknown requirement 'nothing'"),
    (("    def numbers(ctx):", "    raise RuntimeError('broken cell')\n    def numbers(ctx):"),
     "raised RuntimeError: broken cell"),
    (("def questions():", "import numpy\ndef questions():"), "must hold one function, `def questions():`"),
])
def test_release_refuses_malformed_questions(tmp_path, edit, words):
    root = hf.make_instructor_repo(tmp_path / "instructor")
    nb = hf.load(root / "notebooks" / hf.FIXTURE_NAME)
    cell = nb["cells"][hf.find(nb, "# QUESTIONS fx.square")]
    assert edit[0] in hf.src(cell)
    cell["source"] = hf.src(cell).replace(edit[0], edit[1], 1)
    hf.save(nb, root / "notebooks" / hf.FIXTURE_NAME)
    with pytest.raises(ReleaseError, match=re.escape(words)):
        release(root / "notebooks", tmp_path / "dist" / "student")
    assert any(words in p for p in audit(root / "notebooks"))


def test_release_ships_no_instructor_tools(released):
    _, out, _ = released
    assert (out / "course_utils").is_dir()
    assert not (out / "course_tools").exists()
    shipped = [p for p in out.rglob("*.py") if re.search(r"^\s*(from|import) course_tools", p.read_text(encoding="utf-8"), re.M)]
    assert shipped == [], shipped


def test_release_points_badges_and_config_at_the_student_repo(released):
    _, out, _ = released
    assert f'REPO_URL = "{STUDENT_REPO}"' in (out / "course_utils" / "_config.py").read_text()
    nb = json.loads((out / "notebooks" / hf.FIXTURE_NAME).read_text())
    first = hf.src(nb["cells"][0])
    assert f"github/teacher/dl-basics-student/blob/main/notebooks/{hf.FIXTURE_NAME}" in first
    assert STUDENT_REPO in hf.src(nb["cells"][1])  # the bootstrap cell clones the student repository
    lesson = json.loads((out / "notebooks" / "01_lesson.ipynb").read_text())
    assert all(c.get("outputs", []) == [] for c in lesson["cells"])


def test_release_ships_the_student_projects_own_files_not_the_instructors(released):
    """README, Makefile, pyproject.toml, requirements.txt and .gitignore come from config.STUDENT_FILES."""
    root, out, _ = released
    for name in ("README.md", "Makefile", "pyproject.toml", "requirements.txt", ".gitignore"):
        assert (out / name).read_bytes() == (config.STUDENT_FILES / name).read_bytes(), name
        assert (out / name).read_text() != (root / name).read_text(), name


def test_release_replaces_its_own_edition_keeping_git_and_refuses_other_folders(tmp_path):
    root = hf.make_instructor_repo(tmp_path / "instructor")
    out = tmp_path / "dist" / "student"
    release(root / "notebooks", out)
    (out / ".git").mkdir()
    (out / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (out / "stale.txt").write_text("old")
    release(root / "notebooks", out)
    assert (out / ".git" / "HEAD").read_text() == "ref: refs/heads/main\n"
    assert not (out / "stale.txt").exists()
    other = tmp_path / "my_folder"
    other.mkdir()
    (other / "thesis.tex").write_text("precious")
    with pytest.raises(ReleaseError, match="was not made by release"):
        release(root / "notebooks", other)
    assert (other / "thesis.tex").read_text() == "precious"
    with pytest.raises(ReleaseError, match="instructor repository itself"):
        release(root / "notebooks", root)
    assert not list((tmp_path / "dist").glob(".student.*")), "no temporary folders left behind"


def test_failed_release_changes_nothing(tmp_path):
    root = hf.make_instructor_repo(tmp_path / "instructor")
    out = tmp_path / "dist" / "student"
    release(root / "notebooks", out)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    key_before = (tmp_path / "dist" / "student.grading-key.json").read_bytes()
    nb = hf.load(root / "notebooks" / hf.FIXTURE_NAME)
    nb["cells"][hf.find(nb, "# TEST fx.unit")]["source"] = "# TEST fx.unknown\npass"
    hf.save(nb, root / "notebooks" / hf.FIXTURE_NAME)
    with pytest.raises(MarkerError, match="fx.unknown"):
        release(root / "notebooks", out)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert (tmp_path / "dist" / "student.grading-key.json").read_bytes() == key_before


# --------------------------------------------------------------------------- the audit and the CLI
def test_audit_clean_in_sync_and_out_of_date(released, tmp_path):
    root, out, _ = released
    assert audit(root / "notebooks") == []
    assert audit(root / "notebooks", student=out) == []
    copy = tmp_path / "student"
    import shutil

    shutil.copytree(out, copy)
    (copy / "notebooks" / hf.FIXTURE_NAME).write_text((copy / "notebooks" / hf.FIXTURE_NAME).read_text()
                                                      .replace("square(3)", "square(4)"))
    problems = audit(root / "notebooks", student=copy)
    assert len(problems) == 1 and "out of date" in problems[0] and hf.FIXTURE_NAME in problems[0]


def test_cli_release_and_audit(tmp_path, capsys):
    root = hf.make_instructor_repo(tmp_path / "instructor")
    out = tmp_path / "dist" / "student"
    assert main(["release", str(root / "notebooks"), "--out", str(out), "--no-url"]) == 0
    printed = capsys.readouterr().out
    assert "3 task(s), 5 point(s)" in printed and "never publish" in printed
    assert main(["audit", str(root / "notebooks"), "--student", str(out)]) == 0
    nb = hf.load(root / "notebooks" / hf.FIXTURE_NAME)
    nb["cells"][hf.find(nb, "# TEST fx.counter")]["source"] = "print('no header')"
    hf.save(nb, root / "notebooks" / hf.FIXTURE_NAME)
    assert main(["audit", str(root / "notebooks")]) == 1
    assert "'fx.counter' has no test cell" in capsys.readouterr().out
    assert main(["release", str(root / "notebooks"), "--out", str(out), "--no-url"]) == 1


def test_package_import_has_no_side_effects():
    code = ("import sys, course_tools.homework, course_utils.checks.homework\n"
            "print(sorted(m for m in ('nbclient', 'nbformat', 'jupyter_client') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]" and done.stderr == ""


def test_student_run_problems_flags_confusing_errors():
    hw = parse_notebook(fixture_nb(), "fx.ipynb")
    fine = SubmissionResult(status="graded", points={"fx.square": 0.0}, runs=[
        Run(kind="test", cell=9, test="fx.unit", status="error", ename="NotImplementedError",
            evalue="fx.unit: ..."),
        Run(kind="student", cell=14, test=None, status="error", ename="NameError",
            evalue="name 'unit' is not defined")])
    assert student_run_problems(hw, fine) == []
    bad = SubmissionResult(status="graded", points={"fx.square": 1.0}, runs=[
        Run(kind="test", cell=5, test="fx.square", status="error", ename="AttributeError",
            evalue="'NoneType' object has no attribute 'shape'")])
    problems = student_run_problems(hw, bad)
    assert any("scores 1" in p for p in problems) and any("AttributeError" in p for p in problems)


def test_leak_share_counts_solution_lines_shown_in_the_edition(tmp_path):
    root = hf.make_instructor_repo(tmp_path / "instructor")
    (share,) = leak_shares(root / "notebooks")
    # counted: the unit_rows line and `return self.count`; `return x * x`, `self.count = 0`, `self.count += n`
    # are under 14 characters without spaces
    assert share.lines == 2 and share.leaked == []
    nb = hf.load(root / "notebooks" / hf.FIXTURE_NAME)
    index = hf.find(nb, "## 2. Unit rows")
    nb["cells"][index]["source"] += "\nCompute `data / np.linalg.norm(data, axis=1, keepdims=True)`."
    hf.save(nb, root / "notebooks" / hf.FIXTURE_NAME)
    (share,) = leak_shares(root / "notebooks")
    assert share.leaked == ["return data / np.linalg.norm(data, axis=1, keepdims=True)"] and share.share == 0.5
    assert "90_fixture_homework.ipynb: 1/2 = 50.0%" in leak_report(root / "notebooks")
    problems = audit(root / "notebooks")
    assert len(problems) == 1 and "1 of 2 solution lines (50.0%, limit 10%)" in problems[0]


@pytest.mark.parametrize("line, units", [
    ("x = x.view(-1, 28 * 28)", ["x=x.view(-1,28*28)", "x.view(-1,28*28)"]),
    ("y = a + b", []),
    ("return loss.item()", ["returnloss.item()"]),
    ("self.fc1 = nn.Linear(28 * 28, 256)", ["self.fc1=nn.Linear(28*28,256)", "nn.Linear(28*28,256)"]),
    ("if a == b:", []),
    # the = of a keyword argument is not an assignment: only the whole line counts
    ("final.parent.mkdir(parents=True, exist_ok=True)", ["final.parent.mkdir(parents=True,exist_ok=True)"]),
    ("loss_sum += loss_fn(logits, y).item() * len(y)", ["loss_sum+=loss_fn(logits,y).item()*len(y)",
                                                        "loss_fn(logits,y).item()*len(y)"]),
    ("return torch.from_numpy(pixels).float()", ["returntorch.from_numpy(pixels).float()",
                                                 "torch.from_numpy(pixels).float()"]),
])
def test_solution_units(line, units):
    assert solution_units(line) == units


def test_leak_meter_counts_other_notebooks_and_names_where_a_line_is_shown(tmp_path):
    root = hf.make_instructor_repo(tmp_path / "instructor")
    lesson = hf.load(root / "notebooks" / "01_lesson.ipynb")
    lesson["cells"].append(hf.code_cell("normed = data / np.linalg.norm(data, axis=1, keepdims=True)"))
    hf.save(lesson, root / "notebooks" / "01_lesson.ipynb")
    (share,) = leak_shares(root / "notebooks")
    assert share.leaked == ["return data / np.linalg.norm(data, axis=1, keepdims=True)"]
    assert share.found_in[share.leaked[0]] == "01_lesson.ipynb, cell 4"
    assert "[01_lesson.ipynb, cell 4]" in leak_report(root / "notebooks", details=True)


# --------------------------------------------------------------------------- self-checks
def _message(call) -> str:
    with pytest.raises(checks.CheckFailure) as info:
        call()
    assert isinstance(info.value, AssertionError)
    return str(info.value)


def test_check_shape_messages():
    msg = _message(lambda: checks.check_shape("logits", torch.zeros(10, 64), (64, 10)))
    assert "`logits` should have shape (64, 10), but it has shape (10, 64)" in msg and "another order" in msg
    msg = _message(lambda: checks.check_shape("x", np.zeros((64, 28, 28)), (64, 784)))
    assert "3 dimension(s) instead of 2" in msg and "view()/.reshape()" in msg
    msg = _message(lambda: checks.check_shape("x", np.zeros(784 * 64), (64, 784)))
    assert "view()/.reshape()" in msg
    msg = _message(lambda: checks.check_shape("out", None, (None, 10), hint="return the logits"))
    assert "(any, 10)" in msg and "return" in msg and msg.endswith("Hint: return the logits")
    msg = _message(lambda: checks.check_shape("out", [1, 2], (2,)))
    assert "list" in msg and "without a shape" in msg
    checks.check_shape("batch", torch.zeros(5, 10), (None, 10))


def test_check_close_and_equal_messages():
    checks.check_close("acc", torch.tensor(0.5), 0.5)
    checks.check_close("w", np.ones((2, 2)), torch.ones(2, 2))
    msg = _message(lambda: checks.check_close("accuracy", 97.8, 0.978))
    assert "should be 0.978, but it is 97.8" in msg and "exactly 100 times" in msg
    msg = _message(lambda: checks.check_close("loss", float("nan"), 1.0))
    assert "NaN" in msg
    msg = _message(lambda: checks.check_close("v", np.array([1.0, 2.0, 3.0]), [1.0, 2.5, 3.0]))
    assert "1 of 3 positions" in msg and "index (1,)" in msg and "expected 2.5, got 2" in msg
    msg = _message(lambda: checks.check_close("v", np.zeros(3), np.zeros(4)))
    assert "shape (4,)" in msg and "shape (3,)" in msg
    msg = _message(lambda: checks.check_equal("pred == y", torch.tensor([1, 0]), torch.tensor([1, 1])))
    assert "1 of 2 positions" in msg
    msg = _message(lambda: checks.check_equal("n", None, 3))
    assert "should be 3, but it is None" in msg and "return" in msg
    msg = _message(lambda: checks.check_type("model.fc1", 3, torch.nn.Linear))
    assert "torch.Linear" in msg or "torch.nn" in msg
    assert "int" in msg
    msg = _message(lambda: checks.check(False, "the model must have 2 layers", hint="use nn.Linear twice"))
    assert msg == "the model must have 2 layers\nHint: use nn.Linear twice"


class _Liar:
    """Claims to equal everything and to be an int; has a shape and converts to a float."""

    __class__ = property(lambda self: int)
    shape = (2,)

    def __eq__(self, other):
        return True

    def __float__(self):
        return 1.0

    def __bool__(self):
        return True


@pytest.mark.parametrize("call", [
    lambda: checks.check_equal("x", _Liar(), 3),
    lambda: checks.check_equal("x", _Liar(), "text"),
    lambda: checks.check_equal("pairs", [(_Liar(), 1)], [(3, 1)]),
    lambda: checks.check_type("x", _Liar(), int),
    lambda: checks.check_close("x", _Liar(), 1.0),
    lambda: checks.check_close("x", [_Liar(), 1.0], [1.0, 1.0]),
    lambda: checks.check_shape("x", _Liar(), (2,)),
    lambda: checks.check(_Liar(), "a lying condition"),
    lambda: checks.check_equal("n", type("Int", (int,), {"__eq__": lambda s, o: True})(5), 3),
])
def test_checks_are_not_fooled_by_lying_objects(call):
    _message(call)


def test_checks_still_accept_honest_values_of_any_plain_kind():
    from pathlib import Path

    checks.check_equal("n", 3.0, 3)
    checks.check_equal("n", np.int64(3), 3)
    checks.check_equal("flag", np.bool_(True), True)
    checks.check_equal("pairs", [(Path("a/b.png"), 0)], [(Path("a/b.png"), 0)])
    checks.check_equal("fonts", {"a", "b"}, {"b", "a"})
    checks.check_equal("counts", {"A": 1}, {"A": 1})
    checks.check_equal("t", torch.tensor(2), 2)
    checks.check_type("p", Path("x"), Path)
    checks.check_type("w", torch.nn.Linear(2, 2).weight, torch.Tensor)
    checks.check(torch.tensor(True), "a one-element tensor")
    checks.check(np.bool_(True), "a NumPy bool")
    _message(lambda: checks.check_equal("path", "a/b.png", Path("a/b.png")))


def test_check_failures_show_only_their_message_in_jupyter():
    failure = checks.CheckFailure("`x` should be 4, but it is 3.")
    assert failure._render_traceback_() == ["CheckFailure: `x` should be 4, but it is 3."]


@pytest.mark.parametrize("source, flag", [
    ("get_ipython().input_transformers_cleanup.append(f)", "ipython-hooks"),
    ("import sys\nsys.modules['course_utils.checks.homework'] = fake", "sys.modules"),
    ("import os\nos.kill(os.getppid(), 9)", "signals"),
    ("open('/proc/1/environ').read()", "/proc"),
    ("import m\nwith open(m.__file__, 'a') as f:\n    f.write('x')", "writes-module-files"),
    ("print(In[-1])", "history"),
    ("check_close = lambda *a, **k: None", "redefines-checks"),
    ("np.allclose = lambda *a, **k: True", "patches-modules"),
    ("exec = print", "builtins"),
    # issue 23: the widened flags
    ("vars(print.__self__)['exec'] = lambda *a: None", "builtins"),
    ("vars(print.__self__)['exec'] = lambda *a: None", "patches-modules"),
    ("import torch\ntorch.__dict__['tensor'] = list", "patches-modules"),
    ("type.__setattr__(Shell, 'user_expressions', fake)", "patches-classes"),
    ("import sys\nsys.addaudithook(lambda event, args: None)", "audit-hooks"),
    ("class A:\n    def __eq__(self, other):\n        return True", "spoofed-types"),
    ("!curl http://example.com", "shell"),
])
def test_scan_flags_suspicious_constructs(source, flag):
    from course_tools.homework.scan import scan, scan_source

    assert flag in scan_source(source)
    assert f"{flag} (cell 4)" in scan([(4, source)])


@pytest.mark.parametrize("source", [
    "import torch\nx = torch.stack([a, b])\nfor m in model.modules():\n    pass",
    "with open('notes.txt', 'w') as f:\n    f.write('hi')",
    "from course_utils.checks.homework import check_close, passed",     # the old name of selfcheck
    "from course_utils.checks.selfcheck import check_close, passed",
    "%matplotlib inline\nimport numpy as np",
])
def test_scan_leaves_ordinary_code_alone(source):
    from course_tools.homework.scan import scan_source

    assert scan_source(source) == set()


def test_scan_skips_cells_as_released():
    from course_tools.homework.markers import checksum
    from course_tools.homework.scan import scan

    bootstrap = "import sys\nif 'google.colab' in sys.modules:\n    import subprocess"
    assert scan([(2, bootstrap)], [checksum(bootstrap)]) == []
    assert scan([(2, bootstrap)]) != []


@pytest.mark.parametrize("text, shown", [
    ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"), ("+1", "'+1"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("plain.ipynb", "plain.ipynb"), ("", ""),
])
def test_csv_cells_are_escaped_against_formulas(text, shown):
    from course_tools.homework.report import escape_cell, unescape_cell

    assert escape_cell(text) == shown and unescape_cell(shown) == text


def test_scrub_keeps_one_line_drops_paths_and_hidden_lines():
    from course_tools.homework.submission import scrub

    hidden = ['check_close("square(-1.5)", square(-1.5), 2.25)']
    text = "FileNotFoundError: /tmp/course-grade-x/course/data/missing.png\nsecond line"
    assert scrub(text, hidden) == "FileNotFoundError: missing.png"
    assert "square(-1.5), 2.25" not in scrub('ValueError: check_close("square(-1.5)",square(-1.5),2.25)', hidden)
    assert len(scrub("x" * 1000, hidden)) <= 200


def test_graded_part_ends_at_the_last_questions():
    from course_tools.homework.records import PlanItem
    from course_tools.homework.submission import graded_part

    plan = [PlanItem(kind="student", source="a", cell=2), PlanItem(kind="test", source="t", cell=3, test="x"),
            PlanItem(kind="questions", source="", cell=3, test="x"),
            PlanItem(kind="student", source="b", cell=4), PlanItem(kind="test", source="h", cell=None, test="y"),
            PlanItem(kind="questions", source="", cell=None, test="y"),
            PlanItem(kind="student", source="c", cell=6), PlanItem(kind="student", source="d", cell=8)]
    kept, skipped = graded_part(plan)
    assert kept == plan[:6] and skipped == [6, 8]
    assert graded_part(plan[:1]) == (plan[:1], [])   # no test at all: everything runs


# --------------------------------------------------------------------------- translated homework
def test_a_translated_homework_is_blanked_and_graded_with_its_sources_key_entry(tmp_path):
    """notebooks/ko/<same name>: released with its blanks, no key entry of its own (the English entry grades it);
    a translation whose tasks differ is refused. Control: the same copy outside a language folder is a second
    homework of the same name, which the release refuses."""
    root = hf.make_instructor_repo(tmp_path / "instructor")
    (root / "notebooks" / "ko").mkdir()
    shutil.copy(root / "notebooks" / hf.FIXTURE_NAME, root / "notebooks" / "ko" / hf.FIXTURE_NAME)
    result = release(root / "notebooks", tmp_path / "student", root=root, repo_url="https://github.com/o/student")
    key = json.loads(result.key_path.read_text())
    assert list(key["notebooks"]) == [hf.FIXTURE_NAME] and key["notebooks"][hf.FIXTURE_NAME]["path"] == "notebooks/" + hf.FIXTURE_NAME
    english = (tmp_path / "student" / "notebooks" / hf.FIXTURE_NAME).read_text()
    korean = (tmp_path / "student" / "notebooks" / "ko" / hf.FIXTURE_NAME).read_text()
    assert "x * x" not in korean and "NotImplementedError" in korean
    tasks = [["".join(c["source"]) for c in json.loads(text)["cells"]
              if "".join(c["source"]).startswith(("# TASK", "# TEST"))] for text in (english, korean)]
    assert len(tasks[0]) == 6   # the same blanks and test cells; the stub's comment in the edition's language
    assert tasks[1] == [t.replace("# YOUR CODE HERE: replace the line below with your answer",
                                  "# 여기에 코드를 쓰세요: 아래 줄을 여러분의 답으로 바꾸세요")
                        .replace("write the code for this blank", "이 빈칸의 코드를 쓰세요") for t in tasks[0]]
    assert "여기에 코드를 쓰세요" in "".join(tasks[1])
    changed = hf.load(root / "notebooks" / "ko" / hf.FIXTURE_NAME)
    changed["cells"] = [c for c in changed["cells"] if not hf.src(c).startswith(("# TASK fx.counter", "# TEST fx.counter",
                                                                                 "# QUESTIONS fx.counter"))]
    hf.save(changed, root / "notebooks" / "ko" / hf.FIXTURE_NAME)
    with pytest.raises(ReleaseError, match="keeps the same tasks"):
        release(root / "notebooks", tmp_path / "student2", root=root, repo_url="https://github.com/o/student")
    (root / "notebooks" / "ko").rename(root / "notebooks" / "other")
    with pytest.raises(ReleaseError, match="same file name in different folders"):
        release(root / "notebooks", tmp_path / "student3", root=root, repo_url="https://github.com/o/student")


def test_the_scan_survives_cpythons_spurious_ast_recursion_mismatch(monkeypatch):
    """CPython 3.11 once raised ``SystemError: AST constructor recursion depth mismatch`` for a valid cell in the
    grader (a grading run of many submissions); the scan parses again in a fresh thread instead of failing the
    submission. The control: the same failure reaching ``ast.parse`` directly is an error."""
    import ast as real_ast

    from course_tools.homework import scan as scan_module

    source = "import sys\nsys.modules['x'] = None\n"
    calls = {"n": 0}
    parse = real_ast.parse

    def flaky(code, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise SystemError("AST constructor recursion depth mismatch (before=30, after=25)")
        return parse(code, *args, **kwargs)

    monkeypatch.setattr(scan_module.ast, "parse", flaky)
    with pytest.raises(SystemError):
        scan_module.ast.parse(source)                       # the control: the failure as ast.parse raises it
    calls["n"] = 0
    flags = scan_module.scan_source(source)
    monkeypatch.undo()
    assert calls["n"] == 2 and flags == scan_module.scan_source(source) and "sys.modules" in flags
