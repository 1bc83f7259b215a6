"""A message of the grader to a student that can be written again in the student's language.

The grader makes most of what a student reads (a note, a cell's error, why a requirement was missed)
while it grades, and writes it twice: in English into the CSV and onto the terminal (the instructor's
side), and in the submission's language into the feedback file. So such a text is a ``Said``: a ``str``
whose value is the English text, exactly as before (the CSV, ``summary_line`` and every ``"; ".join``
use it unchanged), that also keeps its catalogue key and fields (``course_utils.messages``, keys
``feedback.*``), so ``in_language(said, "ko")`` writes it in Korean when the feedback is written.

A field may itself be a ``Said`` (a note naming ``cell 3``): it is written in the same language. Any
other field is kept as given, so a template's format spec (``{seconds:g}``) still applies. A plain
``str`` (a grading question's own message, text from the student's kernel) stays as it is in every
language. Anything that edits a ``Said`` as a string (``+``, slicing, ``.replace``) gets a plain
English ``str``: build a new ``Said`` instead.
"""

from __future__ import annotations

from course_utils.messages import text

__all__ = ["Said", "said", "in_language"]


def _fields_in(fields: dict, lang: str) -> dict:
    return {name: in_language(value, lang) if isinstance(value, Said) else value for name, value in fields.items()}


class Said(str):
    """The English text of catalogue key ``key`` with ``fields``, which ``in_language`` writes in any language."""

    key: str
    fields: dict

    def __new__(cls, key: str, /, **fields) -> "Said":
        self = super().__new__(cls, text(key, lang="en", **_fields_in(fields, "en")))
        self.key, self.fields = key, dict(fields)
        return self

    def __reduce__(self):  # copy, deepcopy (dataclasses.asdict) and pickle make a Said again
        return (_rebuild, (self.key, self.fields))

    def __repr__(self) -> str:
        return f"Said({self.key!r}, {str.__repr__(str(self))})"


def _rebuild(key: str, fields: dict) -> Said:
    return Said(key, **fields)


def said(key: str, /, **fields) -> Said:
    """``Said(key, **fields)``: the English text of a ``feedback.*`` message that keeps its key and fields."""
    return Said(key, **fields)


def in_language(value: object, lang: str = "en") -> str:
    """``value`` as the student reads it in ``lang``: a ``Said`` in that language (English where the catalogue
    lacks the key), anything else as ``str(value)``."""
    if isinstance(value, Said):
        return text(value.key, lang=lang, **_fields_in(value.fields, lang))
    return "" if value is None else str(value)
