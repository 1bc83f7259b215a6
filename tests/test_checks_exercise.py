"""Lesson exercise checks: one line of feedback, a nudge instead of the answer, never a raise.

Also: the comparison core (``course_utils.checks.compare``), every registered exercise accepts its
right answer, and the lesson notebooks never compute an expected value in a check cell.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
import torch

from course_utils.checks import exercise
from course_utils.checks.compare import compare
from course_utils.checks.exercise import exercises, feedback, give_feedback

REPO = Path(__file__).resolve().parents[1]
LESSONS = sorted(p for p in (REPO / "notebooks").glob("0[1-3]*_*.ipynb"))


# --------------------------------------------------------------------------- the comparison core
@pytest.mark.parametrize("answer, expected, kw, reason, direction", [
    (0.5, 0.5, {}, "", None),
    (0.6, 0.5, {}, "value", "high"),
    (0.4, 0.5, {}, "value", "low"),
    (-0.5, 0.5, {}, "value", "sign"),
    ("abc", 0.5, {}, "type", None),
    ([1.0, 2.0], [1.0, 2.0, 3.0], {}, "shape", None),
    (float("nan"), 0.5, {}, "not_finite", None),
    ((3, 4), (3, 4), {"exact": True}, "", None),
    ((3, 5), (3, 4), {"exact": True}, "value", "high"),
    ((3, 4, 1), (3, 4), {"exact": True}, "length", "high"),
    (torch.Size([3, 4]), (3, 4), {"exact": True}, "", None),
    (torch.tensor([1.0, 2.5]), np.array([1.0, 2.0]), {"atol": 1e-3}, "value", "high"),
])
def test_compare_reasons(answer, expected, kw, reason, direction):
    c = compare(answer, expected, **kw)
    assert c.ok is (reason == "")
    assert c.reason == reason
    assert c.direction == direction


def test_compare_orders_and_patterns():
    assert compare(0.028, 0.28, atol=1e-3).orders == -1
    assert compare(280.0, 0.28, atol=1e-3).orders == 3
    assert compare(28.0, 0.28, atol=1e-3).pattern == "percent"
    assert compare(0.72, 0.28, atol=1e-3).pattern == "complement"
    assert compare(4.0, 0.25, atol=1e-3).pattern == "reciprocal"
    c = compare(np.array([[1.0, 2.0], [3.0, 9.0]]), np.ones((2, 2)) * [[1, 2], [3, 4]])
    assert c.wrong == ((1, 1),) and c.n_wrong == 1 and c.direction == "high"
    c = compare(np.zeros((2, 3)), np.zeros((2, 4)))
    assert c.reason == "shape" and "dimension 1 is 3, it should be larger" in c.detail


@pytest.mark.parametrize("answer, expected, fragment", [
    (0.6, 0.5, "too big by 10-50%"),
    (0.05, 0.5, "too small by a factor of 10 or more"),
    (0.15, 0.5, "too small by a factor between 3 and 5"),       # 3.3x: never "about ten"
    (1.65, 0.5, "too big by a factor between 3 and 5"),
    (900.0, 0.5, "too big by a factor of 1,000 or more"),
    (-0.9, -0.5, "too large in size (too far below 0) by a factor between 1.5 and 2"),
    (0.50005, 0.5, "by less than 1%"),
    (50.0, 0.5, "looks like a percentage"),
    (0.5, 0.5, ""),
])
def test_feedback_nudges_without_the_value(answer, expected, fragment):
    ok, why = feedback(answer, expected, tol=1e-5)
    assert ok is (fragment == "")
    assert fragment in why
    if not ok:
        assert "0.5" not in why and "expected" not in why


def test_every_nudge_is_one_sentence_with_one_full_stop(capsys):
    """No "?." or ".." at the end of a line, whatever the nudge (a question, a raised error's message)."""
    give_feedback("01.rapid_test", 0.72)                                     # complement: the nudge is a question
    give_feedback("01.coin_mle", lambda h, n: (_ for _ in ()).throw(ValueError("bad input.")))
    give_feedback("03.view_shape", (64, 3072))
    for line in capsys.readouterr().out.splitlines():
        assert "?." not in line and ".." not in line.replace("...", ""), line
        assert line.endswith((".", "?", "!")), line


# --------------------------------------------------------------------------- give_feedback
def _one_line(capsys):
    out = capsys.readouterr().out
    assert out.count("\n") == 1, out
    return out


def test_unanswered_and_unknown(capsys):
    assert give_feedback("01.rapid_test", None) is False
    out = _one_line(capsys)
    assert "not answered yet" in out and "Hint:" in out
    assert give_feedback("01.rapid_test", ...) is False
    _one_line(capsys)
    with pytest.raises(KeyError, match="unknown exercise"):
        give_feedback("01.nope", 1.0)
    with pytest.raises(TypeError, match="logits=..., label=..."):
        give_feedback("01.cross_entropy", 1.0)


def test_right_value_answers_pass(capsys):
    from course_utils.lessons import bayes

    assert give_feedback("01.rapid_test", bayes.posterior(0.02, 0.95, 0.05))
    assert give_feedback("01.required_false_alarm", 0.1 * 0.99 * 0.05 / (0.95 * 0.9))
    assert give_feedback("01.tests_needed", 4)
    assert give_feedback("01.b_on_a_mix", 234 / 270 * 87 / 350 + 55 / 80 * 263 / 350)
    logits = np.array([2.0, 0.5, -1.0])
    p = np.exp(logits) / np.exp(logits).sum()
    assert give_feedback("01.cross_entropy", -np.log(p[0]), logits=logits, label=0)
    assert give_feedback("02.xor_best_line", 3)
    assert give_feedback("02.largest_stable_lr", 1.0)
    assert give_feedback("03.g_prime", 3 * math.e)
    assert give_feedback("03.view_shape", (192, 1024))
    assert give_feedback("03.view_shape", torch.Size([192, 1024]))
    assert give_feedback("03.broadcast_shape", (5, 3, 4))
    assert give_feedback("03.mlp_params", 109386)
    assert give_feedback("03.init_predictions", (math.sqrt(1 / 3) * (1 / 6) ** 9.5, 0.16 * 0.0128 ** 9.5, math.sqrt(2)))
    assert give_feedback("03b.batches_per_epoch", (20, 19, 136))
    out = capsys.readouterr().out
    assert out.count("✅") == 14 and "❌" not in out


def test_wrong_value_answers_get_a_nudge_not_the_answer(capsys):
    assert give_feedback("01.rapid_test", 27.94) is False            # a percentage
    out = _one_line(capsys)
    assert "❌" in out and "percentage" in out and "0.279" not in out
    assert give_feedback("01.tests_needed", 3) is False
    out = _one_line(capsys)
    assert "too small" in out and "4" not in out.split("Hint")[0]
    assert give_feedback("03.view_shape", (64, 3072)) is False
    out = _one_line(capsys)
    assert "in your answer, 2 elements are off" in out and "192" not in out
    assert give_feedback("03.broadcast_shape", (5, 4)) is False
    assert "2 entries; it should have more" in _one_line(capsys)


def test_function_exercises(capsys):
    from course_utils.lessons import bayes
    from course_utils.lessons.demos import optim

    def posterior(p, s, f):
        return p * s / (p * s + (1 - p) * f)

    assert give_feedback("01.posterior_formula", posterior)
    assert give_feedback("01.posterior_formula", bayes.posterior)
    assert give_feedback("01.sequential_update", lambda p, s, f, n: list(bayes.sequential_posteriors(p, s, f, tests=n)))
    assert give_feedback("01.coin_mle", lambda h, n: h / n)
    assert give_feedback("01.coin_map", lambda h, n, a, b: (h + a - 1) / (n + a + b - 2))
    assert give_feedback("02.momentum_step", optim.momentum_step)
    assert give_feedback("02.adam_step", optim.adam_step)
    assert give_feedback("03.numerical_gradient", exercise._central_difference)
    capsys.readouterr()

    assert give_feedback("01.posterior_formula", lambda p, s, f: None) is False        # the exercise cell as shipped
    assert "not answered yet" in _one_line(capsys)
    assert give_feedback("01.posterior_formula", lambda p, s, f: p * s) is False         # forgot the evidence
    out = _one_line(capsys)
    assert "for <lambda>(0.1, 0.99, 0.01), the result is too small" in out
    assert give_feedback("01.coin_mle", lambda h, n: h / (n + 1)) is False
    assert "too small" in _one_line(capsys)
    assert give_feedback("02.momentum_step", lambda w, g, v, lr, m: w - lr * g) is False  # one value instead of two
    assert "should return 2 values" in _one_line(capsys)
    assert give_feedback("02.momentum_step", lambda w, g, v, lr, m: (w - lr * g, g)) is False
    assert "value 1 of the result" in _one_line(capsys)
    assert give_feedback("01.coin_mle", lambda h, n: 1 / 0) is False
    assert "raised ZeroDivisionError" in _one_line(capsys)
    assert give_feedback("01.coin_mle", 0.5) is False
    assert "asks for a function" in _one_line(capsys)


def _student_backward(x, y, w1, b1, w2, b2, *, mask=True, per_example=True):
    """A student's matrix-form backward pass, written here independently of the tested helper."""
    z1 = x @ w1 + b1
    a1 = np.maximum(z1, 0)
    s = a1 @ w2 + b2
    p = np.exp(s - s.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    ds = p / len(y) if per_example else p
    da1 = ds @ w2.T
    dz1 = da1 * (z1 > 0) if mask else da1
    return x.T @ dz1, dz1.sum(0), a1.T @ ds, ds.sum(0)


def test_the_new_03_exercises_accept_right_answers_and_name_what_is_wrong(capsys):
    from course_utils.lessons.demos import activations

    def relative_error(a, b):
        return np.max(np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), 1e-12))

    def predicted_std(v, n, layers):
        return math.sqrt(n * v) * math.sqrt(n * v / 2) ** (layers - 1)

    assert give_feedback("03.relative_error", relative_error)
    assert give_feedback("03.mlp_backward", _student_backward)
    assert give_feedback("03.mlp_backward", lambda *a: list(_student_backward(*a)))      # a list is fine too
    assert give_feedback("03.init_std", predicted_std)
    assert give_feedback("03.init_predictions", tuple(predicted_std(v, 256, 20) for v in (1 / 768, 1e-4, 2 / 256)))
    capsys.readouterr()

    # relative error: 0/0 where both gradients are 0 gives nan; the sum |a| + |b| halves the error
    with np.errstate(invalid="ignore"):
        assert not give_feedback("03.relative_error", lambda a, b: np.max(np.abs(a - b) / np.maximum(np.abs(a), np.abs(b))))
    assert "nan or inf" in _one_line(capsys)
    assert not give_feedback("03.relative_error", lambda a, b: np.max(np.abs(a - b) / (np.abs(a) + np.abs(b) + 1e-12)))
    assert "too small by a factor between" in _one_line(capsys)
    # backward: a forgotten ReLU mask is layer 1's fault only; a forgotten 1/N makes every gradient too large
    assert not give_feedback("03.mlp_backward", lambda *a: _student_backward(*a, mask=False))
    out = _one_line(capsys)
    assert "dW1 (layer 1's weights)" in out and "dW2" not in out.split("Hint")[0]
    assert not give_feedback("03.mlp_backward", lambda *a: _student_backward(*a, per_example=False))
    out = _one_line(capsys)
    assert "all too large in absolute value, the worst by a factor between 3 and 5" in out   # N = 4
    assert not give_feedback("03.mlp_backward", lambda *a: (_student_backward(*a)[0].T,) + _student_backward(*a)[1:])
    assert "the shape of dW1 (layer 1's weights) is off" in _one_line(capsys)
    assert not give_feedback("03.mlp_backward", lambda *a: _student_backward(*a)[:3])
    assert "returned 3 values, it should return 4" in _one_line(capsys)
    # the init theory: forgetting that ReLU halves the second moment gives far too big a prediction
    assert not give_feedback("03.init_std", lambda v, n, layers: math.sqrt(n * v) ** layers)
    assert "too big by a factor of 100 or more" in _one_line(capsys)
    assert not give_feedback("03.init_predictions", (math.sqrt(2),) * 3)                 # He's answer for all three
    out = _one_line(capsys)
    assert "2 elements are off, the first at index 0" in out and "too big" in out
    # the nudges never print the expected gradients or predictions
    expected = activations.predicted_std(1 / 768, 256, 20)
    assert f"{expected:.3g}" not in out and "2.34e-08" not in out


