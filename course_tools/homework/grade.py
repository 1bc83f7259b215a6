"""Grade MANY submissions against the grading key made by ``release``: workers, CSV, feedback.

``grade(submissions, key_path, out_csv)`` grades each notebook with ``submission.grade_submission``
(one fresh kernel each, in a bubblewrap sandbox), ``jobs`` at a time, and writes after each one:

- one CSV row (``report.GradeStore``): a score per task, ``total``, ``max_points``, an empty
  ``manual:<id>`` column per written answer (``merge-manual`` fills them), ``status``, ``flags``
  (suspicious constructs found by ``scan``, for the instructor to read), ``notes``;
- one markdown feedback file per submission, named by its label;
- the written answers (``manual.WrittenBook``, ``<csv>.written.json``): manual points stay only for answers
  that did not change; and, at the end, one review page per written question and a points file per
  homework in ``<csv stem>-review/`` for the instructor (``manual.write_reviews``).

A submission's *label* is its path relative to the submissions folder it was found in (or its
file name, when a file is given), so the same folder graded from anywhere gives the same rows.

Status values: ``graded`` (every cell up to the last test ran; with ``run_all``, every cell),
``partial`` (grading stopped early: the kernel died, passed a limit or the total time ran out; tasks
not reached score 0), ``invalid`` (not a notebook, corrupt, not this homework, too large, or not a
regular file (a link, a FIFO: refused unopened, see ``intake``): 0 points), ``failed`` (the
grader itself failed, e.g. no kernel could start: no score, regraded on the next run).

Without a working bubblewrap, ``grade`` refuses to start unless ``unsafe_no_sandbox=True``
(``--unsafe-no-sandbox``): students' code then runs with the instructor's rights and can read and
change anything they can.
"""

from __future__ import annotations

import json
import os
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Callable, Iterable, Optional

from course_utils.plumbing.files import atomic_write_text, sha256_file
from course_utils.plumbing.system import usable_cpu_count

from . import config
from .intake import discover, file_sha256
from .manual import WrittenBook, default_review_dir, write_reviews
from .records import SubmissionResult
from .release import KEY_FORMAT
from .report import (
    LEAD_COLUMNS,
    MANUAL_PREFIX,
    TAIL_COLUMNS,
    GradeStore,
    feedback_markdown,
    feedback_path,
    result_row,
    summary_line,
)
from .said import said
from .sandbox import Sandbox, exposure_problem, sandbox_problem
from .submission import grade_submission

__all__ = ["GradingError", "grade", "grade_one", "load_key", "expand_submissions", "submission_label",
           "feedback_path", "feedback_markdown", "LEAD_COLUMNS", "TAIL_COLUMNS"]


class GradingError(RuntimeError):
    """Grading cannot start (e.g. a missing or invalid key, no sandbox); the message says what to do."""


# --------------------------------------------------------------------------- the key
def load_key(path: Path) -> dict:
    """Read and check a grading key written by ``release`` (its format must be exactly ``KEY_FORMAT``)."""
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
    if key["format"] != KEY_FORMAT:
        raise GradingError(f"{path} has the key format {key['format']!r}, this grader reads {KEY_FORMAT!r}: "
                           "release again (make release) to rewrite the key")
    if not key.get("notebooks"):
        raise GradingError(f"grading key {path} holds no homework notebook (no '# TASK' cells were released)")
    from .judge import questions_of
    from .questions import QuestionError

    for entry in key["notebooks"].values():
        try:
            questions_of(entry)
        except QuestionError as exc:
            raise GradingError(f"grading key {path}: {exc}; fix the notebook and release again") from None
    return key


def _package_parent() -> Path:
    return Path(__file__).resolve().parents[2]


def edition_for(key_path: Path, key: dict) -> Path:
    """The student edition beside the key (its ``course_utils`` and ``data/embedded`` are what kernels
    see); the repository holding this package when the edition is gone."""
    name = key.get("edition")
    if name:
        folder = Path(key_path).resolve().parent / name
        if (folder / "course_utils" / "__init__.py").is_file():
            return folder
    return _package_parent()


