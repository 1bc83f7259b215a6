"""course_utils.checks.own_work: the tripwire notices a shipped function however it is reached, calls through,
and leaves everything as it was."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from course_utils.checks.own_work import forbidden_calls, resolve

NAMES = ("torch.nn.functional.cross_entropy", "torch._C._nn.cross_entropy_loss")
Z, Y = torch.randn(5, 3, generator=torch.Generator().manual_seed(0)), torch.tensor([0, 1, 2, 0, 1])
ALIAS = F.cross_entropy


def own(z, y):
    return -torch.log_softmax(z, 1)[torch.arange(len(y)), y].mean()


def via_alias(z, y):
    return ALIAS(z, y)


def via_default(z, y, ce=F.cross_entropy):
    return ce(z, y)


def via_module(z, y):
    return nn.CrossEntropyLoss()(z, y)


def via_c(z, y):
    return torch._C._nn.cross_entropy_loss(z, y).mean()


def via_nll(z, y):
    return F.nll_loss(F.log_softmax(z, 1), y)


@pytest.mark.parametrize("function, caught", [(own, False), (via_nll, False), (via_alias, True), (via_default, True),
                                              (via_module, True), (via_c, True)])
def test_the_tripwire_notices_the_shipped_function_however_it_is_reached(function, caught):
    want = own(Z, Y).item()
    with forbidden_calls(*NAMES, namespace=globals()) as calls:
        got = function(Z, Y).item()
    assert bool(calls) == caught, calls
    assert got == pytest.approx(want, abs=1e-6), "the tripwire calls through"


def test_everything_is_put_back_even_after_an_error():
    code, binding, c_function = F.cross_entropy.__code__, globals()["ALIAS"], torch._C._nn.cross_entropy_loss
    with pytest.raises(RuntimeError, match="boom"):
        with forbidden_calls(*NAMES, namespace=globals()):
            assert F.cross_entropy.__code__ is not code
            raise RuntimeError("boom")
    assert F.cross_entropy.__code__ is code and globals()["ALIAS"] is binding
    assert torch._C._nn.cross_entropy_loss is c_function
    assert "__course_tripwires__" not in vars(F)
    with forbidden_calls(*NAMES, namespace=globals()) as calls:
        pass
    assert calls == [] and via_alias(Z, Y).item() == pytest.approx(own(Z, Y).item(), abs=1e-6)


def test_the_course_functions_a_task_may_not_wrap():
    from course_utils.data import extract_archive
    from course_utils.training import evaluate

    assert resolve("course_utils.data.archive.extract_archive") is extract_archive
    assert resolve("course_utils.training.evaluate") is evaluate
    with pytest.raises(LookupError, match="cannot be found"):
        resolve("course_utils.training.no_such_function")
