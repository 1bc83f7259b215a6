"""The limits a grading kernel runs under, set from outside the student's code and watched from outside.

Two layers, so that a limit holds even where one layer is missing:

- **Set before the kernel starts** (``shim_argv``): a tiny Python program runs first, inside the
  sandbox, sets resource limits and then becomes the kernel (``exec``); everything the kernel starts
  inherits them. ``RLIMIT_AS`` (address space per process), ``RLIMIT_FSIZE`` (largest file),
  ``RLIMIT_CORE`` = 0 (a crash writes no core file) and ``RLIMIT_NPROC`` (processes and threads).
  The sandbox's ``/tmp`` and ``/dev/shm`` are tmpfs mounts of a fixed size (``sandbox.bwrap_argv``).
- **Watched from outside** (``Watch``): a thread of the grader looks at the kernel's whole process
  tree and at its private folder every ``config.LIMIT_POLL_SECONDS`` and stops the kernel (SIGKILL
  to the sandbox) when the tree holds more processes and threads than ``tasks``, uses more memory
  than ``tree_memory_bytes`` (the sum of resident sizes, and when that is over the limit, the exact
  figure: proportional set sizes, a page shared by several processes split between them), or the
  private folder holds more than ``disk_bytes`` or ``disk_files`` (deleted files still held open
  count). The breach becomes the submission's note. The process count is checked first: it is the
  cheapest look, and a fork loop is the fastest attack.

Why both for processes: ``RLIMIT_NPROC`` is counted per user *and per user namespace* since Linux
5.14, so set inside the sandbox it limits that sandbox alone (two kernels graded at once do not share
a count; measured in ``tests/test_homework_limits.py``). It is not set on older kernels, where the
count is shared by every process of the instructor's user, and it has no effect when the grader runs
as root (the kernel exempts root-owned processes, and a sandbox started by root runs as root outside
its namespace). The watch holds the limit in every case, a fraction of a second late.

Units: bytes, counts, seconds. ``0`` means "no limit" for every figure.
"""

from __future__ import annotations

import os
import re
import signal
import stat
import sys
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Optional

from . import config
from .said import said

__all__ = ["Limits", "Watch", "shim_argv", "nproc_is_per_namespace", "tree_usage", "folder_usage",
           "cell_note", "stop_note", "held_deleted_bytes", "kill_group"]


@dataclass(frozen=True)
class Limits:
    """What one grading kernel may use (see the module docstring; 0: no limit)."""

    memory_bytes: int = 0  # address space of each process (RLIMIT_AS)
    file_bytes: int = 0  # largest file written (RLIMIT_FSIZE)
    tasks: int = 0  # processes + threads of the kernel's tree (RLIMIT_NPROC inside, and watched)
    tree_memory_bytes: int = 0  # memory of the whole tree (watched)
    disk_bytes: int = 0  # bytes in the private folder (watched)
    disk_files: int = 0  # files and folders in the private folder (watched)
    tmp_bytes: int = 0  # size of the sandbox's /tmp
    shm_bytes: int = 0  # size of the sandbox's /dev/shm

    @classmethod
    def from_config(cls) -> "Limits":
        """The limits set in ``config`` (read at call time, so tests can change them)."""
        return cls(memory_bytes=config.KERNEL_MEMORY_BYTES, file_bytes=config.KERNEL_FILE_BYTES,
                   tasks=config.KERNEL_TASKS, tree_memory_bytes=config.KERNEL_TREE_MEMORY_BYTES,
                   disk_bytes=config.KERNEL_DISK_BYTES, disk_files=config.KERNEL_DISK_FILES,
                   tmp_bytes=config.KERNEL_TMP_BYTES, shm_bytes=config.KERNEL_SHM_BYTES)

    def without(self, *names: str) -> "Limits":
        """A copy with the named limits off (0)."""
        return replace(self, **{name: 0 for name in names})


# --------------------------------------------------------------------------- set before the kernel starts
#: Sets the limits named on its command line (a hard limit already lower is kept), then becomes the
#: command after ``--``. Runs with ``-I -S``: it imports nothing from the environment.
_SHIM = """import os, resource, sys
args = sys.argv[1:]
split = args.index("--")
for pair in args[:split]:
    name, value = pair.split("=")
    kind, value = getattr(resource, name), int(value)
    hard = resource.getrlimit(kind)[1]
    value = value if hard == resource.RLIM_INFINITY else min(value, hard)
    resource.setrlimit(kind, (value, value))
os.execvp(args[split + 1], args[split + 1:])
"""


def nproc_is_per_namespace(release: Optional[str] = None) -> bool:
    """True on Linux 5.14 and later, where ``RLIMIT_NPROC`` counts the processes of a user in one user
    namespace (so a limit set inside one sandbox does not count the kernels of other sandboxes).
    ``release`` is ``os.uname().release`` (e.g. ``"6.1.0-18-amd64"``)."""
    if release is None:
        if not sys.platform.startswith("linux"):
            return False
        release = os.uname().release
    match = re.match(r"(\d+)\.(\d+)", release)
    return bool(match) and (int(match.group(1)), int(match.group(2))) >= (5, 14)


