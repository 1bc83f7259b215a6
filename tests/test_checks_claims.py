"""``claim``: a lesson's claims printed as ✓/✗ lines that do not move with the CPU."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from course_utils.checks.claims import FAILS, HOLDS, claim


def test_a_claim_that_holds_prints_one_line(capsys):
    assert claim("the deeper network ends higher", 0.31 > 0.04) is True
    assert capsys.readouterr().out == f"{HOLDS} the deeper network ends higher\n"


def test_a_claim_that_fails_says_what_to_do_and_does_not_raise(capsys):
    assert claim("the ReLU is worth 3 to 8 points", False, figures="gap 1.2 points") is False
    out = capsys.readouterr().out
    assert out.startswith(f"{FAILS} the ReLU is worth 3 to 8 points: not on this run (gap 1.2 points).")
    assert "run all cells from the top" in out and "instructor" in out


@pytest.mark.parametrize("value", [np.bool_(True), torch.tensor(True), np.array([1, 2]).all()])
def test_numpy_and_torch_booleans_count(value, capsys):
    assert claim("x", value) is True


def test_an_array_of_several_booleans_is_refused_with_the_fix():
    with pytest.raises(TypeError, match=r"\.all\(\) or \.any\(\)"):
        claim("every seed", np.array([True, False]))
