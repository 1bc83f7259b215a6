"""course_tools.homework.intake: submissions found without following links, read safely, parsed in a child."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time

import pytest

from course_tools.homework import config, intake
from course_tools.homework.grade import expand_submissions

NB = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
      "cells": [{"cell_type": "code", "source": ["x = 1\n", "print(x)"], "metadata": {}, "outputs": [],
                 "execution_count": None},
                {"cell_type": "markdown", "source": "# A title", "metadata": {}}]}


@pytest.fixture
def folder(tmp_path):
    """A submissions folder with every kind of entry."""
    subs = tmp_path / "subs"
    (subs / "alice").mkdir(parents=True)
    (subs / "alice" / "hw.ipynb").write_text(json.dumps(NB))
    (subs / "alice" / ".ipynb_checkpoints").mkdir()
    (subs / "alice" / ".ipynb_checkpoints" / "hw-checkpoint.ipynb").write_text(json.dumps(NB))
    (subs / "fifo.ipynb").parent.mkdir(exist_ok=True)
    os.mkfifo(subs / "fifo.ipynb")
    (subs / "zero.ipynb").symlink_to("/dev/zero")
    outside = tmp_path / "instructor"
    outside.mkdir()
    (outside / "solution.ipynb").write_text(json.dumps(NB))
    (subs / "solution.ipynb").symlink_to(outside / "solution.ipynb")
    (subs / "bob").symlink_to(outside, target_is_directory=True)
    (subs / "notes.txt").write_text("not a notebook")
    return subs


def test_discover_lists_link_and_fifo_entries_and_never_enters_a_linked_folder(folder):
    found, notes = intake.discover([folder])
    names = sorted(path.relative_to(folder).as_posix() for path, _ in found)
    assert names == ["alice/hw.ipynb", "fifo.ipynb", "solution.ipynb", "zero.ipynb"]
    assert notes == ["bob: a symbolic link to a folder, not entered (links are never followed)"]


def test_labels_name_a_link_by_its_own_path_not_its_target(folder):
    notes: list = []
    labels = [label for _, label in expand_submissions([folder], notes)]
    assert labels == ["alice/hw.ipynb", "fifo.ipynb", "solution.ipynb", "zero.ipynb"]
    assert notes and "bob" in notes[0]


def test_a_submissions_folder_named_by_the_instructor_may_be_a_link(folder, tmp_path):
    (tmp_path / "via-link").symlink_to(folder, target_is_directory=True)
    found, _ = intake.discover([tmp_path / "via-link"])
    assert len(found) == 4


@pytest.mark.parametrize("entry, kind", [("fifo.ipynb", "a FIFO (named pipe)"), ("zero.ipynb", "a symbolic link"),
                                         ("solution.ipynb", "a symbolic link"), ("alice", "a folder")])
def test_only_regular_files_are_read_and_nothing_blocks(folder, entry, kind):
    started = time.monotonic()
    with pytest.raises(intake.RefusedFile) as refused:
        intake.read_bytes(folder / entry)
    assert f"this entry is {kind}, not a regular file" in str(refused.value)
    assert intake.load_submission(folder / entry)[0] is None
    assert intake.file_sha256(folder / entry) == ""
    assert time.monotonic() - started < 5


def test_a_regular_file_is_read_and_hashed(folder):
    path = folder / "alice" / "hw.ipynb"
    assert intake.read_bytes(path) == path.read_bytes()
    assert intake.file_sha256(path) == hashlib.sha256(path.read_bytes()).hexdigest()
    nb, problem = intake.load_submission(path)
    assert problem is None
    assert nb == {"cells": [{"cell_type": "code", "source": "x = 1\nprint(x)"},
                            {"cell_type": "markdown", "source": "# A title"}]}


def test_a_file_over_the_cap_is_refused_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "MAX_SUBMISSION_BYTES", 1000)
    path = tmp_path / "big.ipynb"
    path.write_bytes(b"{" + b" " * 2000 + b"}")
    nb, problem = intake.load_submission(path)
    assert nb is None and "2,002 bytes" in problem and "at most 1,000" in problem and "Clear all outputs" in problem


def test_a_code_cell_over_the_cap_is_refused_with_its_number(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "MAX_CELL_CHARS", 50)
    nb = json.loads(json.dumps(NB))
    nb["cells"].append({"cell_type": "markdown", "source": "m" * 500, "metadata": {}})  # prose is not capped
    nb["cells"].append({"cell_type": "code", "source": "y = 2\n" * 20, "metadata": {}, "outputs": [],
                        "execution_count": None})
    (tmp_path / "nb.ipynb").write_text(json.dumps(nb))
    result, problem = intake.load_submission(tmp_path / "nb.ipynb")
    assert result is None and problem.startswith("cell 4 holds 120 characters of code") and "at most 50" in problem


@pytest.mark.parametrize("raw, words", [(b"\xff\xfe not utf-8", "not text"), (b'{"cells": [', "damaged (invalid JSON"),
                                        (b"hello", "not JSON"), (b'{"cells": 3}', "no list of cells"),
                                        (b"[" * 100_000 + b"]" * 100_000, "not JSON")])
def test_broken_files_get_a_clear_reason(tmp_path, raw, words):
    (tmp_path / "x.ipynb").write_bytes(raw)
    nb, problem = intake.load_submission(tmp_path / "x.ipynb")
    assert nb is None and words in problem


def test_an_old_notebook_format_is_converted_in_the_child(tmp_path):
    v3 = {"nbformat": 3, "nbformat_minor": 0, "metadata": {},
          "worksheets": [{"cells": [{"cell_type": "code", "input": "x = 3", "language": "python", "outputs": []}]}],
          "cells": []}
    (tmp_path / "old.ipynb").write_text(json.dumps(v3))
    nb, problem = intake.load_submission(tmp_path / "old.ipynb")
    assert problem is None and nb["cells"] == [{"cell_type": "code", "source": "x = 3"}]


def test_the_parser_runs_under_a_memory_limit(tmp_path, monkeypatch):
    """A parse that needs more memory than the limit fails in the child with a note; the grader goes on."""
    monkeypatch.setattr(config, "INTAKE_MEMORY_BYTES", 64 * 1024**2)
    cells = [{"cell_type": "code", "source": "x", "metadata": {}, "outputs": [], "execution_count": None}] * 200_000
    (tmp_path / "many.ipynb").write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}))
    monkeypatch.setattr(config, "MAX_SUBMISSION_BYTES", 50 * 1024**2)
    nb, problem = intake.load_submission(tmp_path / "many.ipynb")
    assert nb is None and "more than the 64 MiB of memory the grader allows" in problem
    # control: the same file parses in the grader's own process (where nothing would have stopped it)
    done = subprocess.run([sys.executable, "-c", f"import json; print(len(json.load(open({str(tmp_path / 'many.ipynb')!r}))['cells']))"],
                          capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "200000"