def shim_argv(command: list, limits: Limits, *, in_namespace: bool) -> list:
    """``command`` started through the limits shim.

    ``in_namespace``: the shim runs inside the sandbox's own user namespace, where a process limit
    counts only that sandbox's processes; outside one (``--unsafe-no-sandbox``) no process limit is
    set, because it would count every process of the instructor's user.
    """
    settings = []
    if limits.memory_bytes > 0:
        settings.append(f"RLIMIT_AS={int(limits.memory_bytes)}")
    if limits.file_bytes > 0:
        settings.append(f"RLIMIT_FSIZE={int(limits.file_bytes)}")
    settings.append("RLIMIT_CORE=0")
    if limits.tasks > 0 and in_namespace and nproc_is_per_namespace():
        settings.append(f"RLIMIT_NPROC={int(limits.tasks)}")
    return [sys.executable, "-I", "-S", "-c", _SHIM, *settings, "--", *command]


# --------------------------------------------------------------------------- measured from outside
def _process_table() -> dict:
    """``{pid: (parent pid, threads)}`` for every process this machine shows in ``/proc``."""
    table = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return table
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                text = fh.read().decode("ascii", "replace")
            fields = text[text.rindex(")") + 2:].split()
            table[int(entry)] = (int(fields[1]), int(fields[17]))
        except (OSError, ValueError, IndexError):
            continue
    return table


def _descendants(pid: int, table: dict) -> list:
    """``pid`` and every process below it."""
    children: dict = {}
    for child, (parent, _) in table.items():
        children.setdefault(parent, []).append(child)
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        if current in table and current not in found:
            found.append(current)
            todo.extend(children.get(current, ()))
    return found


def _threads(pid: int) -> Optional[int]:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            text = fh.read().decode("ascii", "replace")
        return int(text[text.rindex(")") + 2:].split()[17])
    except (OSError, ValueError, IndexError):
        return None


def process_tree(pid: int) -> dict:
    """``{pid: threads}`` for process ``pid`` and every process below it. Reads only the tree's own
    ``/proc/<pid>/task/<tid>/children`` lists (a few files), or, where the kernel does not provide
    them, every process's ``/proc/<pid>/stat``."""
    tree: dict = {}
    todo = [pid]
    while todo:
        current = todo.pop()
        if current in tree:
            continue
        threads = _threads(current)
        if threads is None:
            continue  # gone
        tree[current] = threads
        try:
            for tid in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{tid}/children", "rb") as fh:
                    todo.extend(int(child) for child in fh.read().split())
        except FileNotFoundError:
            if current == pid and not os.path.exists(f"/proc/{pid}/task/{pid}/children"):
                table = _process_table()  # no children lists (CONFIG_PROC_CHILDREN off): the whole table
                return {p: table[p][1] for p in _descendants(pid, table)}
        except (OSError, ValueError):
            continue
    return tree


def _resident(pid: int) -> int:
    """Resident memory of one process in bytes (cheap: ``/proc/<pid>/statm``); 0 for a process that is gone."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _proportional(pid: int) -> int:
    """Proportional set size of one process in bytes (shared pages split between the processes that map
    them; the kernel walks the process's page tables for it, so it costs milliseconds for a large
    process); its resident size where the PSS cannot be read."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return _resident(pid)


def tree_usage(pid: int, memory_limit: int = 0) -> tuple:
    """``(pids, processes + threads, memory in bytes)`` of process ``pid`` and everything below it.

    Memory is the sum of the resident sizes, an upper bound that counts a page shared by several
    processes (a fork's) once per process; only when that sum is over ``memory_limit`` (> 0) is the
    exact figure, the sum of the proportional set sizes, measured.
    """
    tree = process_tree(pid)
    memory = sum(_resident(p) for p in tree)
    if memory_limit and memory > memory_limit:
        memory = sum(_proportional(p) for p in tree)
    return list(tree), sum(tree.values()), memory


