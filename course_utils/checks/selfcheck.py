"""The homework's check cells: self-checks with messages in a beginner's words.

(``course_utils.checks.homework`` is this module's old name and still imports it. The lessons' exercises
have their own feedback, ``course_utils.checks.exercise.give_feedback``, which prints and never raises.)

A visible test cell right after each task calls these; when something is wrong they raise
``CheckFailure`` (an ``AssertionError``) whose message says what was expected, what your code gave
(values, shapes, types) and, where it can guess, what to look at::

    # TEST mlp.layers
    from course_utils.checks.selfcheck import check_shape, check_type, passed
    check_type("model.fc1", model.fc1, torch.nn.Linear)
    check_shape("model.fc1.weight", model.fc1.weight, (256, 784), hint="nn.Linear(in, out) stores (out, in)")
    passed("mlp.layers")

A check never gives points: the homework is marked by asking your code the same requirements with other
inputs, and the message of a failed check is only shown back to you. Every function works with Python
numbers, lists, NumPy arrays and PyTorch tensors; none imports torch itself.

The checks look at what a value really is, not at what it claims to be: types are read with
``type()`` (not ``__class__``), values are converted to plain Python numbers, strings, tuples and
NumPy arrays before they are compared, and an object of a class the check does not know is
compared only with an object of exactly the same class, using the expected value's ``==``. So an
object whose ``__eq__`` always says yes, or that pretends to be another class, fails.

This module imports only its messages (``course_utils.messages``, so a check speaks the student's language)
and the shape reader of ``course_utils.checks.compare``: a check cell needs these and NumPy.
"""

from __future__ import annotations

import linecache
import math
import re
import sys
from typing import Any, Optional, Sequence

from course_utils.checks.compare import shape_of as _shape_of
from course_utils.messages import text as _t
from course_utils.messages import translated as _tr

__all__ = ["CheckFailure", "blank_message", "check", "check_call", "check_close", "check_equal", "check_shape", "check_type", "passed",
           "substitute"]

_MAX_REPR = 200


class CheckFailure(AssertionError):
    """A homework check failed; the message explains what is wrong and what to try.

    In Jupyter it shows as the message alone: the frames of this module would only hide it.
    """

    def _render_traceback_(self) -> list:
        """What IPython prints instead of a traceback (a hook IPython looks for on exceptions)."""
        return [f"CheckFailure: {self}"]


def _fail(lines: Sequence[str], hint: Optional[str]) -> None:
    __tracebackhide__ = True  # noqa: F841 - read by IPython: the student's traceback skips this frame
    text = "\n".join(line for line in lines if line)
    if hint:
        text += "\n" + _t("check.hint", hint=_tr(hint))
    raise CheckFailure(text)


def _short(value: Any) -> str:
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a broken __repr__ must not hide the check's message
        text = f"<{type(value).__name__} object>"
    text = " ".join(str(text).split())
    return text if len(text) <= _MAX_REPR else text[: _MAX_REPR - 5] + " ...)"


def _kind(value: Any) -> str:
    """``"torch.Tensor"``, ``"numpy.ndarray"``, ``"int"``, ... for messages."""
    return _kind_name(type(value))


def _none_hint(name: str) -> str:
    return _t("check.none_hint", name=name)


class _NotPlain(TypeError):
    """A value that the checks cannot turn into plain numbers."""


def _tensor_type():
    torch = sys.modules.get("torch")
    return getattr(torch, "Tensor", None) if torch is not None else None


def _is_tensor(value: Any) -> bool:
    tensor = _tensor_type()
    return tensor is not None and issubclass(type(value), tensor)


def _is_array(value: Any) -> bool:
    import numpy as np

    return issubclass(type(value), np.ndarray)


