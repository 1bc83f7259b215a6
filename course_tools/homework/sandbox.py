"""The bubblewrap sandbox a grading kernel runs in: what it sees, and whether it can run here.

Each kernel gets a private folder, seen inside as ``/course``: ``notebooks/`` (the working folder),
``data/`` (a fresh copy of the edition's ``data/embedded``, so no submission sees what another one
downloaded or extracted), ``checkpoints/``, ``home/``; ``course_utils`` read-only from the student
edition. The Python environment (``sys.prefix``/``sys.base_prefix``) and ``/usr`` are read-only;
nothing else of the machine is there: not the instructor repository, the key, other submissions or
the grade store. There is no network, the kernel has its own PID namespace (``--unshare-all``) and
dies with its parent (``--die-with-parent``): nothing the student starts outlives it. The kernel's
ZMQ ``ipc`` sockets live in a second folder bound into the sandbox, so the grader's own process
stays outside. The tmpfs bubblewrap builds the sandbox's root and ``/dev`` on is remounted read-only
(otherwise it is memory anyone inside can fill); ``/tmp`` and ``/dev/shm`` are tmpfs mounts of a
fixed size (``--size``, bubblewrap 0.8+), or folders on disk in the kernel's scratch folder where
this bubblewrap cannot size a tmpfs. The limits themselves are ``limits``'s.

``Sandbox(isolate=False)`` (``grade --unsafe-no-sandbox`` and the instructor's own ``lint --run``)
uses the same layout on the host, without any isolation. ``kernel.KernelSession`` starts and drives
the kernel.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

#: Where the private folder, the sockets and the edition appear inside the sandbox.
INSIDE_COURSE = "/course"
INSIDE_SOCKETS = "/run/course-kernel"
#: What ``grade`` tells an instructor whose machine has no working bubblewrap.
INSTALL_HINT = ("install bubblewrap (Debian/Ubuntu: `sudo apt-get install bubblewrap`, Fedora: `sudo dnf install "
                "bubblewrap`, or `make grading-deps`), or pass --unsafe-no-sandbox to run students' code with "
                "your own rights and access to this machine")


# --------------------------------------------------------------------------- the sandbox
@dataclass
class Sandbox:
    """How kernels are isolated: ``isolate=True`` is bubblewrap, ``False`` no isolation at all.

    ``edition`` is the student edition (or any folder) holding ``course_utils/`` and
    ``data/embedded/``; only those two are made visible to the kernel.
    """

    edition: Path
    isolate: bool = True
    bwrap: str = "bwrap"

    def course_utils(self) -> Path:
        return Path(self.edition).resolve() / "course_utils"

    def embedded_data(self) -> Path:
        return Path(self.edition).resolve() / "data" / "embedded"


def _python_roots() -> list[str]:
    """Folders holding this Python and its packages (read-only in the sandbox)."""
    roots = []
    for path in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
                 os.path.dirname(os.path.dirname(os.path.realpath(sys.executable)))):
        for candidate in {path, os.path.realpath(path)}:
            if candidate and candidate != "/" and os.path.isdir(candidate) and candidate not in roots:
                roots.append(candidate)
    # a folder inside another one is bound with it
    return [r for r in roots if not any(r != o and r.startswith(o.rstrip("/") + "/") for o in roots)]


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _installed_tools(roots: list[str]) -> list[str]:
    """The instructor's package (``course_tools``) where a non-editable install put it inside the
    Python environment: hidden in the sandbox (it holds the reference answers)."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("course_tools")
    except (ImportError, ValueError):
        return []
    found = []
    for location in (spec.submodule_search_locations or []) if spec else []:
        real = os.path.realpath(location)
        if any(_inside(real, root) for root in roots):
            found.append(real)
    return found


def exposure_problem(*private: Path) -> Optional[str]:
    """Why the sandbox would show one of the ``private`` folders (the instructor repository, the key's
    folder) through the Python environment it binds, or ``None``."""
    for root in _python_roots() + ["/usr"]:
        for folder in private:
            real = os.path.realpath(folder)
            if _inside(real, root):
                return (f"the Python environment folder {root} contains {real}, so the sandbox would show it to "
                        "students' code: grade with a virtual environment (e.g. make setup's .venv) and keep the "
                        "repository and the key outside the Python installation")
    return None


_OPTIONS: dict = {}


def _supports(bwrap: str, option: str) -> bool:
    """Whether this bubblewrap knows ``option`` (``--disable-userns`` needs 0.8; Ubuntu 22.04 and
    Colab ship 0.6)."""
    if bwrap not in _OPTIONS:
        try:
            done = subprocess.run([bwrap, "--help"], capture_output=True, text=True, timeout=30)
            _OPTIONS[bwrap] = done.stdout + done.stderr
        except (OSError, subprocess.SubprocessError):
            _OPTIONS[bwrap] = ""
    return option in _OPTIONS[bwrap]


def sized_tmpfs_supported(bwrap: str = "bwrap") -> bool:
    """Whether this bubblewrap can give a tmpfs a size (``--size``, bubblewrap 0.8 and later)."""
    return _supports(bwrap, "--size")