def test_strict_checks_raise_their_line_for_the_graded_exercises(capsys):
    """The test cell of a graded lesson exercise (notebook 03) passes strict=True: a wrong or missing answer
    raises CheckFailure with the line give_feedback would print (the grader's self-check and Run All see it fail), a
    right one prints as usual. Without strict nothing raises."""
    from course_utils.checks.selfcheck import CheckFailure

    assert give_feedback("03.mlp_backward", _student_backward, strict=True)
    assert "correct" in _one_line(capsys)

    def naive_softmax(x, y, w1, b1, w2, b2):
        z1 = x @ w1 + b1
        s = np.maximum(z1, 0) @ w2 + b2
        p = np.exp(s)                                   # overflows for scores near 1000
        p = p / p.sum(axis=1, keepdims=True)
        p[np.arange(len(y)), y] -= 1
        ds = p / len(y)
        dz1 = (ds @ w2.T) * (z1 > 0)
        return x.T @ dz1, dz1.sum(0), np.maximum(z1, 0).T @ ds, ds.sum(0)

    with np.errstate(over="ignore", invalid="ignore"):
        assert not give_feedback("03.mlp_backward", naive_softmax)       # the case with large scores catches it
        assert "nan or inf" in _one_line(capsys)
        with pytest.raises(CheckFailure, match="nan or inf.*subtract each row's maximum"):
            give_feedback("03.mlp_backward", naive_softmax, strict=True)
    assert capsys.readouterr().out == ""
    with pytest.raises(CheckFailure, match="not answered yet"):
        give_feedback("03.init_std", lambda v, n, layers: None, strict=True)
    with pytest.raises(CheckFailure, match="too big"):
        give_feedback("03.init_std", lambda v, n, layers: math.sqrt(n * v) ** layers, strict=True)


