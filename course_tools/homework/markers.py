"""Parse the homework source format of the instructor's notebooks.

The format (compatible with nbgrader's solution markers, ids kept in the source rather than in cell
metadata, which Colab and VS Code do not preserve reliably):

- A *task cell* is a code cell whose first line is ``# TASK <id> (<n> points)``, optionally followed
  by a title: ``# TASK mlp.layers (2 points): define the two linear layers``.
- Inside it, the answer sits between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` lines. A line
  ``# HINT: <text>`` inside a solution sets the wording of the student's stub; without one, the
  task's title is used.
- A *test cell* is a code cell whose first line is ``# TEST <id>``; it comes after the task cell
  with the same id. It holds the visible checks the student runs (self-checks, never for points).
- A *questions cell* is a code cell whose first line is ``# QUESTIONS <id>``; it comes after the
  test cell of its task and holds the grading questions (``course_tools.homework.questions``): the
  grader asks them, the student edition never shows them. Every task has one.
- Hidden tests (``### BEGIN HIDDEN TESTS``) are no longer part of the format: they ran inside the
  student's kernel. A notebook that still has them gets an error saying to move them into the
  task's questions cell.
- In markdown cells, written answers sit between ``<!-- BEGIN SOLUTION -->`` and
  ``<!-- END SOLUTION -->``; ``<!-- HINT: <text> -->`` inside sets the prompt students see.

``parse_notebook`` checks all of this and raises ``MarkerError`` listing every problem, each naming
the notebook, the cell (1-based, as you count cells from the top) and the line.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any, Optional

from course_utils.messages import text as _message

# --------------------------------------------------------------------------- patterns
_ID = r"[A-Za-z_][A-Za-z0-9_.\-]*"
TASK_RE = re.compile(
    rf"^#\s*TASK\s+(?P<id>{_ID})\s*(?:\(\s*(?P<points>\d+(?:\.\d+)?)\s*points?\s*\))?"
    r"\s*(?:[:\-]\s*)?(?P<title>.*?)\s*$")
TEST_RE = re.compile(rf"^#\s*TEST\s+(?P<id>{_ID})\s*$")
QUESTIONS_RE = re.compile(rf"^#\s*QUESTIONS\s+(?P<id>{_ID})\s*$")
_HEADER_LIKE = re.compile(r"^\s*#\s*(TASK|TEST|QUESTIONS)\b")
CODE_MARKER = re.compile(r"^(?P<indent>[ \t]*)#{1,}\s*(?P<what>BEGIN|END)\s+(?P<kind>SOLUTION|HIDDEN TESTS)\s*$")
_CODE_NEAR = re.compile(r"^\s*#+\s*(begin|end)[\s_\-]*(solutions?|hidden[\s_\-]*tests?)\b", re.IGNORECASE)
MD_MARKER = re.compile(r"^\s*<!--\s*(?P<what>BEGIN|END)\s+SOLUTION\s*-->\s*$")
_MD_NEAR = re.compile(r"<!--\s*(begin|end)[\s_\-]*(solutions?|hidden)", re.IGNORECASE)
_CODE_HINT = re.compile(r"^\s*#\s*HINT\s*:\s*(?P<text>.*?)\s*$")
_MD_HINT = re.compile(r"^\s*<!--\s*HINT\s*:\s*(?P<text>.*?)\s*-->\s*$")


class MarkerError(ValueError):
    """The homework markers of one or more notebooks are malformed.

    ``problems`` lists every problem found, each a string naming notebook, cell and line.
    """

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        head = f"{len(self.problems)} problem(s) with homework markers:\n"
        super().__init__(head + "\n".join(f"  - {p}" for p in self.problems))


@dataclass
class Region:
    """One marked region in a cell: lines ``start`` and ``end`` (0-based) are the marker lines."""

    kind: str  # "solution" or "hidden"
    start: int
    end: int
    indent: str = ""
    hint: Optional[str] = None


@dataclass
class CellInfo:
    """What the parser found in one cell."""

    index: int  # 0-based position in the notebook
    cell_type: str
    role: str = "plain"  # "task", "test", "questions" or "plain"
    id: Optional[str] = None
    points: float = 0.0
    title: str = ""
    regions: list = field(default_factory=list)


@dataclass
class Homework:
    """A parsed notebook: every cell's role, and its tasks and tests by id (in notebook order)."""

    name: str
    nb: Any
    cells: list
    tasks: dict = field(default_factory=dict)  # id -> CellInfo
    tests: dict = field(default_factory=dict)  # id -> CellInfo
    questions: dict = field(default_factory=dict)  # id -> CellInfo

    @property
    def is_homework(self) -> bool:
        """True when the notebook contains at least one TASK cell."""
        return bool(self.tasks)

    @property
    def total_points(self) -> float:
        return float(sum(t.points for t in self.tasks.values()))


