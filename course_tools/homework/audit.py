"""Audit the homework notebooks and the student edition (``make hw-audit``; this module was ``lint``).

- ``audit(notebooks_dir)``: every marker balanced and well formed, every task with a test cell and a
  questions cell, every stub valid Python (``MarkerError`` problems, each naming notebook, cell and
  line); every questions cell loads and its requirements add up to the task's points.
- ``audit(..., student=dist/student)``: the student edition is the same as a fresh release.
- ``audit(..., run=True)``: each homework notebook graded twice. The instructor's solution answers
  every grading question right (full marks). The fresh student edition, run top to bottom with its
  tests, answers none (zero) and fails only at the blanks: with ``NotImplementedError``, or with a
  ``NameError`` for a name that a blank (or a cell stopped by one) was to define. Anything else
  (``'NoneType' object has no attribute ...``) would confuse students.
- ``audit(..., wrong=folder)``: self-check parity. ``folder/<notebook stem>.txt`` holds typical wrong
  solutions, each a block starting ``# WRONG <task id>: <what is wrong> [loses: <requirement>, ...]``
  followed by the task cell's new code. Each is graded in place of the solution's task cell: it must
  lose exactly the requirements written beside it, on its task and no other, and the task's visible
  self-check must fail too (a self-check that says "passed" means full points).
- Always: the *leak share* of each homework notebook, the fraction of its solution lines that the
  student edition's notebooks already show (``course_tools.homework.leaks``, which defines it);
  above ``config.LEAK_LIMIT`` it is a problem.
"""

from __future__ import annotations

