"""The three audiences live in three places: students' ``course_utils``, instructors' ``course_tools``,
and the notebooks. Nothing a student runs may depend on the instructor's tools, because the student
edition does not ship them."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
STUDENT_PACKAGE = REPO / "course_utils"
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def _imported_modules(source: str) -> set[str]:
    """Top-level module names imported by ``source`` (IPython magics and shell lines dropped)."""
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    tree = ast.parse("\n".join(lines))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", sorted(STUDENT_PACKAGE.rglob("*.py")), ids=lambda p: p.relative_to(REPO).as_posix())
def test_student_package_never_imports_instructor_tools(path):
    assert "course_tools" not in _imported_modules(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_never_import_instructor_tools(path):
    """Except in the grading questions' cells (``# QUESTIONS <task>``), which run in the grader and never ship:
    ``release`` strips them from the student edition."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    used = set().union(*(_imported_modules(src) for src in code if not src.startswith("# QUESTIONS ")))
    assert "course_tools" not in used


def test_the_crafted_import_is_detected():
    assert "course_tools" in _imported_modules("%matplotlib inline\nfrom course_tools.reference import notmnist\n")
    assert "course_tools" not in _imported_modules("import course_utils  # course_tools is not imported\n")


def _pointed_files(text: str) -> set[str]:
    """Repository files named in notebook text, e.g. ``docs/FACTS.md`` or ``../data/README.md``."""
    found = re.findall(r"(?<![\w/])(?:\.\./)?((?:docs|data|course_utils)/[\w./-]*\w\.(?:md|py|json|txt))", text)
    return set(found)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_file_a_notebook_points_to_ships_in_the_student_edition(path):
    from course_tools.homework.config import STUDENT_EDITION_PATHS

    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    pointed = set().union(*(_pointed_files("".join(c["source"])) for c in cells))
    for rel in sorted(pointed):
        assert (REPO / rel).is_file(), f"{path.name} points to {rel}, which does not exist"
        shipped = any(rel == p or rel.startswith(p.rstrip("/") + "/") for p in STUDENT_EDITION_PATHS)
        assert shipped, f"{path.name} points to {rel}, which the student edition does not ship"


def test_the_pointer_finder_sees_links_and_code_spans():
    text = "see [the facts](../docs/FACTS.md) and `data/README.md`, not data/embedded/ or notes.md"
    assert _pointed_files(text) == {"docs/FACTS.md", "data/README.md"}