# --------------------------------------------------------------------------- helpers
def cell_source(cell: Any) -> str:
    """A cell's source as one string (notebook files may store it as a list of lines)."""
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def first_line(source: str) -> str:
    """The first non-blank line of ``source``, stripped (``""`` when there is none)."""
    for line in source.splitlines():
        if line.strip():
            return line.strip()
    return ""


def header_of(cell: Any) -> tuple[str, Optional[str]]:
    """``("task"|"test"|"questions"|"plain", id)`` from a code cell's first line; markdown cells are plain."""
    if cell.get("cell_type") != "code":
        return "plain", None
    line = first_line(cell_source(cell))
    for role, pattern in (("task", TASK_RE), ("test", TEST_RE), ("questions", QUESTIONS_RE)):
        match = pattern.match(line)
        if match:
            return role, match.group("id")
    return "plain", None


def normalize(source: str) -> str:
    """Source with trailing spaces and leading/trailing blank lines removed (for checksums)."""
    return "\n".join(line.rstrip() for line in source.splitlines()).strip("\n")


def checksum(source: str) -> str:
    """SHA-256 (hex) of ``normalize(source)``: edits to whitespace at line ends do not count."""
    return hashlib.sha256(normalize(source).encode("utf-8")).hexdigest()


def _where(name: str, index: int, cell: Any, line: Optional[int] = None) -> str:
    kind = cell.get("cell_type", "?")
    snippet = first_line(cell_source(cell))[:50]
    place = f"{name}, cell {index + 1} ({kind} cell starting {snippet!r})"
    return place + (f", line {line + 1}" if line is not None else "")


# --------------------------------------------------------------------------- parsing
def _parse_regions(lines: list[str], is_code: bool, where) -> tuple[list[Region], list[str]]:
    """Find the marked regions of one cell; ``where(line)`` names a place for messages."""
    regions: list[Region] = []
    problems: list[str] = []
    open_region: Optional[Region] = None
    for number, line in enumerate(lines):
        if is_code:
            match = CODE_MARKER.match(line)
            if match is None and _CODE_NEAR.match(line):
                problems.append(f"{where(number)}: {line.strip()!r} looks like a marker but is not one: write "
                                "exactly '### BEGIN SOLUTION', '### END SOLUTION', '### BEGIN HIDDEN TESTS' "
                                "or '### END HIDDEN TESTS' on its own line")
                continue
            if MD_MARKER.match(line):
                problems.append(f"{where(number)}: a markdown marker in a code cell: use '### BEGIN SOLUTION' "
                                "and '### END SOLUTION' in code cells")
                continue
            kind = None if match is None else ("solution" if match.group("kind") == "SOLUTION" else "hidden")
            what = None if match is None else match.group("what")
            indent = "" if match is None else match.group("indent")
        else:
            match = MD_MARKER.match(line)
            if match is None and (_MD_NEAR.search(line) or CODE_MARKER.match(line)):
                problems.append(f"{where(number)}: {line.strip()!r} is not a markdown marker: in markdown cells "
                                "write exactly '<!-- BEGIN SOLUTION -->' and '<!-- END SOLUTION -->' "
                                "(grading questions belong in a '# QUESTIONS <id>' code cell)")
                continue
            kind = None if match is None else "solution"
            what = None if match is None else match.group("what")
            indent = ""
        if match is None:
            hint = (_CODE_HINT if is_code else _MD_HINT).match(line)
            if hint and open_region is not None and open_region.kind == "solution":
                text = hint.group("text")
                open_region.hint = f"{open_region.hint} {text}".strip() if open_region.hint else text
            continue
        label = "SOLUTION" if kind == "solution" else "HIDDEN TESTS"
        if what == "BEGIN":
            if open_region is not None:
                opened = "SOLUTION" if open_region.kind == "solution" else "HIDDEN TESTS"
                problems.append(f"{where(number)}: 'BEGIN {label}' inside the 'BEGIN {opened}' of line "
                                f"{open_region.start + 1}: regions cannot nest; close the first one with "
                                f"'END {opened}' before this line")
                continue
            open_region = Region(kind=kind, start=number, end=-1, indent=indent)
        else:
            if open_region is None:
                problems.append(f"{where(number)}: 'END {label}' without a 'BEGIN {label}' before it: add the "
                                "BEGIN line above the region or delete this line")
                continue
            if open_region.kind != kind:
                opened = "SOLUTION" if open_region.kind == "solution" else "HIDDEN TESTS"
                problems.append(f"{where(number)}: 'END {label}' closes the 'BEGIN {opened}' of line "
                                f"{open_region.start + 1}: the marker names must match")
                open_region = None
                continue
            open_region.end = number
            regions.append(open_region)
            open_region = None
    if open_region is not None:
        label = "SOLUTION" if open_region.kind == "solution" else "HIDDEN TESTS"
        problems.append(f"{where(open_region.start)}: 'BEGIN {label}' is never closed: add 'END {label}' "
                        "after the last line of the region")
    return regions, problems


