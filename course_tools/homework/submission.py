"""Grade ONE submission: read it, plan the cells to run, run them in a kernel, ask the questions, score.

``grade_submission(path, key, sandbox)`` returns a ``SubmissionResult``. Many submissions, the CSV
and the feedback files are ``grade``'s job, one level up.

- The kernel runs the student's cells in their order. Where a task's ``# TEST <id>`` cell stands,
  the grader runs the key's copy of that visible test (for the feedback's "your self-check said"
  line, never for points) and then asks the task's grading questions (``judge``): ask code and
  inputs go in, plain data comes out, and the answers are judged here, in the grader's process.
  Redefining a function after its test cell changes nothing.
- A changed, deleted, duplicated or unknown test cell is noted (it only changes the student's own
  self-check); the key's copy runs in its place.
- Points: each requirement of a task is earned when all of its questions are answered right; a
  task's points are the sum of its requirements'. Totals are recomputed from the key.
- The inputs of each question are drawn from a seed made of the submission file's SHA-256, the task
  and the question: a regrade asks the same, another submission different ones.
- The student's cells after the last test cannot change a score, so they are not run (their cell
  numbers are listed in ``not_run``) unless ``run_all=True``.
- Feedback text that the student's code controls: an error is shown as its type and the student's
  own line, taken from the grader's copy of the cell (``feedback_text``), never its message; a
  self-check's own failure message (the visible check's, which the student can read anyway) is cut to
  12 lines and stripped of paths.
- Limits are held from outside the kernel (``limits``): a breach stops the run with a note that says
  which limit; the submission file is read by ``intake`` (a regular file, bounded, parsed in a child).
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Optional

from . import config
from .editions import localize
from .feedback_text import error_text, public_words
from .intake import file_sha256, load_submission
from .judge import ask_task, questions_of
from .judge import score as score_requirements
from .kernel import KernelSession, KernelStartError
from .limits import cell_note, stop_note
from .markers import checksum, header_of
from .records import CellError, Outcome, PlanItem, Run, SelfCheck, SubmissionResult, WrittenAnswer
from .said import Said, said
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
                  f"{names}); grade it with --notebook NAME")  # the instructor's to act on: English only


# --------------------------------------------------------------------------- planning
def build_plan(nb: dict, entry: dict) -> tuple[list[PlanItem], list[str]]:
    """The steps: the student's cells in order, each test cell replaced by the key's copy of it followed
    by the task's questions. Returns ``(plan, notes about changed test cells)``."""
    canonical = {t["id"]: t for t in entry["tests"]}
    plan: list[PlanItem] = []
    notes: list[str] = []
    seen: set = set()

    def test_items(test_id: str, cell: Optional[int]) -> list[PlanItem]:
        return [PlanItem(kind="test", test=test_id, source=canonical[test_id]["visible"], cell=cell),
                PlanItem(kind="questions", test=test_id, source="", cell=cell)]

    for number, cell in enumerate(nb["cells"], start=1):
        if cell["cell_type"] != "code" or not cell["source"].strip():
            continue
        role, cell_id = header_of(cell)
        if role == "questions":
            continue  # the instructor's grading questions (a copy of the solution notebook): never run in a kernel
        if role == "test":
            if cell_id not in canonical:
                notes.append(said("feedback.note.unknown_test", cell=number, test=cell_id))
                continue
            if cell_id in seen:
                notes.append(said("feedback.note.duplicated_test", cell=number, test=cell_id))
                continue
            seen.add(cell_id)
            if checksum(cell["source"]) not in (canonical[cell_id]["checksum"], canonical[cell_id]["source_checksum"]):
                notes.append(said("feedback.note.changed_test", cell=number, test=cell_id))
            plan.extend(test_items(cell_id, number))
        else:
            plan.append(PlanItem(kind="student", source=cell["source"], cell=number,
                                 task=cell_id if role == "task" else None))
    for test_id in canonical:
        if test_id in seen:
            continue
        notes.append(said("feedback.note.deleted_test", test=test_id))
        position = len(plan)
        for index, item in enumerate(plan):
            if item.task == test_id:
                position = index + 1
        plan[position:position] = test_items(test_id, None)
    return plan, notes


def graded_part(plan: list[PlanItem]) -> tuple[list[PlanItem], list[int]]:
    """``plan`` up to its last questions, and the cell numbers of the student's cells after them.

    Questions are asked where their test stands, so nothing after the last ones can change a score.
    """
    asked = [index for index, item in enumerate(plan) if item.kind in ("test", "questions")]
    if not asked:
        return plan, []
    end = asked[-1] + 1
    return plan[:end], [item.cell for item in plan[end:] if item.cell is not None]


