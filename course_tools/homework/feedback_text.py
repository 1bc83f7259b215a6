"""What of the student's kernel's text may reach the feedback: an error's type and the student's own line.

The kernel runs the student's code, so everything it reports is the student's to choose: an
exception's message can carry anything (the text of a hidden check, encoded), and so can its
traceback. The feedback therefore never copies them. For an error it shows

- the exception's class name, if it looks like one (a Python identifier, dotted at most; else
  "an error");
- where it happened in the student's own code: the kernel's traceback is read only for the cell
  numbers and line numbers of its frames (``trace_positions``), and the line itself is taken from
  the grader's own copy of the cell it ran (``KernelSession`` resolves it), so nothing but a choice
  among the student's own lines can come back through it;
- for a ``NameError``, the missing name, but only a name that appears in the student's own cells or
  in a visible test (``public_words``).

Rendering (escaping for markdown and HTML) is ``report``'s job.
"""

from __future__ import annotations

import re
from typing import Iterable, Optional

from .said import Said, said

__all__ = ["exception_name", "error_name", "trace_positions", "error_text", "public_words"]

_ENAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,79}(?:\.[A-Za-z_][A-Za-z0-9_]{0,79}){0,4}")
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
#: IPython 8 and later: ``Cell In[12], line 3`` names the cell (its execution count) and the line.
_POSITION = re.compile(r"Cell In\[(\d{1,9})\], line (\d{1,9})")
_NAME_ERROR = re.compile(r"name '([A-Za-z_][A-Za-z0-9_]{0,79})' is not defined")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: At most this many traceback entries and characters per entry are read.
_MAX_ENTRIES, _MAX_ENTRY_CHARS = 200, 20_000
#: Longest line of the student's code quoted.
MAX_LINE_CHARS = 160


def exception_name(ename: object) -> str:
    """``ename`` if it is a plausible exception class name (``ValueError``, ``torch.OutOfMemoryError``),
    else ``"an error"``; the last part only when dotted."""
    text = str(ename or "")
    if not _ENAME.fullmatch(text):
        return "an error"
    return text.rsplit(".", 1)[-1]


def error_name(name: str) -> "str | Said":
    """An ``exception_name`` as the feedback names it: the class name itself, or for ``"an error"`` (no plausible
    name) a ``Said`` that the feedback writes in the student's language."""
    return said("feedback.error.unknown") if name == "an error" else name


def trace_positions(traceback: object) -> list[tuple[int, int]]:
    """``[(execution count, line), ...]`` of the frames in an IPython traceback (a list of strings,
    outermost first) that are in cells the kernel ran; nothing else of the traceback is kept."""
    if not isinstance(traceback, list):
        return []
    found = []
    for entry in traceback[-_MAX_ENTRIES:]:
        if isinstance(entry, str):
            for count, line in _POSITION.findall(_ANSI.sub("", entry[:_MAX_ENTRY_CHARS])):
                found.append((int(count), int(line)))
    return found


def public_words(sources: Iterable[str]) -> frozenset:
    """Every identifier in ``sources`` (the student's cells, the visible tests): the names a message
    may repeat because the student can read them anyway."""
    words: set = set()
    for source in sources:
        words.update(_WORD.findall(source or ""))
    return frozenset(words)


def error_text(ename: str, evalue: str = "", at: Optional[list] = None, public: frozenset = frozenset()
               ) -> "str | Said":
    """One plain-text line for an error the student's code raised (see the module docstring): a ``Said`` (the
    feedback writes it in the student's language) or, for the error's name alone, a ``str``.

    ``at`` is ``[cell number or None, line, the line's text]`` as ``KernelSession`` resolved it from
    the grader's copy of the cell; ``public`` the names that may be quoted from a ``NameError``.
    """
    name = exception_name(ename)
    text = error_name(name)
    if name == "NameError":
        match = _NAME_ERROR.search(str(evalue or "").split("\n", 1)[0])
        if match and match.group(1) in public:
            text = f"NameError: name '{match.group(1)}' is not defined"
    if at:
        cell, line, code = (list(at) + [None, None, ""])[:3]
        code = " ".join(str(code or "").split())
        if len(code) > MAX_LINE_CHARS:
            code = code[: MAX_LINE_CHARS - 4] + " ..."
        key = "feedback.error.at_cell" if cell is not None else "feedback.error.at_line"
        fields = dict(cell=cell) if cell is not None else {}
        text = said(key + "_code", error=text, line=line, code=code, **fields) if code else said(
            key, error=text, line=line, **fields)
    return text
