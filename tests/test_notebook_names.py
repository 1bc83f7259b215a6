"""No cell of any notebook uses a name that no earlier cell defines.

A static check, cell by cell in notebook order (the Colab bootstrap cell excluded: locally it does
nothing, so nothing may rely on what it imports). It reads every code cell, and every Python code
block of a markdown solution (``<details><summary>Solution``), because a solution that uses names the
notebook never defines ships to students as a puzzle with no answer (issue 26: notebook 02 had one).

Names come from: earlier cells and the cell itself (assignments, imports, ``def``, ``class``, ``for``,
``with ... as``, ``except ... as``, the walrus), Python's builtins, and what IPython puts in every
kernel (``get_ipython``, ``display``, ``In``, ``Out``). A function body may use a name defined later in
its own cell, but not one defined only in a later cell.
"""

from __future__ import annotations

import ast
import builtins
import json
import re
import symtable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
IPYTHON_NAMES = {"get_ipython", "display", "In", "Out", "exit", "quit"}
BOOTSTRAP = "# Course bootstrap"
SOLUTION_BLOCK = re.compile(r"<details>\s*<summary>\s*Solution.*?</details>", re.S | re.I)
PYTHON_BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def _python(source: str) -> str:
    """Cell source as plain Python: IPython magics and shell lines become ``pass``."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        return TransformerManager().transform_cell(source)
    except ImportError:  # pragma: no cover - IPython is part of the pinned environment
        return "\n".join("pass" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())


def _walk(table: symtable.SymbolTable, used: set, bound: set, top: bool) -> None:
    for sym in table.get_symbols():
        name = sym.get_name()
        if top:
            if sym.is_assigned() or sym.is_imported() or sym.is_namespace():
                bound.add(name)
            if sym.is_referenced():
                used.add(name)
        elif sym.is_referenced() and (sym.is_global() and not sym.is_declared_global()):
            used.add(name)          # a free name inside a function, class or comprehension: a global
    for child in table.get_children():
        _walk(child, used, bound, top=False)


def names_of(source: str) -> tuple[set, set]:
    """``(used, bound)``: global names ``source`` reads, and names it binds at the top level."""
    code = _python(source)
    table = symtable.symtable(code, "<cell>", "exec")
    used, bound = set(), set()
    _walk(table, used, bound, top=True)
    # a name a cell reads at the top level before it binds it (``print(x); x = 1``) must come from earlier
    first_bind, first_use = {}, {}
    for node in _top_level_names(ast.parse(code)):
        table_ = first_use if isinstance(node.ctx, ast.Load) else first_bind
        table_[node.id] = min(table_.get(node.id, (1 << 30, 0)), (node.lineno, node.col_offset))
    early = {n for n, at in first_use.items() if n in first_bind and at < first_bind[n]}
    return used, bound - early


def _top_level_names(tree: ast.AST):
    """The ``ast.Name`` nodes of the module scope: not inside functions, lambdas, classes or comprehensions."""
    scopes = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.ListComp, ast.SetComp,
              ast.DictComp, ast.GeneratorExp)
    stack = [tree]
    while stack:
        node = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Name):
                yield child
            elif not isinstance(child, scopes):
                stack.append(child)


def undefined_names(cells: list[tuple[str, str]]) -> list[str]:
    """``cells``: ``(where, python source)`` in notebook order. Returns ``"<where>: <name>"`` problems."""
    known = set(dir(builtins)) | IPYTHON_NAMES
    problems = []
    for where, source in cells:
        used, bound = names_of(source)
        missing = sorted(used - known - bound)
        problems.extend(f"{where}: {name}" for name in missing)
        known |= bound | (used & bound)
    return problems


def notebook_cells(path: Path) -> list[tuple[str, str]]:
    """The code cells (bootstrap excluded) and markdown solution code blocks of a notebook, in order."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    out = []
    for number, cell in enumerate(cells, start=1):
        source = "".join(cell["source"])
        if cell["cell_type"] == "code" and not source.startswith(BOOTSTRAP):
            out.append((f"cell {number} (code)", source))
        elif cell["cell_type"] == "markdown":
            for block in SOLUTION_BLOCK.findall(source):
                for code in PYTHON_BLOCK.findall(block):
                    out.append((f"cell {number} (markdown solution)", code))
    return out


def test_the_checker_finds_an_orphan_solution_and_a_bootstrap_import():
    cells = [("bootstrap", "import sys"), ("c2", "x = 1\ndef f():\n    return x + later\nlater = 2"),
             ("c3", "print(sys.argv)"), ("c4", "answer = ((2 * x + 1 - y) ** 2).mean()"),
             ("c5", "%matplotlib inline\nimport numpy as np\n[np.sin(i) for i in range(3)]"),
             ("c6", "print(z)\nz = 1")]
    assert undefined_names(cells[1:]) == ["c3: sys", "c4: y", "c6: z"]
    assert undefined_names([("a", "def g():\n    return h()\n"), ("b", "def h():\n    return 1\n")]) == ["a: h"]
    assert undefined_names([("a", "try:\n    pass\nexcept OSError as err:\n    print(err)\n"),
                            ("b", "with open('f') as fh:\n    pass\nfh.close()")]) == []


def test_markdown_solutions_are_read():
    nb = {"cells": [{"cell_type": "markdown", "source": "<details><summary>Solution</summary>\n\n```python\n"
                     "answer = x + 1\n```\n</details>"}]}
    path = REPO / "build" / "_names_probe.ipynb"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(nb), encoding="utf-8")
    try:
        assert undefined_names(notebook_cells(path)) == ["cell 1 (markdown solution): x"]
    finally:
        path.unlink()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_cell_uses_an_undefined_name(path):
    problems = undefined_names(notebook_cells(path))
    assert not problems, f"{path.name}: names used before any cell defines them:\n" + "\n".join(problems)
