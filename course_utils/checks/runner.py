"""Run a homework notebook's own check cells and say, task by task, what each said (``make check``).

    python -m course_utils.checks.runner notebooks/                      # every homework notebook there
    python -m course_utils.checks.runner notebooks/04_mlp_homework.ipynb

A homework notebook has a ``# TASK <id>`` cell for each blank and, right below it, a ``# TEST <id>``
cell: its check. This runs every cell of the notebook from the top in a fresh Jupyter kernel, as
*Restart Kernel and Run All Cells* does, except that it goes on after an error, so that every check
runs; then it prints one line per task:

- ``passed``: the task's check cell ran without an error;
- ``not done yet``: the check stopped at a blank you have not filled in (its ``NotImplementedError``);
- ``failed``: the check's message (what was expected, what your code gave, a hint), cut to a few lines.

The notebook file is read, never written: your outputs stay as they are. Written answers (markdown
cells) are not checked here. Exit status: 0 when every task's check passed, 1 otherwise, 2 when a
notebook could not be run. Needs ``nbformat`` and ``nbclient`` (installed with JupyterLab).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

from course_utils.messages import LANGUAGES, language, text

__all__ = ["TaskCheck", "homework_notebooks", "run_checks", "main"]

_TASK = re.compile(r"^# TASK (?P<id>\S+)")
_TEST = re.compile(r"^# TEST (?P<id>\S+)")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
#: Lines of a failed check's message shown in the report.
MAX_MESSAGE_LINES = 6
#: Width of the report's lines.
WIDTH = 110
#: Seconds one cell may run.
CELL_TIMEOUT = 600
_MARKS = {"passed": "✅", "not done yet": "✏️", "failed": "❌", "not run": "⏸️"}


@dataclass
class TaskCheck:
    """What the check cell of one task said: ``status`` is ``passed``, ``not done yet``, ``failed`` or ``not run``."""

    task: str
    status: str
    message: str = ""
    cell: int = 0          # 1-based number of the check cell in the notebook


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def homework_notebooks(paths: Sequence[Path]) -> list[Path]:
    """The homework notebooks (those with a ``# TASK`` cell) among ``paths``; folders are searched, sorted."""
    import json

    found: list[Path] = []
    for path in map(Path, paths):
        candidates = sorted(path.glob("*.ipynb")) if path.is_dir() else [path]
        for candidate in candidates:
            if ".ipynb_checkpoints" in candidate.parts:
                continue
            try:
                cells = json.loads(candidate.read_text(encoding="utf-8")).get("cells", [])
            except (OSError, ValueError) as exc:
                raise SystemExit(f"{candidate}: cannot read this notebook ({exc}). Open it in Jupyter and save it "
                                 "again.") from None
            if path.is_file() or any(cell.get("cell_type") == "code" and _TASK.match(_source(cell)) for cell in cells):
                found.append(candidate)
    return found


def _error_of(cell) -> Optional[tuple[str, str]]:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return output.get("ename", ""), _ANSI.sub("", output.get("evalue", ""))
    return None


def _short(text: str) -> str:
    lines = [line.rstrip() for line in text.strip().splitlines() if line.strip()]
    shown = lines[:MAX_MESSAGE_LINES]
    if len(lines) > len(shown):
        shown.append(f"... ({len(lines) - len(shown)} more line(s): run the check cell in the notebook to see them)")
    return "\n".join(shown)


def run_checks(path: Path, *, cell_timeout: int = CELL_TIMEOUT) -> list[TaskCheck]:
    """Run the notebook at ``path`` top to bottom in a fresh kernel (going on after errors) and return what each
    ``# TEST <id>`` cell said, in notebook order. The file is not changed."""
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    nb = nbformat.read(str(path), as_version=4)
    from jupyter_client.manager import KernelManager

    with tempfile.TemporaryDirectory(prefix="course-check-") as sockets:
        # ipc: the kernel talks over socket files in a private folder, not over TCP ports
        km = KernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(sockets, "kernel"))
        client = NotebookClient(nb, km=km, timeout=cell_timeout, allow_errors=True, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent.resolve())}})
        client.execute()
    results = []
    for number, cell in enumerate(nb.cells, start=1):
        match = _TEST.match(_source(cell)) if cell.cell_type == "code" else None
        if not match:
            continue
        task = match.group("id")
        error = _error_of(cell)
        if cell.get("execution_count") is None and error is None:
            results.append(TaskCheck(task, "not run", "this cell did not run", number))
        elif error is None:
            results.append(TaskCheck(task, "passed", "", number))
        elif error[0] == "NotImplementedError":
            what = error[1].split(": ", 1)[1] if error[1].startswith(task + ": ") else error[1]
            results.append(TaskCheck(task, "not done yet", _short(what) or "a blank is still empty", number))
        else:
            results.append(TaskCheck(task, "failed", _short(f"{error[0]}: {error[1]}"), number))
    return results


