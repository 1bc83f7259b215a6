"""Self-checks for homework test cells, with messages in a beginner's words.

A visible test cell right after each task calls these; when something is wrong they raise
``CheckFailure`` (an ``AssertionError``) whose message says what was expected, what your code gave
(values, shapes, types) and, where it can guess, what to look at::

    # TEST mlp.layers
    from course_utils.checks.homework import check_shape, check_type, passed
    check_type("model.fc1", model.fc1, torch.nn.Linear)
    check_shape("model.fc1.weight", model.fc1.weight, (256, 784), hint="nn.Linear(in, out) stores (out, in)")
    passed("mlp.layers")

The grader reports the message of a failed check as that check's feedback. Every function works
with Python numbers, lists, NumPy arrays and PyTorch tensors; none imports torch itself.
"""

from __future__ import annotations

import math
from typing import Any, Optional, Sequence

__all__ = ["CheckFailure", "check", "check_close", "check_equal", "check_shape", "check_type", "passed"]

_MAX_REPR = 200


class CheckFailure(AssertionError):
    """A homework check failed; the message explains what is wrong and what to try."""


def _fail(lines: Sequence[str], hint: Optional[str]) -> None:
    text = "\n".join(line for line in lines if line)
    if hint:
        text += f"\nHint: {hint}"
    raise CheckFailure(text)


def _short(value: Any) -> str:
    text = repr(value)
    text = " ".join(text.split())
    return text if len(text) <= _MAX_REPR else text[: _MAX_REPR - 5] + " ...)"


def _kind(value: Any) -> str:
    """``"torch.Tensor"``, ``"numpy.ndarray"``, ``"int"``, ... for messages."""
    cls = type(value)
    module = cls.__module__
    if module in ("builtins", "__main__"):
        return cls.__name__
    return f"{module.split('.')[0]}.{cls.__qualname__}"


def _shape_of(value: Any) -> Optional[tuple]:
    shape = getattr(value, "shape", None)
    if shape is None:
        return None
    try:
        return tuple(int(n) for n in shape)
    except TypeError:
        return None


def _none_hint(name: str) -> str:
    return (f"`{name}` is None. A function that ends without `return ...` gives None, and so does "
            "a method like `list.append` or an in-place operation: check that your code returns or "
            "assigns the value.")


def _to_numpy(value: Any):
    import numpy as np

    if hasattr(value, "detach") and hasattr(value, "cpu"):  # a torch tensor
        value = value.detach().cpu()
        if str(getattr(value, "dtype", "")) == "torch.bfloat16":
            value = value.float()
        value = value.numpy()
    return np.asarray(value)


def passed(task_id: str) -> None:
    """Print that the visible checks of ``task_id`` passed (the grader also runs hidden ones)."""
    print(f"{task_id}: the visible checks passed. (More checks run when your homework is graded.)")


def check(condition: Any, message: str, *, hint: Optional[str] = None) -> None:
    """Fail with ``message`` (and ``hint``) unless ``condition`` is true."""
    if not condition:
        _fail([message], hint)


def check_type(name: str, value: Any, expected: Any, *, hint: Optional[str] = None) -> None:
    """Check that ``value`` is an instance of ``expected`` (a type or a tuple of types).

    Args:
        name: how the message calls the value, e.g. ``"model.fc1"``.
        value: the value to check.
        expected: a class, or a tuple of classes any of which is fine.
        hint: an extra sentence shown when the check fails.
    """
    if isinstance(value, expected):
        return
    wanted = " or ".join(_kind_name(t) for t in (expected if isinstance(expected, tuple) else (expected,)))
    if value is None:
        _fail([f"`{name}` should be a {wanted}, but it is None.", _none_hint(name)], hint)
    _fail([f"`{name}` should be a {wanted}, but it is a {_kind(value)}: {_short(value)}."], hint)


def _kind_name(cls: Any) -> str:
    module = getattr(cls, "__module__", "builtins")
    name = getattr(cls, "__qualname__", repr(cls))
    return name if module == "builtins" else f"{module.split('.')[0]}.{name}"