def written_answers(nb: dict, entry: dict) -> list[WrittenAnswer]:
    """The student's answers to the key's written (markdown) questions (``written.find_answers``)."""
    return find_answers(nb["cells"], entry)


# --------------------------------------------------------------------------- feedback text
def scrub(text: str, secret_lines: tuple = (), *, max_lines: int = 1, limit: int = MAX_STUDENT_TEXT) -> str:
    """``text`` safe to show a student: at most ``max_lines`` lines and ``limit`` characters, absolute
    paths reduced to their file name, any of ``secret_lines`` replaced. A ``Said`` that needs none of this comes
    back as it is (so the feedback still writes it in the student's language); one that does, as the plain
    English text made safe."""
    if isinstance(text, Said):
        safe = scrub(str(text), secret_lines, max_lines=max_lines, limit=limit)
        return text if safe == text else safe
    lines = [line.rstrip() for line in str(text).strip().splitlines() if line.strip()][:max_lines]
    text = "\n".join(lines)
    text = _PATH.sub(lambda m: m.group(0).rstrip("/").rsplit("/", 1)[-1], text)
    squeezed = text.replace(" ", "")
    for line in secret_lines:
        if line in text or line.replace(" ", "") in squeezed:
            text = text.replace(line, "[hidden]")
            if line.replace(" ", "") in text.replace(" ", ""):
                return "(this message quoted something secret and is not shown)"
    return text if len(text) <= limit else text[: limit - 4] + " ..."


def self_check(task: str, outcome: Outcome, public: frozenset = frozenset()) -> SelfCheck:
    """What the visible test cell said, for the feedback (never for points). A check's own message is
    kept (cut); any other error is its type and the student's own line (``feedback_text.error_text``)."""
    status = outcome.status
    if status == "ok":
        return SelfCheck(task=task, status="passed")
    if status == "timeout":
        return SelfCheck(task=task, status="failed", message=said("feedback.selfcheck.stopped", seconds=outcome.seconds))
    if status in ("not run", "died", "malformed"):
        return SelfCheck(task=task, status="not run")
    ename, evalue = outcome.ename, outcome.evalue.strip()
    if ename in ("CheckFailure", "AssertionError") and evalue:
        return SelfCheck(task=task, status="failed", message=scrub(evalue, max_lines=12, limit=MAX_CHECK_TEXT))
    if ename == "NotImplementedError":
        return SelfCheck(task=task, status="failed", message=said("feedback.selfcheck.not_done_said",
                                                                  message=scrub(evalue)) if evalue else
                         said("feedback.selfcheck.not_done"))
    return SelfCheck(task=task, status="failed",
                     message=scrub(error_text(ename, evalue, outcome.at, public), limit=MAX_ERROR_TEXT))


# --------------------------------------------------------------------------- running and scoring
def _execute(plan: list[PlanItem], sandbox: Sandbox, entry: dict, sha: str, *, cell_timeout: float,
             total_timeout: float, threads: int, transcript: Optional[list] = None
             ) -> tuple[list[Outcome], list, Optional[str], float, bool]:
    """Run the plan in a fresh kernel: one outcome per item, the question results, why grading stopped
    early (or None), the CPU seconds the kernel used and whether any answer was malformed."""
    questions = questions_of(entry)
    outcomes = [Outcome() for _ in plan]
    results: list = []
    stop: Optional[str] = None
    malformed = False
    session = KernelSession(sandbox, threads=threads, transcript=transcript)
    with session:
        deadline = time.monotonic() + total_timeout
        for index, item in enumerate(plan):
            remaining = deadline - time.monotonic()
            if remaining < 1:
                stop = said("feedback.note.out_of_time", seconds=total_timeout)
                break
            if item.kind == "questions":
                asked, why, bad = ask_task(session, questions[item.test], sha, deadline=deadline)
                results.extend(asked)
                malformed = malformed or bad
                outcomes[index] = Outcome(status="ok" if not why else why)
                if why:
                    stop = stop_note(session.breach, said("feedback.where.questions", test=item.test)) or said(
                        "feedback.note.questions_crashed", test=item.test)
                    break
                continue
            timeout = max(1.0, min(cell_timeout, remaining))
            try:
                if item.kind == "student":
                    outcome = session.run_student(item.source, timeout=timeout, cell=item.cell)
                else:
                    outcome = session.run(item.source, timeout=timeout, store_history=False)[0]
            except Exception as exc:  # noqa: BLE001 - the kernel broke the protocol: the submission's doing
                outcomes[index] = Outcome(status="malformed", evalue=f"{type(exc).__name__}")
                stop = said("feedback.note.protocol", where=item.where)
                break
            outcomes[index] = outcome
            if outcome.status == "died":
                stop = stop_note(session.breach, item.where) or said("feedback.note.crashed", where=item.where)
                break
            if outcome.status == "timeout" and outcome.ename in ("stuck", "died"):
                stop = said("feedback.note.stuck", where=item.where)
                break
    return outcomes, results, stop, session.cpu_seconds, malformed


