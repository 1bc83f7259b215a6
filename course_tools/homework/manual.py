"""Written answers, graded by hand: what the grader keeps of them, ``merge-manual``, and the review pages.

Beside the grades CSV (only ``grade`` and ``merge-manual`` write these, atomically, where no kernel sees them):

- ``<csv>.written.json`` (``WrittenBook``): per submission, its homework, its language (``"lang"``, only for a
  submission of another edition than the English one: ``merge-manual`` writes its feedback in it) and, per written
  question, the question's maximum, the answer's status (answered, blank, missing), its text and digest
  (``written.answer_digest``), and what ``merge-manual`` recorded: the digest the points were given for, and the
  comment. The points themselves are the CSV's ``manual:<id>`` columns.
- ``<csv stem>-review/<question id>.md``: every submission's answer to one question on one page, with the points
  given so far and each answer's *answer code* (the first 12 characters of its digest).
- ``<csv stem>-review/<homework>.points.csv``: a points file to fill in: ``submission``, then per question
  ``<id>`` (points), ``<id> answer`` (the answer code of what you read) and ``<id> comment``.

Points are keyed to the answer: when a submission is graded again and an answer changed, its points (and comment)
are cleared, the row's ``notes`` say so and the question is listed in ``manual_pending`` until it is graded again.
``merge-manual`` refuses, listing every problem and changing nothing: an unknown submission or column, a question
of another homework (a 04 row cannot get points for a 05 question), points that are not a number >= 0 or above the
question's maximum (declared with the question: ``**Question 1** (2 points)``), and an ``<id> answer`` code that is
not the answer's code any more (the answer changed after the review page was read). It then writes the points into
the CSV (``manual_total``, ``total_with_manual``, ``max_with_manual``, ``manual_pending``), the points and comments
into each student's feedback file, and the review pages again.

Students' text is shown in fenced blocks (``quote_student_text``), so no markdown or HTML in it is rendered.
(B2's escaping helper in ``report.py``, when it lands, can take its place.)
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Optional

from course_utils.plumbing.files import atomic_write_text

from .records import SubmissionResult

#: Longest part of an answer kept in the written book, the feedback and the review pages (characters).
MAX_ANSWER_CHARS = 4000
#: Characters of an answer's digest shown as its *answer code*.
ANSWER_CODE_CHARS = 12
WRITTEN_FORMAT = "course_tools.homework/written/1"
BEGIN_MARK = "<!-- written answers: begin -->"
END_MARK = "<!-- written answers: end -->"
MANUAL_PREFIX = "manual:"
#: Control characters, bidirectional overrides and zero-width characters: shown as "?" (a newline and a tab stay).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


class ManualPointsError(ValueError):
    """The manual points file cannot be merged; the message lists every problem."""


def fmt(points: float) -> str:
    return f"{points:g}"


def written_path(grades_csv: Path) -> Path:
    """``grades.csv`` -> ``grades.csv.written.json``."""
    grades_csv = Path(grades_csv)
    return grades_csv.with_name(grades_csv.name + ".written.json")


def default_review_dir(grades_csv: Path) -> Path:
    """``grades.csv`` -> ``grades-review/``."""
    grades_csv = Path(grades_csv)
    return grades_csv.with_name(grades_csv.stem + "-review")


def default_feedback_dir(grades_csv: Path) -> Path:
    """``grades.csv`` -> ``grades-feedback/`` (as ``grade`` names it)."""
    grades_csv = Path(grades_csv)
    return grades_csv.with_name(grades_csv.stem + "-feedback")


def answer_code(digest: str) -> str:
    return digest[:ANSWER_CODE_CHARS]


def quote_student_text(text: str) -> list[str]:
    """Lines of a fenced block showing ``text`` as it is (markdown and HTML inside are not rendered): the fence is
    longer than any run of backticks in the text, control, bidirectional and zero-width characters become ``?``,
    long text is cut."""
    text = _CONTROL.sub("?", str(text).replace("\r\n", "\n").replace("\r", "\n"))
    if len(text) > MAX_ANSWER_CHARS:
        text = text[:MAX_ANSWER_CHARS] + "\n... (cut)"
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}text", *text.splitlines(), fence]


def _points(row: dict, question_id: str) -> str:
    return str(row.get(MANUAL_PREFIX + question_id, "") or "").strip()


def _float(text: str) -> Optional[float]:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


# --------------------------------------------------------------------------- the written book
class WrittenBook:
    """``<csv>.written.json``: what the grader found of every submission's written answers (module docstring)."""

    def __init__(self, grades_csv: Path):
        self.path = written_path(grades_csv)
        self.records: dict = {}
        if self.path.exists():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                data = {}
            if isinstance(data, dict) and data.get("format") == WRITTEN_FORMAT:
                self.records = data.get("submissions", {}) or {}

    def write(self) -> None:
        atomic_write_text(self.path, json.dumps({"format": WRITTEN_FORMAT, "submissions": self.records}, indent=1,
                                                sort_keys=True, ensure_ascii=False) + "\n")

    def record(self, label: str, result: SubmissionResult, old_row: Optional[dict], row: dict) -> Optional[dict]:
        """Keep ``result``'s answers for ``label`` and fill ``row``'s manual columns: the points of ``old_row``
        stay only for answers that did not change (module docstring). Returns the label's record."""
        if result.status == "failed":  # nothing new is known: the row keeps its manual columns (GradeStore.put)
            return self.records.get(label)
        old_row = old_row or {}
        before = self.records.get(label, {}).get("questions", {})
        notes, questions = [], {}
        for answer in result.written:
            was = before.get(answer.id, {})
            question = {"title": answer.question, "max": float(answer.points), "status": answer.status,
                        "text": (answer.answer or "")[:MAX_ANSWER_CHARS], "sha256": answer.sha256,
                        "graded_sha256": "", "comment": ""}
            basis = was.get("graded_sha256") or was.get("sha256")
            points = _points(old_row, answer.id)
            if basis and basis == answer.sha256:
                question["comment"] = was.get("comment", "")
                if points:
                    row[MANUAL_PREFIX + answer.id] = points
                    question["graded_sha256"] = basis
            elif points or was.get("comment"):
                notes.append(f"written answer {answer.id} changed since it was graded"
                             + (f" ({points} point(s))" if points else "")
                             + ": its points and comment were cleared; grade it again (merge-manual)")
            questions[answer.id] = question
        for question_id in before:
            if question_id not in questions and _points(old_row, question_id):
                notes.append(f"written answer {question_id} is no longer part of this submission: its points were "
                             "cleared")
                row[MANUAL_PREFIX + question_id] = ""
        if notes:
            row["notes"] = "; ".join(part for part in (row.get("notes", ""), *notes) if part)
        self.records[label] = {"notebook": result.notebook, "questions": questions, **_lang_of(result)}
        derived_columns(row, self.records[label])
        return self.records[label]


