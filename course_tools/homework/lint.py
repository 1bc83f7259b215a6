"""Check the homework notebooks and the student edition.

- ``lint(notebooks_dir)``: every marker balanced and well formed, every task with a test cell,
  every stub valid Python (``MarkerError`` problems, each naming notebook, cell and line).
- ``lint(..., student=dist/student)``: the student edition is the same as a fresh release.
- ``lint(..., run=True)``: the fresh student edition of each homework notebook, run top to bottom
  with its tests, scores zero and fails only at the blanks: with ``NotImplementedError``, or with a
  ``NameError`` for a name that a blank (or a cell stopped by one) was to define. Anything else
  (``'NoneType' object has no attribute ...``) would confuse students.
- Always: the *leak share* of each homework notebook, the fraction of its solution lines that the
  student edition's notebooks already show (``course_tools.homework.leaks``, which defines it);
  above ``config.LEAK_LIMIT`` it is a problem.
"""

from __future__ import annotations

import ast
import filecmp
import re
import tempfile
from pathlib import Path
from typing import Optional

from .leaks import leak_problems, leak_report, leak_shares  # noqa: F401 - lint's leak check, one home
from .markers import Homework, MarkerError, cell_source, split_test
from .release import ReleaseError, build_edition, parse_all, student_notebook

_NAME_ERROR = re.compile(r"name '([^']+)' is not defined")


def _repo_url_of(config_py: Path) -> Optional[str]:
    if not config_py.is_file():
        return None
    match = re.search(r"(?m)^REPO_URL\s*=\s*[\"']([^\"']+)[\"']", config_py.read_text(encoding="utf-8"))
    return match.group(1) if match else None


def _tree_files(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): p for p in folder.rglob("*")
            if p.is_file() and ".git" not in p.relative_to(folder).parts}


def sync_problems(notebooks_dir: Path, student: Path, root: Optional[Path] = None) -> list[str]:
    """Differences between the student edition folder ``student`` and a fresh release (empty = in sync).

    The fresh release uses the ``REPO_URL`` found in the edition's ``course_utils/_config.py``.
    """
    notebooks_dir, student = Path(notebooks_dir), Path(student)
    if not student.is_dir():
        return [f"{student}: no student edition there; make it with `python -m course_tools.homework release`"]
    root = Path(root) if root is not None else notebooks_dir.resolve().parent
    url = _repo_url_of(student / "course_utils" / "_config.py")
    candidates = [None, url] if url == _repo_url_of(root / "course_utils" / "_config.py") else [url]
    best: Optional[list] = None
    for candidate in candidates:
        with tempfile.TemporaryDirectory(prefix="course-hw-lint-") as tmp:
            fresh = Path(tmp) / "edition"
            build_edition(notebooks_dir, fresh, root=root, repo_url=candidate)
            have, want = _tree_files(student), _tree_files(fresh)
            diff = sorted(set(have) ^ set(want))
            diff += sorted(rel for rel in set(have) & set(want) if not filecmp.cmp(have[rel], want[rel], shallow=False))
        if best is None or len(diff) < len(best):
            best = diff
        if not diff:
            return []
    shown = ", ".join(best[:8]) + (f" and {len(best) - 8} more" if len(best) > 8 else "")
    return [f"{student} is out of date with the notebooks: {len(best)} file(s) differ ({shown}); "
            "run the release again (make release)"]