# --------------------------------------------------------------------------- submissions and labels
def _unresolved(path: Path) -> Path:
    """``path`` made absolute with its folders' links resolved, but not a link in its last part (a
    submission that is a link is named as itself, never as what it points to)."""
    path = Path(path)
    return Path(os.path.realpath(path.parent)) / path.name


def submission_label(path: Path, folder: Optional[Path] = None) -> str:
    """How the CSV names a submission: its path relative to ``folder`` (the submissions folder it was
    found in), or its file name."""
    path = Path(path)
    if folder is not None:
        try:
            return _unresolved(path).relative_to(Path(folder).resolve()).as_posix()
        except ValueError:
            pass
    return path.name


def expand_submissions(paths: Iterable[Path], notes: Optional[list] = None) -> list[tuple[Path, str]]:
    """``(file, label)`` for files as given and the ``*.ipynb`` under folders (checkpoints skipped),
    without repeats; labels are unique (a clash gets the folder's name in front).

    Links are never followed (``intake.discover``): a linked, FIFO or device entry is listed (it gets
    a row saying it was refused), a linked folder is not entered and is named in ``notes``.
    """
    entries, skipped = discover(paths)
    if notes is not None:
        notes.extend(skipped)
    found = [(path, submission_label(path, folder)) for path, folder in entries]
    unique, seen, labels = [], set(), set()
    for path, label in found:
        resolved = _unresolved(path)
        if resolved in seen:
            continue
        seen.add(resolved)
        if label in labels:
            label = f"{path.parent.name}/{label}"
            number = 2
            while label in labels:
                label, number = f"{path.parent.name}/{Path(label).stem}#{number}{path.suffix}", number + 1
        labels.add(label)
        unique.append((path, label))
    return unique


def _sha256(path: Path) -> str:
    """The submission's SHA-256, read without following a link or blocking (``""`` when refused)."""
    return file_sha256(path)


def default_jobs() -> int:
    """The number of CPUs this process may use."""
    return usable_cpu_count()


def make_sandbox(key_path: Path, key: dict, *, unsafe_no_sandbox: bool = False) -> Sandbox:
    """The sandbox for this key; ``GradingError`` (with the install command) when bubblewrap cannot
    run here and ``unsafe_no_sandbox`` is not set."""
    edition = edition_for(key_path, key)
    if unsafe_no_sandbox:
        return Sandbox(edition=edition, isolate=False)
    problem = sandbox_problem() or exposure_problem(_package_parent(), Path(key_path).resolve().parent)
    if problem:
        raise GradingError(f"no sandbox for students' code: {problem}")
    return Sandbox(edition=edition, isolate=True)


def grade_one(path: Path, key: dict, *, notebook: Optional[str] = None, cell_timeout: float = config.CELL_TIMEOUT,
              total_timeout: float = config.TOTAL_TIMEOUT, sandbox: Optional[Sandbox] = None,
              threads: int = 1, run_all: bool = False) -> SubmissionResult:
    """Grade one submission (``submission.grade_submission``); without ``sandbox``, in a bubblewrap
    sandbox over this repository's ``course_utils`` and ``data/embedded``."""
    if sandbox is None:
        problem = sandbox_problem()
        if problem:
            raise GradingError(f"no sandbox for students' code: {problem}")
        sandbox = Sandbox(edition=_package_parent())
    return grade_submission(path, key, sandbox, notebook=notebook, cell_timeout=cell_timeout,
                            total_timeout=total_timeout, threads=threads, run_all=run_all)


def _safe_grade(path: Path, key: dict, sandbox: Sandbox, **kwargs) -> SubmissionResult:
    try:
        return grade_submission(path, key, sandbox, **kwargs)
    except Exception as exc:  # noqa: BLE001 - one submission never stops the run
        result = SubmissionResult(status="failed")
        result.notes.append(said("feedback.note.grader_crashed", error=f"{type(exc).__name__}: {exc}"))
        return result


