"""Failure handling of fit: clear errors before the first step, NaN/inf stops, nothing lost."""

from __future__ import annotations

from dataclasses import replace

import pytest
import torch
from _training_helpers import dataset, loaders, model, params, same_params
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from course_utils.training import NonFiniteLossError, fit, load_checkpoint, resolve_policy
from course_utils.training.preflight import check_model_device


def _fit(net, train, *, loss_fn=None, optimizer=None, epochs=2, **kwargs):
    kwargs.setdefault("checkpoint", False)
    kwargs.setdefault("progress", "none")
    kwargs.setdefault("device", "cpu")
    return fit(net, train, loss_fn=loss_fn or nn.CrossEntropyLoss(),
               optimizer=optimizer or torch.optim.SGD(net.parameters(), lr=0.1), epochs=epochs, **kwargs)


def _fails_before_first_step(net, train, error, match, **kwargs):
    """Run fit expecting ``error``; the weights must be untouched (nothing was stepped)."""
    before = params(net)
    with pytest.raises(error, match=match):
        _fit(net, train, **kwargs)
    assert same_params(before, params(net))


# --------------------------------------------------------------------------- loaders and arguments
def test_empty_loader_is_refused_with_the_fix():
    empty = DataLoader(TensorDataset(torch.zeros(0, 12), torch.zeros(0, dtype=torch.long)), batch_size=4)
    _fails_before_first_step(model(), empty, ValueError, r"train_loader has no batches.*0 samples.*len\(dataset\)")
    too_big = DataLoader(dataset(8), batch_size=16, drop_last=True)
    _fails_before_first_step(model(), too_big, ValueError, "drop_last")
    train, _ = loaders()
    _fails_before_first_step(model(), train, ValueError, "val_loader has no batches", val_loader=empty)


def test_an_exhausted_generator_fails_clearly():
    net = model()
    gen = (batch for batch in [])
    with pytest.raises(ValueError, match="gave no batches in epoch 1"):
        _fit(net, gen)


def test_a_dataset_instead_of_a_loader_and_bad_batches():
    _fails_before_first_step(model(), dataset(8), TypeError, "DataLoader")
    triples = [(torch.randn(4, 12), torch.zeros(4, dtype=torch.long), "x")]
    _fails_before_first_step(model(), triples, TypeError, r"\(inputs, targets\).*tuple of 3")
    _fails_before_first_step(model(), loaders()[0], ValueError, "whole number", epochs=0)


def test_optimizer_of_another_model_is_refused():
    net, other = model(), model(seed=1)
    _fails_before_first_step(net, loaders()[0], ValueError, "create the optimizer right after the model",
                             optimizer=torch.optim.SGD(other.parameters(), lr=0.1))


