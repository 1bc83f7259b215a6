"""The committed notebooks are executed, in order, without errors, warnings or Colab-only outputs.

Strict nbval silently skips a cell that has no execution count, so these checks are what make the
notebook tests mean something. The rules themselves are tested on crafted notebooks below.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from course_tools import notebooks as nbtools
from course_tools.translation import translations

REPO = Path(__file__).resolve().parent.parent
# The English notebooks and their translations (notebooks/ko/ ...).
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb")) + translations()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(REPO / "notebooks").as_posix())
def test_committed_notebook_is_clean(path):
    assert nbtools.lint(path) == []


def _write(tmp_path, cells, name="nb.ipynb"):
    nb = nbformat.v4.new_notebook(cells=cells)
    path = tmp_path / name
    nbformat.write(nb, path)
    return path


def _head():
    return [nbformat.v4.new_markdown_cell("# T\n\n" + nbtools.badge_markdown("notebooks/nb.ipynb")),
            nbformat.v4.new_code_cell(nbtools.bootstrap_source(), execution_count=1)]


def _code(src, count, outputs=()):
    return nbformat.v4.new_code_cell(src, execution_count=count, outputs=list(outputs))


def test_clean_crafted_notebook_passes(tmp_path):
    path = _write(tmp_path, _head() + [_code("print(1)", 2, [nbformat.v4.new_output("stream", text="1\n")])])
    assert nbtools.lint(path) == []


@pytest.mark.parametrize("cells, fragment", [
    ([_code("x = 1", None)], "never executed"),
    ([_code("x = 1", 3)], "out of order"),
    ([_code("1/0", 2, [nbformat.v4.new_output("error", ename="ZeroDivisionError", evalue="division by zero",
                                              traceback=[])])], "raised ZeroDivisionError"),
    ([_code("import warnings", 2, [nbformat.v4.new_output("stream", name="stderr", text="UserWarning: x\n")])],
     "wrote to stderr"),
    ([_code("x", 2, [nbformat.v4.new_output("execute_result", execution_count=2, data={
        "text/plain": "1", "application/vnd.google.colaboratory.intrinsic+json": {"type": "string"}})])],
     "Colab-only output"),
    ([_code("print('x' * 30000)", 2, [nbformat.v4.new_output("stream", text="x" * 30000)])], "characters of text"),
    ([_code("", None)], "empty code cell"),
])
def test_each_rule_fires(tmp_path, cells, fragment):
    problems = nbtools.lint(_write(tmp_path, _head() + cells))
    assert any(fragment in p for p in problems), problems


def test_expected_exception_is_allowed(tmp_path):
    cell = _code("# NBVAL_RAISES_EXCEPTION\n1/0", 2, [nbformat.v4.new_output(
        "error", ename="ZeroDivisionError", evalue="division by zero", traceback=[])])
    assert nbtools.lint(_write(tmp_path, _head() + [cell])) == []


def test_missing_badge_and_bootstrap(tmp_path):
    path = _write(tmp_path, [nbformat.v4.new_markdown_cell("# T"), _code("x = 1", 1)])
    problems = nbtools.lint(path)
    assert any("no 'Open in Colab' badge" in p for p in problems)
    assert any("bootstrap cell" in p for p in problems)


def test_corrupt_json(tmp_path):
    path = tmp_path / "bad.ipynb"
    path.write_text("{not json")
    assert any("not valid JSON" in p for p in nbtools.lint(path))


def test_a_failed_claim_cannot_be_committed(tmp_path):
    cell = _code("claim('x', False)", 2, [nbformat.v4.new_output("stream", text="✗ x: not on this run.\n")])
    problems = nbtools.lint(_write(tmp_path, _head() + [cell]))
    assert any("a claim of the text does not hold" in p for p in problems), problems


def test_an_ignored_output_needs_a_reason(tmp_path):
    cell = _code("# NBVAL_IGNORE_OUTPUT\nprint(1)", 2, [nbformat.v4.new_output("stream", text="1\n")])
    problems = nbtools.lint(_write(tmp_path, _head() + [cell]))
    assert any("without a reason" in p for p in problems), problems


def test_cpu_dependent_figures_must_be_followed_by_a_claim(tmp_path):
    ignored = _code("# NBVAL_IGNORE_OUTPUT\n# (figures move with the CPU: the claims below are compared)\nprint(0.1234)", 2,
                    [nbformat.v4.new_output("stream", text="0.1234\n")])
    claims = _code("claim('small', True)", 3, [nbformat.v4.new_output("stream", text="✓ small\n")])
    heading = nbformat.v4.new_markdown_cell("## Next section")
    # control: with the claim right after, the notebook is clean
    assert nbtools.lint(_write(tmp_path, _head() + [ignored, claims], "ok.ipynb")) == []
    # the claim only after the next section heading does not back the figures
    problems = nbtools.lint(_write(tmp_path, _head() + [ignored, heading, claims], "late.ipynb"))
    assert any("no claim(...) follows" in p for p in problems), problems
