"""Claims of a lesson's text, checked against the run that the student (or the tests) just made.

A trained network's exact figures differ a little from one computer to another: a float32 sum gives
a slightly different result when a CPU adds in another order (SSE, AVX2, AVX-512 and Arm vector
units do), and training amplifies those last digits. So a notebook prints its exact figures for you
to read, and states what the text concludes from them as *claims* that hold on every machine::

    >>> claim("the deeper network ends with the higher training loss", 0.31 > 0.04)
    ✓ the deeper network ends with the higher training loss
    True

The course's tests compare the ✓ lines (they never move), not the exact figures. A claim that does
not hold prints ✗ with what to do; it never raises, so the rest of the notebook still runs.
"""

from __future__ import annotations

from course_utils.messages import text

__all__ = ["claim", "HOLDS", "FAILS"]

#: The first characters of a claim's line: the notebook lint refuses a committed ✗.
HOLDS = "✓"
FAILS = "✗"


def claim(statement: str, holds: object, *, figures: str = "") -> bool:
    """Print whether ``statement`` holds on this run and return it as a ``bool``.

    Args:
        statement: what the text claims, in words (e.g. "ReLU is worth more than 3 points").
        holds: the test of the claim on this run's figures (anything with a truth value: a ``bool``,
            a NumPy or PyTorch boolean scalar).
        figures: optional, shown only when the claim fails: the figures it was judged on.
    """
    try:
        ok = bool(holds)
    except (TypeError, ValueError, RuntimeError) as exc:  # e.g. an array of several booleans
        raise TypeError(f"claim({statement!r}, ...) needs one True/False value, got {type(holds).__name__} "
                        f"({exc}): use .all() or .any() on an array") from None
    if ok:
        print(f"{HOLDS} {statement}")
    else:
        detail = f" ({figures})" if figures else ""
        print(f"{FAILS} " + text("claim.fails", statement=statement, detail=detail))
    return ok