# --------------------------------------------------------------------------- many submissions
def grade(submissions: Iterable[Path], key_path: Path, out_csv: Path, *, feedback_dir: Optional[Path] = None,
          jobs: Optional[int] = None, cell_timeout: float = config.CELL_TIMEOUT,
          total_timeout: float = config.TOTAL_TIMEOUT, force: bool = False, notebook: Optional[str] = None,
          unsafe_no_sandbox: bool = False, run_all: bool = False, review_dir: Optional[Path] = None,
          log: Callable[[str], None] = print) -> dict:
    """Grade submissions in parallel; write the CSV and the feedback files.

    Args:
        submissions: notebook files, or folders searched for ``*.ipynb``.
        key_path: the grading key written by ``release``.
        out_csv: the grades CSV; rows of earlier runs are kept.
        feedback_dir: where feedback markdown goes (default: ``<out_csv without .csv>-feedback/``),
            one file per submission at ``<label without .ipynb>.md``.
        jobs: submissions graded at once (default: the number of usable CPUs).
        cell_timeout: seconds one cell may run. total_timeout: seconds a whole submission may run.
        force: regrade submissions already graded with the same file and key.
        notebook: the key's homework (file name) to grade against, when it cannot be told apart.
        unsafe_no_sandbox: run kernels without bubblewrap (students' code gets your rights).
        run_all: also run the cells after the last test (they cannot change a score, and are
            skipped by default; running them shows their errors in the feedback).
        review_dir: where the review pages of written answers go (default: ``<out_csv stem>-review/``).
        log: called with one line per submission.

    Returns:
        ``{label: SubmissionResult}`` for the submissions graded in this run (skipped ones excluded).

    Raises:
        GradingError: the key is missing or invalid, no submissions, or no sandbox available.
    """
    key_path, out_csv = Path(key_path), Path(out_csv)
    key = load_key(key_path)
    key_sha = sha256_file(key_path)  # the instructor's own file (load_key has read it)
    feedback_dir = Path(feedback_dir) if feedback_dir else out_csv.with_name(out_csv.stem + "-feedback")
    skipped: list = []
    found = expand_submissions(submissions, skipped)
    for note in skipped:
        log(note)
    if not found:
        raise GradingError("no submissions given: pass notebook files or folders holding them")
    sandbox = make_sandbox(key_path, key, unsafe_no_sandbox=unsafe_no_sandbox)
    if unsafe_no_sandbox:
        log("WARNING: grading WITHOUT a sandbox (--unsafe-no-sandbox): students' code runs with your rights")
    jobs = max(1, int(jobs or default_jobs()))
    threads = max(1, default_jobs() // jobs)
    store = GradeStore(out_csv)
    book = WrittenBook(out_csv)
    middle = store.middle_columns()
    for entry in key["notebooks"].values():
        for column in [t["id"] for t in entry["tasks"]] + [MANUAL_PREFIX + w["id"] for w in entry.get("written", [])]:
            if column not in middle:
                middle.append(column)
    todo = []
    for path, label in found:
        sha = _sha256(path)
        skip = None if force else store.up_to_date(label, sha, key_sha)
        if skip is not None:
            log(f"{label}: already graded ({skip}), skipped (--force to regrade)")
            continue
        if store.changed_outside(label):
            log(f"{label}: its row in {out_csv.name} was changed outside the grader: graded again")
        todo.append((path, label, sha))
    results: dict = {}
    if not todo:
        return results
    log(f"grading {len(todo)} submission(s), {min(jobs, len(todo))} at a time"
        + (" (sandboxed)" if sandbox.isolate else "") + " ...")
    lock = threading.Lock()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(_safe_grade, path, key, sandbox, notebook=notebook, cell_timeout=cell_timeout,
                               total_timeout=total_timeout, threads=threads, run_all=run_all, sha=sha or None):
                   (label, sha)
                   for path, label, sha in todo}
        for done, future in enumerate(as_completed(futures), start=1):
            label, sha = futures[future]
            result = future.result()
            results[label] = result
            with lock:
                row = result_row(label, result, sha, key_sha)
                record = book.record(label, result, store.rows.get(label), row)
                store.put(label, row)
                atomic_write_text(feedback_path(feedback_dir, label),
                                  feedback_markdown(label, result, record, store.rows[label]))
                store.write(middle)
                book.write()
            log(f"[{done}/{len(todo)}] {summary_line(label, result)}")
    if book.records:
        pages = write_reviews(book, store.rows, Path(review_dir) if review_dir else default_review_dir(out_csv))
        if pages:
            log(f"written answers to grade by hand: {pages[0].parent}/ (a page per question, a points file per "
                "homework for merge-manual)")
    return results
