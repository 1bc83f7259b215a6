"""Run a homework notebook's task and test cells in this process, to see which tasks a variant passes.

``Harness(path)`` reads the tasks (solution source) and the tests (visible and hidden parts) of a homework
notebook. ``failing(changes)`` runs every task cell (with ``changes``: task id -> new source, e.g. a planted
mistake or another correct style), then every test cell, each in the same namespace as a notebook kernel would,
and returns ``{task id: the failure message}`` of the tests that failed.
"""

from __future__ import annotations

import contextlib
import io
import linecache
import os
import tempfile
from pathlib import Path

from course_tools.homework.markers import cell_source, parse_notebook, split_test
from course_tools.homework.release import load_notebook


class Harness:
    def __init__(self, path: Path, preamble: str):
        nb = load_notebook(path)
        homework = parse_notebook(nb, path.name)
        self.tasks = {task_id: cell_source(nb.cells[info.index]) for task_id, info in homework.tasks.items()}
        self.tests = {}
        for test_id, info in homework.tests.items():
            self.tests[test_id] = split_test(cell_source(nb.cells[info.index]), info)
        self.points = {task_id: info.points for task_id, info in homework.tasks.items()}
        self.preamble = preamble

    def replace(self, task_id: str, old: str, new: str) -> str:
        source = self.tasks[task_id]
        assert source.count(old) == 1, f"{old!r} is not (once) in the solution of {task_id}: update the test"
        return source.replace(old, new)

    def failing(self, changes: dict) -> dict:
        namespace: dict = {"__name__": "__main__"}
        here = os.getcwd()
        with tempfile.TemporaryDirectory(prefix="course-harness-") as work, contextlib.redirect_stdout(io.StringIO()):
            os.chdir(work)  # a variant that writes into the current folder writes here
            try:
                return self._run(changes, namespace)
            finally:
                os.chdir(here)

    def _run(self, changes: dict, namespace: dict) -> dict:
        exec(compile(self.preamble, "<setup>", "exec"), namespace)
        for task_id, source in self.tasks.items():
            try:
                exec(_cell(changes.get(task_id, source), f"<task {task_id}>"), namespace)
            except Exception:  # noqa: BLE001 - a broken task cell, as in a notebook: its test will fail
                pass
        failed = {}
        for test_id, parts in self.tests.items():
            for number, part in enumerate(parts):
                try:
                    exec(_cell(part, f"<test {test_id} part {number}>"), namespace)
                except Exception as exc:  # noqa: BLE001 - what the grader would record for this check
                    failed.setdefault(test_id, f"{type(exc).__name__}: {exc}")
        return failed


def _cell(source: str, filename: str):
    """``source`` compiled as a cell, its lines registered with ``linecache`` (as IPython does for every cell, so
    that tracebacks, and ``check_call``'s messages, can quote a line)."""
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    return compile(source, filename, "exec")