# --------------------------------------------------------------------------- devices
class KeepsATensorOnAnotherDevice(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(12, 3)
        self.offset = torch.zeros(3, device="meta")  # a plain attribute: model.to() does not move it

    def forward(self, x):
        return self.linear(x) + self.offset


def test_a_tensor_left_on_another_device_is_explained():
    _fails_before_first_step(KeepsATensorOnAnotherDevice(), loaders()[0], RuntimeError, "register_buffer")


def test_parameters_on_the_wrong_device_are_named():
    with pytest.raises(RuntimeError, match=r"wrong device.*weight on meta.*model.to\('cpu'\)"):
        check_model_device(nn.Linear(2, 2, device="meta"), torch.device("cpu"))


# --------------------------------------------------------------------------- outputs, targets, loss
class Regressor(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(12, 1)

    def forward(self, x):
        return self.linear(x)  # [B, 1]


def test_loss_target_shape_mismatches_are_caught_before_the_first_step():
    x = torch.randn(32, 12)
    regression = DataLoader(TensorDataset(x, x.sum(1)), batch_size=8)  # targets [B], outputs [B, 1]
    _fails_before_first_step(Regressor(), regression, ValueError, r"\[8, 1\].*\[8\].*broadcast.*unsqueeze",
                             loss_fn=nn.MSELoss())
    labels = DataLoader(TensorDataset(x, torch.randint(0, 3, (32, 1))), batch_size=8)  # [B, 1] labels
    _fails_before_first_step(model(), labels, ValueError, r"targets of shape \[8\].*y.squeeze\(1\)")
    floats = DataLoader(TensorDataset(x, torch.randint(0, 3, (32,)).float()), batch_size=8)
    _fails_before_first_step(model(), floats, TypeError, r"y.long\(\)")


def test_labels_beyond_the_last_class_are_caught():
    x = torch.randn(32, 12)
    loader = DataLoader(TensorDataset(x, torch.arange(32) % 5), batch_size=16)  # 5 classes, the model has 3
    _fails_before_first_step(model(), loader, ValueError, r"from 0 to 4.*3 scores.*nn.Linear\(\.\.\., 5\)")


def test_a_reshape_that_mixes_up_the_batch_is_caught():
    class BadView(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(24, 3)

        def forward(self, x):
            return self.linear(x.view(-1, 24))  # halves the batch

    _fails_before_first_step(BadView(), loaders()[0], ValueError, r"8 outputs for a batch of 16.*flatten\(1\)")


def test_loss_must_be_one_differentiable_number():
    _fails_before_first_step(model(), loaders()[0], ValueError, "one number",
                             loss_fn=nn.CrossEntropyLoss(reduction="none"))
    _fails_before_first_step(model(), loaders()[0], ValueError, r"does not depend.*detach",
                             loss_fn=lambda out, y: nn.functional.cross_entropy(out.detach(), y))


# --------------------------------------------------------------------------- NaN / inf
class NaNAfter:
    """CrossEntropyLoss that returns NaN on its ``call``-th call (1-based)."""

    def __init__(self, call: int) -> None:
        self.call, self.calls = call, 0
        self.inner = nn.CrossEntropyLoss()

    def __call__(self, outputs, targets):
        self.calls += 1
        loss = self.inner(outputs, targets)
        return loss * float("nan") if self.calls == self.call else loss


@pytest.mark.parametrize("every_step", [True, False], ids=["cpu-policy", "accelerator-policy"])
def test_nan_loss_stops_with_epoch_and_step_and_keeps_the_last_good_checkpoint(tmp_path, every_step):
    policy = replace(resolve_policy("cpu"), sync_each_step=every_step)  # the accelerator's reading schedule too
    train, _ = loaders(n=96, batch_size=16)  # 6 steps per epoch; call 6 + 3 is epoch 2, step 3
    net = model()
    with pytest.raises(NonFiniteLossError, match=r"(?s)became nan at epoch 2, step 3 of 6.*end of epoch 1.*learning rate"):
        _fit(net, train, loss_fn=NaNAfter(9), epochs=3, checkpoint="run", checkpoint_dir=tmp_path, device=policy)
    saved = load_checkpoint(tmp_path / "run.pt")
    assert saved["epoch"] == 1 and len(saved["history"]["rows"]) == 1
    assert all(torch.isfinite(t).all() for t in saved["model"].values())


def test_on_the_cpu_a_nan_loss_stops_before_the_weights_change():
    train, _ = loaders(n=96, batch_size=16)
    net = model()
    with pytest.raises(NonFiniteLossError, match="stopped just before that step") as raised:
        _fit(net, train, loss_fn=NaNAfter(9), epochs=3)
    assert "epoch 2, step 3" in str(raised.value)
    assert all(torch.isfinite(p).all() for p in net.parameters())


def test_infinite_loss_is_caught_too():
    def inf_loss(outputs, targets):
        return nn.functional.cross_entropy(outputs, targets) + float("inf")

    with pytest.raises(NonFiniteLossError, match="became inf at epoch 1, step 1"):
        _fit(model(), loaders()[0], loss_fn=inf_loss)
