"""Grade ONE submission: read it, plan the cells to run, run them in a kernel, score the outcomes.

``grade_submission(path, key, sandbox)`` returns a ``SubmissionResult``. Many submissions, the CSV
and the feedback files are ``grade``'s job, one level up.

- Tests never come from the student's file: test cells are found by their ``# TEST <id>`` first
  line and replaced by the key's canonical cells (hidden tests included); a changed, deleted,
  duplicated or unknown test cell is noted as tampering. The student's other cells run as they
  are, in their order.
- The outcome of every canonical cell is collected by the grader from the kernel's reply to the
  request it sent; points and totals are recomputed from the key. A reply that is not what the
  grader asked for counts as a failed check, with a note and a flag, for this submission only.
- A task earns its points when all of its checks (visible and hidden) pass.
- The student's cells after the last test cannot change a score, so they are not run (their cell
  numbers are listed in ``not_run``) unless ``run_all=True``: on the MLP homework that skips the
  training demos and halves the grading time.
- Feedback text that the student's code controls: an error is shown as its type and the student's
  own line, taken from the grader's copy of the cell (``feedback_text``), never its message; a
  check's own failure message is cut to 12 lines, stripped of paths and of any line of a hidden test.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Optional

from . import config
from .feedback_text import error_text, public_words
from .intake import load_submission
from .kernel import KernelSession, KernelStartError
from .limits import cell_note, stop_note
from .markers import checksum, header_of, normalize
from .records import CellError, CheckResult, Outcome, PlanItem, Run, SubmissionResult, WrittenAnswer
from .sandbox import Sandbox
from .scan import scan
from .written import find_answers

#: Longest text kept from an error message the student's code controls, and from a check's message.
MAX_STUDENT_TEXT = 200
MAX_CHECK_TEXT = 800
#: Longest error line (its type and the student's own line of code).
MAX_ERROR_TEXT = 400
_PATH = re.compile(r"(?<![\w.:])(?:/[A-Za-z_.~][\w.\-+@~]*){2,}/?")


# --------------------------------------------------------------------------- reading
def read_submission(path: Path) -> tuple[Optional[dict], Optional[str]]:
    """``({"cells": [{cell_type, source}]}, None)``, or ``(None, why it cannot be graded)``: a regular
    file only, of bounded size, parsed in a child process (``intake.load_submission``)."""
    return load_submission(Path(path))


def choose_notebook(nb: dict, path: Path, key: dict, forced: Optional[str] = None) -> tuple[Optional[str], str]:
    """Which homework of the key ``nb`` is: ``(name, "")`` or ``(None, why not)``."""
    names = list(key["notebooks"])
    if forced:
        if forced in key["notebooks"]:
            return forced, ""
        return None, f"--notebook {forced!r} is not in the grading key (it has {names})"
    if len(names) == 1:
        return names[0], ""
    ids = {header_of(c)[1] for c in nb["cells"]} - {None}
    overlap = {name: len(ids & ({t["id"] for t in entry["tasks"]} | {t["id"] for t in entry["tests"]}))
               for name, entry in key["notebooks"].items()}
    best = max(overlap.values())
    winners = [n for n, v in overlap.items() if v == best]
    if best > 0 and len(winners) == 1:
        return winners[0], ""
    by_name = [n for n in names if Path(n).stem in Path(path).name]
    if len(by_name) == 1:
        return by_name[0], ""
    return None, ("cannot tell which homework this is (no known TASK/TEST cells, and the file name names none of "
                  f"{names}); grade it with --notebook NAME")


# --------------------------------------------------------------------------- planning
def build_plan(nb: dict, entry: dict) -> tuple[list[PlanItem], list[str]]:
    """The cells to run: the student's cells in order, each test cell replaced by the canonical one.

    Returns ``(plan, tampering notes)``.
    """
    canonical = {t["id"]: t for t in entry["tests"]}
    plan: list[PlanItem] = []
    notes: list[str] = []
    seen: set = set()

    def test_items(test_id: str, cell: Optional[int]) -> list[PlanItem]:
        test = canonical[test_id]
        items = [PlanItem(kind="test", test=test_id, hidden=False, source=test["visible"], cell=cell)]
        if test["hidden"].strip():
            items.append(PlanItem(kind="test", test=test_id, hidden=True, source=test["hidden"], cell=cell))
        return items

    for number, cell in enumerate(nb["cells"], start=1):
        if cell["cell_type"] != "code" or not cell["source"].strip():
            continue
        role, cell_id = header_of(cell)
        if role == "test":
            if cell_id not in canonical:
                notes.append(f"cell {number}: test cell '# TEST {cell_id}' is not part of this homework: ignored")
                continue
            if cell_id in seen:
                notes.append(f"cell {number}: test cell {cell_id} is duplicated: the copy was ignored")
                continue
            seen.add(cell_id)
            if checksum(cell["source"]) not in (canonical[cell_id]["checksum"], canonical[cell_id]["source_checksum"]):
                notes.append(f"cell {number}: test cell {cell_id} was changed: the original test was used")
            plan.extend(test_items(cell_id, number))
        else:
            plan.append(PlanItem(kind="student", source=cell["source"], cell=number,
                                 task=cell_id if role == "task" else None))
    for test_id in canonical:
        if test_id in seen:
            continue
        notes.append(f"test cell {test_id} was deleted: the original test was put back after its task cell")
        position = len(plan)
        for index, item in enumerate(plan):
            if item.task == test_id:
                position = index + 1
        plan[position:position] = test_items(test_id, None)
    return plan, notes


def graded_part(plan: list[PlanItem]) -> tuple[list[PlanItem], list[int]]:
    """``plan`` up to its last test, and the cell numbers of the student's cells after it.

    Tests run where they stand in the notebook, so nothing after the last one can change a score.
    """
    tests = [index for index, item in enumerate(plan) if item.kind == "test"]
    if not tests:
        return plan, []
    end = tests[-1] + 1
    return plan[:end], [item.cell for item in plan[end:] if item.cell is not None]


def written_answers(nb: dict, entry: dict) -> list[WrittenAnswer]:
    """The student's answers to the key's written (markdown) questions (``written.find_answers``)."""
    return find_answers(nb["cells"], entry)


# --------------------------------------------------------------------------- feedback text
def hidden_lines(entry: dict) -> list[str]:
    """The lines of the hidden tests that could identify them in a message (stripped, 8+ characters)."""
    lines = set()
    for test in entry["tests"]:
        for line in test["hidden"].splitlines():
            line = line.strip()
            if len(line.replace(" ", "")) >= 8 and not line.startswith("#"):
                lines.add(line)
    return sorted(lines, key=len, reverse=True)


def scrub(text: str, secret_lines: list[str], *, max_lines: int = 1, limit: int = MAX_STUDENT_TEXT) -> str:
    """``text`` safe to show a student: at most ``max_lines`` lines and ``limit`` characters, absolute
    paths reduced to their file name, any hidden-test line replaced."""
    lines = [line.rstrip() for line in str(text).strip().splitlines() if line.strip()][:max_lines]
    text = "\n".join(lines)
    text = _PATH.sub(lambda m: m.group(0).rstrip("/").rsplit("/", 1)[-1], text)
    squeezed = text.replace(" ", "")
    for line in secret_lines:
        if line in text or line.replace(" ", "") in squeezed:
            text = text.replace(line, "[hidden check]")
            if line.replace(" ", "") in text.replace(" ", ""):
                return "(this message quoted a hidden check and is not shown)"
    return text if len(text) <= limit else text[: limit - 4] + " ..."


_NAME_ERROR = re.compile(r"name '([^']+)' is not defined")


def check_message(item: PlanItem, outcome: Outcome, task_hint: str, secret: list[str],
                  public: frozenset = frozenset(), visible_names: frozenset = frozenset()) -> str:
    """The feedback message of one check (never the test's code). An error the student's code raised
    is shown as its type and the student's own line (``feedback_text.error_text``), never its message.

    ``visible_names``: the names the visible part of the same test defines; a hidden part that stops at one of
    them ran after a visible part that stopped early, which is the cause to report.
    """
    status = outcome.status
    if status == "ok":
        return "passed"
    if status == "timeout":
        return (f"stopped after {outcome.seconds:g} s: an infinite loop, or code much slower than it needs "
                "to be?")
    if status in ("not run", "died"):
        return "not run: grading stopped before this check (see the notes above)"
    if status == "malformed":
        return "no valid result came back from the kernel for this check, so it counts as failed"
    ename, evalue = outcome.ename, outcome.evalue.strip()
    hint = f" Hint: {task_hint}" if task_hint else ""
    if ename == "CheckFailure" or (ename == "AssertionError" and evalue):
        return scrub(evalue, secret, max_lines=12, limit=MAX_CHECK_TEXT)
    if ename == "AssertionError":
        return ("a hidden check failed." if item.hidden else "a check failed.") + hint
    if ename == "NotImplementedError":
        return f"not done yet: {item.test}: {task_hint}" if task_hint else "not done yet (NotImplementedError)"
    text = scrub(error_text(ename, evalue, outcome.at, public), secret, limit=MAX_ERROR_TEXT)
    if ename == "NameError":
        missing = _NAME_ERROR.search(evalue)
        if item.hidden and missing and missing.group(1) in visible_names:
            return ("not checked: these checks use a result of the visible checks of this task, which stopped "
                    "before computing it; fix what the visible checks report first.")
        return (f"{text}. The test uses a name your notebook should define: run the task cell without errors and "
                "keep the names the task asks for.")
    return f"your code raised an error while this check ran: {text}.{hint}"


# --------------------------------------------------------------------------- running and scoring
def _execute(plan: list[PlanItem], sandbox: Sandbox, *, cell_timeout: float, total_timeout: float,
             threads: int) -> tuple[list[Outcome], Optional[str], float]:
    """Run the plan in a fresh kernel: one outcome per item, why grading stopped early (or None), and
    the CPU seconds the kernel used."""
    outcomes = [Outcome() for _ in plan]
    stop: Optional[str] = None
    session = KernelSession(sandbox, threads=threads)
    with session:
        deadline = time.monotonic() + total_timeout
        for index, item in enumerate(plan):
            remaining = deadline - time.monotonic()
            if remaining < 1:
                stop = f"the whole notebook used up its time limit of {total_timeout:g} s"
                break
            timeout = max(1.0, min(cell_timeout, remaining))
            try:
                if item.kind == "test":
                    label = f"<{'hidden ' if item.hidden else ''}test {item.test}>"
                    outcome = session.run_canonical(item.source, label, timeout=timeout)
                else:
                    outcome = session.run_student(item.source, timeout=timeout, cell=item.cell)
            except Exception as exc:  # noqa: BLE001 - the kernel broke the protocol: the submission's doing
                outcomes[index] = Outcome(status="malformed", evalue=f"{type(exc).__name__}")
                stop = (f"the kernel stopped answering the grader properly while running {item.where}; nothing "
                        "after it ran")
                break
            outcomes[index] = outcome
            if outcome.status == "died":
                stop = stop_note(session.breach, item.where) or (
                    f"the Python kernel crashed while running {item.where} (os._exit, a segfault, or running "
                    "out of memory); nothing after it ran")
                break
            if outcome.status == "timeout" and outcome.ename in ("stuck", "died"):
                stop = (f"the kernel did not stop after {item.where} timed out (it ignores interrupts); nothing "
                        "after it ran")
                break
    return outcomes, stop, session.cpu_seconds


def _public(entry: dict, plan: list[PlanItem]) -> frozenset:
    """Names a message may quote: those in the student's cells and in the visible tests."""
    return public_words([item.source for item in plan if item.kind == "student"]
                        + [t["visible"] for t in entry["tests"]])


def score(entry: dict, plan: list[PlanItem], outcomes: list[Outcome]) -> tuple[dict, list[CheckResult]]:
    """Points per task (from the key) and one ``CheckResult`` per canonical test part."""
    from .lint import bound_names

    hints = {t["id"]: t.get("hint", "") for t in entry["tasks"]}
    visible = {t["id"]: frozenset(bound_names(t["visible"])) for t in entry["tests"]}
    secret = hidden_lines(entry)
    public = _public(entry, plan)
    checks = []
    ok_by_task: dict = {t["id"]: True for t in entry["tasks"]}
    for item, outcome in zip(plan, outcomes):
        if item.kind != "test":
            continue
        passed = outcome.status == "ok"
        ok_by_task[item.test] = ok_by_task.get(item.test, True) and passed
        name = item.test + (" (hidden checks)" if item.hidden else "")
        checks.append(CheckResult(name=name, task=item.test, hidden=item.hidden, passed=passed,
                                  message=check_message(item, outcome, hints.get(item.test, ""), secret, public,
                                                        visible.get(item.test, frozenset()))))
    points = {t["id"]: (float(t["points"]) if ok_by_task.get(t["id"]) else 0.0) for t in entry["tasks"]}
    return points, checks


def grade_submission(path: Path, key: dict, sandbox: Sandbox, *, notebook: Optional[str] = None,
                     cell_timeout: float = config.CELL_TIMEOUT, total_timeout: float = config.TOTAL_TIMEOUT,
                     threads: int = 1, run_all: bool = False) -> SubmissionResult:
    """Grade one submission in a fresh kernel (sandboxed as ``sandbox`` says).

    The kernel stops after the last test unless ``run_all`` (see the module docstring).

    Never raises for anything in the submission: an unreadable file is ``invalid``, a kernel that
    cannot start is ``failed`` (graded again on the next run).
    """
    started = time.monotonic()
    result = SubmissionResult()
    nb, problem = read_submission(Path(path))
    name = None
    if nb is not None:
        name, problem = choose_notebook(nb, Path(path), key, notebook)
    if nb is None or not name:
        result.notes.append(problem)
        result.seconds = round(time.monotonic() - started, 2)
        return result
    entry = key["notebooks"][name]
    result.notebook = name
    result.max_points = float(entry["total_points"])
    result.task_points = {t["id"]: float(t["points"]) for t in entry["tasks"]}
    result.points = {t["id"]: 0.0 for t in entry["tasks"]}
    plan, notes = build_plan(nb, entry)
    result.notes.extend(notes)
    result.written = written_answers(nb, entry)
    result.flags = scan(((item.cell, item.source) for item in plan if item.kind == "student"),
                        entry.get("cells", []))   # every cell is scanned, run or not
    if not run_all:
        plan, result.not_run = graded_part(plan)
    try:
        try:
            outcomes, stop, cpu = _execute(plan, sandbox, cell_timeout=cell_timeout, total_timeout=total_timeout,
                                           threads=threads)
        except KernelStartError:  # one retry: a busy machine can miss the startup handshake
            outcomes, stop, cpu = _execute(plan, sandbox, cell_timeout=cell_timeout, total_timeout=total_timeout,
                                           threads=threads)
    except Exception as exc:  # noqa: BLE001 - the grader failed, not the student: regraded next run
        result.status = "failed"
        result.notes.append(f"the grader could not run this notebook ({type(exc).__name__}: {exc}); "
                            "it will be graded again on the next run")
        result.seconds = round(time.monotonic() - started, 2)
        return result
    if stop:
        result.notes.append(stop)
    result.cpu_seconds = round(cpu, 2)
    result.points, result.checks = score(entry, plan, outcomes)
    result.recompute()
    public, secret = _public(entry, plan), hidden_lines(entry)
    malformed = []
    for item, outcome in zip(plan, outcomes):
        result.runs.append(Run(kind=item.kind, cell=item.cell, test=item.test, hidden=item.hidden,
                               status=outcome.status, ename=outcome.ename, evalue=outcome.evalue))
        if outcome.status == "malformed":
            malformed.append(item.test or item.where)
        if item.kind != "student":
            if outcome.printed:
                result.notes.append(f"the test of {item.test} printed {outcome.printed:,} characters")
            continue
        where = item.where
        costs = bool(item.task) and result.points.get(item.task, 0.0) == 0.0
        if outcome.status == "timeout":
            result.notes.append(f"{where} ran longer than {outcome.seconds:g} s and was stopped")
            result.cell_errors.append(CellError(cell=item.cell, costs_points=costs,
                                                text=f"stopped after {outcome.seconds:g} s (infinite loop?)"))
        elif outcome.status == "error":
            text = scrub(error_text(outcome.ename, outcome.evalue, outcome.at, public), secret, limit=MAX_ERROR_TEXT)
            result.cell_errors.append(CellError(cell=item.cell, text=text, costs_points=costs))
            if outcome.ename in ("SyntaxError", "IndentationError", "TabError"):
                result.notes.append(f"{where} has a {outcome.ename}")
            elif cell_note(outcome.ename, outcome.evalue, where):
                result.notes.append(cell_note(outcome.ename, outcome.evalue, where))
        if outcome.printed:
            result.notes.append(f"{where} printed {outcome.printed:,} characters (output is not kept when grading)")
    if malformed:
        result.notes.append(f"the kernel's reply to {', '.join(dict.fromkeys(malformed))} was not the result the "
                            "grader asked for: counted as failed")
        result.flags.append("malformed-reply")
    result.status = "partial" if stop else "graded"
    result.seconds = round(time.monotonic() - started, 2)
    return result