def derived_columns(row: dict, record: Optional[dict]) -> None:
    """``manual_pending`` (answered questions without points) and ``max_with_manual`` of ``row``."""
    questions = (record or {}).get("questions", {})
    row["manual_pending"] = " ".join(question_id for question_id, q in questions.items()
                                     if q.get("status") == "answered" and not _points(row, question_id))
    base = _float(row.get("max_points", ""))
    row["max_with_manual"] = (fmt(base + sum(float(q.get("max", 0)) for q in questions.values()))
                              if base is not None and questions else "")


# --------------------------------------------------------------------------- feedback
def _lang_of(result: SubmissionResult) -> dict:
    """``{"lang": ...}`` for a submission of another edition than the English one (its feedback's language, which
    ``merge-manual`` writes the section in again), else ``{}`` (a record of an English one is as it always was)."""
    lang = getattr(result, "lang", "en") or "en"
    return {} if lang == "en" else {"lang": lang}


def record_of(result: SubmissionResult) -> dict:
    """A written-book record made from a result alone (no points yet)."""
    return {"notebook": result.notebook, "questions": {
        a.id: {"title": a.question, "max": float(a.points), "status": a.status, "text": a.answer or "",
               "sha256": a.sha256, "graded_sha256": "", "comment": ""} for a in result.written}, **_lang_of(result)}


