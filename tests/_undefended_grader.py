"""A DELIBERATELY UNDEFENDED grader, for the attack tests only: the control that shows an attack works.

It grades the way the grader did before issue 23: each task's check runs INSIDE the student's kernel, as a
code object named ``<course grader>`` executed through the real ``builtins``, from a user expression that
must evaluate to a nonce; a task earns its points when that expression comes back with the nonce. When
``secrets`` are given (``{task id: source}``), that source is also compiled in the kernel before the task's check,
as the old hidden tests were (here it is never run). The feedback lists the errors of the student's cells, scrubbed
as the real grader scrubs them.

An attack that scores here and scores 0 with the real grader (``course_tools.homework.submission``) is an
attack the new design stops; one that scores 0 here too proves nothing. Never grade students with this.
"""

from __future__ import annotations

import secrets as tokens
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from course_tools.homework.kernel import KernelSession
from course_tools.homework.oracle import BUILTINS
from course_tools.homework.sandbox import Sandbox
from course_tools.homework.submission import build_plan, choose_notebook, read_submission, scrub


@dataclass
class UndefendedResult:
    points: dict = field(default_factory=dict)
    total: float = 0.0
    cell_errors: list = field(default_factory=list)  # scrubbed "ename: evalue" of the student's cells

    @property
    def feedback(self) -> str:
        return "\n".join(f"- cell error: {text}" for text in self.cell_errors)


def in_kernel_check(source: str, nonce: str) -> str:
    """The user expression of the old design: run ``source`` as ``<course grader>`` code on the student's
    namespace, through the real builtins; evaluate to ``nonce``."""
    return (f"(lambda b: (b.exec(b.compile({source!r}, '<course grader>', 'exec'), b.globals()), {nonce!r})[1])"
            f"({BUILTINS})")


def grade_undefended(path: Path, key: dict, sandbox: Sandbox, *, secrets: Optional[dict] = None,
                     timeout: float = 60) -> UndefendedResult:
    nb, problem = read_submission(Path(path))
    assert nb is not None, problem
    name, problem = choose_notebook(nb, Path(path), key)
    assert name, problem
    entry = key["notebooks"][name]
    worth = {t["id"]: float(t["points"]) for t in entry["tasks"]}
    result = UndefendedResult(points=dict.fromkeys(worth, 0.0))
    plan, _ = build_plan(nb, entry)
    with KernelSession(sandbox) as session:
        for item in plan:
            if item.kind == "questions":
                continue
            if item.kind == "student":
                outcome, _ = session.run(item.source, timeout=timeout)
                if outcome.status == "error":
                    result.cell_errors.append(scrub(f"{outcome.ename}: {outcome.evalue}"))
                if outcome.status == "died":
                    break
                continue
            source = item.source
            if secrets and item.test in secrets:   # the old hidden tests: compiled in the kernel (here never run)
                session.run("", timeout=timeout, store_history=False, user_expressions={
                    "hidden": f"(lambda b: b.compile({secrets[item.test]!r}, '<course grader>', 'exec'))({BUILTINS})"})
            nonce = tokens.token_hex(8)
            outcome, reply = session.run("", timeout=timeout, store_history=False,
                                         user_expressions={"grader": in_kernel_check(source, nonce)})
            value = ((reply or {}).get("user_expressions") or {}).get("grader")
            plain = ((value or {}).get("data") or {}).get("text/plain") if isinstance(value, dict) else None
            if isinstance(value, dict) and value.get("status") == "ok" and plain == repr(nonce):
                result.points[item.test] = worth[item.test]
    result.total = sum(result.points.values())
    return result
