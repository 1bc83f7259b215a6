"""Checks for the exercises inside the lesson notebooks (01, 02, 03 and 03b).

An exercise cell leaves the answer as ``None`` (or ``...``); the check cell right after it names the
exercise and passes the answer::

    answer = None          # your code here
    give_feedback("01.rapid_test", answer)

``give_feedback`` never raises, so a notebook still runs top to bottom (except in the test cell of a *graded*
lesson exercise, which passes ``strict=True``: there a wrong or missing answer raises ``CheckFailure`` with the same
line, so that the grader and Run All see the self-check fail, as in the homework notebooks). It prints one line: "not answered
yet", "correct", or a *nudge*: which way the answer is off (too big, too small, the wrong sign),
by about how much (an order of magnitude, a percentage that should be a fraction), or which part is
wrong (a dimension of a shape, an element of an array, one input of a function). It never prints
the expected value, and the notebook never computes it: the expected values are computed here, in
``_EXERCISES``, from the course's tested helpers and, where an exercise depends on the notebook's
own data, from the inputs the check cell passes
(``give_feedback("01.cross_entropy", answer, logits=logits, label=label)``).

An answer may also be a *function*: ``give_feedback("01.posterior_formula", posterior)`` calls the
student's ``posterior`` on a few inputs and compares each result with the tested helper's.

The returned ``bool`` lets a notebook count what is done. ``exercises()`` lists the known ids.

(Named ``give_feedback`` because it prints and never raises; the homework's check cells use
``course_utils.checks.selfcheck``, whose ``check_*`` functions raise. ``check`` is its old name, kept as an
alias for notebooks not yet updated.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Optional, Sequence

from course_utils.checks.compare import Comparison, compare, is_unanswered
from course_utils.messages import text

__all__ = ["give_feedback", "feedback", "exercises", "nudge"]


# --------------------------------------------------------------------------- nudges
def _size_words(ratio: Optional[float]) -> str:
    """How far off, in words, from ``ratio = |answer| / |expected|``, without the expected value: a
    percentage band for small errors, a band of factors (``2 to 3``, ``3 to 5``, ``5 to 10``, ``10 or
    more``, ...) for large ones. Every band is true of the answer: a 3.3x error is "a factor between 3 and
    5", never "about ten"."""
    if ratio is None or not math.isfinite(ratio) or ratio <= 0:     # the right value (or the answer) is 0
        return ""
    factor = ratio if ratio >= 1 else 1 / ratio
    if factor < 1.5:
        r = abs(ratio - 1)
        if r < 0.01:
            return text("size.below_1pct")
        return text("size.1_10pct") if r < 0.1 else text("size.10_50pct")
    if factor >= 10:
        power = int(math.floor(math.log10(factor) + 1e-9))
        return text("size.factor_at_least", factor=f"{10 ** power:,}" if power <= 3 else f"10^{power}")
    low, high = next((lo, hi) for lo, hi in ((1.5, 2), (2, 3), (3, 5), (5, 10)) if factor < hi)
    return text("size.factor_between", low=f"{low:g}", high=f"{high:g}")


def _sentence(line: str) -> str:
    """``line`` ending in exactly one full stop (no ``?.`` and no ``..``)."""
    line = line.rstrip()
    return line if line.endswith((".", "?", "!")) else line + "."


def _sized(line: str, size: str, key: str = "nudge.with_size") -> str:
    return text(key, line=line, size=size) if size else line