def _to_numpy(value: Any, *, numeric: bool = False):
    """A NumPy array of a tensor, array, number or (nested) list/tuple of numbers.

    Raises ``_NotPlain`` for anything else (objects that only behave like arrays included).
    Tensors are read through ``torch.Tensor``'s own methods, not the object's.
    """
    import numpy as np

    tensor = _tensor_type()
    if tensor is not None and issubclass(type(value), tensor):
        value = tensor.cpu(tensor.detach(value))
        if str(value.dtype) == "torch.bfloat16":
            value = tensor.float(value)
        return np.array(tensor.numpy(tensor.contiguous(value)), copy=True)
    if issubclass(type(value), np.ndarray):
        array = np.asarray(value).view(np.ndarray)
    elif type(value) in (int, float, bool, complex) or issubclass(type(value), np.generic):
        array = np.asarray(value)
    elif type(value) in (list, tuple):
        array = np.array([_to_numpy(v, numeric=numeric) for v in value]) if value else np.asarray(value, dtype=float)
    elif not numeric and type(value) is str:
        array = np.asarray(value)
    else:
        raise _NotPlain(type(value).__name__)
    if array.dtype == object:
        raise _NotPlain("object array")
    if numeric and not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise _NotPlain(str(array.dtype))
    return array


_SCALARS = (int, float, bool, complex, str, bytes, type(None))


def _plain_number(value: Any) -> Optional[float]:
    """``value`` as a Python number when it really is one (int, float, bool, NumPy scalar, one-element
    tensor or array), else ``None``."""
    import numpy as np

    if type(value) in (int, float, bool):
        return value
    if issubclass(type(value), np.generic) and np.issubdtype(type(value), np.number):
        return np.generic.item(value)
    return None


def _same(value: Any, expected: Any) -> bool:
    """Exact comparison of plain values; other objects only against exactly their own class."""
    import numpy as np

    want_number = _plain_number(expected)
    if want_number is not None and type(expected) is not bool:
        got = _plain_number(value)
        return got is not None and type(value) is not bool and got == want_number
    if type(expected) is bool:
        return (type(value) is bool or type(value) is np.bool_) and bool(value) == expected
    if type(expected) in _SCALARS:
        return type(value) is type(expected) and value == expected
    if type(expected) in (list, tuple):
        return (type(value) is type(expected) and len(value) == len(expected)
                and all(_same(v, e) for v, e in zip(value, expected)))
    if type(expected) is dict:
        if type(value) is not dict or len(value) != len(expected):
            return False
        keys = {k: k for k in value if type(k) in _SCALARS or type(k) is tuple}
        return len(keys) == len(value) and all(k in keys and _same(value[keys[k]], v) for k, v in expected.items())
    if type(expected) in (set, frozenset):
        if type(value) is not type(expected) or len(value) != len(expected):
            return False
        if not all(type(v) in _SCALARS or type(v) is tuple for v in value):
            return False
        return all(any(_same(v, e) for v in value) for e in expected)
    if _is_array(expected) or _is_tensor(expected) or issubclass(type(expected), np.generic):
        try:
            got, want = _to_numpy(value), _to_numpy(expected)
        except _NotPlain:
            return False
        return got.shape == want.shape and bool(np.array_equal(got, want))
    if type(value) is not type(expected):
        return False
    return type(expected).__eq__(expected, value) is True


def passed(task_id: str) -> None:
    """Print that the visible checks of ``task_id`` passed (the grader asks the same requirements, other inputs)."""
    print(_t("check.passed", task=task_id))


def _truth(condition: Any) -> bool:
    """The truth of a check's condition: bools, numbers, one-element arrays/tensors and built-in
    containers; any other object fails (its ``__bool__`` is not trusted)."""
    import numpy as np

    if type(condition) is bool:
        return condition
    if type(condition) in (int, float, str, bytes, list, tuple, dict, set, frozenset, type(None)):
        return bool(condition)
    if issubclass(type(condition), np.generic):
        return bool(np.generic.item(condition))
    if _is_tensor(condition) or _is_array(condition):
        array = _to_numpy(condition)
        if array.size == 1:
            return bool(array.reshape(()).item())
    return False


def check(condition: Any, message: str, *, hint: Optional[str] = None) -> None:
    """Fail with ``message`` (and ``hint``) unless ``condition`` is true.

    ``condition`` should be a plain ``True``/``False`` (or a number, a one-element tensor/array,
    a built-in container); objects of other classes count as false.
    """
    if not _truth(condition):
        _fail([_tr(message)], hint)


