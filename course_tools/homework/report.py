"""What grading writes: the grades CSV (with its ledger), the feedback files, manual points.

- ``GradeStore``: the CSV of grades, one row per submission, written atomically after each one.
  Only the grader writes it, and it lives where no grading kernel can see it. Beside it,
  ``<csv>.ledger.json`` records, per submission, the file's and the key's SHA-256 and a digest of
  the row as written: a rerun skips a submission only when all three still match, so a row edited
  by anything but this tool is graded again. Every text cell is escaped against spreadsheet
  formula injection (a leading ``= + - @``, tab or carriage return gets a ``'`` in front).
- ``feedback_markdown``: the student's feedback file.
- ``merge_manual``: an instructor's points for written answers, merged into the CSV (``manual``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from pathlib import Path
from typing import Optional, Sequence

from course_utils.plumbing.files import atomic_write_text

from .manual import MANUAL_PREFIX, ManualPointsError, fmt  # noqa: F401 - re-exported for older callers
from .records import SubmissionResult

#: CSV columns before the task columns, and after them (the ``manual:<id>`` columns of written
#: answers come between the tasks and these).
LEAD_COLUMNS = ("submission", "notebook", "status")
TAIL_COLUMNS = ("total", "max_points", "manual_total", "total_with_manual", "max_with_manual", "manual_pending",
                "flags", "notes", "seconds", "sha256", "key_sha256")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Columns that merge-manual may change: left out of the ledger's digest of a row.
_MANUAL_COLUMNS = ("manual_total", "total_with_manual", "max_with_manual", "manual_pending")


def escape_cell(value: object) -> str:
    """A CSV cell that no spreadsheet runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def unescape_cell(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA_START) else text


def _row_digest(row: dict) -> str:
    kept = {k: str(v) for k, v in row.items() if str(v or "") and not k.startswith(MANUAL_PREFIX)
            and k not in _MANUAL_COLUMNS}
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
        """Store ``row``; manual columns it does not have keep their old values (a row of its own questions has
        them all: ``manual.WrittenBook.record`` decides which points survive a regrade)."""
        old = self.rows.get(label, {})
        for column, value in old.items():
            if (column.startswith(MANUAL_PREFIX) or column in ("manual_pending", "max_with_manual")) \
                    and value and column not in row:
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


def merge_manual(grades_csv: Path, points_csv: Path, **options) -> list[str]:
    """Merge an instructor's points for written answers into the grades (``manual.merge_manual``)."""
    from .manual import merge_manual as merge

    return merge(grades_csv, points_csv, **options)


# --------------------------------------------------------------------------- feedback
def feedback_path(feedback_dir: Path, label: str) -> Path:
    """``<feedback_dir>/<label without .ipynb>.md``, never outside ``feedback_dir``."""
    parts = [p for p in Path(label).parts if p not in ("", "/", "..", ".") and not p.endswith(":\\")]
    rel = Path(*parts) if parts else Path("submission")
    return Path(feedback_dir) / rel.with_suffix(".md")


#: Characters that markdown or HTML give a meaning to anywhere in a line.
_MARKUP = re.compile(r"([\\`*_\[\]<>&|~!{}])")
#: What gives a line a meaning at its start: a heading, quote, list item, rule or setext underline.
_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+[.)])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def plain(text: object) -> str:
    """``text`` without control characters (terminal escape sequences, bidirectional overrides,
    zero-width characters): what the grader prints to a terminal or puts in a file name's place."""
    return _CONTROL.sub("?", str(text))


def escape_markdown(text: object, *, one_line: bool = False) -> str:
    """Text the student controls (an answer, a message, a file name), safe to put in a markdown
    feedback file that may be shown as HTML: every character markdown or HTML reads as markup
    (``* _ ` [ ] < > & | ~ ! { } \\``, and ``# > + - =`` or ``1.`` at a line's start) is escaped with a
    backslash, so it shows as itself, and control characters become ``?``. ``one_line`` joins the
    lines with spaces (an answer in a list item); otherwise lines are kept.
    """
    lines = plain(str(text).replace("\r\n", "\n").replace("\r", "\n")).split("\n")
    if one_line:
        lines = [" ".join(" ".join(lines).split())]
    out = []
    for line in lines:
        line = _MARKUP.sub(r"\\\1", line)
        out.append(_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), line))
    return "\n".join(out)


def _code(text: str) -> str:
    """A code span showing ``text`` (a file name): markup inside a code span is not read; backticks,
    which would end it, become ``'``, and ``<`` ``>`` become ``‹`` ``›`` for renderers that are not careful."""
    return "`" + plain(text).replace("`", "'").replace("\n", " ").replace("<", "‹").replace(">", "›") + "`"


def feedback_markdown(label: str, result: SubmissionResult, written: Optional[dict] = None,
                      row: Optional[dict] = None) -> str:
    """The student's feedback: score, per task its requirements as a checklist (with why one was missed)
    and what the student's own self-check said, written answers, notes, errors in their cells (which
    ones cost points). Text the student's code controls is escaped (``escape_markdown``).

    ``written`` (the submission's ``manual.WrittenBook`` record) and ``row`` (its CSV row) add the points and
    comments given to written answers so far; without them the answers are shown without points.
    """
    from .manual import record_of, written_section

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
        lines += ["## Notes", ""] + [f"- {escape_markdown(note, one_line=True)}" for note in result.notes] + [""]
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
                said += f": {escape_markdown(own.message)}" if own.message else "."
                lines.append(f"Your self-check (the test cell) {said}".replace("\n", "\n  "))
                lines.append("")
            for check in (c for c in result.checks if c.task == task_id):
                mark = "x" if check.passed else " "
                line = f"- [{mark}] {check.text} ({fmt(check.points)} point{'s' if check.points != 1 else ''})"
                if not check.passed and check.message:
                    line += ": " + escape_markdown(check.message).replace("\n", "\n  ")
                lines.append(line)
            lines.append("")
    if result.written:
        lines += written_section(written if written is not None else record_of(result), row) + [""]
    if result.cell_errors:
        lines += ["## Errors in your cells", "",
                  "Your notebook ran on the grader: offline, on its own copy of the course data, with a time limit "
                  "per cell. Only the grading questions above give points; an error marked \"costs no points\" did not change "
                  "your score by itself. (Cell numbers count every cell from the top, markdown cells included.)", ""]
        for error in result.cell_errors:
            cost = "in a task that scored 0" if error.costs_points else "costs no points"
            lines.append(f"- cell {error.cell} ({cost}): {escape_markdown(error.text, one_line=True)}")
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
    return plain(f"{label}: {score} ({result.status}, {result.seconds:.1f} s){first_note}{flags}")

