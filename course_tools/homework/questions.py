"""Grading questions: the small format an instructor writes next to a task's test cell.

A code cell whose first line is ``# QUESTIONS <task id>`` follows the task's ``# TEST <task id>``
cell. It is plain Python, run by the grader in its own process (never in a student's kernel, and
never shipped to students: ``release`` strips it into the grading key). Everything in it sits inside
one function, ``def questions():``, so that running the instructor's notebook binds no name but that
one. The function declares the task's *requirements* (each worth some of the task's points,
all-or-nothing, shown to the student as a checklist) and the *questions* that decide them::

    # QUESTIONS mlp.accuracy
    def questions():
        import numpy as np
        from course_tools.homework.questions import close, question, requirement

        requirement("fraction", "the fraction of rows whose largest logit is the label", points=1)
        requirement("float", "the result is a Python float", points=1)

        def batch(ctx):                          # inputs, drawn in the grader, fresh for each submission
            rows, classes = int(ctx.rng.integers(20, 60)), int(ctx.rng.integers(3, 9))
            return {"logits": ctx.rng.normal(size=(rows, classes)).astype("float32"),
                    "labels": ctx.rng.integers(0, classes, rows)}

        ask = "import torch\nanswer = accuracy(torch.from_numpy(inputs['logits']), torch.from_numpy(inputs['labels']))"

        def right_fraction(ctx, answer):          # judged in the grader
            want = (ctx.inputs["logits"].argmax(1) == ctx.inputs["labels"]).mean()
            return close(answer, want), "accuracy(...) of a random batch is not the share of rows it got right"

        question("fraction", inputs=batch, ask=ask, judge=right_fraction)

- ``requirement(id, text, points)``: the requirement's id (short, unique in the task), the sentence
  the feedback's checklist shows, its points. The points of a task's requirements add up to the
  task's points (``lint`` checks it).
- ``question(requirement, *, ask, judge, inputs=None, name=None, files=False, forbid=(), timeout=None)``:

  - ``inputs(ctx) -> dict``: numbers, strings, bytes, lists, dicts and NumPy arrays, drawn with
    ``ctx.rng`` (seeded from the submission file's SHA-256, the task and the question: the same for
    a regrade, new for every other submission). They are sent to the kernel as data.
  - ``ask``: a short code string run in the student's kernel. It sees the student's names, ``inputs``
    (decoded: arrays as NumPy arrays, bytes as bytes), ``work`` (a fresh folder, with ``files=True``),
    ``substitute(name=stand_in, ...)`` (a ``with`` block that puts stand-ins in place of the
    student's other functions) and ``student`` (the student's namespace); it leaves its result in
    ``answer``, as plain data, arrays or tensors (the fixed schema of ``oracle``). The ask code and
    the inputs are public: a student may see them. Never put an expected value or a reference
    implementation in them.
  - ``judge(ctx, answer) -> (ok, message)`` runs in the grader: ``answer`` is validated plain data
    (``oracle.TensorAnswer`` for a tensor). It may compute the expected value with a reference
    implementation. Its ``message`` explains a wrong answer to the student: never the expected value.
    A judge may also return just ``True``/``False``; one that raises (the answer has an unexpected
    form) counts as a wrong answer.
  - ``files=True``: the question gets a fresh folder ``work`` inside the submission's private
    folder; ``ctx.inside`` is its path in the kernel (to put into inputs) and ``ctx.files()`` lists
    it from outside after the ask (``snapshot``: nothing followed, nothing trusted).
  - ``forbid``: dotted names of shipped functions the task asks the student not to use
    (``"torch.nn.functional.cross_entropy"``); the kernel runs the ask under tripwires
    (``course_utils.checks.own_work``) and a question whose ask called one fails with a message
    saying so (the task then does not earn that requirement's points for a wrapper).

If the ask code raises (the student's code raised, or a blank is not filled in), the question fails
without calling the judge; the feedback says what was raised.

Run in the instructor's notebook, the cell only defines ``questions``: it declares nothing, prints
nothing and changes no other name of the notebook. ``lint --run`` is what asks the questions of the
solution.
"""

from __future__ import annotations

import contextvars
import hashlib
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

import numpy as np