def check_type(name: str, value: Any, expected: Any, *, hint: Optional[str] = None) -> None:
    """Check that ``value`` is an instance of ``expected`` (a type or a tuple of types).

    Args:
        name: how the message calls the value, e.g. ``"model.fc1"``.
        value: the value to check.
        expected: a class, or a tuple of classes any of which is fine.
        hint: an extra sentence shown when the check fails.
    """
    name = _tr(name)   # a test cell's English wording, in the student's language
    wanted_types = expected if isinstance(expected, tuple) else (expected,)
    if any(issubclass(type(value), t) for t in wanted_types):  # type(), not __class__: no pretending
        return
    wanted = _t("check.or").join(_kind_name(t) for t in (expected if isinstance(expected, tuple) else (expected,)))
    if value is None:
        _fail([_t("check.type.none", name=name, wanted=wanted), _none_hint(name)], hint)
    lines = [_t("check.type.other", name=name, wanted=wanted, kind=_kind(value), value=_short(value))]
    if float in wanted_types and type(value) is int:
        lines.append(_t("check.type.int_for_float"))
    elif float in wanted_types and type(value) in (list, tuple):
        lines.append(_t("check.type.collection_for_float"))
    _fail(lines, hint)


def _kind_name(cls: Any) -> str:
    """A class's name as code would write it: ``int``, ``torch.Tensor``, ``torch.nn.Linear``,
    ``torch.utils.data.Subset`` (the shortest module path that has it; its own module otherwise)."""
    module = getattr(cls, "__module__", None) or "builtins"
    name = getattr(cls, "__qualname__", None) or repr(cls)
    if module in ("builtins", "__main__"):
        return name
    parts = module.split(".")
    for end in range(1, len(parts) + 1):
        owner = sys.modules.get(".".join(parts[:end]))
        if owner is not None and getattr(owner, name, None) is cls:
            return f"{'.'.join(parts[:end])}.{name}"
    return f"{module}.{name}"


def check_shape(name: str, value: Any, expected: Sequence[Optional[int]], *, hint: Optional[str] = None) -> None:
    """Check the shape of an array or tensor; ``None`` in ``expected`` accepts any size there.

    Args:
        name: how the message calls the value, e.g. ``"logits"``.
        value: a NumPy array or PyTorch tensor (anything with ``.shape``).
        expected: the wanted shape, e.g. ``(64, 10)`` or ``(None, 10)`` for "any batch size".
        hint: an extra sentence shown when the check fails.
    """
    name = _tr(name)   # a test cell's English wording, in the student's language
    expected = tuple(expected)
    shown = "(" + ", ".join(_t("check.shape.any") if n is None else str(n) for n in expected) + \
        ("," if len(expected) == 1 else "") + ")"
    if value is None:
        _fail([_t("check.shape.none", name=name, shape=shown), _none_hint(name)], hint)
    shape = _shape_of(value) if (_is_array(value) or _is_tensor(value)) else None
    if shape is None:
        if type(value) in (int, float, bool) or issubclass(type(value), _number_types()):
            _fail([_t("check.shape.number", name=name, shape=shown, kind=_kind(value), value=_short(value)),
                   _t("check.shape.number_advice")], hint)
        _fail([_t("check.shape.shapeless", name=name, shape=shown, kind=_kind(value), value=_short(value)),
               _t("check.shape.shapeless_advice")], hint)
    if len(shape) == len(expected) and all(e is None or e == s for s, e in zip(shape, expected)):
        return
    _fail([_t("check.shape.wrong", name=name, shape=shown, got=shape), *_shape_advice(shape, expected)], hint)


def _fits(shape: Sequence[int], expected: Sequence[Optional[int]]) -> bool:
    return len(shape) == len(expected) and all(e is None or e == s for s, e in zip(shape, expected))


def _number_types() -> tuple:
    import numpy as np

    return (np.generic,)


