"""The grading kernel's limits, each shown first without its defence (the control), then with it.

The sandbox-level tests start bubblewrap with the grader's own command line (``sandbox.bwrap_argv`` and
``limits.shim_argv``) around a few lines of Python instead of a kernel, so each takes a second or two.
``test_homework_limits_grading.py`` grades real submissions.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from course_tools.homework import config, limits
from course_tools.homework import sandbox as sandbox_module
from course_tools.homework.limits import Limits, Watch, cell_note, folder_usage, held_deleted_bytes, shim_argv
from course_tools.homework.sandbox import Sandbox, bwrap_argv, sandbox_problem, sized_tmpfs_supported

MiB = 1024**2


# --------------------------------------------------------------------------- plain functions
@pytest.mark.parametrize("release, expected", [("6.1.0-18-amd64", True), ("5.14.0", True), ("5.15.0-91-generic", True),
                                               ("5.13.19", False), ("5.10.0-28-amd64", False), ("4.19.0", False),
                                               ("", False), ("weird", False)])
def test_the_process_limit_is_used_only_where_linux_counts_it_per_namespace(release, expected):
    assert limits.nproc_is_per_namespace(release) is expected


def test_the_shim_sets_a_process_limit_only_inside_a_sandbox(monkeypatch):
    monkeypatch.setattr(limits, "nproc_is_per_namespace", lambda: True)
    lim = Limits(memory_bytes=4 * 1024**3, file_bytes=MiB, tasks=99)
    inside = shim_argv(["kernel", "-f", "x"], lim, in_namespace=True)
    outside = shim_argv(["kernel", "-f", "x"], lim, in_namespace=False)
    assert inside[-4:] == ["--", "kernel", "-f", "x"]
    assert {"RLIMIT_AS=4294967296", "RLIMIT_FSIZE=1048576", "RLIMIT_CORE=0", "RLIMIT_NPROC=99"} <= set(inside)
    assert "RLIMIT_NPROC=99" not in outside and "RLIMIT_AS=4294967296" in outside
    monkeypatch.setattr(limits, "nproc_is_per_namespace", lambda: False)  # an old Linux: shared count, not set
    assert "RLIMIT_NPROC=99" not in shim_argv(["kernel"], lim, in_namespace=True)


def test_the_process_tree_read_from_children_lists_matches_a_scan_of_every_process():
    sleepers = [subprocess.Popen([sys.executable, "-c", "import subprocess, time; subprocess.Popen(['sleep', '9']); "
                                  "time.sleep(9)"]) for _ in range(3)]
    try:
        time.sleep(1)
        tree = limits.process_tree(os.getpid())
        table = limits._process_table()
        assert sorted(tree) == sorted(limits._descendants(os.getpid(), table))
        assert len(tree) >= 7 and tree[os.getpid()] == table[os.getpid()][1]
    finally:
        for proc in sleepers:
            proc.kill()
            proc.wait()


def test_folder_usage_counts_bytes_and_files_without_following_links(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "f.bin").write_bytes(os.urandom(3 * MiB))
    (tmp_path / "link").symlink_to("/usr")  # never followed
    used, count, unreadable = folder_usage(tmp_path)
    assert 3 * MiB <= used < 4 * MiB and count == 3 and unreadable == 0
    assert folder_usage(tmp_path, stop_files=1)[1] == 2, "counting stops early once past a limit"


def test_deleted_files_held_open_are_counted(tmp_path):
    handle = open(tmp_path / "gone.bin", "wb")
    handle.write(os.urandom(2 * MiB))
    handle.flush()
    before = held_deleted_bytes([os.getpid()])
    os.unlink(tmp_path / "gone.bin")  # no longer in any folder, still on disk
    try:
        assert folder_usage(tmp_path)[0] < MiB
        assert held_deleted_bytes([os.getpid()]) - before >= 2 * MiB
    finally:
        handle.close()


@pytest.mark.parametrize("ename, evalue, words", [
    ("MemoryError", "", "ran out of memory"),
    ("OSError", "[Errno 27] File too large", "wrote a file larger"),
    ("OSError", "[Errno 28] No space left on device", "filled a folder"),
    ("BlockingIOError", "[Errno 11] Resource temporarily unavailable", "could not start another process"),
])
def test_each_limit_a_cell_runs_into_has_its_note(ename, evalue, words):
    assert words in cell_note(ename, evalue, "cell 7")
    assert cell_note("ValueError", "bad value", "cell 7") is None


# --------------------------------------------------------------------------- the sandbox's command line
def test_the_sandbox_root_and_dev_are_read_only_and_tmp_and_shm_sized(tmp_path, monkeypatch):
    monkeypatch.setattr(sandbox_module, "_supports", lambda bwrap, option: True)
    argv = bwrap_argv(Sandbox(edition=tmp_path), tmp_path / "w", tmp_path / "s", tmp_bytes=5 * MiB,
                      shm_bytes=3 * MiB, spill=tmp_path / "spill")
    pairs = list(zip(argv, argv[1:], argv[2:]))
    assert ("--size", str(5 * MiB), "--tmpfs") in pairs and argv[argv.index(str(5 * MiB)) + 2] == "/tmp"
    assert ("--size", str(3 * MiB), "--tmpfs") in pairs and argv[argv.index(str(3 * MiB)) + 2] == "/dev/shm"
    remounts = [argv[i + 1] for i, arg in enumerate(argv) if arg == "--remount-ro"]
    assert remounts[-2:] == ["/dev", "/"]
    assert argv.index("/dev/shm") < argv.index("--remount-ro"), "the sized /dev/shm is mounted before /dev turns read-only"


def test_without_sized_tmpfs_tmp_and_shm_spill_to_the_private_folder(tmp_path, monkeypatch):
    """bubblewrap before 0.8 (Ubuntu 22.04, Colab) cannot size a tmpfs: /tmp and /dev/shm become folders on
    disk inside the kernel's scratch folder, which the watch counts."""
    monkeypatch.setattr(sandbox_module, "_supports", lambda bwrap, option: option != "--size")
    argv = bwrap_argv(Sandbox(edition=tmp_path), tmp_path / "w", tmp_path / "s", tmp_bytes=5 * MiB,
                      shm_bytes=3 * MiB, spill=tmp_path / "spill")
    assert "--size" not in argv
    for dest, folder in (("/tmp", "tmp"), ("/dev/shm", "dev-shm")):
        index = argv.index(dest)
        assert argv[index - 2:index] == ["--bind", str(tmp_path / "spill" / folder)]
        assert (tmp_path / "spill" / folder).is_dir()


