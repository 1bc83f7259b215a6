"""`make check`'s runner: each task's check cell reported as passed, not done yet or failed; going on after an
error; the notebook file unchanged; the exit status; notebooks without tasks skipped (a real kernel)."""

from __future__ import annotations

import nbformat
import pytest

from course_utils.checks import runner

pytestmark = pytest.mark.integration

CELLS = [
    ("markdown", "# Toy homework"),
    ("code", "# TASK toy.one (1 point)\ndef one():\n    return 1"),
    ("code", "# TEST toy.one\nfrom course_utils.checks.selfcheck import check_call, check_equal, passed\n"
             "check_equal('one()', check_call('one()', one), 1)\npassed('toy.one')"),
    ("code", "# TASK toy.two (1 point)\ndef two():\n    # YOUR CODE HERE: replace the line below with your answer\n"
             "    raise NotImplementedError('toy.two: return the number two')"),
    ("code", "# TEST toy.two\nfrom course_utils.checks.selfcheck import check_call, check_equal\n"
             "check_equal('two()', check_call('two()', two), 2)"),
    ("code", "# TASK toy.three (1 point)\ndef three():\n    return 4"),
    ("code", "# TEST toy.three\nfrom course_utils.checks.selfcheck import check_call, check_equal\n"
             "check_equal('three()', check_call('three()', three), 3, hint='count again')"),
]


def _write(path, cells):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) if kind == "code" else
                                         nbformat.v4.new_markdown_cell(s) for kind, s in cells])
    nbformat.write(nb, str(path))
    return path


def test_each_task_is_reported_and_the_file_is_not_changed(tmp_path, capsys):
    path = _write(tmp_path / "toy.ipynb", CELLS)
    before = path.read_bytes()
    checks = runner.run_checks(path)
    assert [(c.task, c.status) for c in checks] == [("toy.one", "passed"), ("toy.two", "not done yet"),
                                                   ("toy.three", "failed")]
    assert checks[1].message == "return the number two" and checks[1].cell == 5
    assert "`three()` should be 3, but it is 4." in checks[2].message and "Hint: count again" in checks[2].message
    assert path.read_bytes() == before
    _write(tmp_path / "lesson.ipynb", [("code", "print('no tasks here')")])
    assert runner.main([str(tmp_path)]) == 1                # toy.ipynb has tasks that do not pass
    out = capsys.readouterr().out
    assert "lesson.ipynb" not in out and "1 of 3 task checks passed" in out
    assert "Fill in the blank in the cell `# TASK toy.two`, above its check (cell 5)." in out


def test_exit_status_zero_when_every_check_passes_and_two_when_nothing_to_run(tmp_path, capsys):
    path = _write(tmp_path / "done.ipynb", CELLS[:3])
    assert runner.main([str(path)]) == 0
    assert "1 of 1 task checks passed." in capsys.readouterr().out
    assert runner.main([str(tmp_path / "missing.ipynb")]) == 2
    (tmp_path / "empty").mkdir()
    _write(tmp_path / "empty" / "lesson.ipynb", [("code", "1")])
    assert runner.main([str(tmp_path / "empty")]) == 2
    assert "no homework notebook" in capsys.readouterr().err
