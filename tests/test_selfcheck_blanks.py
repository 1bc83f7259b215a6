"""Run All ends at the first blank with a short message: a blank's NotImplementedError that reaches a check
through ``check_call`` is shown in four lines naming the task, what to write and where to look, instead of a
traceback; ``check_call``'s own frame is hidden from other tracebacks. Checked in a real IPython kernel."""

from __future__ import annotations

import re

import nbformat
import pytest
from nbclient import NotebookClient

from course_utils.checks.selfcheck import SCROLL_HERE_JS, blank_message

pytestmark = pytest.mark.integration

_ANSI = re.compile(r"\x1b\[[0-9;]*m")

TASK = '''# TASK toy.double (1 point): write double(x)
def double(x):
    # YOUR CODE HERE: replace the line below with your answer
    raise NotImplementedError("toy.double: return x added to itself")'''
CHECK = '''# TEST toy.double
from course_utils.checks.selfcheck import check_call, check_equal
check_equal("double(2)", check_call("double(2)", double, 2), 4)'''
DIRECT = "double(2)"                                             # the same blank, not called through a check
WRAPPER = '''def plain_call(function, *args):                         # a helper without __tracebackhide__
    return function(*args)
def todo():
    raise NotImplementedError("to do")                           # not a blank's stub message
'''


def run_cells(*sources: str) -> list:
    """Execute the cells in a fresh kernel, going on after errors; the error output of each cell (or None)."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    NotebookClient(nb, timeout=120, allow_errors=True, kernel_name="python3").execute()
    errors = []
    for cell in nb.cells:
        error = next((o for o in cell.outputs if o.output_type == "error"), None)
        scripts = [o["data"]["application/javascript"] for o in cell.outputs
                   if o.output_type == "display_data" and "application/javascript" in o.get("data", {})]
        errors.append(None if error is None else {"ename": error.ename, "evalue": error.evalue, "scripts": scripts,
                                                  "text": _ANSI.sub("", "\n".join(error.traceback))})
    return errors


@pytest.fixture(scope="module")
def shown():
    return run_cells(TASK, CHECK, DIRECT, WRAPPER,
                     'from course_utils.checks.selfcheck import check_call\ncheck_call("todo()", todo)',
                     "plain_call(todo)")


def test_a_blank_reached_through_a_check_is_four_lines_naming_the_task_and_where_to_look(shown):
    error = shown[1]
    lines = error["text"].splitlines()
    assert lines[0] == "NotImplementedError: toy.double is not done yet."
    assert lines[1] == "What to write: return x added to itself"
    assert "`# TASK toy.double`" in lines[2] and "in `double`" in lines[2] and "run this check again" in lines[2]
    assert "Run All stops at the first error" in lines[3] and len(lines) == 4
    assert "Traceback" not in error["text"] and "check_call" not in error["text"]
    # what the grader reads is unchanged: the error's type and its message
    assert error["ename"] == "NotImplementedError" and error["evalue"] == "toy.double: return x added to itself"


def test_jupyterlab_is_scrolled_to_the_blanks_message(shown):
    """After Run All, JupyterLab shows the last cell; the check's output scrolls the notebook back to the error
    (looked at in Chromium with Playwright; the screenshot is kept under build/screenshots/, not committed)."""
    assert shown[1]["scripts"] == [SCROLL_HERE_JS] and "scrollIntoView" in SCROLL_HERE_JS
    assert shown[2]["scripts"] == [] and shown[4]["scripts"] == [], "only for a blank reached through a check"


def test_control_the_same_blank_called_directly_shows_the_usual_traceback(shown):
    error = shown[2]
    assert "Traceback" in error["text"] and "not done yet" not in error["text"]
    assert len(error["text"].splitlines()) > 4


def test_check_call_hides_its_own_frame_from_other_tracebacks(shown):
    through_check, control = shown[4], shown[5]
    assert "Traceback" in through_check["text"] and "raise NotImplementedError(\"to do\")" in through_check["text"]
    assert "return function(*args, **kwargs)" not in through_check["text"], "check_call's frame is hidden"
    # control: a helper without __tracebackhide__ shows its frame
    assert "return function(*args)" in control["text"]


def test_blank_message_only_for_a_stubs_message():
    assert blank_message(NotImplementedError("to do")) is None
    assert blank_message(ValueError("mlp.model: two layers")) is None
    lines = blank_message(NotImplementedError("mlp.model: two nn.Linear layers"))
    assert lines[0] == "NotImplementedError: mlp.model is not done yet." and len(lines) == 4