def parse_notebook(nb: Any, name: str) -> Homework:
    """Parse a notebook (a dict or ``nbformat`` node) in the homework source format.

    Args:
        nb: the notebook.
        name: how messages name it (e.g. ``"notebooks/04_mlp_homework.ipynb"``).

    Returns:
        A ``Homework``; ``is_homework`` is False for a notebook without TASK cells.

    Raises:
        MarkerError: listing every malformed marker, each with notebook, cell and line.
    """
    problems: list[str] = []
    homework = Homework(name=name, nb=nb, cells=[])
    for index, cell in enumerate(nb.get("cells", [])):
        cell_type = cell.get("cell_type", "")
        source = cell_source(cell)
        lines = source.splitlines()
        info = CellInfo(index=index, cell_type=cell_type)
        homework.cells.append(info)
        if cell_type not in ("code", "markdown"):
            continue
        is_code = cell_type == "code"

        def where(line: Optional[int] = None, _i=index, _c=cell) -> str:
            return _where(name, _i, _c, line)

        if is_code:
            head_line = next((n for n, text in enumerate(lines) if text.strip()), None)
            for number, line in enumerate(lines):
                if _HEADER_LIKE.match(line) and number != head_line:
                    problems.append(f"{where(number)}: {line.strip()!r} must be the first line of its cell; "
                                    "split the cell so that each TASK/TEST comment starts a cell")
            if head_line is not None and _HEADER_LIKE.match(lines[head_line]):
                line = lines[head_line].strip()
                task, test, asks = TASK_RE.match(line), TEST_RE.match(line), QUESTIONS_RE.match(line)
                if task and (task.group("title") or "").startswith("("):
                    task = None  # e.g. "(2 pts)": a points clause we do not understand
                if task:
                    info.role, info.id = "task", task.group("id")
                    info.points = float(task.group("points")) if task.group("points") else 1.0
                    info.title = task.group("title") or ""
                elif test:
                    info.role, info.id = "test", test.group("id")
                elif asks:
                    info.role, info.id = "questions", asks.group("id")
                else:
                    problems.append(f"{where(head_line)}: {line!r} is not a valid header: write "
                                    "'# TASK <id> (<n> points): <title>', '# TEST <id>' or '# QUESTIONS <id>', "
                                    "e.g. '# TASK mlp.layers (2 points): define the layers'")
        info.regions, found = _parse_regions(lines, is_code, where)
        problems.extend(found)
        solutions = [r for r in info.regions if r.kind == "solution"]
        hidden = [r for r in info.regions if r.kind == "hidden"]
        if is_code and solutions and info.role != "task":
            problems.append(f"{where(solutions[0].start)}: a solution outside a task cell: start the cell with "
                            "'# TASK <id> (<n> points)' so students' stubs can name the task")
        for region in hidden:
            problems.append(f"{where(region.start)}: hidden tests are no longer supported (they ran inside the "
                            "student's kernel, where a student can read them): move these checks into the "
                            "task's '# QUESTIONS <id>' cell as grading questions (course_tools.homework.questions)")
        if info.role == "task":
            if info.id in homework.tasks:
                first = homework.tasks[info.id]
                problems.append(f"{where(0)}: task {info.id!r} is defined twice (first in cell {first.index + 1}): "
                                "give each task cell its own id")
            else:
                homework.tasks[info.id] = info
            if not solutions:
                problems.append(f"{where(0)}: task {info.id!r} has no '### BEGIN SOLUTION' region: mark the "
                                "answer, or the whole answer would ship to students")
        elif info.role == "test":
            if info.id in homework.tests:
                first = homework.tests[info.id]
                problems.append(f"{where(0)}: a second test cell for {info.id!r} (first in cell "
                                f"{first.index + 1}): put all checks of a task in one test cell")
            elif info.id not in homework.tasks:
                problems.append(f"{where(0)}: test {info.id!r} has no task cell above it: add "
                                f"'# TASK {info.id} (<n> points)' before it, or fix the id")
            else:
                homework.tests[info.id] = info
        elif info.role == "questions":
            if info.id in homework.questions:
                first = homework.questions[info.id]
                problems.append(f"{where(0)}: a second questions cell for {info.id!r} (first in cell "
                                f"{first.index + 1}): put all grading questions of a task in one cell")
            elif info.id not in homework.tests:
                problems.append(f"{where(0)}: questions {info.id!r} have no test cell above them: put the "
                                f"'# QUESTIONS {info.id}' cell after the task's '# TEST {info.id}' cell, or fix the id")
            else:
                homework.questions[info.id] = info
    missing: list[str] = []
    for task_id, task in homework.tasks.items():
        if task_id not in homework.tests:
            missing.append(f"{_where(name, task.index, nb['cells'][task.index])}: task {task_id!r} has no test "
                           f"cell: add a code cell starting with '# TEST {task_id}' after it")
        elif task_id not in homework.questions:
            missing.append(f"{_where(name, task.index, nb['cells'][task.index])}: task {task_id!r} has no "
                           f"grading questions: add a code cell starting with '# QUESTIONS {task_id}' after its "
                           "test cell (course_tools.homework.questions says how)")
    if not problems:
        for info in homework.cells:
            if info.role == "task":
                student = student_code(cell_source(nb["cells"][info.index]), info)
                error = python_error(student)
                if error:
                    problems.append(f"{_where(name, info.index, nb['cells'][info.index])}: the student's stub is "
                                    f"not valid Python ({error}): put the solution markers around whole "
                                    "statements")
    problems.extend(missing)
    if problems:
        raise MarkerError(problems)
    return homework


