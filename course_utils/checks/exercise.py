"""Checks for the exercises inside the lesson notebooks.

An exercise cell leaves the answer as ``None`` (or ``...``); the check cell right after it calls
``check``. It never raises, so a notebook still runs top to bottom: it prints one line that says
"not answered yet", "correct", or what is wrong and a hint::

    answer = None          # your code here
    check("posterior for a 2% prior", answer, 0.6689, tol=1e-3, hint="use bayes.posterior(...)")

The returned ``bool`` lets a notebook count what is done.
"""

from __future__ import annotations

import math
from typing import Any, Optional

import numpy as np

_OK, _TODO, _WRONG = "✅", "✏️", "❌"


def _unanswered(value: Any) -> bool:
    return value is None or value is Ellipsis


def _describe(value: Any) -> str:
    shape = getattr(value, "shape", None)
    if shape is not None and tuple(shape):
        return f"{type(value).__name__} of shape {tuple(shape)}"
    try:
        return f"{float(value):.6g}"
    except (TypeError, ValueError):
        return repr(value)


def _close(answer: Any, expected: Any, tol: float) -> tuple[bool, str]:
    try:
        got = np.asarray(answer.detach().cpu() if hasattr(answer, "detach") else answer, dtype=float)
    except (TypeError, ValueError):
        return False, f"expected a number, got {type(answer).__name__} {answer!r}"
    want = np.asarray(expected, dtype=float)
    if got.shape != want.shape:
        return False, f"expected shape {want.shape}, got shape {got.shape}"
    if np.all(np.isfinite(got)) and np.allclose(got, want, rtol=0, atol=tol):
        return True, ""
    if got.ndim == 0:
        return False, f"expected about {float(want):.6g} (within {tol:g}), got {float(got):.6g}"
    worst = float(np.nanmax(np.abs(got - want))) if np.all(np.isfinite(got)) else math.inf
    return False, f"values differ from the expected ones by up to {worst:.3g} (allowed {tol:g})"


def check(name: str, answer: Any, expected: Any, *, tol: Optional[float] = 1e-4, hint: str = "") -> bool:
    """Print whether ``answer`` is right and return ``True`` if it is.

    Args:
        name: what the exercise asks for, shown in the message.
        answer: the student's value; ``None`` or ``...`` means "not answered yet".
        expected: the right value: a number, an array-like (compared element-wise within ``tol``),
            or anything else (compared with ``==`` when ``tol`` is ``None``).
        tol: absolute tolerance for numbers and arrays; ``None`` for an exact comparison.
        hint: printed when the answer is missing or wrong.
    """
    tail = f" Hint: {hint}" if hint else ""
    if _unanswered(answer):
        print(f"{_TODO} {name}: not answered yet.{tail}")
        return False
    if tol is None:
        ok = answer == expected
        ok = bool(np.all(ok)) if not isinstance(ok, bool) else ok
        why = "" if ok else f"expected {expected!r}, got {_describe(answer)}"
    else:
        ok, why = _close(answer, expected, tol)
    if ok:
        print(f"{_OK} {name}: correct.")
        return True
    print(f"{_WRONG} {name}: {why}.{tail}")
    return False