def test_every_exercise_is_covered_by_a_notebook():
    ids = set()
    for path in LESSONS:
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            ids.update(re.findall(r'(?:give_feedback|check)\("([0-9]{2}b?\.[a-z_]+)"', "".join(cell["source"])))
    assert ids == set(exercises())


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_check_cells_compute_no_expected_value(path):
    """A check cell passes the answer (and named notebook data), never an expected value or a tolerance."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    calls = [line for cell in nb["cells"] if cell["cell_type"] == "code"
             for line in "".join(cell["source"]).splitlines() if re.search(r"\b(give_feedback|check)\(", line)]
    assert calls, "no check cells found"
    for line in calls:
        args = re.search(r'(?:give_feedback|check)\("[^"]+",\s*(.*)\)\s*$', re.sub(r"\s+#.*$", "", line))   # a comment may follow
        assert args, line
        parts = [a.strip() for a in args.group(1).split(",")]
        assert all(re.fullmatch(r"[a-z_]+(=[a-z_]+)?|strict=True", part) for part in parts), line


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_committed_exercise_outputs_are_unanswered(path):
    """The committed lesson notebooks show every exercise as "not answered yet", none as wrong (the graded
    exercises of 03 hold the instructor's solution, and their strict checks say "correct")."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    text = "".join("".join(o.get("text", "")) for c in nb["cells"] if c["cell_type"] == "code"
                   for o in c.get("outputs", []) if o.get("output_type") == "stream")
    assert "✏️" in text and "❌" not in text


def test_check_is_the_old_name_of_give_feedback():
    """Notebook 03 still imports ``check`` (renamed to say what it does: it prints and never raises)."""
    assert exercise.check is give_feedback