def _shape_advice(shape: tuple, expected: tuple) -> list:
    """What is different between ``shape`` and ``expected``, in facts (never a guess at an unrelated cause)."""
    fixed = [n for n in expected if n is not None]
    if len(shape) == len(expected) + 1 and shape[-1] in (3, 4) and _fits(shape[:-1], expected):
        return [_t("check.shape.colour", n=shape[-1])]
    if len(shape) == len(expected) + 1:
        dropped = [i for i in range(len(shape)) if shape[i] == 1 and _fits(shape[:i] + shape[i + 1:], expected)]
        if dropped:
            return [_t("check.shape.extra_one", position=dropped[0])]
    if len(shape) + 1 == len(expected):
        missing = [i for i in range(len(expected)) if _fits(shape, expected[:i] + expected[i + 1:])]
        if missing:
            if expected[missing[0]] is None:
                return [_t("check.shape.missing_any", position=missing[0])]
            return [_t("check.shape.missing", size=expected[missing[0]], position=missing[0])]
    lines = [] if len(shape) == len(expected) else [_t("check.shape.ndim", got=len(shape), want=len(expected))]
    if None not in expected and math.prod(shape) == math.prod(fixed):
        if len(shape) == len(expected) and sorted(shape) == sorted(expected):
            first = next(i for i, (s, e) in enumerate(zip(shape, expected)) if s != e)
            lines.append(_t("check.shape.order", dim=first, got=shape[first], want=expected[first]))
        else:
            lines.append(_t("check.shape.same_count"))
    return lines


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
    name = _tr(name)   # a test cell's English wording, in the student's language
    import numpy as np

    if value is None:
        _fail([_t("check.close.none", name=name, expected=_short(expected)), _none_hint(name)], hint)
    try:
        got = _to_numpy(value, numeric=True).astype(float)
    except (_NotPlain, TypeError, ValueError):
        _fail([_t("check.close.not_numbers", name=name, kind=_kind(value), value=_short(value))], hint)
    want = _to_numpy(expected, numeric=True).astype(float)
    if got.shape != want.shape:
        if got.size == 1 and want.size == 1:
            got, want = got.reshape(()), want.reshape(())
        else:
            _fail([_t("check.shape.wrong", name=name, shape=want.shape, got=got.shape)], hint)
    if got.ndim == 0:
        g, w = float(got), float(want)
        if math.isclose(g, w, rel_tol=rtol, abs_tol=atol) or (g == w):
            return
        lines = [_t("check.close.scalar", name=name, expected=f"{w:.6g}", got=f"{g:.6g}")]
        if math.isnan(g):
            lines.append(_t("check.close.nan"))
        elif w != 0 and math.isclose(g, -w, rel_tol=rtol, abs_tol=atol):
            lines.append(_t("check.close.sign"))
        elif w != 0 and math.isclose(g / w, 100.0, rel_tol=1e-6):
            lines.append(_t("check.close.times_100"))
        _fail(lines, hint)
    if np.allclose(got, want, rtol=rtol, atol=atol):
        return
    bad = ~np.isclose(got, want, rtol=rtol, atol=atol)
    lines = [_t("check.close.array", name=name, shape=got.shape, n=int(bad.sum()), size=got.size)]
    if np.isnan(got).any():
        lines.append(_t("check.close.array_nan", n=int(np.isnan(got).sum())))
    first = tuple(int(i) for i in np.argwhere(bad)[0])
    lines.append(_t("check.first_difference", index=first, expected=f"{want[first]:.6g}", got=f"{got[first]:.6g}"))
    finite = np.isfinite(got) & np.isfinite(want)
    if finite.any():
        lines.append(_t("check.close.largest", largest=f"{float(np.max(np.abs(got - want)[finite])):.3g}",
                        atol=f"{atol:g}", rtol=f"{rtol:g}"))
    _fail(lines, hint)


def check_equal(name: str, value: Any, expected: Any, *, hint: Optional[str] = None) -> None:
    """Check exact equality: ``==`` for plain values, element-wise for arrays and tensors.

    Args:
        name: how the message calls the value.
        value: the student's value.
        expected: the right value.
        hint: an extra sentence shown when the check fails.
    """
    name = _tr(name)   # a test cell's English wording, in the student's language
    if _is_array(value) or _is_tensor(value) or _is_array(expected) or _is_tensor(expected):
        import numpy as np

        if value is None:
            _fail([_t("check.equal.none", name=name, expected=_short(expected)), _none_hint(name)], hint)
        try:
            got = _to_numpy(value)
        except _NotPlain:
            _fail([_t("check.equal.not_array", name=name, expected=_short(expected), kind=_kind(value))], hint)
        want = _to_numpy(expected)
        if got.shape != want.shape:
            _fail([_t("check.shape.wrong", name=name, shape=want.shape, got=got.shape)], hint)
        if np.array_equal(got, want):
            return
        bad = got != want
        first = tuple(int(i) for i in np.argwhere(bad)[0]) if bad.ndim else ()
        lines = [_t("check.equal.array", name=name, n=int(np.sum(bad)), size=got.size)]
        if first:
            lines.append(_t("check.first_difference", index=first, expected=repr(want[first]), got=repr(got[first])))
        _fail(lines, hint)
    if _same(value, expected):
        return
    lines = [_t("check.equal.value", name=name, expected=_short(expected), got=_short(value))]
    if value is None:
        lines.append(_none_hint(name))
    elif type(value) is not type(expected):
        lines.append(_t("check.equal.kind", kind=_kind(value), expected=_kind(expected)))
    _fail(lines, hint)


