"""The leak share of a homework notebook: how much of its answer the student edition shows.

A *solution line* is a line of code between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` (comments and
``# HINT:`` lines aside) with at least 14 characters other than spaces. It *leaks* when the line itself, or the
expression after its ``=`` (or after ``return``) when that has 14+ characters, appears anywhere in the student
edition's cells (code and markdown), spaces ignored. The share is leaked lines / solution lines.

Run ``python tests/_leaks.py notebooks/04_mlp_homework.ipynb ...`` to print each notebook's share and leaked lines.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from course_tools.homework.markers import cell_source, parse_notebook
from course_tools.homework.release import load_notebook, student_notebook

MIN_CHARS = 14
_ASSIGN = re.compile(r"^[^=(\[{]*?(?<![=!<>+\-*/%&|^@:])=(?!=)(?P<expr>.+)$")  # a top-level assignment


def _squeeze(text: str) -> str:
    return "".join(text.split())


def candidates(line: str) -> list[str]:
    """The whole line and its right-hand side / returned expression, spaces removed, 14+ characters each."""
    stripped = line.strip()
    found = [stripped]
    match = _ASSIGN.match(stripped)
    if match and not stripped.startswith(("if ", "elif ", "while ", "for ", "def ", "with ")):
        found.append(match.group("expr"))
    if stripped.startswith("return "):
        found.append(stripped[len("return "):])
    return [c for c in (_squeeze(f) for f in found) if len(c) >= MIN_CHARS]


def solution_lines(path: Path) -> list[str]:
    nb = load_notebook(path)
    homework = parse_notebook(nb, path.name)
    lines = []
    for info in homework.cells:
        if info.role != "task":
            continue
        source = cell_source(nb.cells[info.index]).splitlines()
        for region in info.regions:
            if region.kind != "solution":
                continue
            for line in source[region.start + 1:region.end]:
                if line.strip() and not line.strip().startswith("#") and len(_squeeze(line)) >= MIN_CHARS:
                    lines.append(line.strip())
    return lines


def leaks(path: Path) -> tuple[list[str], list[str]]:
    """``(solution lines, the leaked ones)`` of a homework notebook."""
    nb = load_notebook(path)
    homework = parse_notebook(nb, path.name)
    student = student_notebook(homework)
    text = _squeeze("\n".join(cell_source(c) for c in student.cells))
    lines = solution_lines(path)
    return lines, [line for line in lines if any(c in text for c in candidates(line))]


if __name__ == "__main__":
    for name in sys.argv[1:]:
        lines, leaked = leaks(Path(name))
        print(f"{name}: {len(leaked)} of {len(lines)} solution lines leak ({len(leaked) / max(1, len(lines)):.0%})")
        for line in leaked:
            print("   ", line)
