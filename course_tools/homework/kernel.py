"""One grading kernel: laid out and started as ``sandbox`` says, driven over ZMQ ``ipc`` sockets.

``KernelSession`` starts an IPython kernel in a private folder and runs code there, collecting each
request's outcome from the kernel's own replies to the grader's requests. The kernel is untrusted:
``run`` executes the student's cells (and the visible test cells, for the feedback's self-check
line), ``ask`` sends one grading question (``oracle``: public ask code and plain-data inputs) and
returns the value the kernel gave back, which the grader then validates and judges in its own
process. Nothing secret is ever sent; ``transcript`` (when given) records everything that is.
The kernel starts through the limits shim and is watched from outside while it lives (``limits``): a
watched limit passed kills the sandbox, and ``breach`` says why. ``history`` keeps what ran as each
``In[n]``, so that an error's line is quoted from the grader's own copy (``locate``), never from the
kernel's traceback.
"""

from __future__ import annotations

import json
import os
import queue
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional

from . import config
from .feedback_text import trace_positions
from .limits import Limits, Watch, kill_group, shim_argv
from .oracle import request_expression
from .records import Outcome
from .sandbox import INSIDE_COURSE, INSIDE_SOCKETS, Sandbox, bwrap_argv


def remove_tree(folder: Path) -> None:
    """Delete ``folder`` and everything in it, also folders the student's code made unreadable
    (``chmod 000``; the files are the grader's own): each folder is opened without following links
    and made readable first."""
    for path, folders, _ in os.walk(folder):
        for name in folders:
            try:
                fd = os.open(os.path.join(path, name), os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
            except OSError:
                continue  # a link (never followed) or gone
            try:
                os.fchmod(fd, 0o700)
            except OSError:
                pass
            finally:
                os.close(fd)
    shutil.rmtree(folder, ignore_errors=True)


class KernelStartError(RuntimeError):
    """No kernel could be started (the grader's problem, not the student's)."""


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system, finished children included) used so far by process ``pid`` and
    every process below it; 0.0 where ``/proc`` cannot tell (not Linux)."""
    try:
        tick = os.sysconf("SC_CLK_TCK")
        stats = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat", "rb") as fh:
                        text = fh.read().decode("ascii", "replace")
                except OSError:
                    continue
                fields = text[text.rindex(")") + 2:].split()
                stats[int(entry)] = (int(fields[1]), sum(int(f) for f in fields[11:15]))
    except (OSError, ValueError):
        return 0.0
    total, todo, seen = 0, [pid], set()
    while todo:
        current = todo.pop()
        if current in seen or current not in stats:
            continue
        seen.add(current)
        total += stats[current][1]
        todo.extend(child for child, (parent, _) in stats.items() if parent == current)
    return total / tick


# --------------------------------------------------------------------------- one kernel
def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _parent_id(msg: dict) -> Optional[str]:
    return _dict(_dict(msg).get("parent_header")).get("msg_id")


def _ready(socket) -> bool:
    """True when a message waits on ``socket``: a plain ZMQ poll, which works on the channels of every
    jupyter_client (7.x's are asynchronous: their ``msg_ready()`` returns a coroutine, always truthy)."""
    import zmq

    poller = zmq.Poller()
    poller.register(socket, zmq.POLLIN)
    return bool(poller.poll(0))


def _drain(channel, get_msg) -> list:
    """Every message waiting on ``channel``, read with the client's blocking ``get_msg``
    (``kc.get_iopub_msg``: blocking in jupyter_client 6, 7 and 8 alike). One that cannot be read
    (the kernel is the student's code: it can send anything) is dropped."""
    messages = []
    while channel.socket is not None and _ready(channel.socket):
        try:
            messages.append(get_msg(timeout=0))
        except queue.Empty:
            break
        except Exception:  # noqa: BLE001 - a malformed message is ignored, not fatal
            continue
    return messages



class KernelSession:
    """A kernel in a private folder (sandboxed or not); ``run_student`` runs code, ``ask`` asks a question.

    Use as a context manager: the folder is removed and every process of the kernel killed on exit.
    """

    def __init__(self, sandbox: Sandbox, *, env: Optional[dict] = None, threads: int = 1,
                 limits: Optional[Limits] = None, transcript: Optional[list] = None):
        self.sandbox = sandbox
        self.extra_env = dict(env or {})
        self.threads = threads
        self.limits = limits if limits is not None else Limits.from_config()
        self.transcript = transcript  # every request sent: {"code", "user_expressions"} (the tests read it)
        self.scratch: Optional[Path] = None
        self.proc: Optional[subprocess.Popen] = None
        self.kc = None
        self.watch: Optional[Watch] = None
        self.history: dict = {}  # execution count -> (notebook cell number or None, the code the grader sent)
        self.inside_course = ""  # the private folder as the kernel sees it
        self.cpu_seconds = 0.0  # CPU time of the kernel and everything it started, measured at close

    @property
    def breach(self) -> Optional[str]:
        """Why the watch stopped this kernel (a limit it passed), or ``None``."""
        return self.watch.breach if self.watch is not None else None

    # -- layout and start
    def _layout(self) -> tuple[Path, Path, Path]:
        self.scratch = Path(tempfile.mkdtemp(prefix="course-grade-"))
        work, sockets = self.scratch / "course", self.scratch / "sockets"
        for sub in ("notebooks", "data", "checkpoints", "home"):
            (work / sub).mkdir(parents=True)
        sockets.mkdir()
        embedded = self.sandbox.embedded_data()
        if embedded.is_dir():
            shutil.copytree(embedded, work / "data" / "embedded",
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        if self.sandbox.isolate:
            (work / "course_utils").mkdir()  # the mount point of the read-only edition package
        else:
            shutil.copytree(self.sandbox.course_utils(), work / "course_utils",
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        # outputs are not kept when grading, so figures are not rendered (saves about 2 s per notebook)
        profile = work / "home" / ".ipython" / "profile_default"
        profile.mkdir(parents=True)
        (profile / "ipython_kernel_config.py").write_text("c.InlineBackend.figure_formats = set()\n")
        # what makes the folder a course clone for course_utils.env (data/embedded is found there)
        pyproject = Path(self.sandbox.edition).resolve() / "pyproject.toml"
        if pyproject.is_file():
            shutil.copy2(pyproject, work / "pyproject.toml")
        else:
            (work / "pyproject.toml").write_text("[project]\nname = 'course-utils'\n")
        return work, sockets, self.scratch / "kernel.log"

    def _env(self, course: str) -> dict:
        env = {
            "PATH": os.pathsep.join(p for p in (os.path.dirname(sys.executable), "/usr/local/bin", "/usr/bin", "/bin")),
            "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "USER": "student", "LOGNAME": "student",
            "HOME": f"{course}/home", "IPYTHONDIR": f"{course}/home/.ipython",
            "MPLCONFIGDIR": f"{course}/home/.matplotlib", "XDG_CACHE_HOME": f"{course}/home/.cache",
            "PYTHONPATH": course, "PYTHONNOUSERSITE": "1", "PYTHONDONTWRITEBYTECODE": "1",
            "COURSE_ROOT": course, "COURSE_DATA_DIR": f"{course}/data", "COURSE_CHECKPOINT_DIR": f"{course}/checkpoints",
            "OMP_NUM_THREADS": str(self.threads), "MKL_NUM_THREADS": str(self.threads),
            "JPY_SESSION_NAME": "",
        }
        if "VIRTUAL_ENV" in os.environ:
            env["VIRTUAL_ENV"] = os.environ["VIRTUAL_ENV"]
        env.update(config.GRADING_ENV)
        env.update(self.extra_env)
        return env

    def start(self) -> "KernelSession":
        from jupyter_client.blocking import BlockingKernelClient

        work, sockets, log = self._layout()
        isolate = self.sandbox.isolate
        course = INSIDE_COURSE if isolate else str(work)
        inside_sockets = INSIDE_SOCKETS if isolate else str(sockets)
        self.inside_course = course
        key = secrets.token_hex(16)
        info = {"transport": "ipc", "ip": f"{inside_sockets}/k", "shell_port": 1, "iopub_port": 2, "stdin_port": 3,
                "control_port": 4, "hb_port": 5, "key": key, "signature_scheme": "hmac-sha256", "kernel_name": ""}
        (sockets / "kernel.json").write_text(json.dumps(info))
        command = [sys.executable, "-m", "ipykernel_launcher", "-f", f"{inside_sockets}/kernel.json"]
        command = shim_argv(command, self.limits, in_namespace=isolate)  # the limits, set inside the sandbox
        if isolate:
            command = bwrap_argv(self.sandbox, work, sockets, tmp_bytes=self.limits.tmp_bytes,
                                 shm_bytes=self.limits.shm_bytes, spill=self.scratch / "spill") + ["--"] + command
        argv = command
        cwd = str(sockets) if isolate else str(work / "notebooks")
        with open(log, "wb") as fh:
            try:
                self.proc = subprocess.Popen(argv, env=self._env(course), cwd=cwd, stdin=subprocess.DEVNULL,
                                             stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)
            except OSError as exc:
                raise KernelStartError(f"cannot start the kernel: {exc}") from exc
        # the whole scratch folder: the course folder, the sockets folder (also writable inside), the
        # spill folders and the kernel's log (its stdout and stderr)
        self.watch = Watch(self.proc.pid, self.scratch, self.limits, self._stop_for).start()
        kc = BlockingKernelClient()
        kc.load_connection_info(dict(info, ip=str(sockets / "k")))
        kc.start_channels(hb=False)
        self.kc = kc
        deadline = time.monotonic() + config.STARTUP_TIMEOUT
        while True:
            if self.proc.poll() is not None:
                raise KernelStartError(f"the kernel exited at start (code {self.proc.returncode}): "
                                       + log.read_text(errors="replace")[-400:].strip())
            try:
                kc.wait_for_ready(timeout=min(5.0, max(0.5, deadline - time.monotonic())))
                break
            except RuntimeError:
                if time.monotonic() > deadline:
                    raise KernelStartError(f"the kernel did not answer within {config.STARTUP_TIMEOUT} s") from None
        return self

    def _stop_for(self, reason: str) -> None:
        """Called by the watch when a limit is passed: the sandbox and everything in it is killed."""
        if self.proc is not None:
            kill_group(self.proc.pid)

    def close(self) -> None:
        if self.watch is not None:
            self.watch.stop()
        if self.kc is not None:
            try:
                self.kc.stop_channels()
            except Exception:  # noqa: BLE001 - closing must not fail
                pass
            self.kc = None
        if self.proc is not None:
            self.cpu_seconds = tree_cpu_seconds(self.proc.pid)
            kill_group(self.proc.pid)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            self.proc = None
        if self.scratch is not None:
            remove_tree(self.scratch)
            self.scratch = None

    def __enter__(self) -> "KernelSession":
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    # -- running code
    def _wait(self, msg_id: str, timeout: float) -> tuple[Optional[dict], int, str]:
        """``(reply content or None, characters printed, "ok"|"timeout"|"died")`` for one request."""
        import zmq

        kc = self.kc
        poller = zmq.Poller()
        poller.register(kc.shell_channel.socket, zmq.POLLIN)
        poller.register(kc.iopub_channel.socket, zmq.POLLIN)
        deadline = time.monotonic() + timeout
        reply, idle, printed, replied_at = None, False, 0, 0.0
        while True:
            now = time.monotonic()
            if reply is not None and (idle or now > replied_at + 2):
                return reply, printed, "ok"
            if reply is None and now >= deadline:
                return None, printed, "timeout"
            wait = max(0.0, min(0.5, (deadline if reply is None else replied_at + 2) - now))
            poller.poll(int(wait * 1000) + 1)
            for msg in _drain(kc.iopub_channel, kc.get_iopub_msg):
                if _parent_id(msg) != msg_id:
                    continue
                kind, content = msg.get("msg_type"), _dict(msg.get("content"))
                if kind == "stream":
                    printed += len(str(content.get("text", "") or ""))
                elif kind in ("execute_result", "display_data", "update_display_data"):
                    printed += sum(len(v) for mime, v in _dict(content.get("data")).items()
                                   if str(mime).startswith("text/") and isinstance(v, str))
                elif kind == "error":
                    traceback = content.get("traceback")
                    printed += sum(len(line) for line in (traceback if isinstance(traceback, list) else [])
                                   if isinstance(line, str))
                elif kind == "status" and content.get("execution_state") == "idle":
                    idle = True
            for msg in _drain(kc.shell_channel, kc.get_shell_msg):
                if _parent_id(msg) == msg_id and reply is None:
                    reply, replied_at = _dict(msg.get("content")), time.monotonic()
            if reply is None and not self.alive:
                return None, printed, "died"

    def _interrupt(self, msg_id: str) -> str:
        """Interrupt the running request; ``"ok"`` if the kernel stopped it, else ``"stuck"``/``"died"``."""
        kc = self.kc
        try:
            kc.control_channel.send(kc.session.msg("interrupt_request", content={}))
        except Exception:  # noqa: BLE001 - a broken channel means a broken kernel
            return "died"
        reply, _, state = self._wait(msg_id, 10)
        if state == "died":
            return "died"
        return "ok" if reply is not None else "stuck"

    def locate(self, traceback: object) -> Optional[list]:
        """``[cell, line, text]`` of the innermost frame of ``traceback`` (the kernel's, untrusted) that is
        in a cell this session ran with history: only the numbers are read from it, the text comes from
        the grader's own copy of that cell (``history``). ``None`` when no frame is in such a cell."""
        for count, line in reversed(trace_positions(traceback)):
            if count in self.history:
                cell, source = self.history[count]
                lines = source.splitlines()
                if 1 <= line <= len(lines):
                    return [cell, line, lines[line - 1].strip()]
        return None

    def run(self, code: str, *, timeout: float, user_expressions: Optional[dict] = None,
            store_history: bool = True, cell: Optional[int] = None) -> tuple[Outcome, Optional[dict]]:
        """Run ``code``; the outcome as the grader saw it, and the raw reply content (or None).

        A request that outlives ``timeout`` is interrupted (``status="timeout"``); if the kernel
        does not stop, ``status="stuck"``; a kernel that exits gives ``status="died"``.
        """
        started = time.monotonic()
        if self.transcript is not None:
            self.transcript.append({"code": code, "user_expressions": dict(user_expressions or {})})
        msg_id = self.kc.execute(code, silent=False, store_history=store_history,
                                 user_expressions=user_expressions or {}, allow_stdin=False, stop_on_error=False)
        reply, printed, state = self._wait(msg_id, timeout)
        outcome = Outcome(seconds=round(time.monotonic() - started, 2))
        if printed > config.MAX_OUTPUT_CHARS:
            outcome.printed = printed
        if state == "died":
            outcome.status = "died"
            return outcome, None
        if state == "timeout":
            outcome.status, outcome.seconds = "timeout", round(timeout, 2)
            after = self._interrupt(msg_id)
            if after != "ok":
                outcome.ename = after  # "stuck" or "died": grading stops
            return outcome, None
        if not isinstance(reply, dict):
            outcome.status = "malformed"
            return outcome, None
        count = reply.get("execution_count")
        if store_history and isinstance(count, int) and not isinstance(count, bool):
            self.history[count] = (cell, code)  # what ran as In[count], for locating errors later
        if reply.get("status") == "ok":
            outcome.status = "ok"
        else:
            outcome.status = "error"
            outcome.ename = str(reply.get("ename", "Error"))[:200]
            outcome.evalue = str(reply.get("evalue", ""))[:5000]
            outcome.at = self.locate(reply.get("traceback"))
        return outcome, reply

    def run_student(self, source: str, *, timeout: float, cell: Optional[int] = None) -> Outcome:
        """Run one of the student's cells (notebook cell number ``cell``) as Jupyter would (history kept)."""
        return self.run(source, timeout=timeout, cell=cell)[0]

    def folders(self) -> tuple[Path, str]:
        """The private folder on the grader's side, and the same folder as the kernel sees it."""
        return self.scratch / "course", self.inside_course

    def ask(self, payload: str, timeout: float) -> tuple[Outcome, Optional[str]]:
        """Ask one grading question (``oracle.request_payload``); the outcome and the ``text/plain`` of the
        value that came back (``None`` when none did). Nothing enters the kernel's history."""
        outcome, reply = self.run("", timeout=timeout, store_history=False,
                                  user_expressions={"answer": request_expression(payload)})
        if reply is None:
            return outcome, None
        value = reply.get("user_expressions")
        value = value.get("answer") if isinstance(value, dict) else None
        if reply.get("status") != "ok" or not isinstance(value, dict):
            return Outcome(status="malformed", seconds=outcome.seconds, printed=outcome.printed), None
        if value.get("status") == "error":
            ename = str(value.get("ename", "Error"))[:200]
            if ename == "KeyboardInterrupt":  # a question stopped by our own interrupt
                return Outcome(status="timeout", seconds=outcome.seconds, printed=outcome.printed), None
            return Outcome(status="malformed", ename=ename, seconds=outcome.seconds, printed=outcome.printed), None
        data = value.get("data")
        text = data.get("text/plain") if isinstance(data, dict) else None
        return Outcome(status="ok", seconds=outcome.seconds, printed=outcome.printed), text
