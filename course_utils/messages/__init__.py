"""The course's messages in each language: one catalogue per language, one setting to choose.

Every sentence that ``course_utils`` (and the grader's feedback) shows a student has a *key*, e.g.
``"exercise.line.correct"``, and a text per language in a plain dict: ``messages/en.py`` (English, the
complete catalogue and the fallback) and ``messages/ko.py`` (Korean). A text is a ``str.format``
template whose ``{fields}`` are filled by name::

    from course_utils.messages import text
    text("exercise.line.correct", title="posterior of the rapid test")    # current language
    text("exercise.line.correct", lang="ko", title="...")         # Korean, whatever is set

The language is chosen by one setting, in this order:

1. ``course_utils.setup(lang="ko")`` (each notebook's setup cell names its own language), which calls
   ``set_language``;
2. else the environment variable ``COURSE_LANG`` (``ko`` or ``en``);
3. else English.

The homework's ``# TEST`` cells are the same in every edition, so the English texts written in them (a
check's name, message or hint) are translated by their wording instead (``translated``; the table is
``CHECK_TEXTS`` in ``messages/<lang>_checks.py``).

A key missing from a language's catalogue falls back to the English text, so a half-translated
catalogue still says something; ``problems()`` (run by ``make translation-lint``) lists every key one
catalogue has and the other lacks, and every text whose ``{fields}`` differ from the English one's.

Importing this module has no side effects; the catalogues are read on first use.
"""

from __future__ import annotations

import importlib
import os
import string
from typing import Optional

__all__ = ["LANGUAGES", "catalogue", "check_texts", "language", "set_language", "text", "translated", "problems"]

#: Language code -> its own name (what a language switch shows).
LANGUAGES = {"en": "English", "ko": "한국어"}
ENV_VAR = "COURSE_LANG"

_chosen: Optional[str] = None
_loaded: dict[str, dict[str, str]] = {}


def _normal(lang: str) -> Optional[str]:
    """``"ko"``, ``"ko_KR.UTF-8"``, ``"KO"`` -> ``"ko"``; None for a language the course does not have."""
    code = str(lang).strip().lower().replace("-", "_").split("_")[0].split(".")[0]
    return code if code in LANGUAGES else None


def set_language(lang: str) -> str:
    """Choose the language of every later message (``"en"`` or ``"ko"``); returns the code.

    Raises ``ValueError`` naming the languages there are, for any other value.
    """
    global _chosen
    code = _normal(lang)
    if code is None:
        raise ValueError(f"lang={lang!r} is not a language of this course: use one of "
                         f"{', '.join(repr(c) for c in LANGUAGES)} (e.g. course_utils.setup(lang=\"ko\")).")
    _chosen = code
    return code


def language() -> str:
    """The current language: the one ``set_language`` chose, else ``COURSE_LANG``, else ``"en"``.

    An unknown ``COURSE_LANG`` (``fr``) gives English rather than an error: messages must always come out.
    """
    if _chosen is not None:
        return _chosen
    return _normal(os.environ.get(ENV_VAR, "")) or "en"


def catalogue(lang: str) -> dict[str, str]:
    """The catalogue (key -> template) of one language (``"en"``, ``"ko"``)."""
    code = _normal(lang)
    if code is None:
        raise ValueError(f"no message catalogue for {lang!r}; there are: {', '.join(LANGUAGES)}")
    if code not in _loaded:
        _loaded[code] = dict(importlib.import_module(f"{__name__}.{code}").MESSAGES)
    return _loaded[code]


def check_texts(lang: str) -> dict[str, str]:
    """A language's translations of the English texts written in the homework's ``# TEST`` cells (English ->
    that language; ``{}`` for English). See ``translated``."""
    code = _normal(lang)
    if code is None or code == "en":
        return {}
    if f"{code}:checks" not in _loaded:
        try:
            module = importlib.import_module(f"{__name__}.{code}_checks")
        except ModuleNotFoundError:
            _loaded[f"{code}:checks"] = {}
        else:
            _loaded[f"{code}:checks"] = dict(module.CHECK_TEXTS)
    return _loaded[f"{code}:checks"]


def translated(english: str, lang: Optional[str] = None) -> str:
    """A ``# TEST`` cell's own English text (a check's name, message or hint) in ``lang`` (default: the current
    language), or the English itself when the language has no translation of it.

    The test cells stay the same in every edition (the grader runs the key's copy), so their texts are
    translated here, by their English wording, as gettext does: ``CHECK_TEXTS`` in ``messages/<lang>_checks.py``.
    A text made at run time (an f-string) is shown as it is.
    """
    code = _normal(lang) if lang is not None else language()
    if not code or code == "en" or type(english) is not str:
        return english
    return check_texts(code).get(english, english)


def text(key: str, /, *, lang: Optional[str] = None, **fields) -> str:
    """The message ``key`` in ``lang`` (default: the current language), its ``{fields}`` filled in.

    Falls back to the English text when the language lacks the key; an unknown key is a bug in the
    course (``KeyError``).
    """
    code = _normal(lang) if lang is not None else language()
    template = catalogue(code or "en").get(key)
    if template is None:
        template = catalogue("en")[key]
    return template.format(**fields) if fields else template.format()


def fields_of(template: str) -> set[str]:
    """The names of a template's ``{fields}`` (``"{a} and {b:.3f}"`` -> ``{"a", "b"}``); raises ``ValueError``
    for a template that does not parse (a lone ``{`` or ``}``)."""
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(template) if name}


def _fields_or_problem(code: str, key: str, template: str) -> "tuple[Optional[set], Optional[str]]":
    try:
        return fields_of(template), None
    except ValueError as err:
        return None, f"messages/{code}.py: key {key!r} does not parse ({err}): write a literal brace as {{{{ or }}}}"


def problems() -> list[str]:
    """What is out of step between the catalogues: missing keys, extra keys, different ``{fields}``."""
    english = catalogue("en")
    found = []
    for key, template in english.items():
        found += [problem for problem in _fields_or_problem("en", key, template)[1:] if problem]
    for code in LANGUAGES:
        if code == "en":
            continue
        other = catalogue(code)
        for key in english:
            if key not in other:
                found.append(f"messages/{code}.py: key {key!r} is missing (English: {english[key][:60]!r})")
                continue
            mine, problem = _fields_or_problem(code, key, other[key])
            theirs = _fields_or_problem("en", key, english[key])[0]
            if problem:
                found.append(problem)
            elif theirs is not None and mine != theirs:
                found.append(f"messages/{code}.py: key {key!r} has fields {sorted(mine)}, English has {sorted(theirs)}")
        for key in other:
            if key not in english:
                found.append(f"messages/{code}.py: key {key!r} is not in the English catalogue (a typo, or a "
                             "message that was removed?)")
    return found
