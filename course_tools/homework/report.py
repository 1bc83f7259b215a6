"""What grading writes: the grades CSV (with its ledger), the feedback files, manual points.

- ``GradeStore``: the CSV of grades, one row per submission, written atomically after each one.
  Only the grader writes it, and it lives where no grading kernel can see it. Beside it,
  ``<csv>.ledger.json`` records, per submission, the file's and the key's SHA-256 and a digest of
  the row as written: a rerun skips a submission only when all three still match, so a row edited
  by anything but this tool is graded again. Every text cell is escaped against spreadsheet
  formula injection (a leading ``= + - @``, tab or carriage return gets a ``'`` in front).
- ``feedback_markdown``: the student's feedback file.
- ``merge_manual``: an instructor's points for written answers, merged into the CSV.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path
from typing import Optional, Sequence

from course_utils.plumbing.files import atomic_write_text

from .records import SubmissionResult

#: CSV columns before the task columns, and after them (the ``manual:<id>`` columns of written
#: answers come between the tasks and these).
LEAD_COLUMNS = ("submission", "notebook", "status")
TAIL_COLUMNS = ("total", "max_points", "manual_total", "total_with_manual", "flags", "notes", "seconds", "sha256",
                "key_sha256")
MANUAL_PREFIX = "manual:"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ManualPointsError(ValueError):
    """The manual points file cannot be merged; the message lists every problem."""


def fmt(points: float) -> str:
    return f"{points:g}"


def escape_cell(value: object) -> str:
    """A CSV cell that no spreadsheet runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def unescape_cell(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA_START) else text


def _row_digest(row: dict) -> str:
    kept = {k: str(v) for k, v in row.items() if str(v or "") and not k.startswith(MANUAL_PREFIX)
            and k not in ("manual_total", "total_with_manual")}
    return hashlib.sha256(json.dumps(kept, sort_keys=True).encode("utf-8")).hexdigest()


def result_row(label: str, result: SubmissionResult, sha: str, key_sha: str) -> dict:
    """The CSV row of one graded submission (manual columns empty)."""
    row = {"submission": label, "notebook": result.notebook, "status": result.status,
           "flags": "; ".join(result.flags), "notes": "; ".join(result.notes), "seconds": f"{result.seconds:.1f}",
           "sha256": sha, "key_sha256": key_sha}
    if result.status != "failed":
        row.update({task: fmt(points) for task, points in result.points.items()})
        row.update(total=fmt(result.total), max_points=fmt(result.max_points))
        row.update({MANUAL_PREFIX + answer.id: "" for answer in result.written})
    return row


def _with_manual_totals(row: dict) -> dict:
    manual = [float(v) for k, v in row.items() if k.startswith(MANUAL_PREFIX) and str(v).strip()]
    row["manual_total"] = fmt(sum(manual)) if manual else ""
    try:
        row["total_with_manual"] = fmt(float(row.get("total") or 0) + sum(manual)) if manual else ""
    except ValueError:
        row["total_with_manual"] = ""
    return row