import ast
import filecmp
import json
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .leaks import leak_problems, leak_report, leak_shares  # noqa: F401 - the audit's leak check, one home
from .markers import Homework, MarkerError, cell_source
from .release import ReleaseError, build_edition, parse_all, student_notebook, task_questions, translation_of

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

    The fresh release uses the ``REPO_URL`` found in the edition's ``course_utils/_config.py`` (none when it is
    empty: an edition released with ``--no-url``).
    """
    notebooks_dir, student = Path(notebooks_dir), Path(student)
    if not student.is_dir():
        return [f"{student}: no student edition there; make it with `python -m course_tools.homework release`"]
    root = Path(root) if root is not None else notebooks_dir.resolve().parent
    url = _repo_url_of(student / "course_utils" / "_config.py")   # None: an edition that names no repository
    best: Optional[list] = None
    for candidate in [url]:
        with tempfile.TemporaryDirectory(prefix="course-hw-audit-") as tmp:
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
    test_sources = {test_id: cell_source(nb.cells[info.index]) for test_id, info in homework.tests.items()}
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
            allowed |= bound_names(test_sources.get(run.test, ""))
    return problems


def solution_run_problems(homework: Homework, result) -> list[str]:
    """What is wrong with a graded run of the instructor's own solution: every grading question must be
    answered right (a question its own solution fails is a broken question)."""
    problems = []
    if result.status != "graded":
        problems.append(f"{homework.name}: the solution did not run to the end ({result.status}: "
                        f"{'; '.join(result.notes)})")
    for question in result.questions:
        if not question.passed:
            problems.append(f"{homework.name}: the instructor's solution fails grading question {question.name} of "
                            f"{question.task}: {question.message}")
    if not result.questions:
        problems.append(f"{homework.name}: no grading question was asked of the solution")
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
            copy.write_text(notebook_text(homework.nb), encoding="utf-8")
            solved = grade_submission(copy, key, Sandbox(edition=root, isolate=False), cell_timeout=cell_timeout,
                                      total_timeout=total_timeout)
            problems += solution_run_problems(homework, solved)
    return problems


# --------------------------------------------------------------------------- self-check parity
_WRONG_HEADER = re.compile(r"^#\s*WRONG\s+(?P<task>[A-Za-z_][A-Za-z0-9_.\-]*)\s*:\s*(?P<what>.+?)\s*"
                           r"(?:\[\s*loses\s*:\s*(?P<loses>[^\]]*)\])?\s*$")


@dataclass
class WrongSolution:
    """One typical wrong solution of a task: the task cell's new code (``source``, header included) and the
    requirements it must lose (``loses``, as written in brackets after its description)."""

    task: str
    what: str
    source: str
    line: int  # where its block starts in the corpus file (1-based)
    loses: tuple = ()


def read_wrong(path: Path, homework: Homework) -> tuple[list, list[str]]:
    """The wrong solutions in one corpus file, and problems with the file (an unknown task, an empty block)."""
    wrong, problems = [], []
    block: Optional[list] = None
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    headers = {task_id: cell_source(homework.nb.cells[info.index]).splitlines()[0]
               for task_id, info in homework.tasks.items()}

    def close(block) -> None:
        if block is None:
            return
        match, start, body = block
        task = match.group("task")
        if task not in headers:
            problems.append(f"{path}, line {start}: # WRONG {task}: no such task in {homework.name}")
        elif not "\n".join(body).strip():
            problems.append(f"{path}, line {start}: # WRONG {task} has no code below it")
        else:
            loses = tuple(sorted(r.strip() for r in (match.group("loses") or "").split(",") if r.strip()))
            wrong.append(WrongSolution(task=task, what=match.group("what"), line=start, loses=loses,
                                       source=headers[task] + "\n" + "\n".join(body).strip("\n") + "\n"))

    for number, line in enumerate(lines, start=1):
        match = _WRONG_HEADER.match(line)
        if match:
            close(block)
            block = (match, number, [])
        elif block is not None:
            block[2].append(line)
        elif line.strip() and not line.startswith("#"):
            problems.append(f"{path}, line {number}: code before the first '# WRONG <task id>: <what>' line")
    close(block)
    return wrong, problems


def batches(wrong: list) -> list[list]:
    """The wrong solutions grouped so that no group has two of the same task (tasks are independent:
    one wrong task costs its own points only, which the check verifies)."""
    groups: list = []
    for item in wrong:
        for group in groups:
            if all(other.task != item.task for other in group):
                group.append(item)
                break
        else:
            groups.append([item])
    return groups


def parity_problems(homework: Homework, result, group: list) -> list[str]:
    """Problems of one graded submission made of the solution with the wrong solutions of ``group``."""
    problems = []
    changed = {item.task: item for item in group}
    if result.status != "graded":
        return [f"{homework.name}: the wrong solutions {[i.what for i in group]} did not grade to the end "
                f"({result.status}: {'; '.join(result.notes)})"]
    for task_id, worth in result.task_points.items():
        got = result.points.get(task_id, 0.0)
        own = result.self_checks.get(task_id)
        said = own.status if own is not None else "not run"
        item = changed.get(task_id)
        if item is None:
            if got != worth:
                culprits = ", ".join(f"{i.task} ({i.what})" for i in group)
                problems.append(f"{homework.name}: task {task_id} lost points ({got:g}/{worth:g}) although only "
                                f"other tasks were wrong: {culprits}. One mistake must cost its own task only.")
            continue
        where = f"wrong solution '{item.what}' of {task_id} (line {item.line})"
        lost = tuple(sorted(c.requirement for c in result.checks if c.task == task_id and not c.passed))
        if item.loses and lost != item.loses:
            problems.append(f"{homework.name}: {where} loses the requirements {list(lost)}, not {list(item.loses)} "
                            "as written beside it")
        if got == worth and said == "passed":
            problems.append(f"{homework.name}: {where} passes the self-check and every grading question: it is "
                            "not wrong, or both the test cell and the questions miss it")
        elif got < worth and said == "passed":
            missed = [c.text for c in result.checks if c.task == task_id and not c.passed]
            problems.append(f"{homework.name}: {where} passes the visible self-check but loses points "
                            f"({got:g}/{worth:g}; missed: {missed}): add a visible check for that requirement")
    return problems


def wrong_problems(notebooks_dir: Path, wrong_dir: Path, root: Optional[Path] = None, *, jobs: int = 1,
                   cell_timeout: float = 120, total_timeout: float = 900) -> list[str]:
    """Self-check parity over the corpus of wrong solutions in ``wrong_dir`` (see the module docstring)."""
    from concurrent.futures import ThreadPoolExecutor

    from .release import key_entry, notebook_text
    from .sandbox import Sandbox
    from .submission import grade_submission

    notebooks_dir, wrong_dir = Path(notebooks_dir), Path(wrong_dir)
    root = Path(root) if root is not None else notebooks_dir.resolve().parent
    problems: list = []
    for path, rel, homework in parse_all(notebooks_dir, root):
        if not homework.is_homework or translation_of(rel):   # the same code as its source: graded once
            continue
        corpus = wrong_dir / f"{path.stem}.txt"
        if not corpus.is_file():
            problems.append(f"{homework.name}: no wrong solutions in {corpus} (a '# WRONG <task>: <what>' block per "
                            "typical mistake): self-check parity cannot be checked")
            continue
        wrong, found = read_wrong(corpus, homework)
        problems += found
        covered = {item.task for item in wrong}
        for task_id in homework.tasks:
            if task_id not in covered:
                problems.append(f"{corpus}: no wrong solution of task {task_id}")
        key = {"notebooks": {path.name: key_entry(homework, rel, "")}}
        groups = batches(wrong)

        def grade_group(args, homework=homework, key=key, path=path):
            number, group = args
            nb = json.loads(notebook_text(homework.nb))
            for item in group:
                cell = nb["cells"][homework.tasks[item.task].index]
                cell["source"] = item.source
            with tempfile.TemporaryDirectory(prefix="course-hw-wrong-") as tmp:
                copy = Path(tmp) / f"wrong{number}-{path.name}"
                copy.write_text(json.dumps(nb), encoding="utf-8")
                return group, grade_submission(copy, key, Sandbox(edition=root, isolate=False),
                                               cell_timeout=cell_timeout, total_timeout=total_timeout)

        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            for group, result in pool.map(grade_group, enumerate(groups)):
                problems += parity_problems(homework, result, group)
    return problems


def audit(notebooks_dir: Path, *, student: Optional[Path] = None, root: Optional[Path] = None,
         run: bool = False, wrong: Optional[Path] = None, jobs: int = 1) -> list[str]:
    """Every problem found (an empty list means all is well); see the module docstring."""
    notebooks_dir = Path(notebooks_dir)
    if not notebooks_dir.is_dir():
        return [f"{notebooks_dir} is not a folder: pass the folder of the instructor's notebooks"]
    try:
        parsed = parse_all(notebooks_dir, Path(root) if root else notebooks_dir.resolve().parent)
    except MarkerError as exc:
        return list(exc.problems)
    except ReleaseError as exc:
        return [str(exc)]
    problems = []
    for _, _, homework in parsed:
        try:
            task_questions(homework)
        except ReleaseError as exc:
            problems.append(str(exc))
    if problems:
        return problems
    problems = leak_problems(notebooks_dir, root)
    if student is not None:
        problems += sync_problems(notebooks_dir, Path(student), root)
    if run:
        problems += run_problems(notebooks_dir, root)
    if wrong is not None:
        problems += wrong_problems(notebooks_dir, Path(wrong), root, jobs=jobs)
    return problems


#: The old name of ``audit``.
lint = audit
