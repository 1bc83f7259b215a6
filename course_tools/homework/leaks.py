"""The leak share: how much of a homework's answer its student edition already shows.

One definition, used by ``make hw-audit`` (``audit``), by the test suite and by
``python -m course_tools.homework.leaks notebooks/`` (which prints every leaked line and where it was found):

- A *solution line* is a line of code between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` in a task cell that
  is not blank and not a comment (``# HINT:`` lines included), and whose text has at least ``LEAK_MIN_CHARS`` (14)
  characters other than whitespace. Shorter lines (``return x * x``, ``self.count = 0``) are too common to tell
  anything.
- Its *units* are the line itself and, when the line starts an assignment (``=``, ``+=``, ``x: T =``) or a
  ``return``, the assigned or returned expression, each with whitespace removed and kept when 14+ characters long.
  The expression is found with Python's parser, so the ``=`` of a keyword argument (``mkdir(parents=True)``) is
  not mistaken for an assignment.
- The line *leaks* when one of its units appears, whitespace ignored, in any cell (code or markdown) of any
  notebook of the student edition: the homework's own task text, hints, stubs and visible tests, and the other
  notebooks (a lesson that shows the answer's line shows it to the student as well).
- The *share* of a homework notebook is leaked lines / solution lines. ``lint`` reports every homework notebook's
  share and the total, and fails for a notebook above ``config.LEAK_LIMIT`` (10 %).

What it does not see: the student package's source (``course_utils``), the README, and answers that are shown
reworded or split over several lines.
"""

from __future__ import annotations

import argparse
import ast
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Sequence

from . import config
from .markers import CODE_MARKER, Homework, MarkerError, cell_source
from .release import ReleaseError, parse_all, student_notebook, translation_of

#: Shortest piece of solution code (whitespace removed) that counts: shorter ones are too common to tell.
LEAK_MIN_CHARS = 14


@dataclass
class LeakShare:
    """How many of a homework notebook's solution lines the student edition already shows.

    ``leaked`` lists the leaked solution lines (stripped), ``found_in`` says for each where the edition shows it
    (``"03_pytorch_basics.ipynb, cell 85"``).
    """

    notebook: str
    lines: int = 0
    leaked: list = field(default_factory=list)
    found_in: dict = field(default_factory=dict)

    @property
    def share(self) -> float:
        return len(self.leaked) / self.lines if self.lines else 0.0


def _squeeze(text: str) -> str:
    return "".join(text.split())


def _values_by_line(code: str) -> Optional[dict]:
    """``{line number (1-based) in code: [source of the value assigned or returned by the statement starting
    there]}``; ``None`` when ``code`` does not parse on its own."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    values: dict = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return)) and node.value is not None:
            segment = ast.get_source_segment(code, node.value)
            if segment:
                values.setdefault(node.lineno, []).append(segment)
    return values


def solution_units(line: str, values: Optional[Sequence[str]] = None) -> list[str]:
    """The pieces of one solution line looked for in the edition (whitespace removed, 14+ characters each): the
    line, then ``values`` (the expressions it assigns or returns). Without ``values``, the line is parsed on its
    own to find them."""
    if values is None:
        found = _values_by_line(textwrap.dedent(line).strip())
        values = (found or {}).get(1, [])
    units = []
    for piece in (line, *values):
        squeezed = _squeeze(piece)
        if len(squeezed) >= LEAK_MIN_CHARS and squeezed not in units:
            units.append(squeezed)
    return units


def solution_lines(homework: Homework) -> list[tuple[str, list[str]]]:
    """``(stripped line, its units)`` for every solution line of a parsed homework notebook, in order."""
    found = []
    for info in homework.tasks.values():
        lines = cell_source(homework.nb.cells[info.index]).splitlines()
        for region in (r for r in info.regions if r.kind == "solution"):
            body = lines[region.start + 1:region.end]
            values = _values_by_line(textwrap.dedent("\n".join(body))) or {}
            for number, line in enumerate(body, start=1):
                stripped = line.strip()
                if not stripped or stripped.startswith("#") or CODE_MARKER.match(line):
                    continue
                units = solution_units(line, values.get(number, []))
                if units:
                    found.append((stripped, units))
    return found


def leak_shares(notebooks_dir: Path, root: Optional[Path] = None) -> list[LeakShare]:
    """For each homework notebook under ``notebooks_dir``: its solution lines and which of them the student
    edition's notebooks show (see the module docstring)."""
    notebooks_dir = Path(notebooks_dir)
    parsed = parse_all(notebooks_dir, Path(root) if root else notebooks_dir.resolve().parent)
    edition = [(path.name, number, _squeeze(cell_source(cell)))
               for path, _, homework in parsed
               for number, cell in enumerate(student_notebook(homework).cells, start=1)]
    shares = []
    for path, rel, homework in parsed:
        if not homework.is_homework or translation_of(rel):   # a translation's solution lines are its source's
            continue
        share = LeakShare(notebook=path.name)
        for line, units in solution_lines(homework):
            share.lines += 1
            where = next((f"{name}, cell {number}" for name, number, text in edition
                          if any(unit in text for unit in units)), None)
            if where is not None:
                share.leaked.append(line)
                share.found_in[line] = where
        shares.append(share)
    return shares


def leak_report(notebooks_dir: Path, root: Optional[Path] = None, *, details: bool = False) -> str:
    """The leak share per homework notebook and in total, as ``lint`` prints it ("" without homework);
    ``details`` adds each leaked line and where the edition shows it."""
    try:
        shares = leak_shares(notebooks_dir, root)
    except (MarkerError, ReleaseError):
        return ""
    if not shares:
        return ""
    lines = [f"leak share (solution lines the student edition's notebooks already show; limit "
             f"{config.LEAK_LIMIT:.0%} per homework notebook):"]
    for share in shares:
        lines.append(f"  {share.notebook}: {len(share.leaked)}/{share.lines} = {share.share:.1%}")
        if details:
            lines += [f"      {line}    [{share.found_in[line]}]" for line in share.leaked]
    leaked, total = sum(len(s.leaked) for s in shares), sum(s.lines for s in shares)
    lines.append(f"  total: {leaked}/{total} = {leaked / total if total else 0.0:.1%}")
    return "\n".join(lines)


def leak_problems(notebooks_dir: Path, root: Optional[Path] = None) -> list[str]:
    """One problem per homework notebook whose leak share is above ``config.LEAK_LIMIT``, listing its leaked
    lines and where they are shown."""
    problems = []
    for share in leak_shares(notebooks_dir, root):
        if share.share <= config.LEAK_LIMIT:
            continue
        shown = [f"{line}    [{share.found_in[line]}]" for line in share.leaked]
        problems.append(
            f"{share.notebook}: {len(share.leaked)} of {share.lines} solution lines ({share.share:.1%}, limit "
            f"{config.LEAK_LIMIT:.0%}) appear in the student edition (task text, hints, visible tests or other "
            "notebooks): reword them so they point at the idea, not the code:\n    " + "\n    ".join(shown))
    return problems


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_tools.homework.leaks",
                                     description="Print each homework notebook's leak share and its leaked lines.")
    parser.add_argument("notebooks", type=Path, nargs="?", default=Path("notebooks"),
                        help="the instructor's notebooks folder (default: notebooks)")
    args = parser.parse_args(argv)
    report = leak_report(args.notebooks, details=True)
    print(report or f"no homework notebooks under {args.notebooks}")
    return 1 if leak_problems(args.notebooks) else 0


if __name__ == "__main__":
    sys.exit(main())