def _tmpfs(sandbox: Sandbox, dest: str, size: int, spill: Optional[Path]) -> list[str]:
    """A writable ``dest`` of at most ``size`` bytes: a sized tmpfs, or (bubblewrap too old to size one,
    and ``spill`` given) a folder of ``spill`` on disk, which the watch counts with the private folder."""
    if size > 0 and sized_tmpfs_supported(sandbox.bwrap):
        return ["--size", str(int(size)), "--tmpfs", dest]
    if size > 0 and spill is not None:
        folder = Path(spill) / dest.strip("/").replace("/", "-")
        folder.mkdir(parents=True, exist_ok=True)
        return ["--bind", str(folder), dest]
    return ["--tmpfs", dest]


def bwrap_argv(sandbox: Sandbox, work: Path, sockets: Path, *, tmp_bytes: int = 0, shm_bytes: int = 0,
               spill: Optional[Path] = None) -> list[str]:
    """The bubblewrap command line (without the command to run) for one kernel.

    ``tmp_bytes``/``shm_bytes`` size the sandbox's ``/tmp`` and ``/dev/shm`` (0: unsized); ``spill`` is
    where they go on disk when this bubblewrap cannot size a tmpfs. Everything else that would be
    writable memory (the sandbox's root and ``/dev``, the folder hiding ``course_tools``) is read-only.
    """
    argv = [sandbox.bwrap, "--die-with-parent", "--new-session", "--unshare-all", "--unshare-user"]
    if _supports(sandbox.bwrap, "--disable-userns"):
        argv.append("--disable-userns")  # no nested namespaces from inside
    argv += ["--uid", "1000", "--gid", "1000", "--cap-drop", "ALL", "--hostname", "grading",
             "--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            argv += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            argv += ["--ro-bind", top, top]
    for name in ("passwd", "group", "hosts", "nsswitch.conf", "localtime", "ld.so.cache", "ld.so.conf",
                 "ld.so.conf.d", "ssl", "fonts", "alternatives", "mime.types"):
        argv += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    # /tmp is a fresh tmpfs, mounted before the Python environment: a virtual environment that lives
    # under /tmp (a CI clone, say) is then bound on top of it instead of being hidden by it
    argv += _tmpfs(sandbox, "/tmp", tmp_bytes, spill)
    roots = _python_roots()
    for root in roots:
        if not root.startswith("/usr/"):
            argv += ["--ro-bind", root, root]
    for folder in _installed_tools(roots + ["/usr"]):
        argv += ["--tmpfs", folder, "--remount-ro", folder]
    argv += ["--proc", "/proc", "--dev", "/dev"]
    argv += _tmpfs(sandbox, "/dev/shm", shm_bytes, spill)
    argv += ["--bind", str(work), INSIDE_COURSE,
             "--ro-bind", str(sandbox.course_utils()), f"{INSIDE_COURSE}/course_utils",
             "--bind", str(sockets), INSIDE_SOCKETS,
             # last: the tmpfs bubblewrap builds the sandbox's root and /dev on would otherwise be
             # writable memory without a size
             "--remount-ro", "/dev", "--remount-ro", "/",
             "--chdir", f"{INSIDE_COURSE}/notebooks"]
    return argv


_CHECKED: dict = {}


def sandbox_problem(bwrap: str = "bwrap") -> Optional[str]:
    """``None`` when bubblewrap can start a sandbox here, else why not (with what to do)."""
    if bwrap in _CHECKED:
        return _CHECKED[bwrap]
    found = shutil.which(bwrap)
    if found is None:
        problem = f"bubblewrap (`{bwrap}`) is not installed: {INSTALL_HINT}"
    else:
        with tempfile.TemporaryDirectory(prefix="course-grade-check-") as tmp:
            work, sockets = Path(tmp) / "work", Path(tmp) / "sockets"
            (work / "notebooks").mkdir(parents=True)
            sockets.mkdir()
            edition = Path(tmp) / "edition"
            (edition / "course_utils").mkdir(parents=True)
            argv = bwrap_argv(Sandbox(edition=edition, bwrap=found), work, sockets, tmp_bytes=1 << 20,
                              shm_bytes=1 << 20, spill=Path(tmp) / "spill") + ["--", sys.executable, "-c", "pass"]
            try:
                done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
                problem = None if done.returncode == 0 else (
                    f"bubblewrap cannot start a sandbox here ({done.stderr.strip() or done.returncode}); user "
                    "namespaces may be disabled (sysctl kernel.unprivileged_userns_clone=1, "
                    "/proc/sys/user/max_user_namespaces > 0, on Ubuntu 24.04 "
                    "kernel.apparmor_restrict_unprivileged_userns=0, in Docker --security-opt seccomp=unconfined), "
                    f"or run the grader as root: {INSTALL_HINT}")
            except (OSError, subprocess.SubprocessError) as exc:
                problem = f"bubblewrap failed to run ({exc}): {INSTALL_HINT}"
    _CHECKED[bwrap] = problem
    return problem


