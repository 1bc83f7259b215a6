"""Grade student submissions against the grading key made by ``release``.

``grade(submissions, key_path, out_csv)``:

- Tests never come from the student's file. Test cells are found by their ``# TEST <id>`` first
  line and replaced by the key's canonical cells (hidden tests included); a changed, deleted,
  duplicated or unknown test cell is reported as tampering. The student's other cells run as
  they are, in their order.
- Each submission runs in its own worker process and Jupyter kernel (this Python's ``python3``
  kernel), in a temporary copy folder, with a per-cell and a total time limit; ``jobs``
  submissions run at once. Syntax errors, infinite loops, crashed kernels (``os._exit``,
  segfaults), floods of output and files that are not notebooks each give a clear entry.
- One CSV row per submission (a score per task, ``total``, ``max_points``, ``status``, ``notes``);
  the CSV is rewritten atomically after every submission, so it is never half-written and an
  interrupted run loses nothing. A submission already graded with the same file and key is
  skipped unless ``force``.
- One markdown feedback file per submission: every check's name, pass/fail and message, never
  the code of hidden tests.

A task earns its points when all of its checks (visible and hidden) pass.

Status values: ``graded`` (every cell ran), ``partial`` (grading stopped early: the kernel died or
the total time ran out; tasks not reached score 0), ``invalid`` (not a notebook, corrupt, or not
this homework: 0 points), ``failed`` (the grader itself failed, e.g. no kernel could start: no
score, regraded on the next run).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import shutil
import signal
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any, Callable, Iterable, Optional, Sequence

from course_utils.plumbing.files import sha256_file
from course_utils.plumbing.system import usable_cpu_count

from . import config
from .markers import checksum, header_of
from .release import write_text_atomic

#: CSV columns before the task columns, and after them.
LEAD_COLUMNS = ("submission", "notebook", "status")
TAIL_COLUMNS = ("total", "max_points", "notes", "seconds", "sha256", "key_sha256")
_MAX_MESSAGE = 800


class GradingError(RuntimeError):
    """Grading cannot start (e.g. a missing or invalid key); the message says what to do."""


class KernelStartError(RuntimeError):
    """No kernel could be started for a submission."""


# --------------------------------------------------------------------------- the key
def load_key(path: Path) -> dict:
    """Read and check a grading key written by ``release``."""
    path = Path(path)
    try:
        key = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GradingError(f"grading key {path} not found: make it with `python -m course_tools.homework release "
                           "notebooks --out dist/student` (it is written beside the --out folder)") from None
    except (OSError, ValueError) as exc:
        raise GradingError(f"grading key {path} cannot be read ({exc}): release again to rewrite it") from None
    if not isinstance(key, dict) or not str(key.get("format", "")).startswith("course_tools.homework/grading-key/"):
        raise GradingError(f"{path} is not a grading key made by `python -m course_tools.homework release`")
    if not key.get("notebooks"):
        raise GradingError(f"grading key {path} holds no homework notebook (no '# TASK' cells were released)")
    return key


# --------------------------------------------------------------------------- one submission (worker side)
def read_submission(path: Path) -> tuple[Optional[dict], Optional[str]]:
    """``(notebook dict, None)``, or ``(None, why it cannot be graded)``."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > config.MAX_SUBMISSION_BYTES:
            return None, (f"the file is {size:,} bytes, more than a notebook should be "
                          f"({config.MAX_SUBMISSION_BYTES:,}): clear the outputs and submit again")
        raw = path.read_bytes()
    except OSError as exc:
        return None, f"the file cannot be read ({exc.strerror or exc})"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None, ("not a notebook: the file is not text (a .ipynb file is JSON text); in Jupyter or Colab use "
                      "File > Download > Download .ipynb")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        if text.lstrip().startswith(("{", "[")):
            return None, (f"the notebook file is damaged (invalid JSON at line {exc.lineno}, column {exc.colno}): "
                          "it was probably cut off while saving or uploading; download it again from Jupyter/Colab")
        return None, ("not a notebook: the file is not JSON; in Jupyter or Colab use File > Download > "
                      "Download .ipynb")
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        return None, "not a notebook: the JSON has no list of cells"
    if data.get("nbformat") != 4:
        try:
            import nbformat

            data = dict(nbformat.convert(nbformat.from_dict(data), 4))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            return None, f"not a notebook this grader can read (nbformat {data.get('nbformat')!r}: {exc})"
    cells = []
    for cell in data.get("cells", []):
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            return None, "the notebook file is damaged: a cell has no valid cell_type"
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(str(s) for s in source)
        cells.append({"cell_type": cell["cell_type"], "source": str(source)})
    return {"cells": cells}, None