__all__ = ["Question", "QuestionError", "Requirement", "TaskQuestions", "Context", "close", "load_questions",
           "question", "requirement", "seed_for"]


class QuestionError(ValueError):
    """A ``# QUESTIONS`` cell is malformed; the message names the task and what to fix."""


@dataclass(frozen=True)
class Requirement:
    """One stated requirement of a task: earned (``points``) only when all its questions are answered right."""

    id: str
    text: str
    points: float


@dataclass(frozen=True)
class Question:
    """One question about one requirement (see the module docstring for the fields)."""

    requirement: str
    name: str
    ask: str
    judge: Callable
    inputs: Optional[Callable] = None
    files: bool = False
    forbid: tuple = ()
    timeout: Optional[float] = None


@dataclass
class TaskQuestions:
    """The requirements and questions of one task, in the order they were declared."""

    task: str
    requirements: list = field(default_factory=list)
    questions: list = field(default_factory=list)

    @property
    def points(self) -> float:
        return float(sum(r.points for r in self.requirements))

    def requirement(self, requirement_id: str) -> Requirement:
        return next(r for r in self.requirements if r.id == requirement_id)

    def summary(self) -> list:
        """``[{"id", "text", "points", "questions"}]`` for the key (what CSV and lint need without
        running the cell)."""
        return [{"id": r.id, "text": r.text, "points": r.points,
                 "questions": [q.name for q in self.questions if q.requirement == r.id]} for r in self.requirements]


@dataclass
class Context:
    """What ``inputs`` and ``judge`` of one question get.

    ``rng``: a NumPy generator seeded for this submission, task and question; ``inputs``: what
    ``inputs`` returned (set before the ask); ``folder``: the question's folder on the grader's side
    (``files=True``) and ``inside``: the same folder as the kernel sees it (a str).
    """

    task: str
    question: str
    rng: np.random.Generator
    inputs: dict = field(default_factory=dict)
    folder: Optional[Path] = None
    inside: Optional[str] = None
    root: Optional[Path] = None  # the private folder the question's folder is in (made by the grader)

    def files(self) -> dict:
        """The question's folder as found after the ask: ``{relative path: Entry}`` (``snapshot``: no link
        followed, from the private folder down)."""
        from .snapshot import snapshot

        if self.folder is None:
            raise RuntimeError(f"question {self.question} of {self.task} has no folder: declare it with files=True")
        return snapshot(self.folder, root=self.root)


_COLLECTING: contextvars.ContextVar = contextvars.ContextVar("course_questions", default=None)
_LOAD_LOCK = threading.Lock()


def _collector() -> TaskQuestions:
    """Where declarations go: the cell being loaded by ``load_questions``; outside one (someone called
    ``questions()`` by hand), a throw-away collection."""
    found = _COLLECTING.get()
    return found if found is not None else TaskQuestions(task="(the notebook itself)")


def requirement(requirement_id: str, text: str, points: float = 1.0) -> Requirement:
    """Declare a requirement of the task (see the module docstring)."""
    collected = _collector()
    if not isinstance(requirement_id, str) or not requirement_id.strip():
        raise QuestionError(f"{collected.task}: a requirement needs a short id")
    if any(r.id == requirement_id for r in collected.requirements):
        raise QuestionError(f"{collected.task}: requirement {requirement_id!r} is declared twice")
    if not isinstance(points, (int, float)) or points <= 0:
        raise QuestionError(f"{collected.task}: requirement {requirement_id!r} needs points > 0")
    found = Requirement(id=requirement_id, text=str(text).strip(), points=float(points))
    collected.requirements.append(found)
    return found


