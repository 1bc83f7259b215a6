"""Which edition (language) a submission was made from, and the key entry that grades it.

A translated homework (``notebooks/ko/04_x.ipynb``) is graded with its English source's key entry: the same
tasks, tests and questions (the translation lint keeps its code identical). What differs is kept beside it,
in ``entry["translations"][lang]`` (``release.translation_entry``): the task hints in that language, the written
questions as the translation words them, and the checksums of the translated edition's cells.

``localize(entry, cells)`` tells the edition from the submission's cells: the language whose released cells
the submission keeps the most of (English on a tie, or when no translation matches any), and returns the
entry to grade it with: the English entry with that language's hints and written questions, and the released
cells of both editions (a cell as released is the instructor's, in either language). Nothing a student gains
by copying the other edition's cells: the language only chooses the feedback's words and where written answers
are looked for.
"""

from __future__ import annotations

import copy

from .markers import checksum


def _kept(cells: list, released: set) -> int:
    return sum(1 for cell in cells if checksum(_source(cell)) in released)


def _source(cell: dict) -> str:
    source = cell.get("source", "") or ""
    return "".join(source) if isinstance(source, list) else str(source)


def language_of(entry: dict, cells: list) -> str:
    """``"en"`` or the code of the translation whose own released cells (those the English edition does not
    have) ``cells`` keep more of than of the English edition's own."""
    translations = entry.get("translations", {}) or {}
    english = set(entry.get("cells", [])) | set(entry.get("markdown_cells", []))
    best, best_margin = "en", 0
    for lang, translation in sorted(translations.items()):
        released = set(translation.get("cells", [])) | set(translation.get("markdown_cells", []))
        margin = _kept(cells, released - english) - _kept(cells, english - released)
        if margin > best_margin:
            best, best_margin = lang, margin
    return best


def localize(entry: dict, cells: list) -> tuple[dict, str]:
    """``(entry to grade with, language)`` for a submission's ``cells`` (see the module docstring)."""
    lang = language_of(entry, cells)
    if lang == "en":
        return entry, "en"
    translation = entry["translations"][lang]
    local = copy.deepcopy(entry)
    hints = translation.get("hints", {})
    for task in local["tasks"]:
        task["hint"] = hints.get(task["id"], task.get("hint", ""))
    local["written"] = copy.deepcopy(translation.get("written", entry.get("written", [])))
    local["cells"] = sorted(set(entry.get("cells", [])) | set(translation.get("cells", [])))
    local["markdown_cells"] = sorted(set(entry.get("markdown_cells", [])) | set(translation.get("markdown_cells", [])))
    return local, lang