# --------------------------------------------------------------------------- calling the student's code
_MAX_LINE = 120
#: The code objects of the stand-ins ``substitute`` has put in place (a stand-in's line is never "your line").
_STAND_IN_CODES: set = set()


def _your_frame(traceback: Any, check_file: str) -> Optional[tuple]:
    """``(file name, line number, code object)`` of the innermost frame of ``traceback`` that runs notebook
    code (a cell's code runs in the module ``__main__``) and is neither the check's own cell (``check_file``)
    nor a stand-in put in place by ``substitute``."""
    found = None
    while traceback is not None:
        frame = traceback.tb_frame
        if (frame.f_globals.get("__name__") == "__main__" and frame.f_code.co_filename != check_file
                and frame.f_code not in _STAND_IN_CODES):
            found = (frame.f_code.co_filename, traceback.tb_lineno, frame.f_code)
        traceback = traceback.tb_next
    return found


def _your_line(traceback: Any, check_file: str) -> Optional[str]:
    """``"`<source line>` (in <function>)"`` of ``_your_frame``."""
    found = _your_frame(traceback, check_file)
    if found is None:
        return None
    filename, number, code = found
    function = code.co_name
    line = " ".join(linecache.getline(filename, number).split())
    if not line:
        return None
    if len(line) > _MAX_LINE:
        line = line[: _MAX_LINE - 4] + " ..."
    where = "" if function == "<module>" else _t("check.in_function", function=function)
    return f"`{line}`{where}"


def _missing_folder(exc: BaseException) -> Optional[str]:
    """The folder that does not exist, when ``exc`` is a FileNotFoundError for a file inside it."""
    import os

    filename = getattr(exc, "filename", None)
    if type(exc) is not FileNotFoundError or not isinstance(filename, (str, bytes, os.PathLike)):
        return None
    parent = os.path.dirname(os.fspath(filename))
    if not parent or os.path.isdir(parent):
        return None
    return os.path.basename(parent.rstrip("/\\")) or parent


#: The message of a blank's stub: ``"<task id>: <what to write>"`` (task ids have a dot: ``mlp.model``).
_STUB_MESSAGE = re.compile(r"(?P<task>[A-Za-z_]\w*(?:\.\w+)+): (?P<what>.+)", re.S)


def blank_message(exc: BaseException, check_file: str = "") -> Optional[list]:
    """The few lines a student sees for a blank not filled in yet, or ``None`` when ``exc`` is not a stub's.

    ``exc`` is the ``NotImplementedError("<task id>: <what to write>")`` of a blank; the lines name the task,
    what to write, and where to look: the ``# TASK`` cell and, when the blank is inside a function, its name.
    """
    match = _STUB_MESSAGE.fullmatch(str(exc).strip())
    if type(exc) is not NotImplementedError or match is None:
        return None
    task, what = match.group("task"), " ".join(match.group("what").split())
    found = _your_frame(exc.__traceback__, check_file)
    function = getattr(found[2], "co_qualname", found[2].co_name) if found else "<module>"   # MLP.__init__
    inside = _t("check.blank.inside", function=function) if function != "<module>" else ""
    return [_t("check.blank.title", task=task), _t("check.blank.what", what=what),
            _t("check.blank.where", task=task, inside=inside), _t("check.blank.run_all")]


#: Run in JupyterLab (Jupyter Notebook too) where a blank stops a check: scrolls the notebook to this cell's output.
#: *Run All* leaves JupyterLab showing the last cell, far below the error that stopped the run. Elsewhere
#: (Colab, VS Code, a script) ``element`` is missing or JavaScript outputs are not run, and nothing happens.
SCROLL_HERE_JS = ("if (typeof element !== 'undefined' && element && element.scrollIntoView) "
                  "{ setTimeout(() => element.scrollIntoView({block: 'center'}), 300); }")


