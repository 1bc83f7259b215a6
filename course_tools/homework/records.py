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
    """One cell to run: a student's cell as submitted, or a canonical test from the key.

    ``cell`` is the 1-based cell number in the submission (``None`` for a test put back after
    it was deleted); ``test``/``hidden`` name a canonical test; ``task`` the task of a task cell.
    """

    kind: str  # "student" or "test"
    source: str
    cell: Optional[int] = None
    test: Optional[str] = None
    hidden: bool = False
    task: Optional[str] = None

    @property
    def where(self) -> str:
        if self.kind == "student" or self.cell is not None:
            return f"cell {self.cell}"
        return f"the test of {self.test}"


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
    hidden: bool
    status: str
    ename: str = ""
    evalue: str = ""


@dataclass
class CheckResult(_Record):
    """The outcome of one canonical test part (visible or hidden) of a task."""

    name: str
    task: str
    hidden: bool
    passed: bool
    message: str


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
    checks: list = field(default_factory=list)  # CheckResult
    notes: list = field(default_factory=list)  # str: tampering, early stops, invalid files
    cell_errors: list = field(default_factory=list)  # CellError
    written: list = field(default_factory=list)  # WrittenAnswer
    flags: list = field(default_factory=list)  # str: suspicious constructs, for the instructor
    runs: list = field(default_factory=list)  # Run
    not_run: list = field(default_factory=list)  # int: the student's cells after the last test, skipped
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # CPU time of the kernel and its processes (0 where it cannot be measured)

    def recompute(self) -> None:
        """``total`` from ``points`` (never from anything the kernel reported)."""
        self.total = float(sum(self.points.values()))