def nudge(c: Comparison, *, what: Optional[str] = None) -> str:
    """Turn a ``Comparison`` into one sentence for a student; never contains the expected value.

    ``what`` names the value (default: "your answer" in the current language)."""
    what = text("what.your_answer") if what is None else what
    if c.reason in ("type", "length", "shape"):
        return text(f"nudge.{c.reason}", what=what, detail=c.detail)
    if c.reason == "not_finite":
        where = text("nudge.first_at", index=c.wrong[0]) if c.wrong and c.wrong[0] else ""
        return text("nudge.not_finite", what=what, where=where)
    if c.pattern in ("percent", "complement", "reciprocal"):
        return text(f"nudge.{c.pattern}", what=what)
    if c.direction == "sign":
        return text("nudge.sign", what=what)
    size = _size_words(c.ratio)
    if c.n_wrong and c.wrong and c.wrong[0]:               # an array or a sequence
        first = c.wrong[0] if len(c.wrong[0]) > 1 else c.wrong[0][0]
        where = text("nudge.array.one" if c.n_wrong == 1 else "nudge.array.many", what=what, n=c.n_wrong,
                     first=first)
        if c.direction in ("high", "low") and c.magnitude == {"high": "larger", "low": "smaller"}[c.direction]:
            return _sized(text(f"nudge.array.{c.direction}", where=where), size, "nudge.array.worst")
        if c.magnitude in ("larger", "smaller"):
            return _sized(text(f"nudge.array.abs_{c.magnitude}", where=where), size, "nudge.array.worst_abs")
        if c.direction in ("high", "low"):
            return text(f"nudge.array.{c.direction}", where=where)
        return text("nudge.array.mixed", where=where)
    if c.magnitude in ("larger", "smaller") and c.direction in ("high", "low") and \
            c.magnitude != {"high": "larger", "low": "smaller"}[c.direction]:     # a negative expected value
        return _sized(text(f"nudge.negative.{c.magnitude}", what=what), size)
    return _sized(text(f"nudge.value.{c.direction if c.direction in ('high', 'low') else 'off'}", what=what), size)


def feedback(answer: Any, expected: Any, *, tol: float = 1e-4, rtol: float = 0.0,
             exact: bool = False) -> tuple[bool, str]:
    """``(ok, nudge)`` for a value answer; ``nudge`` is ``""`` when ``ok``."""
    c = compare(answer, expected, atol=tol, rtol=rtol, exact=exact)
    return c.ok, "" if c.ok else nudge(c)


# --------------------------------------------------------------------------- the exercises
@dataclass(frozen=True)
class _Exercise:
    """One exercise. Its title and hint are messages (``exercise.<id>.title``, ``exercise.<id>.hint`` in
    ``course_utils.messages``), so they come in the student's language.

    ``expected(**inputs)`` computes the right value (for a value answer); for a function answer,
    ``reference`` is the tested helper and ``cases`` the argument tuples it is called with.
    """

    expected: Optional[Callable[..., Any]] = None
    reference: Optional[Callable[..., Any]] = None
    cases: Any = ()          # a sequence of argument tuples, or a function returning one
    tol: float = 1e-4
    rtol: float = 0.0
    exact: bool = False
    inputs: tuple = ()
    names: int = 0           # for a function returning a tuple: how many values have a name (``exercise.<id>.name<k>``)


def _bayes():
    from course_utils.lessons import bayes

    return bayes


def _optim():
    from course_utils.lessons.demos import optim

    return optim


def _tests_needed(prior, sensitivity, false_alarm, target):
    chain = _bayes().sequential_posteriors(prior, sensitivity, false_alarm, tests=50)
    return int(next(i for i, p in enumerate(chain, start=1) if p > target))


def _b_on_a_mix():
    bayes = _bayes()
    stones = bayes.KIDNEY_STONES["A"]
    total = sum(n for _, n in stones.values())
    return bayes.adjusted_rate(bayes.success_rates()["B"], {z: n / total for z, (_, n) in stones.items()})


def _largest_stable_lr():
    import torch

    surface = _optim().SURFACES["ravine"]
    hessian = torch.autograd.functional.hessian(surface.fn, torch.zeros(2, dtype=torch.float64))
    return 2 / float(torch.linalg.eigvalsh(hessian).max())


def _cross_entropy(logits, label):
    import torch

    return float(torch.nn.functional.cross_entropy(torch.as_tensor(logits, dtype=torch.float64)[None],
                                                   torch.tensor([int(label)])))


def _g_prime(x):
    return (2 * x + x ** 2) * math.exp(x)


def _backprop_grads():
    """d loss / d (w, b) for the tiny graph of notebook 03: loss = (sigmoid(w x + b) - t)^2 at x=1.5, t=1."""
    from course_utils.lessons.demos import backprop

    return backprop.reference_gradients()


