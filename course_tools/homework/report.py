"""What grading writes: the grades CSV (with its ledger), the feedback files, manual points.

- ``GradeStore``: the CSV of grades, one row per submission, written atomically after each one.
  Only the grader writes it, and it lives where no grading kernel can see it. Beside it,
  ``<csv>.ledger.json`` records, per submission, the file's and the key's SHA-256 and a digest of
  the row as written: a rerun skips a submission only when all three still match, so a row edited
  by anything but this tool is graded again. Every text cell is escaped against spreadsheet
  formula injection (a leading ``= + - @``, tab or carriage return gets a ``'`` in front).
- ``feedback_markdown``: the student's feedback file, in the submission's language (``result.lang``); the CSV
  and ``summary_line`` are the instructor's and stay English.
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

from course_utils.messages import text
from course_utils.plumbing.files import atomic_write_text

from .manual import MANUAL_PREFIX, ManualPointsError, fmt  # noqa: F401 - re-exported for older callers
from .records import STATUSES, SubmissionResult
from .said import in_language

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

    Written in the submission's language, ``result.lang`` (English for an unknown one): every sentence is a
    ``feedback.*`` message of ``course_utils.messages``, and the notes and messages the grader made while
    grading are ``Said`` texts (``said``), written again in that language; a requirement's text is translated by
    its English wording (``feedback_ko``).

    ``written`` (the submission's ``manual.WrittenBook`` record) and ``row`` (its CSV row) add the points and
    comments given to written answers so far; without them the answers are shown without points.
    """
    from .feedback_ko import requirement_text
    from .manual import record_of, written_section

    lang = getattr(result, "lang", "en") or "en"

    def say(key: str, **fields) -> str:
        return text(key, lang=lang, **fields)

    lines = [say("feedback.title", label=_code(label)), ""]
    if result.notebook:
        lines.append(say("feedback.homework", notebook=_code(result.notebook)))
    if result.status == "failed":
        lines += ["", say("feedback.failed"), ""]
    else:
        status = say(f"feedback.status.{result.status}") if result.status in STATUSES else result.status
        lines.append(say("feedback.score.with_written" if result.written else "feedback.score",
                         total=fmt(result.total), max_points=fmt(result.max_points), status=status))
        lines.append("")
    if result.notes:
        lines += [say("feedback.notes.heading"), ""] + [f"- {escape_markdown(in_language(note, lang), one_line=True)}"
                                                      for note in result.notes] + [""]
    if result.checks or result.self_checks:
        lines += [say("feedback.tasks.heading"), "", say("feedback.tasks.intro"), ""]
        for task_id, got in result.points.items():
            worth = result.task_points.get(task_id)
            if worth is not None:
                lines.append(say("feedback.task.heading", task=task_id, got=fmt(got), worth=fmt(worth)))
            else:
                lines.append(say("feedback.task.heading_no_max", task=task_id, got=fmt(got)))
            lines.append("")
            own = result.self_checks.get(task_id)
            if own is not None:
                said_as = {"passed": "passed", "not run": "not_run"}.get(own.status, "failed")
                if own.message:
                    line = say(f"feedback.selfcheck.{said_as}_said",
                               message=escape_markdown(in_language(own.message, lang)))
                else:
                    line = say(f"feedback.selfcheck.{said_as}")
                lines.append(line.replace("\n", "\n  "))
                lines.append("")
            for check in (c for c in result.checks if c.task == task_id):
                line = say("feedback.check.points" if check.points != 1 else "feedback.check.one_point",
                           mark="x" if check.passed else " ", text=requirement_text(check.text, lang),
                           points=fmt(check.points))
                if not check.passed and check.message:
                    line += ": " + escape_markdown(in_language(check.message, lang)).replace("\n", "\n  ")
                lines.append(line)
            lines.append("")
    if result.written:
        lines += written_section(written if written is not None else record_of(result), row, lang=lang) + [""]
    if result.cell_errors:
        lines += [say("feedback.errors.heading"), "", say("feedback.errors.intro"), ""]
        for error in result.cell_errors:
            lines.append(say("feedback.errors.costs" if error.costs_points else "feedback.errors.free",
                             cell=error.cell, error=escape_markdown(in_language(error.text, lang), one_line=True)))
        lines.append("")
    if result.not_run:
        first, last, count = result.not_run[0], result.not_run[-1], len(result.not_run)
        lines += [say("feedback.not_run.heading"), "",
                  say("feedback.not_run.one", first=first) if count == 1 else
                  say("feedback.not_run.many", count=count, first=first, last=last),
                  ""]
    return "\n".join(lines)


def summary_line(label: str, result: SubmissionResult) -> str:
    score = "no score" if result.status == "failed" else f"{fmt(result.total)}/{fmt(result.max_points)}"
    first_note = f" - {result.notes[0]}" if result.notes else ""
    flags = f" [flags: {'; '.join(result.flags)}]" if result.flags else ""
    return plain(f"{label}: {score} ({result.status}, {result.seconds:.1f} s){first_note}{flags}")