def _scroll_here() -> None:
    """In a Jupyter kernel, display ``SCROLL_HERE_JS`` (an output that scrolls the notebook to itself)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or not hasattr(shell, "kernel"):
        return
    from IPython.display import Javascript, display

    display(Javascript(SCROLL_HERE_JS))


def _show_blank_briefly(exc: BaseException, check_file: str) -> None:
    """Make IPython show a blank's ``NotImplementedError`` as ``blank_message`` instead of a traceback, and
    scroll the notebook to it (``SCROLL_HERE_JS``)."""
    lines = blank_message(exc, check_file)
    if lines is not None:
        try:
            exc._render_traceback_ = lambda: lines   # the hook IPython looks for on an exception
        except AttributeError:
            return
        _scroll_here()


def check_call(name: str, function: Any, *args: Any, hint: Optional[str] = None, **kwargs: Any) -> Any:
    """Call ``function(*args, **kwargs)`` and return its result; an error becomes a check message.

    When your function raises (say PyTorch's ``mat1 and mat2 shapes cannot be multiplied``), the
    check fails with a message that names the call, the error's last line, **your line** where it
    happened and the task's hint, instead of a traceback from inside the test. Where the error itself
    says what is wrong, the message says that instead of the hint: a name that is not defined when the
    check runs (a helper defined in a cell below the test), a folder that does not exist, or a
    stand-in that the check put in place of your other functions and that your code gave something it
    cannot take. ``NotImplementedError`` (a blank not filled in yet) and failed checks pass through; a
    blank's error is shown in a few lines (``blank_message``) that name the task and where to look, instead
    of a traceback. This function's own frame is hidden from tracebacks (``__tracebackhide__``).

    Args:
        name: how the message calls the call, e.g. ``"accuracy(toy_logits, toy_labels)"``.
        function: your function (or class, or model).
        hint: what to look at when it raises.
    """
    __tracebackhide__ = True  # noqa: F841 - read by IPython: the student's traceback skips this frame
    name = _tr(name)   # a test cell's English wording, in the student's language
    if not callable(function):
        _fail([_t("check.call.not_callable", name=name, value=_short(function), kind=_kind(function))], hint)
    try:
        return function(*args, **kwargs)
    except CheckFailure:
        raise
    except NotImplementedError as exc:
        _show_blank_briefly(exc, sys._getframe(1).f_code.co_filename)
        raise
    except Exception as exc:  # the student's code raised: say so in words, with the hint
        check_file = sys._getframe(1).f_code.co_filename   # the test cell that called check_call
        yours = _your_line(exc.__traceback__, check_file)
        message = str(exc).strip()
        last = message.splitlines()[-1] if message else ""
        if getattr(type(exc), "_course_stand_in", False):
            lines = [_t("check.call.stand_in", name=name, last=last)]
            if yours:
                lines.append(_t("check.call.called_from", line=yours))
            _fail(lines, hint)
        error = type(exc).__name__ + (f": {last}" if last else "")
        lines = [_t("check.call.raised", name=name, error=error)]
        if yours:
            lines.append(_t("check.call.your_line", line=yours))
        if type(exc) is NameError:
            lines.append(_t("check.call.name_error", missing=getattr(exc, "name", None) or last))
            _fail(lines, None)
        folder = _missing_folder(exc)
        if folder is not None:
            lines.append(_t("check.call.no_folder", folder=folder))
            _fail(lines, None)
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
        self.codes = set()
        for key, value in self.stand_ins.items():
            self.saved[key] = self.namespace.get(key, self._MISSING)
            self.namespace[key] = value
            code = getattr(getattr(value, "__func__", value), "__code__", None)
            if code is not None and code not in _STAND_IN_CODES:
                self.codes.add(code)
        _STAND_IN_CODES.update(self.codes)
        return self

    def __exit__(self, *exc_info: Any) -> None:
        _STAND_IN_CODES.difference_update(self.codes)
        for key, value in self.saved.items():
            if value is self._MISSING:
                self.namespace.pop(key, None)
            else:
                self.namespace[key] = value