def _public(entry: dict, plan: list[PlanItem]) -> frozenset:
    """Names a message may quote: those in the student's cells and in the visible tests."""
    return public_words([item.source for item in plan if item.kind == "student"]
                        + [t["visible"] for t in entry["tests"]])


def grade_submission(path: Path, key: dict, sandbox: Sandbox, *, notebook: Optional[str] = None,
                     cell_timeout: float = config.CELL_TIMEOUT, total_timeout: float = config.TOTAL_TIMEOUT,
                     threads: int = 1, run_all: bool = False, transcript: Optional[list] = None,
                     sha: Optional[str] = None) -> SubmissionResult:
    """Grade one submission in a fresh kernel (sandboxed as ``sandbox`` says).

    The kernel stops after the last questions unless ``run_all`` (see the module docstring);
    ``transcript`` (a list) receives every request sent to the kernel; ``sha`` is the file's SHA-256
    when the caller has it already (it seeds the questions' inputs).

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
    entry, result.lang = localize(key["notebooks"][name], nb["cells"])
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
        sha = sha or file_sha256(Path(path))
        run = dict(cell_timeout=cell_timeout, total_timeout=total_timeout, threads=threads, transcript=transcript)
        try:
            outcomes, questions, stop, cpu, malformed = _execute(plan, sandbox, entry, sha, **run)
        except KernelStartError:  # one retry: a busy machine can miss the startup handshake
            outcomes, questions, stop, cpu, malformed = _execute(plan, sandbox, entry, sha, **run)
    except Exception as exc:  # noqa: BLE001 - the grader failed, not the student: regraded next run
        result.status = "failed"
        result.notes.append(said("feedback.note.grader_failed", error=f"{type(exc).__name__}: {exc}"))
        result.seconds = round(time.monotonic() - started, 2)
        return result
    if stop:
        result.notes.append(stop)
    result.cpu_seconds = round(cpu, 2)
    result.questions = questions
    result.points, result.checks = score_requirements(entry, questions)
    result.recompute()
    public = _public(entry, plan)
    for item, outcome in zip(plan, outcomes):
        if item.kind == "questions":
            continue
        result.runs.append(Run(kind=item.kind, cell=item.cell, test=item.test, status=outcome.status,
                               ename=outcome.ename, evalue=outcome.evalue))
        if item.kind == "test":
            result.self_checks[item.test] = self_check(item.test, outcome, public)
            if outcome.printed:
                result.notes.append(said("feedback.note.test_printed", test=item.test, count=outcome.printed))
            continue
        where = item.where
        costs = bool(item.task) and result.points.get(item.task, 0.0) < result.task_points.get(item.task, 0.0)
        if outcome.status == "timeout":
            result.notes.append(said("feedback.note.timed_out", where=where, seconds=outcome.seconds))
            result.cell_errors.append(CellError(cell=item.cell, costs_points=costs,
                                                text=said("feedback.cell.timed_out", seconds=outcome.seconds)))
        elif outcome.status == "error":
            text = scrub(error_text(outcome.ename, outcome.evalue, outcome.at, public), limit=MAX_ERROR_TEXT)
            result.cell_errors.append(CellError(cell=item.cell, text=text, costs_points=costs))
            if outcome.ename in ("SyntaxError", "IndentationError", "TabError"):
                result.notes.append(said("feedback.note.syntax", where=where, error=outcome.ename))
            elif cell_note(outcome.ename, outcome.evalue, where):
                result.notes.append(cell_note(outcome.ename, outcome.evalue, where))
        if outcome.printed:
            result.notes.append(said("feedback.note.printed", where=where, count=outcome.printed))
    for task in entry["tasks"]:
        result.self_checks.setdefault(task["id"], SelfCheck(task=task["id"], status="not run"))
    if malformed:
        result.notes.append(said("feedback.note.malformed"))
        result.flags.append("malformed-reply")
    result.status = "partial" if stop else "graded"
    result.seconds = round(time.monotonic() - started, 2)
    return result
