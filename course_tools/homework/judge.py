"""Ask a task's grading questions and judge the answers, in the grader's own process.

``ask_task(oracle, task_questions, submission_sha256, ...)`` asks each question of one task through
an *oracle* (a kernel: ``kernel.KernelSession``; or this process, for the tests' harness:
``InProcessOracle``), decodes each answer (``oracle.decode_reply``: anything outside the fixed schema
is a wrong answer for that question only) and judges it here. ``score(...)`` turns the question
results into points per requirement (all-or-nothing each) and one ``CheckResult`` per requirement.

Nothing secret goes to the oracle: only the ask code and the inputs (``oracle.request_payload``).

The grader's own messages (a timeout, an error, a forbidden call, a requirement not asked) are ``said.Said``
texts: English, and the student's language in the feedback; a question's own message (its judge's) is shown as
it is.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from pathlib import Path
from typing import Any, Optional, Protocol

import numpy as np

from . import config
from .feedback_text import error_name, exception_name
from .oracle import Malformed, decode_reply, request_payload, run_in_process
from .questions import Context, Question, TaskQuestions, load_questions, seed_for
from .records import CheckResult, Outcome, QuestionResult
from .said import Said, said

#: Longest message of a question shown in the feedback.
MAX_MESSAGE = 600
_PATH = re.compile(r"(?<![\w.:])(?:/[A-Za-z_.~][\w.\-+@~]*){2,}/?")


class Oracle(Protocol):
    """Where questions are answered: ``folders()`` gives (the private folder on the grader's side, the
    same folder as the kernel sees it); ``ask(payload, timeout)`` gives the outcome and the value's
    ``text/plain``."""

    def folders(self) -> tuple[Path, str]: ...

    def ask(self, payload: str, timeout: float) -> tuple[Outcome, Any]: ...


class InProcessOracle:
    """Answers questions in this process on ``namespace`` (a notebook's globals), with ``folder`` as the
    private folder (seen the same from both sides): the tests' harness, never for students' code."""

    def __init__(self, namespace: dict, folder: Path):
        self.namespace, self.folder = namespace, Path(folder)

    def folders(self) -> tuple[Path, str]:
        return self.folder, str(self.folder)

    def ask(self, payload: str, timeout: float) -> tuple[Outcome, Any]:
        started = time.monotonic()
        text = run_in_process(self.namespace, payload)
        return Outcome(status="ok", seconds=round(time.monotonic() - started, 2)), repr(text)


# --------------------------------------------------------------------------- the key's questions
_CACHE: dict = {}
_CACHE_LOCK = threading.Lock()


def questions_of(entry: dict) -> dict:
    """``{task id: TaskQuestions}`` of a key entry (each ``# QUESTIONS`` cell run once per process)."""
    found = {}
    for task_id, item in entry.get("questions", {}).items():
        digest = hashlib.sha256(f"{task_id}\n{item['source']}".encode("utf-8")).hexdigest()
        with _CACHE_LOCK:
            if digest not in _CACHE:
                _CACHE[digest] = load_questions(item["source"], task_id, f"{entry.get('path', '')} ({task_id})")
            found[task_id] = _CACHE[digest]
    return found


# --------------------------------------------------------------------------- messages
def clean(text: str, limit: int = MAX_MESSAGE) -> str:
    """``text`` for the feedback: paths reduced to their file name, at most ``limit`` characters."""
    text = _PATH.sub(lambda m: m.group(0).rstrip("/").rsplit("/", 1)[-1], str(text).strip())
    return text if len(text) <= limit else text[: limit - 4] + " ..."


def _forbidden_message(calls: tuple) -> Said:
    shown = ", ".join(f"`{name}`" for name in dict.fromkeys(calls))
    return said("feedback.judge.forbidden", calls=shown)


_NAME_ERROR = re.compile(r"name '([A-Za-z_][A-Za-z0-9_]{0,39})' is not defined")


def _error_message(error: tuple) -> Said:
    """What the feedback says of an error the student's code raised while a question ran: its type, and
    for a ``NameError`` the missing name (an identifier), never the free text of its message, which the
    student's code chooses (``feedback_text`` explains why). ``score`` adds the task's hint."""
    ename, evalue, not_done = error
    if not_done:
        return said("feedback.judge.not_done")
    name = exception_name(ename)
    if name == "NameError":
        match = _NAME_ERROR.search(str(evalue or "").split("\n", 1)[0])
        return said("feedback.judge.name_error", name=match.group(1)) if match else said(
            "feedback.judge.some_name_error")
    return said("feedback.judge.raised", error=error_name(name))


# --------------------------------------------------------------------------- asking
def _folders_for(oracle: Oracle, rng: np.random.Generator) -> tuple[Path, str, Path]:
    """(the question's folder on the grader's side, as the kernel sees it, the private folder holding it)."""
    host, inside = oracle.folders()
    name = "q-" + "".join(f"{b:02x}" for b in rng.integers(0, 256, 6))
    return Path(host) / "grading" / name, f"{inside.rstrip('/')}/grading/{name}", Path(host)


def ask_question(oracle: Oracle, task: str, question: Question, submission_sha256: str, *,
                 timeout: float) -> tuple[QuestionResult, Optional[str], bool]:
    """Ask one question and judge the answer: ``(result, why grading must stop or None, malformed)``."""
    result = QuestionResult(task=task, requirement=question.requirement, name=question.name, passed=False)
    ctx = Context(task=task, question=question.name,
                  rng=np.random.default_rng(seed_for(submission_sha256, task, question.name)))
    if question.files:
        ctx.folder, ctx.inside, ctx.root = _folders_for(oracle, ctx.rng)
    ctx.inputs = dict(question.inputs(ctx)) if question.inputs is not None else {}
    payload = request_payload(question.ask, ctx.inputs, work=ctx.inside, forbid=question.forbid)
    limit = min(timeout, question.timeout or config.QUESTION_TIMEOUT)
    outcome, plain = oracle.ask(payload, limit)
    result.seconds = outcome.seconds
    if outcome.status == "timeout":
        result.message = said("feedback.judge.timeout", seconds=limit)
        stop = None if outcome.ename not in ("stuck", "died") else "stuck"
        return result, stop, False
    if outcome.status == "died":
        result.message = said("feedback.judge.died")
        return result, "died", False
    if outcome.status != "ok":
        result.message = said("feedback.judge.no_answer")
        return result, None, True
    try:
        reply = decode_reply(plain)
    except Malformed as exc:
        result.message = said("feedback.judge.bad_format", problem=str(exc))
        return result, None, True
    if reply.calls:
        result.message = _forbidden_message(reply.calls)
        return result, None, False
    if reply.error is not None:
        result.message = _error_message(reply.error)
        return result, None, False
    try:
        verdict = question.judge(ctx, reply.answer)
    except Exception:  # noqa: BLE001 - an answer of an unexpected form: wrong, for this question only
        result.message = said("feedback.judge.wrong_form")
        return result, None, False
    ok, message = (verdict, "") if isinstance(verdict, bool) or verdict is None else verdict
    result.passed = ok is True
    if not result.passed:
        result.message = clean(message) if message else said("feedback.judge.wrong")
    return result, None, False


def ask_task(oracle: Oracle, questions: TaskQuestions, submission_sha256: str, *,
             deadline: Optional[float] = None) -> tuple[list, Optional[str], bool]:
    """Ask every question of one task: ``(results, why grading stopped or None, any malformed answer)``.

    After a crash or a kernel that ignores interrupts, the remaining questions are not asked (they
    count as wrong, with a message saying so).
    """
    results: list = []
    malformed = False
    for question in questions.questions:
        remaining = (deadline - time.monotonic()) if deadline is not None else config.QUESTION_TIMEOUT
        if remaining < 1:
            results.append(QuestionResult(task=questions.task, requirement=question.requirement, name=question.name,
                                          passed=False, message=said("feedback.judge.out_of_time")))
            continue
        result, stop, bad = ask_question(oracle, questions.task, question, submission_sha256,
                                         timeout=max(1.0, remaining))
        results.append(result)
        malformed = malformed or bad
        if stop:
            for later in questions.questions[len(results):]:
                results.append(QuestionResult(task=questions.task, requirement=later.requirement, name=later.name,
                                              passed=False,
                                              message=said("feedback.judge.kernel_stopped")))
            return results, stop, malformed
    return results, None, malformed


def score(entry: dict, results: list) -> tuple[dict, list]:
    """Points per task (the sum of its requirements earned) and one ``CheckResult`` per requirement.

    A requirement is earned when it has at least one question result and all of them passed;
    points and texts come from the key. When the student's code raised, the message ends with the
    task's hint.
    """
    hints = {task["id"]: task.get("hint", "") for task in entry["tasks"]}
    by_requirement: dict = {}
    for result in results:
        by_requirement.setdefault((result.task, result.requirement), []).append(result)
    points: dict = {}
    checks: list = []
    for task in entry["tasks"]:
        earned = 0.0
        for req in entry.get("questions", {}).get(task["id"], {}).get("requirements", []):
            found = by_requirement.get((task["id"], req["id"]), [])
            passed = bool(found) and all(r.passed for r in found)
            failed = next((r for r in found if not r.passed), None)
            message = "" if passed else (failed.message if failed else said("feedback.judge.grading_stopped"))
            hint = hints.get(task["id"])
            if failed is not None and message == "not done yet" and hint:
                message = said("feedback.judge.not_done_hint", task=task["id"], hint=hint)
            elif failed is not None and getattr(message, "key", "") == "feedback.judge.raised" and hint:
                message = said("feedback.judge.raised_hint", error=message.fields["error"], hint=hint)
            elif failed is not None and message.startswith("your code raised") and hint:
                message += f". Hint: {hint}"  # a question's own message that says so (plain English)
            checks.append(CheckResult(name=f"{task['id']}: {req['id']}", task=task["id"], requirement=req["id"],
                                      text=req["text"], points=float(req["points"]), passed=passed, message=message))
            earned += float(req["points"]) if passed else 0.0
        points[task["id"]] = earned
    return points, checks


def ask_in_process(namespace: dict, questions: TaskQuestions, folder: Path, submission_sha256: str = "harness"
                   ) -> list:
    """Every question of one task asked in this process on ``namespace`` (the tests' harness)."""
    results, _, _ = ask_task(InProcessOracle(namespace, folder), questions, submission_sha256)
    return results