def _view_shape():
    return (64 * 3 * 32 * 32 // (32 * 32), 32 * 32)


def _broadcast_shape():
    from course_utils.lessons.demos import broadcast

    return broadcast.explain((5, 1, 4), (3, 1))[0]


def _mlp2():
    from course_utils.lessons.demos import mlp_backprop

    return mlp_backprop


def _activations():
    from course_utils.lessons.demos import activations

    return activations


def _relative_error_cases():
    import numpy as np

    return (
        (np.array([1.0, 2.0]), np.array([1.0, 2.2])),
        (np.array([[0.0, 1e-3], [5.0, -2.0]]), np.array([[0.0, 1.1e-3], [5.0, -2.0]])),   # 0 and 0: error 0
        (np.array([3.0, 1.0]), np.array([-3.0, 1.0])),
    )


def _mlp_backward_cases():
    mlp2 = _mlp2()
    first = mlp2.toy_batch(4, 5, 3, seed=1) + mlp2.init_params(5, 7, 3, seed=0)
    x, y = mlp2.toy_batch(6, 4, 2, seed=3)
    w1, b1, w2, b2 = mlp2.init_params(4, 5, 2, seed=2)
    b1 = b1.copy()
    b1[2] = -50.0                       # hidden unit 2 is off for every example: its gradients are 0
    x3, y3 = mlp2.toy_batch(5, 3, 4, seed=5)
    w1_3, b1_3, w2_3, b2_3 = mlp2.init_params(3, 6, 4, seed=4)
    shifted = (x3, y3, w1_3, b1_3, w2_3, b2_3 + 1000.0)   # scores near 1000: a naive np.exp overflows
    return first, (x, y, w1, b1, w2, b2), shifted


def _init_std_cases():
    return ((2 / 256, 256, 1), (2 / 256, 256, 20), (1 / 768, 256, 20), (1e-4, 256, 5), (0.02, 100, 3))


def _init_predictions():
    act = _activations()
    return tuple(act.predicted_std(act.weight_variance(init, 256), 256, 20) for init in ("default", "normal", "kaiming"))


def _batches_per_epoch():
    samples, batch = 5000, 256
    full = samples // batch
    return (full + (samples % batch > 0), full, samples - full * batch)


def _mlp_params():
    sizes = (28 * 28, 128, 64, 10)
    return sum(i * o + o for i, o in zip(sizes, sizes[1:]))


_EXERCISES: dict[str, _Exercise] = {
    # ---- 01 Bayes
    "01.posterior_formula": _Exercise(
        reference=lambda p, s, f: _bayes().posterior(p, s, f),
        cases=((0.1, 0.99, 0.01), (0.1, 0.99, 0.10), (0.5, 0.8, 0.3), (0.001, 0.99, 0.01)), tol=1e-9),
    "01.rapid_test": _Exercise(
        expected=lambda: _bayes().posterior(0.02, 0.95, 0.05), tol=1e-3),
    "01.required_false_alarm": _Exercise(
        expected=lambda: _bayes().required_false_alarm_rate(0.95, 0.1, 0.99), tol=1e-5),
    "01.sequential_update": _Exercise(
        reference=lambda p, s, f, n: list(_bayes().sequential_posteriors(p, s, f, tests=n)),
        cases=((0.1, 0.99, 0.01, 3), (0.1, 0.99, 0.10, 3), (0.3, 0.7, 0.2, 5)), tol=1e-9),
    "01.tests_needed": _Exercise(
        expected=lambda: _tests_needed(0.1, 0.99, 0.1, 0.999), exact=True),
    "01.coin_mle": _Exercise(
        reference=lambda h, n: _bayes().coin_mle(h, n), cases=((3, 3), (74, 100), (0, 5), (7, 20)), tol=1e-9),
    "01.coin_map": _Exercise(
        reference=lambda h, n, a, b: _bayes().coin_map(h, n, a=a, b=b),
        cases=((3, 3, 2, 2), (74, 100, 2, 2), (0, 5, 3, 3), (7, 20, 1, 1)), tol=1e-9),
    "01.cross_entropy": _Exercise(
        expected=_cross_entropy, inputs=("logits", "label"), tol=1e-5),
    "01.b_on_a_mix": _Exercise(
        expected=_b_on_a_mix, tol=1e-3),
    # ---- 02 history
    "02.xor_best_line": _Exercise(
        expected=lambda: 3, exact=True),
    "02.momentum_step": _Exercise(
        reference=lambda *a: _optim().momentum_step(*a),
        cases=lambda: _array_cases(((1.0, -2.0), (0.5, 0.25), (0.0, 0.0), 0.1, 0.9),
                                   ((1.0, -2.0), (0.5, 0.25), (0.2, -0.1), 0.1, 0.9),
                                   ((3.0,), (-1.0,), (0.5,), 0.05, 0.5)), tol=1e-9),
    "02.adam_step": _Exercise(
        reference=lambda *a: _optim().adam_step(*a),
        cases=lambda: _array_cases(((1.0, -2.0), (0.5, 0.25), (0.0, 0.0), (0.0, 0.0), 1, 0.1, 0.9, 0.999, 1e-8),
                                   ((1.0, -2.0), (0.5, 0.25), (0.1, 0.2), (0.01, 0.02), 5, 0.1, 0.9, 0.999, 1e-8),
                                   ((0.0,), (-3.0,), (0.3,), (4.0,), 2, 0.01, 0.8, 0.99, 1e-8)), tol=1e-7),
    "02.largest_stable_lr": _Exercise(
        expected=_largest_stable_lr, tol=1e-6),
    # ---- 03 PyTorch
    "03.g_prime": _Exercise(
        expected=lambda: _g_prime(1.0), tol=1e-4),
    "03.backprop_by_hand": _Exercise(
        expected=_backprop_grads, tol=1e-6),
    "03.numerical_gradient": _Exercise(
        reference=lambda f, x, h: _central_difference(f, x, h), cases=lambda: _gradient_check_cases(), tol=1e-6),
    "03.view_shape": _Exercise(
        expected=_view_shape, exact=True),
    "03.broadcast_shape": _Exercise(
        expected=_broadcast_shape, exact=True),
    "03.relative_error": _Exercise(
        reference=lambda a, b: _mlp2().relative_error(a, b), cases=lambda: _relative_error_cases(),
        tol=1e-12, rtol=1e-9),
    "03.mlp_backward": _Exercise(
        reference=lambda *a: _mlp2().backward(*a), cases=lambda: _mlp_backward_cases(), tol=1e-10, rtol=1e-7, names=4),
    "03.init_std": _Exercise(
        reference=lambda v, n, k: _activations().predicted_std(v, n, k), cases=_init_std_cases(),
        tol=0.0, rtol=1e-6),
    "03.init_predictions": _Exercise(
        expected=_init_predictions, tol=0.0, rtol=1e-3),
    "03.mlp_params": _Exercise(
        expected=_mlp_params, exact=True),
    # ---- 03b data and files
    "03b.batches_per_epoch": _Exercise(
        expected=_batches_per_epoch, exact=True),
}


def _array_cases(*cases):
    """Argument tuples with every tuple of numbers turned into a float64 NumPy array (the update rules' w, grad, ...)."""
    import numpy as np

    return tuple(tuple(np.array(a, dtype=float) if isinstance(a, tuple) else a for a in case) for case in cases)


def _central_difference(f, x, h):
    import numpy as np

    x = np.asarray(x, dtype=float)
    grad = np.zeros_like(x)
    for i in range(x.size):
        step = np.zeros_like(x)
        step.flat[i] = h
        grad.flat[i] = (f(x + step) - f(x - step)) / (2 * h)
    return grad


def _gradient_check_cases():
    import numpy as np

    return (
        (lambda v: float((v ** 2).sum()), np.array([1.0, -2.0, 3.0]), 1e-5),
        (lambda v: float(np.sin(v[0]) * v[1]), np.array([0.5, 2.0]), 1e-5),
        (lambda v: float(np.exp(v).sum()), np.array([[0.0, 1.0], [-1.0, 0.5]]), 1e-5),
    )


def exercises() -> list[str]:
    """The ids ``check`` knows, in notebook order."""
    return list(_EXERCISES)


def _describe_case(args: tuple) -> str:
    def short(a):
        if callable(a):
            return "f"
        if getattr(a, "size", 0) > 4 and hasattr(a, "shape"):      # a matrix: its shape says enough
            return f"<array {tuple(a.shape)}>"
        if hasattr(a, "tolist"):
            a = a.tolist()
        if isinstance(a, float):
            return f"{a:.4g}"
        if isinstance(a, list):
            return "[" + ", ".join(short(v) for v in a) + "]"
        return repr(a)
    return ", ".join(short(a) for a in args)


def _check_function(exercise: str, ex: _Exercise, fn: Callable, cases: Sequence[tuple], name: str) -> tuple[bool, str]:
    for args in cases:
        call = f"{name}({_describe_case(args)})"
        try:
            got = fn(*args)
        except Exception as err:  # the student's code raised: say where, in one line
            error = f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}".rstrip(": ")
            return False, text("exercise.call_raised", call=call, error=error)
        if is_unanswered(got):
            return False, text("exercise.call_returned_nothing", call=call, value=repr(got))
        want = ex.reference(*args)
        if isinstance(want, tuple) and not isinstance(got, (tuple, list)):
            return False, text("exercise.call_not_tuple", call=call, n=len(want), kind=type(got).__name__)
        pairs = zip(got, want) if isinstance(want, tuple) else [(got, want)]
        if isinstance(want, tuple) and len(got) != len(want):
            return False, text("exercise.call_count", call=call, got=len(got), n=len(want))
        for k, (g, w) in enumerate(pairs):
            c = compare(g, w, atol=ex.tol, rtol=ex.rtol, exact=ex.exact)
            if not c.ok:
                if not isinstance(want, tuple):
                    what = text("what.the_result")
                elif k < ex.names:
                    what = text(f"exercise.{exercise}.name{k + 1}")
                else:
                    what = text("what.value_k", k=k + 1)
                return False, text("exercise.call_nudge", call=call, nudge=nudge(c, what=what))
    return True, ""