def choose_notebook(nb: dict, path: Path, key: dict, forced: Optional[str] = None) -> tuple[Optional[str], str]:
    """Which homework of the key ``nb`` is: ``(name, "")`` or ``(None, why not)``."""
    names = list(key["notebooks"])
    if forced:
        if forced in key["notebooks"]:
            return forced, ""
        return None, f"--notebook {forced!r} is not in the grading key (it has {names})"
    if len(names) == 1:
        return names[0], ""
    ids = {header_of(c)[1] for c in nb["cells"]} - {None}
    overlap = {name: len(ids & ({t["id"] for t in entry["tasks"]} | {t["id"] for t in entry["tests"]}))
               for name, entry in key["notebooks"].items()}
    best = max(overlap.values())
    winners = [n for n, v in overlap.items() if v == best]
    if best > 0 and len(winners) == 1:
        return winners[0], ""
    by_name = [n for n in names if Path(n).stem in Path(path).name]
    if len(by_name) == 1:
        return by_name[0], ""
    return None, ("cannot tell which homework this is (no known TASK/TEST cells, and the file name names none of "
                  f"{names}); grade it with --notebook NAME")


def build_plan(nb: dict, entry: dict) -> tuple[list[dict], list[str]]:
    """The cells to run: the student's cells in order, each test cell replaced by the canonical one.

    Returns ``(plan, tampering notes)``; each plan item has ``source``, ``kind`` (``"student"``
    or ``"test"``), ``cell`` (1-based number in the submission, ``None`` for restored tests),
    ``test``/``hidden`` for tests and ``task`` for the student's task cells.
    """
    canonical = {t["id"]: t for t in entry["tests"]}
    plan: list[dict] = []
    notes: list[str] = []
    seen: set = set()

    def test_items(test_id: str, cell: Optional[int]) -> list[dict]:
        test = canonical[test_id]
        items = [{"kind": "test", "test": test_id, "hidden": False, "source": test["visible"], "cell": cell}]
        if test["hidden"].strip():
            items.append({"kind": "test", "test": test_id, "hidden": True, "source": test["hidden"], "cell": cell})
        return items

    for number, cell in enumerate(nb["cells"], start=1):
        if cell["cell_type"] != "code" or not cell["source"].strip():
            continue
        role, cell_id = header_of(cell)
        if role == "test":
            if cell_id not in canonical:
                notes.append(f"cell {number}: test cell '# TEST {cell_id}' is not part of this homework: ignored")
                continue
            if cell_id in seen:
                notes.append(f"cell {number}: test cell {cell_id} is duplicated: the copy was ignored")
                continue
            seen.add(cell_id)
            if checksum(cell["source"]) not in (canonical[cell_id]["checksum"], canonical[cell_id].get("source_checksum")):
                notes.append(f"cell {number}: test cell {cell_id} was changed: the original test was used")
            plan.extend(test_items(cell_id, number))
        else:
            plan.append({"kind": "student", "source": cell["source"], "cell": number,
                         "task": cell_id if role == "task" else None})
    for test_id in canonical:
        if test_id in seen:
            continue
        notes.append(f"test cell {test_id} was deleted: the original test was put back after its task cell")
        position = len(plan)
        for index, item in enumerate(plan):
            if item.get("task") == test_id:
                position = index + 1
        plan[position:position] = test_items(test_id, None)
    return plan, notes


