"""Run a homework notebook's task cells, test cells and grading questions in this process.

``Harness(path, preamble)`` reads the tasks (solution source), the visible tests and the grading
questions of a homework notebook. ``run(changes)`` runs every task cell (with ``changes``: task id ->
new source, e.g. a planted mistake or another correct style), then, task by task, its visible test
cell and its grading questions (asked in this process through the same runtime a kernel uses, and
judged as the grader judges them), all in one namespace as a notebook kernel would. It returns a
``Run``: the self-check failures (``{task: message}``), the question results and the points per task.

``failing(changes)`` is ``run(changes).self_check``, the visible tests that failed.
"""

from __future__ import annotations

import contextlib
import io
import linecache
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from course_tools.homework.judge import ask_in_process
from course_tools.homework.markers import cell_source, parse_notebook
from course_tools.homework.questions import load_questions
from course_tools.homework.release import load_notebook


@dataclass
class Run:
    self_check: dict = field(default_factory=dict)  # task -> failure message of its visible test
    questions: list = field(default_factory=list)  # QuestionResult
    points: dict = field(default_factory=dict)  # task -> points earned
    worth: dict = field(default_factory=dict)  # task -> points the task is worth

    @property
    def lost(self) -> dict:
        """``{task: [failed requirement ids]}`` of the tasks that lost points."""
        found: dict = {}
        for result in self.questions:
            if not result.passed and result.requirement not in found.get(result.task, []):
                found.setdefault(result.task, []).append(result.requirement)
        return found

    def messages(self, task: str) -> str:
        return " | ".join(r.message for r in self.questions if r.task == task and not r.passed)


class Harness:
    def __init__(self, path: Path, preamble: str):
        nb = load_notebook(path)
        homework = parse_notebook(nb, path.name)
        self.tasks = {task_id: cell_source(nb.cells[info.index]) for task_id, info in homework.tasks.items()}
        self.tests = {test_id: cell_source(nb.cells[info.index]) for test_id, info in homework.tests.items()}
        self.questions = {task_id: load_questions(cell_source(nb.cells[info.index]), task_id)
                          for task_id, info in homework.questions.items()}
        self.points = {task_id: info.points for task_id, info in homework.tasks.items()}
        self.preamble = preamble

    def replace(self, task_id: str, old: str, new: str) -> str:
        source = self.tasks[task_id]
        assert source.count(old) == 1, f"{old!r} is not (once) in the solution of {task_id}: update the test"
        return source.replace(old, new)

    def failing(self, changes: dict) -> dict:
        return self.run(changes).self_check

    def run(self, changes: dict, seed: str = "harness") -> Run:
        namespace: dict = {"__name__": "__main__"}
        here = os.getcwd()
        with tempfile.TemporaryDirectory(prefix="course-harness-") as work, contextlib.redirect_stdout(io.StringIO()):
            os.chdir(work)  # a variant that writes into the current folder writes here
            try:
                return self._run(changes, namespace, Path(work), seed)
            finally:
                os.chdir(here)

    def _run(self, changes: dict, namespace: dict, work: Path, seed: str) -> Run:
        exec(compile(self.preamble, "<setup>", "exec"), namespace)
        for task_id, source in self.tasks.items():
            try:
                exec(_cell(changes.get(task_id, source), f"<task {task_id}>"), namespace)
            except Exception:  # noqa: BLE001 - a broken task cell, as in a notebook: its test will fail
                pass
        found = Run(worth=dict(self.points))
        for test_id, source in self.tests.items():
            try:
                exec(_cell(source, f"<test {test_id}>"), namespace)
            except Exception as exc:  # noqa: BLE001 - what the student's self-check says
                found.self_check[test_id] = f"{type(exc).__name__}: {exc}"
            results = ask_in_process(namespace, self.questions[test_id], work, seed)
            found.questions.extend(results)
            requirements = self.questions[test_id].requirements
            found.points[test_id] = sum(r.points for r in requirements
                                        if all(q.passed for q in results if q.requirement == r.id))
        return found


def _cell(source: str, filename: str):
    """``source`` compiled as a cell, its lines registered with ``linecache`` (as IPython does for every cell, so
    that tracebacks, and ``check_call``'s messages, can quote a line)."""
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    return compile(source, filename, "exec")