def notebook_language(path: Path) -> str:
    """The language of a notebook: ``"ko"`` in a ``ko/`` folder (the Korean edition), else the current one
    (``course_utils.messages.language``)."""
    return Path(path).parent.name if Path(path).parent.name in LANGUAGES else language()


def report(path: Path, checks: list[TaskCheck], lang: Optional[str] = None) -> str:
    """The report of one notebook, as ``main`` prints it, in ``lang`` (default: the notebook's language)."""
    lang = lang or notebook_language(path)
    lines = [f"{path.name}"]
    words = {c.status: text(f"runner.status.{c.status.replace(' ', '_')}", lang=lang) for c in checks}
    width = max((len(c.task) for c in checks), default=0)
    for c in checks:
        head = f"  {_MARKS[c.status]} {c.task:<{width}}  {words[c.status]}"
        if c.status == "passed":
            lines.append(head)
            continue
        first, *rest = (c.message or "").splitlines() or [""]
        wrapped = textwrap.wrap(f"{head}: {first}".rstrip(": "), WIDTH, subsequent_indent=" " * 6)
        lines.extend(wrapped)
        for line in rest:
            lines.extend(textwrap.wrap(line, WIDTH, initial_indent=" " * 6, subsequent_indent=" " * 6) or [""])
        if c.status == "not done yet":
            lines.append("      " + text("runner.fill_in", lang=lang, task=c.task, cell=c.cell))
    done = sum(c.status == "passed" for c in checks)
    lines.append("  " + text("runner.summary", lang=lang, done=done, total=len(checks)) + (
        "" if done == len(checks) else " " + text("runner.next_step", lang=lang)))
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_utils.checks.runner",
                                     description="Run the check cells of homework notebooks and report each task.")
    parser.add_argument("paths", nargs="*", type=Path, default=[Path("notebooks")],
                        help="homework notebooks, or folders of them (default: notebooks/)")
    parser.add_argument("--cell-timeout", type=int, default=CELL_TIMEOUT, help="seconds one cell may run")
    args = parser.parse_args(argv)
    missing = [p for p in args.paths if not p.exists()]
    if missing:
        print(text("runner.not_found", paths=", ".join(map(str, missing))), file=sys.stderr)
        return 2
    notebooks = homework_notebooks(args.paths)
    if not notebooks:
        print(text("runner.no_homework", paths=", ".join(map(str, args.paths))), file=sys.stderr)
        return 2
    status = 0
    for path in notebooks:
        print(text("runner.running", lang=notebook_language(path), path=path), flush=True)
        try:
            checks = run_checks(path, cell_timeout=args.cell_timeout)
        except Exception as exc:  # noqa: BLE001 - a kernel that does not start, a cell over its time: say which
            error = f"{type(exc).__name__}: {(str(exc).strip().splitlines() or [''])[-1]}"
            print(text("runner.could_not_run", lang=notebook_language(path), path=path, error=error), file=sys.stderr)
            status = 2
            continue
        print(report(path, checks), flush=True)
        if status == 0 and any(c.status != "passed" for c in checks):
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
