"""The exercise checker prints one clear line and never raises."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from course_utils.checks.exercise import check


@pytest.mark.parametrize("answer, expected, tol, ok, fragment", [
    (None, 0.5, 1e-4, False, "not answered yet"),
    (..., 0.5, 1e-4, False, "not answered yet"),
    (0.50001, 0.5, 1e-4, True, "correct"),
    (0.6, 0.5, 1e-4, False, "expected about 0.5 (within 0.0001), got 0.6"),
    ("abc", 0.5, 1e-4, False, "expected a number, got str"),
    ([1.0, 2.0], [1.0, 2.0, 3.0], 1e-4, False, "expected shape (3,), got shape (2,)"),
    (torch.tensor([1.0, 2.5]), np.array([1.0, 2.0]), 1e-3, False, "differ from the expected ones by up to 0.5"),
    (torch.tensor([1.0, 2.0]), [1.0, 2.0], 1e-6, True, "correct"),
    ((3, 4), (3, 4), None, True, "correct"),
    ((4, 3), (3, 4), None, False, "expected (3, 4)"),
    (float("nan"), 0.5, 1e-4, False, "got nan"),
])
def test_check_messages(capsys, answer, expected, tol, ok, fragment):
    assert check("the thing", answer, expected, tol=tol, hint="look again") is ok
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "the thing" in out and fragment in out
    assert ("Hint: look again" in out) is (not ok)