def written_section(record: Optional[dict], row: Optional[dict] = None, lang: Optional[str] = None) -> list[str]:
    """The feedback's section on written answers (between ``BEGIN_MARK`` and ``END_MARK``): each answer as
    written, and the points and comment once ``merge-manual`` gave them. In ``lang``, else the record's language
    (``"lang"``, kept for a submission of another edition than the English one), else English."""
    from course_utils.messages import text

    questions = (record or {}).get("questions", {})
    if not questions:
        return []
    lang = lang or (record or {}).get("lang") or "en"
    row = row or {}
    given = {qid: _float(_points(row, qid)) for qid in questions}
    total = sum(p for p in given.values() if p is not None)
    maximum = sum(float(q.get("max", 0)) for q in questions.values())
    waiting = [qid for qid, p in given.items() if p is None]
    lines = [BEGIN_MARK, text("feedback.written.heading", lang=lang), ""]
    if not waiting:
        lines.append(text("feedback.written.total", lang=lang, total=fmt(total), maximum=fmt(maximum)))
    elif len(waiting) == len(questions):
        lines.append(text("feedback.written.waiting", lang=lang, maximum=fmt(maximum)))
    else:
        lines.append(text("feedback.written.so_far", lang=lang, total=fmt(total), maximum=fmt(maximum),
                          waiting=", ".join(waiting)))
    lines.append("")
    for question_id, question in questions.items():
        points = given[question_id]
        score = f"{fmt(points)} / {fmt(question['max'])}" if points is not None else f"- / {fmt(question['max'])}"
        lines += [f"### {question_id}: {question['title']}", "", text("feedback.written.points", lang=lang,
                                                                       score=score), ""]
        if question.get("status") == "missing":
            lines += [text("feedback.written.missing", lang=lang), ""]
        elif question.get("status") == "blank":
            lines += [text("feedback.written.blank", lang=lang), ""]
        else:
            lines += [text("feedback.written.answer", lang=lang), "", *quote_student_text(question.get("text", "")),
                      ""]
        if question.get("comment"):
            lines += [text("feedback.written.comment", lang=lang), "", *quote_student_text(question["comment"]), ""]
    lines.append(END_MARK)
    return lines


def replace_section(text: str, section: list[str]) -> str:
    """``text`` (a feedback file) with its written-answers section replaced by ``section`` (added at the end
    when it has none)."""
    block = "\n".join(section)
    start, end = text.find(BEGIN_MARK), text.find(END_MARK)
    if start != -1 and end > start:
        return text[:start] + block + text[end + len(END_MARK):]
    return text.rstrip("\n") + "\n\n" + block + "\n"


# --------------------------------------------------------------------------- review pages
def _question_order(question_id: str) -> tuple:
    head, _, number = question_id.rpartition(".q")
    return (head, int(number) if number.isdigit() else 0, question_id)