# --------------------------------------------------------------------------- student versions
def stub_message(task: CellInfo, region: Region, lang: str = "en") -> str:
    """``"<task id>: <what to write>"``: the region's HINT, else the task's title, else a default (in ``lang``)."""
    what = region.hint or task.title or _message("edition.default_code_hint", lang=lang)
    return f"{task.id}: {what}"


def student_code(source: str, task: CellInfo, lang: str = "en") -> str:
    """A task cell's source with each solution replaced by a stub that raises NotImplementedError (its comment
    in the notebook's language ``lang``)."""
    lines = source.splitlines()
    out: list[str] = []
    regions = sorted((r for r in task.regions if r.kind == "solution"), key=lambda r: r.start)
    cursor = 0
    for region in regions:
        out.extend(lines[cursor:region.start])
        body = [line for line in lines[region.start + 1:region.end] if line.strip()]
        if body:
            indent = min((line[: len(line) - len(line.lstrip())] for line in body), key=len)
        else:
            indent = region.indent
        message = stub_message(task, region, lang)
        out.append(f"{indent}{_message('edition.stub_comment', lang=lang)}")
        out.append(f"{indent}raise NotImplementedError({json.dumps(message, ensure_ascii=False)})")
        cursor = region.end + 1
    out.extend(lines[cursor:])
    return "\n".join(out)


def answer_prompt(region: Region, lang: str = "en") -> str:
    """What the student edition shows in place of a written answer, in ``lang``: the prompt with the region's
    HINT, or the default prompt."""
    if region.hint:
        return _message("edition.answer_prompt", lang=lang, hint=region.hint)
    return _message("edition.answer_prompt_default", lang=lang)


def student_markdown(source: str, info: CellInfo, lang: str = "en") -> str:
    """A markdown cell with each written answer replaced by the prompt (its HINT or the default) in ``lang``."""
    lines = source.splitlines()
    out: list[str] = []
    cursor = 0
    for region in sorted((r for r in info.regions if r.kind == "solution"), key=lambda r: r.start):
        out.extend(lines[cursor:region.start])
        out.append(answer_prompt(region, lang))
        cursor = region.end + 1
    out.extend(lines[cursor:])
    return "\n".join(out)


def python_error(source: str) -> Optional[str]:
    """``None`` when ``source`` compiles as notebook code (IPython magics allowed), else the error."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        code = TransformerManager().transform_cell(source)
    except ImportError:  # IPython missing: drop magic lines ourselves
        code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
    try:
        compile(code, "<cell>", "exec")
    except SyntaxError as exc:
        return f"{exc.msg} at line {exc.lineno}"
    return None
