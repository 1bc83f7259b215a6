"""Numbers in the notebooks' headings count up: sections, tasks, exercises, questions.

A reader finds "Task 4" after "Task 3", never a second "Task 3" (issue 26: notebook 05 had two). In
each notebook, separately:

- numbered sections ``## N. Title`` count up by one (from 0 or 1);
- homework tasks ``### Task N`` count up by one from 1;
- lesson exercises (``### Exercise N`` or ``**Exercise N.**``) count up by one from 1;
- written questions (``**Question N**``) count up by one from 1.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))

PATTERNS = {
    "section": re.compile(r"(?m)^## (\d+)\. "),
    "task": re.compile(r"(?m)^### Task (\d+)\b"),
    "exercise": re.compile(r"(?m)(?:^### Exercise (\d+)\b|\*\*Exercise (\d+)\.?\*\*)"),
    "question": re.compile(r"\*\*Question (\d+)\b"),
}


def numbers(markdown: list[str], kind: str) -> list[int]:
    """The numbers of every ``kind`` heading, in the order they appear."""
    found = []
    for text in markdown:
        text = re.sub(r"```.*?```", "", text, flags=re.S)        # not inside code blocks
        for match in PATTERNS[kind].finditer(text):
            found.append(int(next(g for g in match.groups() if g is not None)))
    return found


def problems(found: list[int], kind: str) -> list[str]:
    """What is out of order: a number that is not one more than the one before."""
    if not found:
        return []
    first_ok = {0, 1} if kind == "section" else {1}
    out = [] if found[0] in first_ok else [f"the first {kind} is {found[0]}"]
    for before, after in zip(found, found[1:]):
        if after != before + 1:
            out.append(f"{kind} {after} follows {kind} {before}")
    return out


def _markdown(path: Path) -> list[str]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]


def test_the_counter_sees_a_repeated_task():
    md = ["### Task 1: a\n", "### Task 2: b", "### Task 3: c", "### Task 3: d\n```\n### Task 9\n```"]
    assert numbers(md, "task") == [1, 2, 3, 3]
    assert problems(numbers(md, "task"), "task") == ["task 3 follows task 3"]
    assert numbers(["✏️ **Exercise 2.** x", "### Exercise 3: y"], "exercise") == [2, 3]
    assert problems([2, 3], "exercise") == ["the first exercise is 2"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
@pytest.mark.parametrize("kind", sorted(PATTERNS))
def test_heading_numbers_count_up(path, kind):
    found = problems(numbers(_markdown(path), kind), kind)
    assert not found, f"{path.name}: " + "; ".join(found)