def _execute_plan(plan: list[dict], workdir: Path, kernel_env: dict, cell_timeout: float,
                  total_timeout: float, pid_file: Optional[Path] = None) -> tuple[list[dict], Optional[str]]:
    """Run the plan in a fresh kernel; one outcome per item, and why grading stopped early (or None)."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    class _Client(NotebookClient):
        """Keeps no outputs (replies carry the errors); counts the text each cell prints.

        Only text counts (streams and ``text/*`` data): figures are not "printed output", and since
        no output is kept, a large image costs no memory here.
        """

        printed: dict = {}

        def output(self, outs, msg, display_id, cell_index):
            content = msg.get("content", {})
            size = len(content.get("text", "") or "")
            size += sum(len(v) for mime, v in (content.get("data") or {}).items()
                        if mime.startswith("text/") and isinstance(v, str))
            self.printed[cell_index] = self.printed.get(cell_index, 0) + size
            return None

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(item["source"]) for item in plan]
    limit = {"now": cell_timeout}
    replies: dict = {}
    client = _Client(nb, kernel_name="python3", timeout_func=lambda cell: limit["now"], allow_errors=True,
                     interrupt_on_timeout=True, record_timing=False, startup_timeout=config.STARTUP_TIMEOUT,
                     error_on_timeout={"ename": "CellTimeout", "evalue": "", "traceback": []},
                     resources={"metadata": {"path": str(workdir)}}, shutdown_kernel="immediate")
    client.printed = {}
    client.on_cell_executed = lambda cell, cell_index, execute_reply: replies.__setitem__(cell_index, execute_reply)
    outcomes = [{"status": "not run"} for _ in plan]
    stop: Optional[str] = None
    stack = contextlib.ExitStack()
    try:
        stack.enter_context(client.setup_kernel(env=kernel_env, cwd=str(workdir)))
    except Exception as exc:  # the kernel did not start: not the student's fault
        raise KernelStartError(f"{type(exc).__name__}: {exc}") from exc
    with stack:
        if pid_file is not None:
            pid = getattr(getattr(client.km, "provisioner", None), "pid", None)
            if pid:
                pid_file.write_text(str(pid))
        deadline = time.monotonic() + total_timeout
        for index, item in enumerate(plan):
            remaining = deadline - time.monotonic()
            if remaining < 1:
                stop = f"the whole notebook used up its time limit of {total_timeout:g} s"
                break
            limit["now"] = max(1, int(min(cell_timeout, remaining)))
            try:
                client.execute_cell(nb.cells[index], index)
            except DeadKernelError:
                where = f"cell {item['cell']}" if item.get("cell") else f"the test of {item.get('test')}"
                outcomes[index] = {"status": "died"}
                stop = (f"the Python kernel crashed while running {where} (os._exit, a segfault, or running out "
                        "of memory); nothing after it ran")
                break
            reply = (replies.get(index) or {}).get("content", {})
            outcome: dict = {"status": "ok" if reply.get("status") == "ok" else "error"}
            if reply.get("status") != "ok":
                outcome.update(ename=str(reply.get("ename", "Error")), evalue=str(reply.get("evalue", "")))
                if outcome["ename"] == "CellTimeout":
                    outcome.update(status="timeout", seconds=limit["now"])
            if client.printed.get(index, 0) > config.MAX_OUTPUT_CHARS:
                outcome["printed"] = client.printed[index]
            outcomes[index] = outcome
            if outcome["status"] == "timeout":
                probe = nbformat.v4.new_code_cell("pass")
                nb.cells.append(probe)
                limit["now"] = 10
                try:
                    client.execute_cell(probe, len(nb.cells) - 1)
                except DeadKernelError:
                    stop = "the Python kernel crashed after an interrupted cell; nothing after it ran"
                    break
                if (replies.get(len(nb.cells) - 1) or {}).get("content", {}).get("status") != "ok":
                    stop = "the kernel did not stop after a timed-out cell (it ignores interrupts); nothing after it ran"
                    break
    return outcomes, stop


def _message(item: dict, outcome: dict) -> str:
    """The feedback message of one check (never the test's code)."""
    status = outcome["status"]
    if status == "ok":
        return "passed"
    if status == "timeout":
        return (f"stopped after {outcome.get('seconds')} s: an infinite loop, or code much slower than it needs "
                "to be?")
    if status in ("not run", "died"):
        return "not run: grading stopped before this check (see the notes above)"
    ename, evalue = outcome.get("ename", "Error"), outcome.get("evalue", "").strip()
    if ename == "CheckFailure" or (ename == "AssertionError" and evalue):
        text = evalue
    elif ename == "AssertionError":
        text = "a hidden check failed" if item.get("hidden") else "a check failed"
    elif ename == "NotImplementedError":
        text = f"not done yet: {evalue}" if evalue else "not done yet (NotImplementedError)"
    elif ename == "NameError":
        text = (f"{evalue}. The test uses a name your notebook should define: run the task cell without errors and "
                "keep the names the task asks for.")
    else:
        text = f"{ename}: {evalue}" if evalue else ename
    return text if len(text) <= _MAX_MESSAGE else text[:_MAX_MESSAGE] + " ..."


def score(entry: dict, plan: list[dict], outcomes: list[dict]) -> tuple[dict, list[dict]]:
    """Points per task and the list of checks ``{name, task, hidden, passed, message}``."""
    checks = []
    ok_by_task: dict = {t["id"]: True for t in entry["tasks"]}
    for item, outcome in zip(plan, outcomes):
        if item["kind"] != "test":
            continue
        passed = outcome["status"] == "ok"
        ok_by_task[item["test"]] = ok_by_task.get(item["test"], True) and passed
        name = item["test"] + (" (hidden checks)" if item["hidden"] else "")
        checks.append({"name": name, "task": item["test"], "hidden": item["hidden"], "passed": passed,
                       "message": _message(item, outcome)})
    points = {t["id"]: (t["points"] if ok_by_task.get(t["id"]) else 0.0) for t in entry["tasks"]}
    return points, checks


def grade_one(path: Path, key: dict, *, notebook: Optional[str] = None, cell_timeout: float = config.CELL_TIMEOUT,
              total_timeout: float = config.TOTAL_TIMEOUT, workdir: Optional[Path] = None,
              kernel_env: Optional[dict] = None, pid_file: Optional[Path] = None) -> dict:
    """Grade one submission in a kernel started here; returns a JSON-able result.

    The result has ``status``, ``notebook``, ``points`` (task id -> points), ``total``,
    ``max_points``, ``checks``, ``notes`` (tampering and early stops), ``cell_errors`` (errors in
    the student's own cells) and ``seconds``.
    """
    started = time.monotonic()
    path = Path(path)
    result: dict[str, Any] = {"status": "invalid", "notebook": "", "points": {}, "total": 0.0, "max_points": 0.0,
                              "checks": [], "notes": [], "cell_errors": [], "seconds": 0.0}
    nb, problem = read_submission(path)
    if nb is not None:
        name, problem = choose_notebook(nb, path, key, notebook)
    if nb is None or not name:
        result["notes"].append(problem)
        result["seconds"] = round(time.monotonic() - started, 2)
        return result
    entry = key["notebooks"][name]
    result.update(notebook=name, max_points=entry["total_points"],
                  points={t["id"]: 0.0 for t in entry["tasks"]},
                  task_points={t["id"]: t["points"] for t in entry["tasks"]})
    plan, notes = build_plan(nb, entry)
    result["notes"].extend(notes)
    own_dir = workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="course-grade-")) if own_dir else Path(workdir)
    try:
        env = dict(os.environ if kernel_env is None else kernel_env)
        env.setdefault("IPYTHONDIR", str(workdir / ".ipython"))  # a fresh profile: no startup scripts, no races
        try:
            try:
                outcomes, stop = _execute_plan(plan, workdir, env, cell_timeout, total_timeout, pid_file)
            except KernelStartError:  # one retry: a busy machine can miss the startup handshake
                outcomes, stop = _execute_plan(plan, workdir, env, cell_timeout, total_timeout, pid_file)
        except Exception as exc:  # kernel could not start, zmq trouble: the grader failed, not the student
            result.update(status="failed")
            result["notes"].append(f"the grader could not run this notebook ({type(exc).__name__}: {exc}); "
                                   "it will be graded again on the next run")
            result["seconds"] = round(time.monotonic() - started, 2)
            return result
    finally:
        if own_dir:
            shutil.rmtree(workdir, ignore_errors=True)
    if stop:
        result["notes"].append(stop)
    for item, outcome in zip(plan, outcomes):
        if item["kind"] != "student":
            if outcome.get("printed"):
                result["notes"].append(f"the test of {item['test']} printed {outcome['printed']:,} characters")
            continue
        where = f"cell {item['cell']}"
        if outcome["status"] == "timeout":
            result["notes"].append(f"{where} ran longer than {outcome['seconds']} s and was stopped")
            result["cell_errors"].append(f"{where}: stopped after {outcome['seconds']} s (infinite loop?)")
        elif outcome["status"] == "error":
            evalue = outcome.get("evalue", "")
            text = f"{where}: {outcome['ename']}" + (f": {evalue}" if evalue else "")
            result["cell_errors"].append(text if len(text) <= _MAX_MESSAGE else text[:_MAX_MESSAGE] + " ...")
            if outcome["ename"] in ("SyntaxError", "IndentationError", "TabError"):
                result["notes"].append(f"{where} has a {outcome['ename']}")
        if outcome.get("printed"):
            result["notes"].append(f"{where} printed {outcome['printed']:,} characters (output is not kept when "
                                   "grading)")
    result["runs"] = [{"kind": item["kind"], "cell": item.get("cell"), "test": item.get("test"),
                       "hidden": item.get("hidden", False), **outcome} for item, outcome in zip(plan, outcomes)]
    points, checks = score(entry, plan, outcomes)
    result.update(status="partial" if stop else "graded", points=points, checks=checks,
                  total=float(sum(points.values())), seconds=round(time.monotonic() - started, 2))
    return result


# --------------------------------------------------------------------------- many submissions (parent side)
def expand_submissions(paths: Iterable[Path]) -> list[Path]:
    """Files as given, and the ``*.ipynb`` files under folders (checkpoints skipped), without repeats."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(p for p in sorted(path.rglob("*.ipynb")) if ".ipynb_checkpoints" not in p.parts)
        else:
            found.append(path)
    unique, seen = [], set()
    for path in found:
        resolved = path.resolve()
        if resolved not in seen:
            seen.add(resolved)
            unique.append(path)
    return unique


def submission_label(path: Path) -> str:
    """How the CSV names a submission: its path relative to the working folder, else as given."""
    try:
        return Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()


def feedback_path(feedback_dir: Path, label: str) -> Path:
    """``<feedback_dir>/<label without .ipynb>.md``, never outside ``feedback_dir``."""
    parts = [p for p in Path(label).parts if p not in ("", "/", "..", ".") and not p.endswith(":\\")]
    rel = Path(*parts) if parts else Path("submission")
    return Path(feedback_dir) / rel.with_suffix(".md")


def _fmt(points: float) -> str:
    return f"{points:g}"


def feedback_markdown(label: str, result: dict) -> str:
    """The student's feedback file: score, each check (name, pass/fail, message), notes, cell errors."""
    lines = [f"# Feedback for `{label}`", ""]
    if result["notebook"]:
        lines.append(f"Homework: `{result['notebook']}`  ")
    if result["status"] == "failed":
        lines += ["", "Your notebook could not be graded this time because of a problem on the grader's side. "
                      "It will be graded again; you do not need to do anything.", ""]
    else:
        lines.append(f"Score: **{_fmt(result['total'])} / {_fmt(result['max_points'])}** ({result['status']})")
        lines.append("")
    if result["notes"]:
        lines += ["## Notes", ""] + [f"- {note}" for note in result["notes"]] + [""]
    if result["checks"]:
        lines += ["## Checks", ""]
        for task_id, got in result["points"].items():
            worth = result.get("task_points", {}).get(task_id)
            lines.append(f"### {task_id}: {_fmt(got)}" + (f" / {_fmt(worth)}" if worth is not None else "")
                         + " point(s)")
            lines.append("")
            for check in (c for c in result["checks"] if c["task"] == task_id):
                mark = "PASS" if check["passed"] else "FAIL"
                message = check["message"].replace("\n", "\n  ")
                lines.append(f"- **{mark}** {check['name']}: {message}")
            lines.append("")
    if result["cell_errors"]:
        lines += ["## Errors in your cells", "",
                  "(Cell numbers count every cell from the top of your notebook, markdown cells included.)", ""]
        lines += [f"- {error}" for error in result["cell_errors"]] + [""]
    return "\n".join(lines)


def read_csv(path: Path) -> tuple[list[str], list[dict]]:
    """Columns and rows of an existing grades CSV (``([], [])`` if there is none)."""
    path = Path(path)
    if not path.exists():
        return [], []
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def write_csv(path: Path, rows: Sequence[dict], task_columns: Sequence[str]) -> None:
    """Write the grades CSV atomically, rows sorted by submission."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=[*LEAD_COLUMNS, *task_columns, *TAIL_COLUMNS], extrasaction="ignore",
                            lineterminator="\n")
    writer.writeheader()
    for row in sorted(rows, key=lambda r: r["submission"]):
        writer.writerow(row)
    write_text_atomic(Path(path), buffer.getvalue())


def _row(label: str, result: dict, sha: str, key_sha: str) -> dict:
    row = {"submission": label, "notebook": result["notebook"], "status": result["status"],
           "notes": "; ".join(result["notes"]), "seconds": f"{result['seconds']:.1f}", "sha256": sha,
           "key_sha256": key_sha}
    if result["status"] != "failed":
        row.update({task: _fmt(points) for task, points in result["points"].items()})
        row.update(total=_fmt(result["total"]), max_points=_fmt(result["max_points"]))
    return row


def _kill_group(pid: int) -> None:
    try:
        os.killpg(os.getpgid(pid), signal.SIGKILL)
    except (ProcessLookupError, PermissionError, OSError):
        pass


def _package_parent() -> Path:
    return Path(__file__).resolve().parents[2]


def _edition_for(key_path: Path, key: dict) -> Optional[Path]:
    name = key.get("edition")
    if not name:
        return None
    folder = Path(key_path).resolve().parent / name
    return folder if (folder / "course_utils" / "__init__.py").is_file() else None


def _worker_context():
    """A multiprocessing context whose children start fast: a fork server with the grader preloaded."""
    import multiprocessing

    global _CONTEXT
    if _CONTEXT is None:
        if "forkserver" in multiprocessing.get_all_start_methods():
            _CONTEXT = multiprocessing.get_context("forkserver")
            _CONTEXT.set_forkserver_preload(["course_tools.homework.grade", "nbclient", "nbformat", "jupyter_client"])
        else:  # Windows: slower to start, same behaviour
            _CONTEXT = multiprocessing.get_context("spawn")
    return _CONTEXT


_CONTEXT = None


def _worker_main(path: str, key_path: str, result_file: str, log_file: str, workdir: str, notebook: Optional[str],
                 cell_timeout: float, total_timeout: float, kernel_env: dict, pid_file: str) -> None:
    """Body of a worker process: grade one submission, write the result as JSON."""
    fd = os.open(log_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.chdir(workdir)
    result = grade_one(Path(path), load_key(Path(key_path)), notebook=notebook, cell_timeout=cell_timeout,
                       total_timeout=total_timeout, workdir=Path(workdir), kernel_env=kernel_env,
                       pid_file=Path(pid_file))
    write_text_atomic(Path(result_file), json.dumps(result))


def _run_worker(path: Path, key_path: Path, *, notebook: Optional[str], cell_timeout: float, total_timeout: float,
                threads: int, edition: Optional[Path]) -> dict:
    """Grade one submission in its own worker process and kernel, with a hard time limit."""
    scratch = Path(tempfile.mkdtemp(prefix="course-grade-"))
    try:
        work = scratch / "work"
        work.mkdir()
        if path.is_file():
            try:
                shutil.copy2(path, work / path.name)
            except OSError:
                pass
        env = dict(os.environ)
        package_parent = str(_package_parent())
        kernel_path = str(edition) if edition is not None else package_parent
        env["PYTHONPATH"] = os.pathsep.join(p for p in (kernel_path, env.get("PYTHONPATH", "")) if p)
        env.update(config.GRADING_ENV)
        env["COURSE_CHECKPOINT_DIR"] = str(work / "checkpoints")
        instructor_data = _package_parent() / "data"
        if "COURSE_DATA_DIR" not in os.environ and instructor_data.is_dir():
            env["COURSE_DATA_DIR"] = str(instructor_data)
        for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env.setdefault(name, str(threads))
        result_file, log_file, pid_file = scratch / "result.json", scratch / "worker.log", scratch / "kernel.pid"
        hard_limit = total_timeout + 2 * config.STARTUP_TIMEOUT + 60
        proc = _worker_context().Process(
            target=_worker_main, daemon=True,
            args=(str(path.resolve()), str(Path(key_path).resolve()), str(result_file), str(log_file), str(work),
                  notebook, cell_timeout, total_timeout, env, str(pid_file)))
        proc.start()
        try:
            proc.join(hard_limit)
            if proc.is_alive():
                problem = f"grading took longer than {hard_limit:g} s and was stopped"
            else:
                problem = None if result_file.exists() else f"the grading worker exited with code {proc.exitcode}"
        finally:
            if pid_file.exists():
                try:
                    _kill_group(int(pid_file.read_text().strip()))
                except ValueError:
                    pass
            if proc.is_alive():
                proc.kill()
                proc.join()
        tail = ""
        if log_file.exists():
            tail = log_file.read_text(encoding="utf-8", errors="replace")[-600:].strip().replace("\n", " | ")
        if problem is None:
            result = json.loads(result_file.read_text(encoding="utf-8"))
            if result["status"] == "failed" and tail:
                result["notes"].append(f"grader log: {tail}")
            return result
        return {"status": "failed", "notebook": "", "points": {}, "total": 0.0, "max_points": 0.0, "checks": [],
                "notes": [f"{problem}; it will be graded again on the next run" + (f" (log: {tail})" if tail else "")],
                "cell_errors": [], "seconds": 0.0}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _sha256(path: Path) -> str:
    try:
        return sha256_file(path)
    except OSError:
        return ""


def default_jobs() -> int:
    """The number of CPUs this process may use."""
    return usable_cpu_count()


def grade(submissions: Iterable[Path], key_path: Path, out_csv: Path, *, feedback_dir: Optional[Path] = None,
          jobs: Optional[int] = None, cell_timeout: float = config.CELL_TIMEOUT,
          total_timeout: float = config.TOTAL_TIMEOUT, force: bool = False, notebook: Optional[str] = None,
          log: Callable[[str], None] = print) -> dict:
    """Grade submissions in parallel; write the CSV and the feedback files.

    Args:
        submissions: notebook files, or folders searched for ``*.ipynb``.
        key_path: the grading key written by ``release``.
        out_csv: the grades CSV; rows of earlier runs are kept.
        feedback_dir: where feedback markdown goes (default: ``<out_csv without .csv>-feedback/``),
            one file per submission at its path relative to the working folder, ``.ipynb`` -> ``.md``.
        jobs: submissions graded at once (default: the number of usable CPUs).
        cell_timeout: seconds one cell may run. total_timeout: seconds a whole submission may run.
        force: regrade submissions already graded with the same file and key.
        notebook: the key's homework (file name) to grade against, when it cannot be told apart.
        log: called with one line per submission.

    Returns:
        ``{label: result}`` for the submissions graded in this run (skipped ones excluded).

    Workers are started by a multiprocessing fork server, so a script that calls ``grade`` must
    guard its top level with ``if __name__ == "__main__":`` (the command line already does).
    """
    key_path, out_csv = Path(key_path), Path(out_csv)
    key = load_key(key_path)
    key_sha = _sha256(key_path)
    feedback_dir = Path(feedback_dir) if feedback_dir else out_csv.with_name(out_csv.stem + "-feedback")
    paths = expand_submissions(submissions)
    if not paths:
        raise GradingError("no submissions given: pass notebook files or folders holding them")
    jobs = max(1, int(jobs or default_jobs()))
    threads = max(1, default_jobs() // jobs)
    edition = _edition_for(key_path, key)
    columns, old_rows = read_csv(out_csv)
    rows = {row["submission"]: row for row in old_rows}
    task_columns = [c for c in columns if c not in LEAD_COLUMNS and c not in TAIL_COLUMNS]
    for entry in key["notebooks"].values():
        task_columns += [t["id"] for t in entry["tasks"] if t["id"] not in task_columns]
    todo = []
    for path in paths:
        label, sha = submission_label(path), _sha256(path)
        old = rows.get(label)
        if (not force and old and old.get("sha256") == sha and old.get("key_sha256") == key_sha
                and old.get("status") != "failed"):
            log(f"{label}: already graded ({old.get('total', '')}/{old.get('max_points', '')}), skipped "
                "(--force to regrade)")
            continue
        todo.append((path, label, sha))
    results: dict = {}
    if not todo:
        return results
    log(f"grading {len(todo)} submission(s), {min(jobs, len(todo))} at a time ...")
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(_run_worker, path, key_path, notebook=notebook, cell_timeout=cell_timeout,
                               total_timeout=total_timeout, threads=threads, edition=edition): (label, sha)
                   for path, label, sha in todo}
        for done, future in enumerate(as_completed(futures), start=1):
            label, sha = futures[future]
            result = future.result()
            results[label] = result
            rows[label] = _row(label, result, sha, key_sha)
            write_text_atomic(feedback_path(feedback_dir, label), feedback_markdown(label, result))
            write_csv(out_csv, list(rows.values()), task_columns)
            score_text = ("no score" if result["status"] == "failed"
                          else f"{_fmt(result['total'])}/{_fmt(result['max_points'])}")
            first_note = f" - {result['notes'][0]}" if result["notes"] else ""
            log(f"[{done}/{len(todo)}] {label}: {score_text} ({result['status']}, {result['seconds']:.1f} s)"
                f"{first_note}")
    return results
