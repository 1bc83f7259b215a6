"""Typed records of grading: what was planned, what ran, what was scored.

One submission's grading fills a ``SubmissionResult``; the CSV row, the feedback file and the
command line's summary are all written from it, so its fields are named once, here.

The records also answer ``record["field"]`` (the mapping style of older callers); new code uses
attributes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Optional

#: Status values of a submission (see ``grade``'s module docstring).
STATUSES = ("graded", "partial", "invalid", "failed")


class _Record:
    """``record["name"]`` reads ``record.name`` (read-only mapping access for older callers)."""

    def __getitem__(self, name: str):
        try:
            return getattr(self, name)
        except AttributeError:
            raise KeyError(name) from None

    def get(self, name: str, default=None):
        return getattr(self, name, default)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class PlanItem(_Record):
    """One step of grading: a student's cell as submitted, a canonical (visible) test cell from the
    key, or the grading questions of a task, asked where its test cell stands.

    ``cell`` is the 1-based cell number in the submission (``None`` for a test put back after it
    was deleted); ``test`` names the task of a test or of its questions; ``task`` the task of a task
    cell.
    """

    kind: str  # "student", "test" (the self-check) or "questions"
    source: str
    cell: Optional[int] = None
    test: Optional[str] = None
    task: Optional[str] = None

    @property
    def where(self) -> str:
        """``cell 3`` or ``the test of <task>``: a ``Said``, written in the student's language in the feedback."""
        from .said import said

        if self.kind == "student" or self.cell is not None:
            return said("feedback.where.cell", cell=self.cell)
        return said("feedback.where.test", test=self.test)


@dataclass
class Outcome(_Record):
    """What running one plan item gave, as collected by the grader from the kernel's replies.

    ``status``: ``ok``, ``error``, ``timeout``, ``died`` (the kernel died during it), ``not run``
    or ``malformed`` (the kernel's reply was not what the grader sent for).
    """

    status: str = "not run"
    ename: str = ""
    evalue: str = ""
    seconds: float = 0.0
    printed: int = 0  # characters of text output, when above the limit
    at: Optional[list] = None  # [cell, line, text]: where an error happened in the student's code (grader's copy)


@dataclass
class Run(_Record):
    """A plan item with its outcome (what lint's run check reads)."""

    kind: str
    cell: Optional[int]
    test: Optional[str]
    status: str
    ename: str = ""
    evalue: str = ""


@dataclass
class QuestionResult(_Record):
    """One grading question, judged in the grader: ``passed``, and the message that explains a wrong answer."""

    task: str
    requirement: str
    name: str
    passed: bool
    message: str = ""
    seconds: float = 0.0


@dataclass
class CheckResult(_Record):
    """One requirement of a task: ``passed`` when every one of its questions was answered right.

    ``name`` is ``"<task id>: <requirement id>"``; ``text`` the requirement as the checklist shows it;
    ``message`` says why it was missed (empty when passed).
    """

    name: str
    task: str
    requirement: str
    text: str
    points: float
    passed: bool
    message: str = ""


@dataclass
class SelfCheck(_Record):
    """What the task's visible test cell (the one the student runs) said when the grader ran it: for the
    feedback only, never for points. ``status``: ``passed``, ``failed``, ``not run``."""

    task: str
    status: str
    message: str = ""


@dataclass
class CellError(_Record):
    """An error in one of the student's own cells; ``costs_points`` when its task scored 0."""

    cell: int
    text: str  # plain text (feedback_text.error_text): the error's type and the student's own line
    costs_points: bool = False


@dataclass
class WrittenAnswer(_Record):
    """A markdown question answered in words: graded by hand (``merge-manual``)."""

    id: str
    question: str
    answer: Optional[str]  # None: the answer cell was not found; "" : left blank
    points: float = 1.0  # the question's maximum (declared with the question: "(2 points)")
    sha256: str = ""  # written.answer_digest of the answer: manual points are keyed to it

    @property
    def status(self) -> str:
        """``"answered"``, ``"blank"`` or ``"missing"`` (the question's cell was not found)."""
        return "missing" if self.answer is None else "answered" if self.answer else "blank"


@dataclass
class SubmissionResult(_Record):
    """Everything grading one submission produced."""

    status: str = "invalid"
    notebook: str = ""
    points: dict = field(default_factory=dict)  # task id -> points earned
    task_points: dict = field(default_factory=dict)  # task id -> points the task is worth
    total: float = 0.0
    max_points: float = 0.0
    checks: list = field(default_factory=list)  # CheckResult, one per requirement
    questions: list = field(default_factory=list)  # QuestionResult
    self_checks: dict = field(default_factory=dict)  # task id -> SelfCheck
    notes: list = field(default_factory=list)  # str: tampering, early stops, invalid files
    cell_errors: list = field(default_factory=list)  # CellError
    written: list = field(default_factory=list)  # WrittenAnswer
    flags: list = field(default_factory=list)  # str: suspicious constructs, for the instructor
    runs: list = field(default_factory=list)  # Run
    not_run: list = field(default_factory=list)  # int: the student's cells after the last test, skipped
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # CPU time of the kernel and its processes (0 where it cannot be measured)
    lang: str = "en"  # the edition the submission was made from ("ko": the Korean one): the feedback's language

    def recompute(self) -> None:
        """``total`` from ``points`` (never from anything the kernel reported)."""
        self.total = float(sum(self.points.values()))
