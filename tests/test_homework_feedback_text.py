"""What of the student's kernel's text reaches the feedback (feedback_text) and how it is escaped (report)."""

from __future__ import annotations

import pytest
from _markdown import split_fences  # tests/ is on sys.path (pytest rootdir import mode)

from course_tools.homework.feedback_text import error_text, exception_name, public_words, trace_positions
from course_tools.homework.records import CellError, CheckResult, SubmissionResult, WrittenAnswer
from course_tools.homework.report import escape_markdown, feedback_markdown, plain, summary_line

#: What IPython 8 sends for an error raised in a function defined in In[3] and called from In[5].
TRACEBACK = [
    "\x1b[0;31m---------------------------------------------------------------------------\x1b[0m",
    "\x1b[0;31mZeroDivisionError\x1b[0m                         Traceback (most recent call last)",
    "Cell \x1b[0;32mIn[5], line 2\x1b[0m\n\x1b[1;32m      1\x1b[0m x \x1b[38;5;241m=\x1b[39m \x1b[38;5;241m1\x1b[39m\n"
    "\x1b[0;32m----> 2\x1b[0m \x1b[43mratio\x1b[49m\x1b[43m(\x1b[49m\x1b[43mx\x1b[49m\x1b[43m)\x1b[49m\n",
    "Cell \x1b[0;32mIn[3], line 3\x1b[0m, in \x1b[0;36mratio\x1b[0;34m(x)\x1b[0m\n\x1b[1;32m      1\x1b[0m "
    "\x1b[38;5;28;01mdef\x1b[39;00m \x1b[38;5;21mratio\x1b[39m(x):\n",
    "\x1b[0;31mZeroDivisionError\x1b[0m: the payload is here, base85 of a hidden test",
]


def test_only_cell_and_line_numbers_are_read_from_a_traceback():
    assert trace_positions(TRACEBACK) == [(5, 2), (3, 3)]
    assert trace_positions("not a list") == [] and trace_positions([None, 3, {"x": 1}]) == []


@pytest.mark.parametrize("ename, shown", [("ZeroDivisionError", "ZeroDivisionError"),
                                          ("torch.OutOfMemoryError", "OutOfMemoryError"),
                                          ("Error <img src=x>", "an error"), ("", "an error"),
                                          ("x" * 200, "an error"), ("a\nb", "an error")])
def test_an_exception_name_is_shown_only_if_it_looks_like_one(ename, shown):
    assert exception_name(ename) == shown


def test_an_error_is_its_type_and_the_students_line_never_its_message():
    text = error_text("ZeroDivisionError", "the payload is here", [4, 3, "    return total / count"])
    assert text == "ZeroDivisionError in your cell 4, line 3: return total / count"
    assert "payload" not in error_text("ValueError", "the payload is here", None)
    assert error_text("ValueError", "x", [None, 7, ""]) == "ValueError in your line 7"
    long_line = error_text("ValueError", "", [1, 1, "y = " + "1 + " * 100])
    assert long_line.endswith(" ...") and len(long_line) < 220


def test_a_name_error_names_only_a_public_name():
    public = public_words(["model = MLP()\n", "check_shape(model(x), (4, 10))"])
    assert {"MLP", "model", "check_shape"} <= public
    assert error_text("NameError", "name 'MLP' is not defined", None, public) == "NameError: name 'MLP' is not defined"
    smuggled = error_text("NameError", "name 'hidden_expected_0_731' is not defined", None, public)
    assert smuggled == "NameError"


# --------------------------------------------------------------------------- escaping
@pytest.mark.parametrize("raw, escaped", [
    ("<script>alert(1)</script>", "\\<script\\>alert(1)\\</script\\>"),
    ("![t](http://evil.example/t.png)", "\\!\\[t\\](http://evil.example/t.png)"),
    ("a *b* _c_ `d` | e ~f~ & {g}", "a \\*b\\* \\_c\\_ \\`d\\` \\| e \\~f\\~ \\& \\{g\\}"),
    ("# heading", "\\# heading"), ("  - item", "  \\- item"), ("1. first", "\\1. first"), ("> quote", "\\> quote"),
    ("x - y = 3 + 4", "x - y = 3 + 4"),  # in the middle of a line they mean nothing
    ("back\\slash", "back\\\\slash"), ("tab\there", "tab\there"),
    ("bell\x07 esc\x1b[31m rtl\u202e", "bell? esc?\\[31m rtl?"),
])
def test_escape_markdown_shows_every_character_as_itself(raw, escaped):
    assert escape_markdown(raw) == escaped


def test_escape_markdown_one_line_joins_lines_so_no_block_can_start():
    assert escape_markdown("first\n\n# second\r\n---", one_line=True) == "first # second ---"
    assert escape_markdown("first\n# second") == "first\n\\# second"


def test_the_feedback_file_escapes_every_text_the_student_controls():
    result = SubmissionResult(status="graded", notebook="04.ipynb", points={"t": 0.0}, task_points={"t": 1.0},
                              max_points=1.0)
    result.notes.append("cell 3: test cell '# TEST <b>x</b>' is not part of this homework: ignored")
    result.checks.append(CheckResult(name="t: r", task="t", requirement="r", text="a requirement", points=1.0,
                                     passed=False, message="expected <i>4</i>\n# not a heading"))
    result.cell_errors.append(CellError(cell=3, text="ValueError in your cell 3, line 1: raise ValueError('<img>')"))
    result.written.append(WrittenAnswer(id="q1", question="Question 1", answer="<script>x</script>\n\n## big"))
    text = feedback_markdown("=<b>evil`name`\x1b[2J.ipynb", result)
    # written answers are quoted in a fenced block (nothing in it renders); everything else is escaped
    outside, inside = split_fences(text)
    assert "<script>x</script>" in inside.split("\n") and "## big" in inside.split("\n")
    for raw in ("<b>", "<i>", "<img>", "<script>", "\n# not", "\n## big", "\x1b"):
        assert raw not in outside, raw
    assert "\x1b" not in text
    assert text.startswith("# Feedback for `=‹b›evil'name'?[2J.ipynb`")  # a code span: markup in it is not read


def test_the_terminal_summary_carries_no_control_characters():
    result = SubmissionResult(status="invalid")
    result.notes.append("refused\x1b]0;owned\x07")
    assert "\x1b" not in summary_line("a\x1b[2Jb.ipynb", result) and plain("\x9b31m") == "?31m"