def check_shape(name: str, value: Any, expected: Sequence[Optional[int]], *, hint: Optional[str] = None) -> None:
    """Check the shape of an array or tensor; ``None`` in ``expected`` accepts any size there.

    Args:
        name: how the message calls the value, e.g. ``"logits"``.
        value: a NumPy array or PyTorch tensor (anything with ``.shape``).
        expected: the wanted shape, e.g. ``(64, 10)`` or ``(None, 10)`` for "any batch size".
        hint: an extra sentence shown when the check fails.
    """
    expected = tuple(expected)
    shown = "(" + ", ".join("any" if n is None else str(n) for n in expected) + ("," if len(expected) == 1 else "") + ")"
    if value is None:
        _fail([f"`{name}` should be an array/tensor of shape {shown}, but it is None.", _none_hint(name)], hint)
    shape = _shape_of(value)
    if shape is None:
        _fail([f"`{name}` should be an array/tensor of shape {shown}, but it is a {_kind(value)} "
               f"without a shape: {_short(value)}.",
               "Convert it, e.g. with torch.tensor(...) or np.asarray(...), or return the tensor itself."], hint)
    if len(shape) == len(expected) and all(e is None or e == s for s, e in zip(shape, expected)):
        return
    lines = [f"`{name}` should have shape {shown}, but it has shape {shape}."]
    if len(shape) != len(expected):
        lines.append(f"It has {len(shape)} dimension(s) instead of {len(expected)}.")
    fixed = [n for n in expected if n is not None]
    if None not in expected and math.prod(shape) == math.prod(fixed):
        if len(shape) == len(expected) and sorted(shape) == sorted(expected):
            lines.append("The sizes are right but in another order: is something transposed "
                         "(e.g. nn.Linear(in_features, out_features) swapped)?")
        else:
            lines.append("It has the right number of elements: check your .view()/.reshape() arguments.")
    elif len(shape) == len(expected) + 1 and 1 in shape:
        lines.append("There is an extra dimension of size 1: .squeeze() or a different reshape may help.")
    elif len(shape) + 1 == len(expected):
        lines.append("A dimension is missing: was the batch dimension dropped, or a .sum()/.mean() taken too far?")
    _fail(lines, hint)


def check_close(name: str, value: Any, expected: Any, *, rtol: float = 1e-5, atol: float = 1e-6,
                hint: Optional[str] = None) -> None:
    """Check that numbers, arrays or tensors are equal within a tolerance.

    Passes when ``|value - expected| <= atol + rtol * |expected|`` everywhere (NumPy's ``allclose``)
    and the shapes match. NaN is never close to anything.

    Args:
        name: how the message calls the value.
        value: the student's number / array / tensor.
        expected: the right answer, same kinds accepted.
        rtol, atol: relative and absolute tolerance.
        hint: an extra sentence shown when the check fails.
    """
    import numpy as np

    if value is None:
        _fail([f"`{name}` should be about {_short(expected)}, but it is None.", _none_hint(name)], hint)
    try:
        got = _to_numpy(value).astype(float)
    except (TypeError, ValueError):
        _fail([f"`{name}` should be a number or an array of numbers, but it is a {_kind(value)}: {_short(value)}."],
              hint)
    want = _to_numpy(expected).astype(float)
    if got.shape != want.shape:
        if got.size == 1 and want.size == 1:
            got, want = got.reshape(()), want.reshape(())
        else:
            _fail([f"`{name}` should have shape {want.shape}, but it has shape {got.shape}."], hint)
    if got.ndim == 0:
        g, w = float(got), float(want)
        if math.isclose(g, w, rel_tol=rtol, abs_tol=atol) or (g == w):
            return
        lines = [f"`{name}` should be {w:.6g}, but it is {g:.6g}."]
        if math.isnan(g):
            lines.append("NaN means 'not a number': look for 0/0, log of 0 or a negative, or a learning rate "
                         "so large that values blew up.")
        elif w != 0 and math.isclose(g, -w, rel_tol=rtol, abs_tol=atol):
            lines.append("Only the sign is wrong.")
        elif w != 0 and math.isclose(g / w, 100.0, rel_tol=1e-6):
            lines.append("It is 100 times too large: a percentage instead of a fraction?")
        _fail(lines, hint)
    if np.allclose(got, want, rtol=rtol, atol=atol):
        return
    bad = ~np.isclose(got, want, rtol=rtol, atol=atol)
    lines = [f"`{name}` (shape {got.shape}) differs from the expected values at {int(bad.sum())} of "
             f"{got.size} positions."]
    if np.isnan(got).any():
        lines.append(f"It contains {int(np.isnan(got).sum())} NaN value(s): look for 0/0, log of 0, or values "
                     "that blew up during training.")
    first = tuple(int(i) for i in np.argwhere(bad)[0])
    lines.append(f"First difference at index {first}: expected {want[first]:.6g}, got {got[first]:.6g}.")
    finite = np.isfinite(got) & np.isfinite(want)
    if finite.any():
        lines.append(f"Largest difference: {float(np.max(np.abs(got - want)[finite])):.3g} "
                     f"(allowed: about {atol:g} + {rtol:g} x |expected|).")
    _fail(lines, hint)