def question(requirement_id: str, *, ask: str, judge: Callable, inputs: Optional[Callable] = None,
             name: Optional[str] = None, files: bool = False, forbid: tuple = (),
             timeout: Optional[float] = None) -> Question:
    """Declare a question deciding requirement ``requirement_id`` (see the module docstring)."""
    collected = _collector()
    loading = _COLLECTING.get() is not None
    if loading and not any(r.id == requirement_id for r in collected.requirements):
        raise QuestionError(f"{collected.task}: question for unknown requirement {requirement_id!r}: declare it "
                            "with requirement(...) first")
    if not isinstance(ask, str) or not ask.strip():
        raise QuestionError(f"{collected.task}: a question needs ask code (a string)")
    try:
        compile(ask, "<ask>", "exec")
    except SyntaxError as exc:
        raise QuestionError(f"{collected.task}: the ask code of a question is not valid Python ({exc.msg}, "
                            f"line {exc.lineno})") from None
    if not callable(judge) or (inputs is not None and not callable(inputs)):
        raise QuestionError(f"{collected.task}: judge (and inputs, when given) must be functions")
    number = sum(q.requirement == requirement_id for q in collected.questions) + 1
    name = name or f"{requirement_id}.{number}"
    if any(q.name == name for q in collected.questions):
        raise QuestionError(f"{collected.task}: two questions are named {name!r}")
    found = Question(requirement=requirement_id, name=name, ask=ask, judge=judge, inputs=inputs,
                     files=bool(files), forbid=tuple(forbid), timeout=timeout)
    collected.questions.append(found)
    return found


def load_questions(source: str, task_id: str, where: str = "") -> TaskQuestions:
    """Run a ``# QUESTIONS`` cell's source (instructor code, in this process) and return what it declared.

    Raises:
        QuestionError: the cell raised, declared no requirement, or has a requirement without a question.
    """
    collected = TaskQuestions(task=task_id)
    place = f"{where}: " if where else ""
    problem = _shape_problem(source)
    if problem:
        raise QuestionError(f"{place}the QUESTIONS cell of {task_id} {problem}")
    token = _COLLECTING.set(collected)
    try:
        namespace: dict = {"__name__": f"__questions_{task_id}__"}
        try:
            with _LOAD_LOCK:  # instructor code may import modules; one import at a time
                exec(compile(source, f"<questions {task_id}>", "exec"), namespace)
                namespace["questions"]()
        except QuestionError as exc:
            raise QuestionError(f"{place}{exc}") from None
        except Exception as exc:  # noqa: BLE001 - the instructor's cell: say where and what
            raise QuestionError(f"{place}the QUESTIONS cell of {task_id} raised {type(exc).__name__}: {exc}") from None
    finally:
        _COLLECTING.reset(token)
    if not collected.requirements:
        raise QuestionError(f"{place}the QUESTIONS cell of {task_id} declares no requirement: add "
                            "requirement(id, text, points) and a question(...) for it")
    for req in collected.requirements:
        if not any(q.requirement == req.id for q in collected.questions):
            raise QuestionError(f"{place}requirement {req.id!r} of {task_id} has no question: add one with "
                                f"question({req.id!r}, ask=..., judge=...)")
    return collected


def _shape_problem(source: str) -> Optional[str]:
    """Why a questions cell's source is not one ``def questions():`` and nothing else (``None`` when it is)."""
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        return f"is not valid Python ({exc.msg}, line {exc.lineno})"
    body = [node for node in tree.body
            if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str))]
    if len(body) != 1 or not isinstance(body[0], ast.FunctionDef) or body[0].name != "questions" or body[0].args.args:
        return ("must hold one function, `def questions():`, with everything inside it (imports, requirements, "
                "questions), so that running the notebook binds no other name")
    return None


def seed_for(submission_sha256: str, task_id: str, question_name: str) -> int:
    """The seed of one question's inputs: from the submission file's SHA-256 (a regrade draws the same
    inputs, another submission new ones), the task and the question."""
    digest = hashlib.sha256(f"{submission_sha256}\n{task_id}\n{question_name}".encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "little")


# --------------------------------------------------------------------------- helpers for judges
def close(answer: Any, expected: Any, *, rtol: float = 1e-5, atol: float = 1e-6, shape: bool = True) -> bool:
    """True when ``answer`` (a number, array or ``TensorAnswer``) is within tolerance of ``expected``
    (same shape unless ``shape=False``); False for anything that is not numbers."""
    from .oracle import TensorAnswer

    if isinstance(answer, TensorAnswer):
        answer = answer.value
    if type(answer) is bool or answer is None:
        return False
    try:
        got = np.asarray(answer, dtype=float)
        want = np.asarray(expected, dtype=float)
    except (TypeError, ValueError):
        return False
    if got.dtype == object or (shape and got.shape != want.shape):
        return False
    try:
        return bool(np.allclose(got, want, rtol=rtol, atol=atol))
    except ValueError:
        return False
