"""course_utils.plumbing.locks: one holder at a time, a clear timeout, released by a killed process."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest

from course_utils.plumbing import locks
from course_utils.plumbing.locks import LockTimeout, file_lock


def test_lock_is_held_then_removed(tmp_path):
    path = tmp_path / ".f.lock"
    with file_lock(path) as held:
        assert held == path and path.exists()
    assert not path.exists()


def test_second_holder_times_out_with_a_clear_message(tmp_path):
    path = tmp_path / ".f.lock"
    waits = []
    with file_lock(path):
        start = time.monotonic()
        with pytest.raises(LockTimeout) as info:
            with file_lock(path, timeout=0.3, on_wait=lambda: waits.append(1)):
                pytest.fail("two holders at once")  # pragma: no cover
        assert time.monotonic() - start >= 0.3
    assert info.value.path == path and "Another process holds the lock" in str(info.value)
    assert waits == [1]  # told once that it is waiting


def test_waiter_gets_the_lock_when_it_is_released(tmp_path):
    path = tmp_path / ".f.lock"
    order = []
    released = threading.Event()

    def waiter():
        with file_lock(path, timeout=10):
            order.append("waiter" if released.is_set() else "too early")

    with file_lock(path):
        thread = threading.Thread(target=waiter)
        thread.start()
        time.sleep(0.3)
        released.set()
    thread.join(timeout=10)
    assert order == ["waiter"]


def test_a_killed_holder_releases_the_lock(tmp_path):
    path = tmp_path / ".f.lock"
    code = ("import sys, time; from course_utils.plumbing.locks import file_lock\n"
            "with file_lock(sys.argv[1]):\n    print('held', flush=True); time.sleep(60)\n")
    holder = subprocess.Popen([sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(LockTimeout):
            with file_lock(path, timeout=0.2):
                pass  # pragma: no cover
        holder.kill()  # no clean exit: the operating system drops the lock
        holder.wait(timeout=10)
        with file_lock(path, timeout=5):
            pass
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait(timeout=10)
        holder.stdout.close()


def test_a_lock_file_replaced_while_waiting_is_locked_again(tmp_path, monkeypatch):
    path = tmp_path / ".f.lock"
    answers = iter([False, True])  # the first file we locked was no longer the one at path
    real = locks._same_file
    monkeypatch.setattr(locks, "_same_file", lambda fd, p: next(answers, True) and real(fd, p))
    with file_lock(path, timeout=1):
        assert path.exists()


def test_file_system_without_locks_runs_unlocked(tmp_path, monkeypatch):
    monkeypatch.setattr(locks, "_try_lock", lambda fd: None)
    with file_lock(tmp_path / ".f.lock"):
        with file_lock(tmp_path / ".f.lock", timeout=0):
            pass
