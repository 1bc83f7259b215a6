"""The three audiences live in three places: students' ``course_utils``, instructors' ``course_tools``,
and the notebooks. Nothing a student runs may depend on the instructor's tools, because the student
edition does not ship them."""

from __future__ import annotations

import ast
import json
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
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    used = set().union(*(_imported_modules(src) for src in code))
    assert "course_tools" not in used


def test_the_crafted_import_is_detected():
    assert "course_tools" in _imported_modules("%matplotlib inline\nfrom course_tools.reference import notmnist\n")
    assert "course_tools" not in _imported_modules("import course_utils  # course_tools is not imported\n")