# --------------------------------------------------------------------------- in a real sandbox
needs_sandbox = pytest.mark.skipif(sandbox_problem() is not None, reason="bubblewrap cannot start a sandbox here")


def _layout(tmp_path: Path) -> tuple[Sandbox, Path, Path]:
    edition = tmp_path / "edition"
    (edition / "course_utils").mkdir(parents=True)
    work, sockets = tmp_path / "scratch" / "course", tmp_path / "scratch" / "sockets"
    (work / "notebooks").mkdir(parents=True)
    sockets.mkdir()
    return Sandbox(edition=edition), work, sockets


def _sandboxed(tmp_path: Path, code: str, lim: Limits, **bwrap) -> list:
    sandbox, work, sockets = _layout(tmp_path)
    command = shim_argv([sys.executable, "-c", code], lim, in_namespace=True)
    return bwrap_argv(sandbox, work, sockets, spill=tmp_path / "scratch" / "spill", **bwrap) + ["--"] + command


_WRITE = """
import sys
where, mib = sys.argv[1], int(sys.argv[2])
try:
    with open(where, "wb") as fh:
        for _ in range(mib):
            fh.write(b"x" * 1024**2)
            fh.flush()
    print("wrote", mib)
except OSError as exc:
    print("refused", exc.errno)
"""


