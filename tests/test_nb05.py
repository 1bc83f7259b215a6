"""Notebook 05 (the notMNIST Dataset homework) never uses the course's own notMNIST class.

The student edition replaces ``course_utils/data/notmnist.py`` with a stub (see ``data/README.md``).
A notebook cell that used it would fail there with the stub's ``NotImplementedError``, which the
homework run check accepts as "a blank", so the end-to-end homework test would not notice: this
test does, by reading the code of every cell.
"""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "05_notmnist_dataset_homework.ipynb"
FORBIDDEN_NAMES = {"NotMNIST"}  # the class of course_utils.data.notmnist
FORBIDDEN_MODULE = "course_utils.data.notmnist"


def _cell_trees() -> list[tuple[int, ast.AST]]:
    from IPython.core.inputtransformer2 import TransformerManager

    nb = nbformat.read(NOTEBOOK, as_version=4)
    trees = []
    for number, cell in enumerate(nb.cells, start=1):
        if cell.cell_type == "code":
            trees.append((number, ast.parse(TransformerManager().transform_cell(cell.source))))
    return trees


def _uses(tree: ast.AST) -> list[str]:
    """What in ``tree`` refers to the course's notMNIST class or module."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES:
            found.append(f"name {node.id}")
        elif isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_NAMES | {"notmnist"}:
            found.append(f"attribute .{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module == FORBIDDEN_MODULE or node.module.startswith(FORBIDDEN_MODULE + "."):
                found.append(f"from {node.module} import ...")
            found += [f"import {a.name} from {node.module}" for a in node.names
                      if a.name in FORBIDDEN_NAMES | {"notmnist"}]
        elif isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if a.name.startswith(FORBIDDEN_MODULE)]
    return found


@pytest.mark.skipif(not NOTEBOOK.exists(), reason="notebook 05 not written yet")
def test_notebook_05_does_not_use_the_homework_answer():
    problems = [f"cell {number}: {what}" for number, tree in _cell_trees() for what in _uses(tree)]
    assert problems == [], ("notebook 05 uses the course's NotMNIST, which the student edition stubs out: "
                            + "; ".join(problems))


def test_the_check_finds_each_kind_of_use():
    for source in ("from course_utils.data import NotMNIST", "import course_utils.data.notmnist",
                   "from course_utils.data.notmnist import font_of", "x = course_utils.data.NotMNIST.embedded()",
                   "from course_utils.data import notmnist"):
        assert _uses(ast.parse(source)), source
    for source in ("class NotMNISTDataset: pass", "from course_utils.data import extract_archive, fetch",
                   "ds = NotMNISTDataset(folder)"):
        assert _uses(ast.parse(source)) == [], source