def held_deleted_bytes(pids: list) -> int:
    """Bytes of the deleted files (and anonymous ``memfd`` files) the processes ``pids`` hold open:
    space that no longer shows in any folder, but is still taken until they close them."""
    seen, total = set(), 0
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                info = os.stat(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if stat.S_ISREG(info.st_mode) and info.st_nlink == 0 and (info.st_dev, info.st_ino) not in seen:
                seen.add((info.st_dev, info.st_ino))
                total += getattr(info, "st_blocks", 0) * 512 or info.st_size
    return total


def folder_usage(folder: Path, *, stop_bytes: int = 0, stop_files: int = 0) -> tuple:
    """``(bytes allocated, files and folders, unreadable folders)`` under ``folder``, links not
    followed. Counting stops early once ``stop_bytes`` or ``stop_files`` (when > 0) is passed."""
    used = count = unreadable = 0
    todo = [str(folder)]
    while todo:
        current = todo.pop()
        try:
            with os.scandir(current) as entries:
                for entry in entries:
                    count += 1
                    try:
                        info = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    used += getattr(info, "st_blocks", 0) * 512 or info.st_size
                    if entry.is_dir(follow_symlinks=False):
                        todo.append(entry.path)
                    if (stop_bytes and used > stop_bytes) or (stop_files and count > stop_files):
                        return used, count, unreadable
        except FileNotFoundError:
            continue
        except OSError:
            unreadable += 1
    return used, count, unreadable


def _mib(value: int) -> str:
    return f"{value / 1024**2:,.0f} MiB" if value < 1024**3 else f"{value / 1024**3:g} GiB"


class Watch:
    """Watches one kernel from outside (see the module docstring) until ``stop()``.

    ``pid`` is the process the grader started (the sandbox); ``folder`` the private folder with
    everything the kernel can write to on disk; ``on_breach(reason)`` is called once, from the watch's
    thread, when a limit is passed, and should stop the kernel. ``breach`` keeps the reason;
    ``peak`` the largest figures seen (``tasks``, ``memory``, ``disk``, ``files``).
    """

    def __init__(self, pid: int, folder: Path, limits: Limits, on_breach: Callable[[str], None], *,
                 interval: Optional[float] = None):
        self.pid, self.folder, self.limits, self.on_breach = pid, Path(folder), limits, on_breach
        self.interval = config.LIMIT_POLL_SECONDS if interval is None else interval
        self.breach: Optional[str] = None
        self.peak = {"tasks": 0, "memory": 0, "disk": 0, "files": 0}
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None

    def start(self) -> "Watch":
        if any((self.limits.tasks, self.limits.tree_memory_bytes, self.limits.disk_bytes, self.limits.disk_files)):
            self._thread = threading.Thread(target=self._run, name=f"limits-watch-{self.pid}", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=10)

    def check(self) -> Optional[str]:
        """Measure once; the reason when a limit is passed, else ``None``."""
        limits = self.limits
        tree = process_tree(self.pid)
        tasks = sum(tree.values())
        self.peak["tasks"] = max(self.peak["tasks"], tasks)
        if limits.tasks and tasks > limits.tasks:  # first, and cheap: a fork bomb is caught before anything else
            return said("feedback.breach.tasks", limit=limits.tasks, count=tasks)
        memory = sum(_resident(p) for p in tree)
        if limits.tree_memory_bytes and memory > limits.tree_memory_bytes:
            memory = sum(_proportional(p) for p in tree)  # shared pages counted once: the exact figure
        self.peak["memory"] = max(self.peak["memory"], memory)
        if limits.tree_memory_bytes and memory > limits.tree_memory_bytes:
            return said("feedback.breach.memory", limit=_mib(limits.tree_memory_bytes), measured=_mib(memory))
        if limits.disk_bytes or limits.disk_files:
            used, count, unreadable = folder_usage(self.folder, stop_bytes=limits.disk_bytes,
                                                   stop_files=limits.disk_files)
            used += held_deleted_bytes(tree)
            self.peak["disk"] = max(self.peak["disk"], used)
            self.peak["files"] = max(self.peak["files"], count)
            if limits.disk_bytes and used > limits.disk_bytes:
                return said("feedback.breach.disk", limit=_mib(limits.disk_bytes))
            if limits.disk_files and count > limits.disk_files:
                return said("feedback.breach.files", limit=limits.disk_files)
            if unreadable:
                return said("feedback.breach.unreadable")
        return None

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            reason = self.check()
            if reason is not None and not self._stop.is_set():
                self.breach = reason
                self.on_breach(reason)
                return


def kill_group(pid: int) -> None:
    """SIGKILL the process group ``pid`` leads (the sandbox; its PID namespace dies with it)."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, OSError):
        pass


# --------------------------------------------------------------------------- notes for the feedback
def cell_note(ename: str, evalue: str, where: str, limits: Optional[Limits] = None) -> Optional[str]:
    """The note for an error a limit caused in one cell (the cell failed, grading went on), or ``None``: a
    ``Said`` (English, and the student's language in the feedback), like ``stop_note``'s and ``Watch``'s reasons.

    ``ename``/``evalue`` come from the student's kernel, so the note only ever says which limit the
    error looks like; it never repeats the text.
    """
    limits = limits or Limits.from_config()
    if ename == "MemoryError" and limits.memory_bytes:
        return said("feedback.limit.memory", where=where, limit=_mib(limits.memory_bytes))
    if "File too large" in evalue and limits.file_bytes:
        return said("feedback.limit.file", where=where, limit=_mib(limits.file_bytes))
    if "No space left on device" in evalue or "[Errno 28]" in evalue:
        return said("feedback.limit.sandbox_full", where=where, tmp=_mib(limits.tmp_bytes), shm=_mib(limits.shm_bytes))
    if ename == "BlockingIOError" and "Resource temporarily unavailable" in evalue and limits.tasks:
        return said("feedback.limit.processes", where=where, limit=limits.tasks)
    return None


def stop_note(breach: Optional[str], where: str) -> Optional[str]:
    """The note for a kernel the watch stopped while it ran ``where``, or ``None`` if it did not."""
    return said("feedback.limit.stopped", where=where, breach=breach) if breach else None
