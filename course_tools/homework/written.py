"""Find a student's answers to the written (markdown) questions of a homework, wherever they were written.

``find_answers(cells, entry)`` takes the submission's cells (``{"cell_type", "source"}``) and the grading key's
entry of its homework, and returns one ``WrittenAnswer`` per question of ``entry["written"]``.

Where an answer is looked for, question by question in notebook order:

1. The question's cell: the first markdown cell (from the previous question's cell on) that contains the
   question's text, else its title line, else its bold label (``**Question 1**``); whitespace and line breaks do
   not matter. A question whose cell is not found (deleted, or its label edited away) has ``answer=None``.
2. The answer is the text of that cell after the question, then the text of every following cell up to the next
   question's cell or the next task or test cell, in order: any number of markdown (or raw) cells, e.g. the new
   cell Colab adds below, and code cells that are not Python (prose typed into a code cell) or only comments.
   Left out: the prompt the student edition put in place of the answer (``**Your answer:** _double-click ..._``),
   cells exactly as released (the instructor's own text and code), and the text that follows the answer region
   in the instructor's cell.
3. An answer with nothing left is ``""`` (blank).

``answer_digest(text)`` is the answer's SHA-256 with whitespace collapsed: ``merge-manual`` keys points to it, so
a changed answer is noticed and a re-saved or re-wrapped one is not.
"""

from __future__ import annotations

import hashlib
import re
from typing import Optional

from course_utils.messages import LANGUAGES, catalogue

from .markers import checksum, header_of, python_error
from .records import WrittenAnswer


def _prompt_parts() -> tuple[tuple[str, ...], re.Pattern, tuple[str, ...]]:
    """In every language of the catalogues: the prompt's placeholder (``_double-click this cell and write it
    here._``), a pattern for its bold label (``**Your answer** (...):``, ``**Your answer:**``) and the default prompt."""
    placeholders, labels, defaults = [], [], []
    for lang in LANGUAGES:
        prompt, default = catalogue(lang)["edition.answer_prompt"], catalogue(lang)["edition.answer_prompt_default"]
        placeholders.append(prompt.split("): ", 1)[1])
        label = re.escape(prompt.split(" (", 1)[0])
        labels.append(rf"{label}(?: \([^\n]*?\))?:|{re.escape(default.split(' _', 1)[0])}")
        defaults.append(default)
    return tuple(placeholders), re.compile("|".join(labels)), tuple(defaults)


#: The placeholders, label pattern and default prompts of the student edition's answer prompts (``edition.*`` in
#: ``course_utils.messages``).
_PLACEHOLDERS, _LABEL, _DEFAULT_PROMPTS = _prompt_parts()


def answer_digest(text: Optional[str]) -> str:
    """SHA-256 (hex) of an answer with all whitespace collapsed ("" for a missing answer)."""
    if text is None:
        return ""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


def _pattern(text: str) -> Optional[re.Pattern]:
    """A pattern matching ``text`` with any whitespace between its words (None for empty text)."""
    words = text.split()
    return re.compile(r"\s+".join(re.escape(word) for word in words)) if words else None


def _locate(text: str, question: dict) -> Optional[re.Match]:
    title = question.get("title", "").removesuffix(" ...")   # a long title is cut: its start still anchors
    for anchor in (question.get("question", ""), title, question.get("label", "")):
        pattern = _pattern(anchor)
        match = pattern.search(text) if pattern else None
        if match:
            return match
    return None


def _is_prose(source: str) -> bool:
    """A code cell that holds words rather than code: not Python, or nothing but comments."""
    lines = [line.strip() for line in source.splitlines() if line.strip()]
    if not lines:
        return False
    return all(line.startswith("#") for line in lines) or python_error(source) is not None


def _clean(text: str, question: dict) -> str:
    """``text`` without the prompt, its pieces, and the instructor's text after the answer region."""
    for piece in (question.get("prompt", ""), question.get("after", "")):
        pattern = _pattern(piece)
        if pattern:
            text = pattern.sub("", text)
    for prompt in _DEFAULT_PROMPTS + _PLACEHOLDERS:
        text = text.replace(prompt, "")
    text = _LABEL.sub("", text)
    return text.strip()


def find_answers(cells: list, entry: dict) -> list[WrittenAnswer]:
    """The answers to ``entry["written"]`` in the submission's ``cells`` (see the module docstring)."""
    questions = entry.get("written", [])
    released = set(entry.get("markdown_cells", [])) | set(entry.get("cells", []))
    sources = [(cell.get("cell_type", ""), cell.get("source", "") or "") for cell in cells]
    # where each question starts: (cell index, offset of the end of the question's text in that cell)
    starts: list[Optional[tuple[int, int, int]]] = []
    cursor = (0, 0)
    for question in questions:
        found = None
        for index in range(cursor[0], len(sources)):
            kind, text = sources[index]
            if kind != "markdown":
                continue
            offset = cursor[1] if index == cursor[0] else 0
            match = _locate(text[offset:], question)
            if match:
                found = (index, offset + match.start(), offset + match.end())
                cursor = (index, offset + match.end())
                break
        starts.append(found)
    stops = [index for index, (kind, text) in enumerate(sources)
             if kind == "code" and header_of({"cell_type": kind, "source": text})[0] in ("task", "test")]
    answers = []
    for number, (question, start) in enumerate(zip(questions, starts)):
        points = float(question.get("points", 1.0))
        if start is None:
            answers.append(WrittenAnswer(id=question["id"], question=question["title"], answer=None, points=points))
            continue
        index, _, end = start
        later = next((s for s in starts[number + 1:] if s is not None), None)
        end_cell = min([s for s in stops if s > index] + [later[0] if later else len(sources)])
        text = sources[index][1]
        pieces = [text[end:later[1]] if later and later[0] == index else text[end:]]
        for position in range(index + 1, end_cell):
            kind, text = sources[position]
            if checksum(text) in released or not text.strip():
                continue
            if kind in ("markdown", "raw") or (kind == "code" and _is_prose(text)):
                pieces.append(text)
        if later and later[0] == end_cell and end_cell != index:   # written above the next question, in its cell
            pieces.append(sources[end_cell][1][:later[1]])
        answer = _clean("\n\n".join(piece.strip() for piece in pieces if piece.strip()), question)
        answers.append(WrittenAnswer(id=question["id"], question=question["title"], answer=answer, points=points,
                                     sha256=answer_digest(answer)))
    return answers