def write_reviews(book: WrittenBook, rows: dict, review_dir: Path) -> list[Path]:
    """Write one review page per question and one points file per homework into ``review_dir``; returns them."""
    from .report import escape_cell

    review_dir = Path(review_dir)
    by_question: dict = {}
    by_notebook: dict = {}
    for label, record in book.records.items():
        for question_id, question in record.get("questions", {}).items():
            by_question.setdefault(question_id, []).append((label, question))
        if record.get("questions"):
            by_notebook.setdefault(record.get("notebook", ""), {}).setdefault(label, record)
    written = []
    for question_id in sorted(by_question, key=_question_order):
        entries = sorted(by_question[question_id])
        first = entries[0][1]
        counts = {status: sum(q.get("status") == status for _, q in entries) for status in ("answered", "blank",
                                                                                            "missing")}
        graded = sum(bool(_points(rows.get(label, {}), question_id)) for label, _ in entries)
        lines = [f"# {question_id}: {first['title']}", "",
                 f"Maximum {fmt(first['max'])} point(s). {len(entries)} submission(s): {counts['answered']} answered, "
                 f"{counts['blank']} blank, {counts['missing']} question cell(s) not found; {graded} graded.", "",
                 f"Give points in the points file of the homework in this folder (column `{question_id}`, and copy the "
                 f"answer code into `{question_id} answer`), then run `python -m course_tools.homework merge-manual "
                 "<grades.csv> <points file>`.", ""]
        for label, question in entries:
            points = _points(rows.get(label, {}), question_id)
            state = (f"{points} / {fmt(question['max'])} point(s)" if points
                     else "to grade" if question.get("status") == "answered" else "nothing to grade")
            code = answer_code(question.get("sha256", ""))
            lines += [f"## {_inline(label)}", "", f"{state}; answer code `{code}`" if code else state, ""]
            if question.get("status") == "missing":
                lines += ["(the question's cell was not found in this notebook)", ""]
            elif question.get("status") == "blank":
                lines += ["(no answer written)", ""]
            else:
                lines += [*quote_student_text(question.get("text", "")), ""]
            if question.get("comment"):
                lines += ["Comment given:", "", *quote_student_text(question["comment"]), ""]
        path = review_dir / f"{_file_part(question_id)}.md"
        atomic_write_text(path, "\n".join(lines))
        written.append(path)
    for notebook, records in sorted(by_notebook.items()):
        ids = sorted({qid for record in records.values() for qid in record["questions"]}, key=_question_order)
        buffer = io.StringIO()
        out = csv.writer(buffer, lineterminator="\n")
        out.writerow(["submission"] + [c for qid in ids for c in (qid, f"{qid} answer", f"{qid} comment")])
        for label in sorted(records):
            questions = records[label]["questions"]
            cells = [label]
            for qid in ids:
                question = questions.get(qid, {})
                cells += [_points(rows.get(label, {}), qid), answer_code(question.get("sha256", "")),
                          question.get("comment", "")]
            out.writerow([escape_cell(c) for c in cells])
        path = review_dir / f"{_file_part(Path(notebook).stem or 'homework')}.points.csv"
        atomic_write_text(path, buffer.getvalue())
        written.append(path)
    return written


def _inline(text: str) -> str:
    return "`" + _CONTROL.sub("?", str(text)).replace("`", "'").replace("\n", " ") + "`"


def _file_part(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.\-]", "_", text) or "question"