def give_feedback(exercise: str, answer: Any, *, strict: bool = False, **inputs: Any) -> bool:
    """Print whether ``answer`` to ``exercise`` is right, and return ``True`` if it is.

    Args:
        exercise: the exercise's id, e.g. ``"01.rapid_test"`` (``exercises()`` lists them).
        answer: your value, or your function for exercises that ask for one; ``None`` or ``...``
            means "not answered yet".
        strict: for the test cell of a graded exercise: a wrong or missing answer raises
            ``course_utils.checks.homework.CheckFailure`` with the line instead of printing it.
        **inputs: the notebook data an exercise depends on, named as the check cell shows.

    Without ``strict``, never raises for a wrong answer: it prints one line with a nudge and a hint, in
    the language ``course_utils.setup(lang=...)`` chose (``course_utils.messages``).
    """
    if exercise not in _EXERCISES:
        raise KeyError(text("exercise.unknown", exercise=repr(exercise), known=", ".join(_EXERCISES)))
    ex = _EXERCISES[exercise]
    missing = [n for n in ex.inputs if n not in inputs]
    if missing:
        raise TypeError(text("exercise.missing_inputs", exercise=repr(exercise),
                             inputs=", ".join(f"{n}=..." for n in missing)))
    title, hint = text(f"exercise.{exercise}.title"), _sentence(text(f"exercise.{exercise}.hint"))

    def say(line: str, ok: bool = False) -> bool:
        if strict and not ok:
            from course_utils.checks.selfcheck import CheckFailure

            raise CheckFailure(line)
        print(line)
        return ok

    if is_unanswered(answer):
        return say(text("exercise.line.todo", title=title, hint=hint))
    if ex.reference is not None:
        if not callable(answer):
            ok, why = False, text("exercise.wants_function", kind=type(answer).__name__)
        else:
            cases = ex.cases() if callable(ex.cases) else ex.cases
            name = getattr(answer, "__name__", text("what.your_function"))
            try:
                first = answer(*cases[0])
            except Exception:
                first = 0          # let _check_function report the error
            if is_unanswered(first):
                return say(text("exercise.line.todo_returns", title=title, value=repr(first), hint=hint))
            ok, why = _check_function(exercise, ex, answer, cases, name)
    else:
        ok, why = feedback(answer, ex.expected(**inputs), tol=ex.tol, rtol=ex.rtol, exact=ex.exact)
    if ok:
        return say(text("exercise.line.correct", title=title), ok=True)
    return say(text("exercise.line.wrong", title=title, why=_sentence(why), hint=hint))


#: The old name of ``give_feedback`` (notebook 03 still imports it); new cells use ``give_feedback``.
check = give_feedback
