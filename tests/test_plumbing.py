"""course_utils.plumbing: atomic writes, hashing, CPU count, the notebook check and the progress policy."""

from __future__ import annotations

import hashlib
import os
import sys

import pytest

from course_utils.plumbing import files, runtime, system


def test_atomic_write_replaces_the_whole_file(tmp_path):
    target = tmp_path / "sub" / "a.txt"
    files.atomic_write_text(target, "first")
    files.atomic_write_bytes(target, b"second")
    assert target.read_bytes() == b"second"
    assert sorted(p.name for p in target.parent.iterdir()) == ["a.txt"]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "a.bin"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError, match="disk full"):
        with files.atomic_writer(target) as handle:
            handle.write(b"half of the new")
            raise RuntimeError("disk full")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.bin"]


def test_new_files_are_ordinary_files(tmp_path):
    target = files.atomic_write_text(tmp_path / "n.txt", "x")
    assert target.stat().st_mode & 0o777 == 0o644


def test_sha256_file_matches_hashlib(tmp_path):
    data = os.urandom(3 * files.CHUNK + 17)
    path = tmp_path / "blob"
    path.write_bytes(data)
    assert files.sha256_file(path) == hashlib.sha256(data).hexdigest()


def test_usable_cpu_count_follows_affinity(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 3}, raising=False)
    assert system.usable_cpu_count() == 2
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    assert system.usable_cpu_count() == 1


def test_not_in_a_notebook_under_pytest():
    assert runtime.in_notebook() is False


@pytest.mark.parametrize("value, expected", [("plain", "plain"), ("bar", "bar"), ("none", "none"), ("", "plain")])
def test_progress_mode_reads_the_variable(monkeypatch, value, expected):
    monkeypatch.setenv("CI", "1")  # auto -> plain, whatever the terminal
    monkeypatch.setenv("COURSE_PROGRESS", value)
    assert runtime.progress_mode() == expected


def test_progress_mode_auto_is_a_bar_in_a_terminal_and_plain_in_a_file(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("COURSE_PROGRESS", raising=False)
    monkeypatch.setattr(sys, "stderr", open(os.devnull, "w"))
    assert runtime.progress_mode() == "plain"
    monkeypatch.setattr(runtime, "_stderr_is_terminal", lambda: True)
    assert runtime.progress_mode() == "bar"


def test_explicit_choice_wins_and_false_means_none(monkeypatch):
    monkeypatch.setenv("COURSE_PROGRESS", "bar")
    assert runtime.progress_mode("plain") == "plain"
    assert runtime.progress_mode(False) == "none"


def test_unknown_mode_names_the_variable_and_the_choices(monkeypatch):
    monkeypatch.setenv("COURSE_PROGRESS", "fancy")
    with pytest.raises(ValueError, match=r"COURSE_PROGRESS='fancy'.*auto, bar, plain, none"):
        runtime.progress_mode()
