"""The comparison core of the lessons' exercise feedback: how an answer differs from the expected value.

``compare(answer, expected, atol=..., rtol=...)`` returns a ``Comparison`` that *describes* the
difference (wrong type, wrong shape and in which dimension, not finite, too big or too small and by
about how many powers of ten, which elements are off) without containing the expected value, so a
caller can turn it into a nudge for a student. Numbers, lists, tuples, NumPy arrays and PyTorch
tensors are accepted; torch is never imported here.

    >>> c = compare(0.028, 0.28, atol=1e-3)
    >>> c.ok, c.reason, c.direction, c.orders
    (False, 'value', 'low', -1)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np

from course_utils.messages import text

__all__ = ["Comparison", "compare", "to_array", "shape_of", "is_unanswered"]


def is_unanswered(value: Any) -> bool:
    """``None`` and ``...`` (Ellipsis) mean "not answered yet"."""
    return value is None or value is Ellipsis


def to_array(value: Any) -> np.ndarray:
    """A float64 NumPy array of ``value`` (a number, a sequence, an array or a tensor on any device).

    Raises ``TypeError`` or ``ValueError`` when ``value`` is not numeric.
    """
    if hasattr(value, "detach") and hasattr(value, "cpu"):        # a torch tensor
        value = value.detach().cpu()
        if str(getattr(value, "dtype", "")) == "torch.bfloat16":
            value = value.float()
        value = value.numpy()
    if isinstance(value, (str, bytes)):
        raise TypeError(f"a {type(value).__name__} is not a number")
    return np.asarray(value, dtype=float)


def shape_of(value: Any) -> Optional[tuple]:
    """The shape as a tuple of ints, or ``None`` for values without one."""
    shape = getattr(value, "shape", None)
    if shape is None:
        return None
    try:
        return tuple(int(n) for n in shape)
    except TypeError:
        return None


@dataclass(frozen=True)
class Comparison:
    """How an answer compares with the expected value.

    Attributes:
        ok: the answer is right (within the tolerance).
        reason: ``""`` when ok, else ``"type"`` (not a number / not a sequence), ``"length"``
            (a sequence of the wrong length), ``"shape"``, ``"not_finite"`` (nan or inf) or ``"value"``.
        direction: for ``"value"``: ``"high"`` or ``"low"`` (for arrays: of the worst element, or
            ``"mixed"``); ``"sign"`` when the sign is flipped.
        orders: for ``"value"``: ``round(log10(|answer| / |expected|))`` of the worst element, the
            number of powers of ten it is off (0 = the right order of magnitude); ``None`` when
            either is zero.
        relative: ``|answer - expected| / |expected|`` of the worst element (``inf`` if expected is 0).
        wrong: for arrays/sequences: the indices (tuples) of the wrong elements, at most 5.
        n_wrong: how many elements are wrong.
        detail: for ``"shape"``/``"length"``/``"type"``: a short description of the answer's side only
            (e.g. ``"dimension 1 is 3, should be larger"``); never the expected value itself.
        pattern: a recognised slip, when one fits: ``"percent"`` (answer = 100 x expected),
            ``"complement"`` (answer = 1 - expected), ``"reciprocal"`` (answer = 1 / expected).
        ratio: for ``"value"``: ``|answer| / |expected|`` of the worst element; ``None`` when either is zero.
        magnitude: for ``"value"``: ``"larger"`` or ``"smaller"`` when every wrong element is larger (or
            smaller) in absolute value than expected, ``"mixed"`` otherwise (for answers whose signs and
            directions disagree, e.g. a forgotten ``/ N`` on a gradient with positive and negative entries).
    """

    ok: bool
    reason: str = ""
    direction: Optional[str] = None
    orders: Optional[int] = None
    relative: float = 0.0
    wrong: tuple = field(default_factory=tuple)
    n_wrong: int = 0
    detail: str = ""
    pattern: Optional[str] = None
    ratio: Optional[float] = None
    magnitude: Optional[str] = None


def _pattern(got: float, want: float, atol: float) -> Optional[str]:
    if want != 0 and math.isclose(got, 100 * want, rel_tol=1e-3, abs_tol=100 * atol):
        return "percent"
    if 0 < want < 1 and abs(got - (1 - want)) <= atol:
        return "complement"
    if want != 0 and abs(want) != 1 and math.isclose(got, 1 / want, rel_tol=1e-3):
        return "reciprocal"
    return None


def _exact_sequence(answer: Any, expected: Any) -> Comparison:
    """Integer tuples such as shapes: compared element by element, exactly."""
    try:
        got = tuple(int(v) for v in answer)
        if any(float(v) != int(v) for v in answer):
            raise ValueError
    except (TypeError, ValueError):
        return Comparison(False, "type", detail=text("compare.not_whole_numbers", kind=type(answer).__name__))
    want = tuple(int(v) for v in expected)
    if len(got) != len(want):
        more = "more" if len(want) > len(got) else "fewer"
        return Comparison(False, "length", direction="low" if len(got) < len(want) else "high",
                          detail=text(f"compare.entries.{more}", n=len(got)))
    wrong = tuple((i,) for i, (g, w) in enumerate(zip(got, want)) if g != w)
    if not wrong:
        return Comparison(True)
    dirs = {"high" if got[i] > want[i] else "low" for (i,) in wrong}
    return Comparison(False, "value", direction=dirs.pop() if len(dirs) == 1 else "mixed",
                      wrong=wrong[:5], n_wrong=len(wrong))


def compare(answer: Any, expected: Any, *, atol: float = 1e-4, rtol: float = 0.0,
            exact: bool = False) -> Comparison:
    """Compare ``answer`` with ``expected``.

    Args:
        answer: the value to check (number, sequence, array or tensor).
        expected: the right value, same kinds.
        atol, rtol: the answer is right when ``|answer - expected| <= atol + rtol * |expected|``
            everywhere.
        exact: compare sequences of whole numbers (shapes, counts) exactly, element by element.

    Returns:
        A ``Comparison``; ``ok`` is ``True`` when the answer is right.
    """
    if exact and (isinstance(expected, (tuple, list)) or type(expected).__name__ == "Size"):
        return _exact_sequence(answer, expected)
    try:
        got = to_array(answer)
    except (TypeError, ValueError):
        return Comparison(False, "type", detail=text("compare.not_number", kind=type(answer).__name__))
    want = to_array(expected)
    if got.shape != want.shape:
        if got.ndim != want.ndim:
            detail = text(f"compare.ndim.{'one' if got.ndim == 1 else 'many'}.{'more' if want.ndim > got.ndim else 'fewer'}",
                          ndim=got.ndim, shape=got.shape)
        else:
            dims = [i for i, (g, w) in enumerate(zip(got.shape, want.shape)) if g != w]
            detail = "; ".join(text(f"compare.dimension.{'larger' if want.shape[i] > got.shape[i] else 'smaller'}",
                                    i=i, n=got.shape[i]) for i in dims)
        return Comparison(False, "shape", detail=detail)
    if not np.all(np.isfinite(got)):
        bad = np.argwhere(~np.isfinite(got))
        return Comparison(False, "not_finite", wrong=tuple(tuple(int(i) for i in b) for b in bad[:5]),
                          n_wrong=int(len(bad)))
    if exact:
        ok_mask = got == want
    else:
        ok_mask = np.abs(got - want) <= atol + rtol * np.abs(want)
    if np.all(ok_mask):
        return Comparison(True)
    err = np.where(ok_mask, 0.0, np.abs(got - want))
    worst = np.unravel_index(int(np.argmax(err)), got.shape) if got.ndim else ()
    g, w = float(got[worst]), float(want[worst])
    if w != 0 and g != 0 and (g > 0) != (w > 0):
        direction = "sign"
    else:
        wrong_dirs = {bool(d) for d in (got > want)[~ok_mask].ravel()}
        direction = ("high" if wrong_dirs.pop() else "low") if len(wrong_dirs) == 1 else "mixed"
    orders = round(math.log10(abs(g) / abs(w))) if g != 0 and w != 0 else None
    bigger = {bool(d) for d in (np.abs(got) > np.abs(want))[~ok_mask].ravel()}
    magnitude = ("larger" if bigger.pop() else "smaller") if len(bigger) == 1 else "mixed"
    relative = abs(g - w) / abs(w) if w != 0 else math.inf
    bad = np.argwhere(~ok_mask) if got.ndim else np.empty((0, 0), dtype=int)
    return Comparison(False, "value", direction=direction, orders=orders, relative=relative,
                      wrong=tuple(tuple(int(i) for i in b) for b in bad[:5]), n_wrong=int((~ok_mask).sum()),
                      pattern=_pattern(g, w, atol) if got.ndim == 0 else None,
                      ratio=abs(g) / abs(w) if g != 0 and w != 0 else None, magnitude=magnitude)