class GradeStore:
    """The grades CSV and its ledger (see the module docstring)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.ledger_path = self.path.with_name(self.path.name + ".ledger.json")
        self.columns: list[str] = []
        self.rows: dict[str, dict] = {}
        self.ledger: dict[str, dict] = {}
        if self.path.exists():
            with open(self.path, newline="", encoding="utf-8") as fh:
                reader = csv.DictReader(fh)
                self.columns = [unescape_cell(c) for c in (reader.fieldnames or [])]
                for raw in reader:
                    row = {unescape_cell(k): unescape_cell(v or "") for k, v in raw.items() if k is not None}
                    self.rows[row.get("submission", "")] = row
        if self.ledger_path.exists():
            try:
                ledger = json.loads(self.ledger_path.read_text(encoding="utf-8"))
                self.ledger = ledger if isinstance(ledger, dict) else {}
            except (OSError, ValueError):
                self.ledger = {}

    def middle_columns(self) -> list[str]:
        """Task and manual columns of the existing CSV, in order."""
        return [c for c in self.columns if c not in LEAD_COLUMNS and c not in TAIL_COLUMNS]

    def up_to_date(self, label: str, sha: str, key_sha: str) -> Optional[str]:
        """``None`` if ``label`` must be graded; else the reason to skip it (its score)."""
        row, entry = self.rows.get(label), self.ledger.get(label)
        if not row or not isinstance(entry, dict) or row.get("status") == "failed":
            return None
        if entry.get("sha256") != sha or entry.get("key_sha256") != key_sha or entry.get("row") != _row_digest(row):
            return None
        return f"{row.get('total', '')}/{row.get('max_points', '')}"

    def changed_outside(self, label: str) -> bool:
        """True when the CSV row of ``label`` is not the row this tool wrote."""
        row, entry = self.rows.get(label), self.ledger.get(label)
        return bool(row and isinstance(entry, dict) and entry.get("row") != _row_digest(row))

    def put(self, label: str, row: dict) -> None:
        old = self.rows.get(label, {})
        for column, value in old.items():  # manual points survive a regrade
            if column.startswith(MANUAL_PREFIX) and value and not row.get(column):
                row[column] = value
        self.rows[label] = _with_manual_totals(dict(row))
        self.ledger[label] = {"sha256": row.get("sha256", ""), "key_sha256": row.get("key_sha256", ""),
                              "row": _row_digest(self.rows[label])}

    def write(self, middle: Sequence[str]) -> None:
        """Write the CSV and the ledger atomically, rows sorted by submission."""
        columns = [*LEAD_COLUMNS, *middle, *TAIL_COLUMNS]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow([escape_cell(c) for c in columns])
        for label in sorted(self.rows):
            row = self.rows[label]
            writer.writerow([escape_cell(row.get(c, "")) for c in columns])
        atomic_write_text(self.path, buffer.getvalue())
        atomic_write_text(self.ledger_path, json.dumps(self.ledger, indent=1, sort_keys=True) + "\n")
        self.columns = columns


def merge_manual(grades_csv: Path, points_csv: Path) -> list[str]:
    """Merge an instructor's points for written answers into the grades CSV; returns what changed.

    ``points_csv`` has a ``submission`` column (labels as in the grades CSV) and one column per
    written answer, named as in the grades CSV (``manual:mlp.q1``) or by the answer's id alone
    (``mlp.q1``). Empty cells are left alone. Every problem (an unknown submission or column, a
    value that is not a number >= 0) is reported at once and nothing is written then.
    """
    store = GradeStore(grades_csv)
    if not store.rows:
        raise ManualPointsError(f"{grades_csv} holds no grades: grade the submissions first")
    manual_columns = {c for c in store.columns if c.startswith(MANUAL_PREFIX)}
    try:
        with open(points_csv, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            fields = [unescape_cell(f) for f in (reader.fieldnames or [])]
            rows = [{unescape_cell(k): unescape_cell(v or "") for k, v in r.items() if k is not None} for r in reader]
    except OSError as exc:
        raise ManualPointsError(f"{points_csv} cannot be read ({exc})") from None
    problems, changes = [], []
    if "submission" not in fields:
        problems.append(f"{points_csv} has no 'submission' column (labels as in {grades_csv})")
    columns = {}
    for name in fields:
        if name == "submission":
            continue
        column = name if name.startswith(MANUAL_PREFIX) else MANUAL_PREFIX + name
        if column not in manual_columns:
            problems.append(f"column {name!r} is not a written answer of {grades_csv} "
                            f"(those are {sorted(c[len(MANUAL_PREFIX):] for c in manual_columns)})")
        columns[name] = column
    updates: list[tuple[str, str, str]] = []
    for number, row in enumerate(rows, start=2):
        label = row.get("submission", "").strip()
        if label not in store.rows:
            problems.append(f"line {number}: submission {label!r} is not in {grades_csv}")
            continue
        for name, column in columns.items():
            value = (row.get(name) or "").strip()
            if not value:
                continue
            try:
                points = float(value)
            except ValueError:
                points = -1.0
            if not points >= 0:
                problems.append(f"line {number}, {name}: {value!r} is not a number of points >= 0")
                continue
            updates.append((label, column, fmt(points)))
    if problems:
        raise ManualPointsError("nothing was merged:\n" + "\n".join(f"  - {p}" for p in problems))
    for label, column, value in updates:
        row = store.rows[label]
        if column not in row and row.get("status") == "failed":
            continue
        if row.get(column, "") != value:
            changes.append(f"{label}: {column[len(MANUAL_PREFIX):]} = {value}")
        row[column] = value
        store.put(label, row)
    store.write(store.middle_columns())
    return changes


# --------------------------------------------------------------------------- feedback
def feedback_path(feedback_dir: Path, label: str) -> Path:
    """``<feedback_dir>/<label without .ipynb>.md``, never outside ``feedback_dir``."""
    parts = [p for p in Path(label).parts if p not in ("", "/", "..", ".") and not p.endswith(":\\")]
    rel = Path(*parts) if parts else Path("submission")
    return Path(feedback_dir) / rel.with_suffix(".md")


def _code(text: str) -> str:
    return "`" + text.replace("`", "'") + "`"


def feedback_markdown(label: str, result: SubmissionResult) -> str:
    """The student's feedback: score, per task its requirements as a checklist (with why one was missed)
    and what the student's own self-check said, written answers, notes, errors in their cells (which
    ones cost points)."""
    lines = [f"# Feedback for {_code(label)}", ""]
    if result.notebook:
        lines.append(f"Homework: {_code(result.notebook)}  ")
    if result.status == "failed":
        lines += ["", "Your notebook could not be graded this time because of a problem on the grader's side. "
                      "It will be graded again; you do not need to do anything.", ""]
    else:
        lines.append(f"Score: **{fmt(result.total)} / {fmt(result.max_points)}** ({result.status})"
                     + (" plus your written answers, graded by hand" if result.written else ""))
        lines.append("")
    if result.notes:
        lines += ["## Notes", ""] + [f"- {note}" for note in result.notes] + [""]
    if result.checks or result.self_checks:
        lines += ["## Tasks", "",
                  "Each task's points are split over its requirements; a requirement counts when every grading "
                  "question about it was answered right. The grader asked its questions where your test cell "
                  "stands, with inputs of its own.", ""]
        for task_id, got in result.points.items():
            worth = result.task_points.get(task_id)
            lines.append(f"### {task_id}: {fmt(got)}" + (f" / {fmt(worth)}" if worth is not None else "")
                         + " point(s)")
            lines.append("")
            own = result.self_checks.get(task_id)
            if own is not None:
                said = {"passed": "passed", "not run": "did not run"}.get(own.status, "failed")
                lines.append(f"Your self-check (the test cell) {said}" + (f": {own.message}" if own.message else ".")
                             .replace("\n", "\n  "))
                lines.append("")
            for check in (c for c in result.checks if c.task == task_id):
                mark = "x" if check.passed else " "
                line = f"- [{mark}] {check.text} ({fmt(check.points)} point{'s' if check.points != 1 else ''})"
                if not check.passed and check.message:
                    line += ": " + check.message.replace("\n", "\n  ")
                lines.append(line)
            lines.append("")
    if result.written:
        lines += ["## Written answers (graded by hand)", ""]
        for answer in result.written:
            lines.append(f"- **{answer.id}** {answer.question}")
            if answer.answer is None:
                lines.append("  - answer cell not found: was the question's cell deleted or its text changed?")
            elif not answer.answer:
                lines.append("  - no answer written")
            else:
                lines.append("  - your answer: " + answer.answer[:2000].replace("\n", " "))
        lines.append("")
    if result.cell_errors:
        lines += ["## Errors in your cells", "",
                  "Your notebook ran on the grader: offline, on its own copy of the course data, with a time limit "
                  "per cell. Only the grading questions above give points; an error marked \"costs no points\" did not change "
                  "your score by itself. (Cell numbers count every cell from the top, markdown cells included.)", ""]
        for error in result.cell_errors:
            cost = "in a task that scored 0" if error.costs_points else "costs no points"
            lines.append(f"- cell {error.cell} ({cost}): {error.text}")
        lines.append("")
    if result.not_run:
        first, last, count = result.not_run[0], result.not_run[-1], len(result.not_run)
        where = f"last code cell (cell {first})" if count == 1 else f"last {count} code cells (cells {first} to {last})"
        lines += ["## Cells after the last test", "",
                  f"The grader stopped after the last test, so your {where} did not run: nothing after the last "
                  "test can change your score. To check them, run your notebook from the top (Runtime > Run all).",
                  ""]
    return "\n".join(lines)


def summary_line(label: str, result: SubmissionResult) -> str:
    score = "no score" if result.status == "failed" else f"{fmt(result.total)}/{fmt(result.max_points)}"
    first_note = f" - {result.notes[0]}" if result.notes else ""
    flags = f" [flags: {'; '.join(result.flags)}]" if result.flags else ""
    return f"{label}: {score} ({result.status}, {result.seconds:.1f} s){first_note}{flags}"