def bound_names(source: str) -> set:
    """Names a piece of notebook code assigns, defines or imports (best effort; magics allowed)."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        source = TransformerManager().transform_cell(source)
    except ImportError:
        pass
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set(re.findall(r"(?m)^\s*([A-Za-z_]\w*)\s*=", source))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def student_run_problems(homework: Homework, result: dict) -> list[str]:
    """What is wrong with a graded run of ``homework``'s fresh student edition.

    ``result`` is the ``SubmissionResult`` of grading the student notebook. Problems: a score above zero
    (tests that pass without an answer), and errors other than ``NotImplementedError`` at a blank
    or a ``NameError`` for a name a blank, or a cell stopped by an error, was to define.
    """
    problems = []
    name = homework.name
    if result.status != "graded":
        problems.append(f"{name}: the student edition did not run to the end ({result.status}: "
                        f"{'; '.join(result.notes)})")
    for task_id, points in result.points.items():
        if points:
            problems.append(f"{name}: task {task_id} scores {points:g} on the student edition: its tests pass "
                            "without an answer, make them check the answer")
    allowed = set()
    nb = homework.nb
    for info in homework.cells:
        if info.role == "task":
            lines = cell_source(nb.cells[info.index]).splitlines()
            for region in info.regions:
                body = lines[region.start + 1:region.end]
                indent = min((len(line) - len(line.lstrip()) for line in body if line.strip()), default=0)
                allowed |= bound_names("\n".join(line[indent:] for line in body))
    student = student_notebook(homework)
    test_sources = {}
    for test_id, info in homework.tests.items():
        visible, hidden = split_test(cell_source(nb.cells[info.index]), info)
        test_sources[(test_id, False)], test_sources[(test_id, True)] = visible, hidden
    for run in result.runs:
        if run.status in ("ok", "not run"):
            continue
        where = f"cell {run.cell}" if run.cell else f"the restored test {run.test}"
        ename, evalue = run.ename or run.status, run.evalue
        missing = _NAME_ERROR.search(evalue) if ename == "NameError" else None
        if ename == "NotImplementedError" or (missing and missing.group(1) in allowed):
            pass
        else:
            problems.append(f"{name}, {where}: {ename}: {evalue[:200]} - on the student edition every error should "
                            "be the NotImplementedError of a blank (or a NameError for a name a blank defines)")
        if run.kind == "student" and run.cell:
            allowed |= bound_names(cell_source(student.cells[run.cell - 1]))
        elif run.kind == "test":
            allowed |= bound_names(test_sources.get((run.test, run.hidden), ""))
    return problems


def run_problems(notebooks_dir: Path, root: Optional[Path] = None, *, cell_timeout: float = 120,
                 total_timeout: float = 900) -> list[str]:
    """Grade the fresh student edition of every homework notebook; ``student_run_problems`` of each.

    These are the instructor's own notebooks, so they run without a sandbox, over the repository's
    ``course_utils`` and ``data/embedded``.
    """
    from .release import key_entry, notebook_text
    from .sandbox import Sandbox
    from .submission import grade_submission

    notebooks_dir = Path(notebooks_dir)
    root = Path(root) if root is not None else notebooks_dir.resolve().parent
    problems = []
    for path, rel, homework in parse_all(notebooks_dir, root):
        if not homework.is_homework:
            continue
        key = {"notebooks": {path.name: key_entry(homework, rel, "")}}
        with tempfile.TemporaryDirectory(prefix="course-hw-run-") as tmp:
            copy = Path(tmp) / path.name
            copy.write_text(notebook_text(student_notebook(homework)), encoding="utf-8")
            result = grade_submission(copy, key, Sandbox(edition=root, isolate=False), cell_timeout=cell_timeout,
                                      total_timeout=total_timeout, run_all=True)
        problems += student_run_problems(homework, result)
    return problems


def lint(notebooks_dir: Path, *, student: Optional[Path] = None, root: Optional[Path] = None,
         run: bool = False) -> list[str]:
    """Every problem found (an empty list means all is well); see the module docstring."""
    notebooks_dir = Path(notebooks_dir)
    if not notebooks_dir.is_dir():
        return [f"{notebooks_dir} is not a folder: pass the folder of the instructor's notebooks"]
    try:
        parse_all(notebooks_dir, Path(root) if root else notebooks_dir.resolve().parent)
    except MarkerError as exc:
        return list(exc.problems)
    except ReleaseError as exc:
        return [str(exc)]
    problems = leak_problems(notebooks_dir, root)
    if student is not None:
        problems += sync_problems(notebooks_dir, Path(student), root)
    if run:
        problems += run_problems(notebooks_dir, root)
    return problems