# --------------------------------------------------------------------------- merge-manual
def _read_points_file(points_csv: Path) -> tuple[list[str], list[dict]]:
    from .report import unescape_cell

    try:
        with open(points_csv, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            fields = [unescape_cell(f) for f in (reader.fieldnames or [])]
            rows = [{unescape_cell(k): unescape_cell(v or "") for k, v in r.items() if k is not None} for r in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ManualPointsError(f"{points_csv} cannot be read ({exc})") from None
    return fields, rows


def _column_kind(name: str, known: set) -> Optional[tuple[str, str]]:
    """``(question id, "points" | "answer" | "comment")`` of a points file column, or None."""
    for prefix, kind in ((MANUAL_PREFIX, "points"), ("comment:", "comment"), ("answer:", "answer")):
        if name.startswith(prefix) and name[len(prefix):] in known:
            return name[len(prefix):], kind
    for suffix, kind in ((" comment", "comment"), (" answer", "answer")):
        if name.endswith(suffix) and name[: -len(suffix)].strip() in known:
            return name[: -len(suffix)].strip(), kind
    if name in known:
        return name, "points"
    return None


def merge_manual(grades_csv: Path, points_csv: Path, *, feedback_dir: Optional[Path] = None,
                 review_dir: Optional[Path] = None) -> list[str]:
    """Merge an instructor's points (and comments) for written answers into the grades; returns what changed.

    See the module docstring for the points file and what is refused. Empty cells are left alone. Every problem
    is reported at once (``ManualPointsError``) and nothing is written then.
    """
    from .report import GradeStore, feedback_path

    grades_csv = Path(grades_csv)
    store = GradeStore(grades_csv)
    if not store.rows:
        raise ManualPointsError(f"{grades_csv} holds no grades: grade the submissions first")
    book = WrittenBook(grades_csv)
    known = {qid for record in book.records.values() for qid in record.get("questions", {})}
    known |= {c[len(MANUAL_PREFIX):] for c in store.columns if c.startswith(MANUAL_PREFIX)}
    fields, rows = _read_points_file(points_csv)
    problems: list[str] = []
    if "submission" not in fields:
        problems.append(f"{points_csv} has no 'submission' column (labels as in {grades_csv})")
    columns = {}
    for name in fields:
        if name == "submission":
            continue
        kind = _column_kind(name, known)
        if kind is None:
            problems.append(f"column {name!r} is not a written question of {grades_csv} (those are "
                            f"{sorted(known, key=_question_order)}; a column is '<id>' for points, '<id> answer' "
                            "for the answer code, '<id> comment' for a comment)")
        else:
            columns[name] = kind
    updates: list[tuple[str, str, str, str]] = []   # (label, question id, kind, value)
    for number, row in enumerate(rows, start=2):
        label = row.get("submission", "").strip()
        if not label and not any(str(v).strip() for v in row.values()):
            continue
        if label not in store.rows:
            problems.append(f"line {number}: submission {label!r} is not in {grades_csv}")
            continue
        record = book.records.get(label)
        questions = (record or {}).get("questions", {})
        codes = {qid: row.get(name, "").strip() for name, (qid, kind) in columns.items() if kind == "answer"}
        for name, (question_id, kind) in columns.items():
            value = (row.get(name) or "").strip()
            if not value or kind == "answer":
                continue
            where = f"line {number}, column {name!r}"
            if record is None:
                problems.append(f"{where}: the grader has no record of the written answers of {label} (graded "
                                "before they were kept, or not gradable): grade it again with --force")
                continue
            if question_id not in questions:
                problems.append(f"{where}: {label} is homework {record.get('notebook') or '?'}, whose written "
                                f"questions are {sorted(questions, key=_question_order) or 'none'}: "
                                f"{question_id} belongs to another homework")
                continue
            question = questions[question_id]
            code = codes.get(question_id, "")
            if code and code != answer_code(question.get("sha256", "")):
                problems.append(f"{where}: the answer changed after the review you graded from (answer code {code}, "
                                f"now {answer_code(question.get('sha256', ''))}): read it again in the review page "
                                f"{question_id}.md and copy its new answer code")
                continue
            if kind == "points":
                points = _float(value)
                if points is None or not points >= 0:
                    problems.append(f"{where}: {value!r} is not a number of points >= 0")
                    continue
                if points > float(question["max"]):
                    problems.append(f"{where}: {value} point(s) is more than the maximum of {question_id} "
                                    f"({fmt(float(question['max']))})")
                    continue
                value = fmt(points)
            updates.append((label, question_id, kind, value))
    if problems:
        raise ManualPointsError("nothing was merged:\n" + "\n".join(f"  - {p}" for p in problems))
    changes, touched = [], []
    for label, question_id, kind, value in updates:
        row = store.rows[label]
        question = book.records[label]["questions"][question_id]
        if kind == "points":
            if _points(row, question_id) != value:
                changes.append(f"{label}: {question_id} = {value}")
            row[MANUAL_PREFIX + question_id] = value
            question["graded_sha256"] = question.get("sha256", "")
        else:
            if question.get("comment", "") != value:
                changes.append(f"{label}: {question_id} comment")
            question["comment"] = value
        if label not in touched:
            touched.append(label)
    for label in touched:
        row = store.rows[label]
        derived_columns(row, book.records[label])
        store.put(label, row)
    store.write(store.middle_columns())
    book.write()
    feedback_dir = Path(feedback_dir) if feedback_dir else default_feedback_dir(grades_csv)
    for label in touched:
        path = feedback_path(feedback_dir, label)
        if path.is_file():
            section = written_section(book.records[label], store.rows[label])
            atomic_write_text(path, replace_section(path.read_text(encoding="utf-8"), section))
        else:
            changes.append(f"{label}: no feedback file at {path}: its points are in the CSV only")
    write_reviews(book, store.rows, Path(review_dir) if review_dir else default_review_dir(grades_csv))
    return changes