def check_equal(name: str, value: Any, expected: Any, *, hint: Optional[str] = None) -> None:
    """Check exact equality: ``==`` for plain values, element-wise for arrays and tensors.

    Args:
        name: how the message calls the value.
        value: the student's value.
        expected: the right value.
        hint: an extra sentence shown when the check fails.
    """
    if _shape_of(value) is not None or _shape_of(expected) is not None:
        import numpy as np

        if value is None:
            _fail([f"`{name}` should equal {_short(expected)}, but it is None.", _none_hint(name)], hint)
        got, want = _to_numpy(value), _to_numpy(expected)
        if got.shape != want.shape:
            _fail([f"`{name}` should have shape {want.shape}, but it has shape {got.shape}."], hint)
        if np.array_equal(got, want):
            return
        bad = got != want
        first = tuple(int(i) for i in np.argwhere(bad)[0]) if bad.ndim else ()
        lines = [f"`{name}` differs from the expected values at {int(np.sum(bad))} of {got.size} positions."]
        if first:
            lines.append(f"First difference at index {first}: expected {want[first]!r}, got {got[first]!r}.")
        _fail(lines, hint)
    try:
        same = bool(value == expected)
    except (TypeError, ValueError):
        same = False
    if same:
        return
    lines = [f"`{name}` should be {_short(expected)}, but it is {_short(value)}."]
    if value is None:
        lines.append(_none_hint(name))
    elif type(value) is not type(expected):
        lines.append(f"It is a {_kind(value)}, expected a {_kind(expected)}.")
    _fail(lines, hint)


# --------------------------------------------------------------------------- calling the student's code
def check_call(name: str, function: Any, *args: Any, hint: Optional[str] = None, **kwargs: Any) -> Any:
    """Call ``function(*args, **kwargs)`` and return its result; an error becomes a check message.

    When your function raises (say PyTorch's ``mat1 and mat2 shapes cannot be multiplied``), the
    check fails with a message that names the call, the error's last line and the task's hint,
    instead of a traceback from inside the test. ``NotImplementedError`` (a blank not filled in
    yet) and failed checks pass through unchanged.

    Args:
        name: how the message calls the call, e.g. ``"accuracy(toy_logits, toy_labels)"``.
        function: your function (or class, or model).
        hint: what to look at when it raises.
    """
    if not callable(function):
        _fail([f"`{name}` cannot be called: {_short(function)} is a {_kind(function)}, not a function."], hint)
    try:
        return function(*args, **kwargs)
    except (CheckFailure, NotImplementedError):
        raise
    except Exception as exc:  # the student's code raised: say so in words, with the hint
        last = str(exc).strip().splitlines()[-1] if str(exc).strip() else ""
        lines = [f"`{name}` raised {type(exc).__name__}" + (f": {last}" if last else "") + "."]
        _fail(lines, hint)


class substitute:
    """Put stand-ins in place of names of a namespace (e.g. ``globals()``) for a ``with`` block.

    The check of one task replaces your *other* functions by known-good stand-ins, so that a
    mistake in one task never costs another task's points::

        with substitute(globals(), font_of=toy.font_of):
            train, test = split_by_font(pairs, 0.4)   # uses the stand-in font_of

    On leaving the block every name gets its old value back (or is removed if it had none).
    """

    _MISSING = object()

    def __init__(self, namespace: dict, **stand_ins: Any):
        self.namespace, self.stand_ins, self.saved = namespace, stand_ins, {}

    def __enter__(self) -> "substitute":
        for key, value in self.stand_ins.items():
            self.saved[key] = self.namespace.get(key, self._MISSING)
            self.namespace[key] = value
        return self

    def __exit__(self, *exc_info: Any) -> None:
        for key, value in self.saved.items():
            if value is self._MISSING:
                self.namespace.pop(key, None)
            else:
                self.namespace[key] = value