@needs_sandbox
@pytest.mark.skipif(not sized_tmpfs_supported(), reason="this bubblewrap cannot size a tmpfs (before 0.8)")
@pytest.mark.parametrize("where", ["/tmp/fill", "/dev/shm/fill"])
def test_tmp_and_shm_fill_up_only_to_their_size(tmp_path, where):
    lim = Limits()
    unsized = _sandboxed(tmp_path / "a", _WRITE, lim) + [where, "48"]  # the control: an unsized tmpfs
    done = subprocess.run(unsized, capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["wrote", "48"], done.stderr
    sized = _sandboxed(tmp_path / "b", _WRITE, lim, tmp_bytes=16 * MiB, shm_bytes=16 * MiB) + [where, "48"]
    done = subprocess.run(sized, capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["refused", "28"], done.stderr  # ENOSPC at 16 MiB


@needs_sandbox
@pytest.mark.parametrize("where", ["/fill", "/dev/fill", "/etc/fill", "/run/fill"])
def test_the_sandbox_root_and_dev_cannot_be_filled(tmp_path, where):
    code = _sandboxed(tmp_path / "b", _WRITE, Limits()) + [where, "2"]
    control = [arg for i, arg in enumerate(code)
               if arg != "--remount-ro" and (i == 0 or code[i - 1] != "--remount-ro")]
    done = subprocess.run(control, capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["wrote", "2"], "control: bubblewrap's own tmpfs is writable memory"
    done = subprocess.run(code, capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["refused", "30"], done.stderr  # EROFS


_FORK = """
import os, sys, time
started = 0
for _ in range(int(sys.argv[1])):
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        time.sleep(60)
        os._exit(0)
    started += 1
print("started", started, flush=True)
time.sleep(60)
"""


def _watched(argv: list, folder: Path, lim: Limits, seconds: float) -> tuple[str, Watch, float]:
    """Run ``argv`` as the grader runs a kernel: its own process group, watched, killed on a breach."""
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            start_new_session=True)
    watch = Watch(proc.pid, folder, lim, lambda reason: limits.kill_group(proc.pid), interval=0.1).start()
    started = time.monotonic()
    try:
        out, _ = proc.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        limits.kill_group(proc.pid)
        out, _ = proc.communicate()
    finally:
        watch.stop()
    return out, watch, time.monotonic() - started


@needs_sandbox
def test_300_fork_sleepers_are_stopped_by_the_watch(tmp_path):
    """The issue's attack: 300 os.fork() sleepers. Without a limit all 300 start; the watch stops the
    sandbox (and everything in it) once the tree passes the limit, whoever runs the grader (root too)."""
    lim = Limits()  # no RLIMIT_NPROC: the control
    argv = _sandboxed(tmp_path / "a", _FORK, lim) + ["300"]
    out, watch, _ = _watched(argv, tmp_path / "a" / "scratch", Limits(), 3)
    assert out.split() == ["started", "300"] and watch.breach is None and watch.peak["tasks"] == 0

    argv = _sandboxed(tmp_path / "b", _FORK, lim) + ["300"]
    out, watch, seconds = _watched(argv, tmp_path / "b" / "scratch", Limits(tasks=100), 30)
    assert watch.breach and "more than 100 processes and threads" in watch.breach
    assert seconds < 20, "the sandbox was killed, not left to sleep"


@needs_sandbox
def test_the_disk_watch_stops_a_kernel_that_fills_its_folder(tmp_path):
    writer = _WRITE.replace('open(where, "wb")', 'open(where, "wb", buffering=0)')
    argv = _sandboxed(tmp_path / "a", writer, Limits()) + ["/course/notebooks/big.bin", "64"]
    out, watch, _ = _watched(argv, tmp_path / "a" / "scratch", Limits(), 60)
    assert out.split() == ["wrote", "64"], "control: without the watch the folder takes it all"
    argv = _sandboxed(tmp_path / "b", writer + "import time; time.sleep(30)\n", Limits()) + \
        ["/course/notebooks/big.bin", "64"]
    out, watch, _ = _watched(argv, tmp_path / "b" / "scratch", Limits(disk_bytes=16 * MiB), 60)
    assert watch.breach and "more than 16 MiB" in watch.breach


@needs_sandbox
def test_without_sized_tmpfs_a_full_tmp_is_caught_by_the_disk_watch(tmp_path, monkeypatch):
    """With a bubblewrap too old to size a tmpfs, /tmp is a folder of the private folder: filling it is
    a disk breach, not memory."""
    real = sandbox_module._supports
    monkeypatch.setattr(sandbox_module, "_supports", lambda bwrap, option: option != "--size" and real(bwrap, option))
    writer = _WRITE.replace('open(where, "wb")', 'open(where, "wb", buffering=0)') + "import time; time.sleep(30)\n"
    argv = _sandboxed(tmp_path, writer, Limits(), tmp_bytes=16 * MiB, shm_bytes=16 * MiB) + ["/tmp/fill", "64"]
    assert "--size" not in argv
    out, watch, _ = _watched(argv, tmp_path / "scratch", Limits(disk_bytes=16 * MiB), 60)
    assert watch.breach and "more than 16 MiB" in watch.breach


@needs_sandbox
def test_a_deleted_file_held_open_counts_towards_the_disk_limit(tmp_path):
    hider = ("import os, time\nfh = open('/course/notebooks/h.bin', 'wb', buffering=0)\nos.unlink('/course/notebooks/h.bin')\n"
             "for _ in range(64):\n    fh.write(b'x' * 1024**2)\nprint('hidden', flush=True)\ntime.sleep(30)\n")
    argv = _sandboxed(tmp_path, hider, Limits())
    out, watch, _ = _watched(argv, tmp_path / "scratch", Limits(disk_bytes=16 * MiB), 60)
    assert watch.breach and "deleted files it still held open" in watch.breach


# --------------------------------------------------------------------------- RLIMIT_NPROC, per sandbox
def _nproc_sandbox(cap: int) -> list:
    """A minimal sandbox (only /usr) around the grader's limits shim and a forker, run by an unprivileged
    user: the shim's RLIMIT_NPROC is the layer that holds without the watch, except for root."""
    python = "/usr/bin/python3"
    argv = ["bwrap", "--die-with-parent", "--new-session", "--unshare-all", "--unshare-user", "--uid", "1000",
            "--gid", "1000", "--cap-drop", "ALL", "--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/lib", "/lib64"):
        if os.path.islink(top):
            argv += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            argv += ["--ro-bind", top, top]
    argv += ["--proc", "/proc", "--dev", "/dev", "--"]
    forker = _FORK.replace("time.sleep(60)\n        os._exit", "time.sleep(3)\n        os._exit")
    forker = forker.replace('flush=True)\ntime.sleep(60)\n', 'flush=True)\n')
    shim = shim_argv([python, "-c", forker, "120"], Limits(tasks=cap), in_namespace=True)
    shim[0] = python
    if os.getuid() == 0:  # root's processes are exempt from RLIMIT_NPROC: run as nobody
        argv = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] + argv
    return argv + shim


@pytest.mark.skipif(not (limits.nproc_is_per_namespace() and shutil.which("bwrap") and os.path.exists("/usr/bin/python3")
                         and (os.getuid() != 0 or shutil.which("setpriv"))),
                    reason="needs Linux 5.14+, bubblewrap, /usr/bin/python3 (and setpriv when run as root)")
def test_the_process_limit_counts_each_sandbox_alone(monkeypatch):
    """Two sandboxes at once, each with a limit of 40 processes: each starts about 40 (the count is per
    sandbox, so two honest kernels graded at once never fail each other), none starts the 120 asked."""
    monkeypatch.setattr(limits, "nproc_is_per_namespace", lambda: True)
    control = subprocess.run(_nproc_sandbox(0), capture_output=True, text=True, timeout=60)
    if control.returncode != 0 and not control.stdout:
        pytest.skip(f"cannot start a sandbox as an unprivileged user here: {control.stderr.strip()[:200]}")
    assert control.stdout.split() == ["started", "120"], control.stderr  # the control: no limit
    both = [subprocess.Popen(_nproc_sandbox(40), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    counts = [int(p.communicate(timeout=60)[0].split()[1]) for p in both]
    assert all(35 <= count < 40 for count in counts), counts


# --------------------------------------------------------------------------- the README
def test_the_readme_quotes_the_caps_of_config():
    """docs/instructors.md quotes these figures; a change here must change it too."""
    readme = (Path(__file__).resolve().parents[1] / "docs" / "instructors.md").read_text(encoding="utf-8")
    for figure in (f"{config.KERNEL_TASKS}", f"{config.KERNEL_DISK_BYTES // MiB} MiB",
                   f"{config.KERNEL_TMP_BYTES // MiB} MiB", f"{config.MAX_SUBMISSION_BYTES:,}",
                   f"{config.MAX_CELL_CHARS:,}"):
        assert figure in readme, figure
