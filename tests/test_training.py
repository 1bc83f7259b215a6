"""fit / evaluate / History / progress: behaviour on the CPU with tiny models."""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass, field, replace

import matplotlib
import pytest
import torch
from _training_helpers import dataset, loaders, model, params, same_params
from torch import nn
from torch.utils.data import DataLoader

from course_utils.env import seed_everything
from course_utils.training import DevicePolicy, History, evaluate, fit, resolve_policy
from course_utils.training import progress as progress_module
from course_utils.training.policy import resolve_amp

matplotlib.use("Agg")

LINE = re.compile(r"^epoch (\d+)/(\d+)  train_loss \d+\.\d{4}  train_acc \d\.\d{4}  val_loss \d+\.\d{4}  "
                  r"val_acc \d\.\d{4}$")


def _fit(net, train, val=None, *, epochs=3, lr=0.05, **kwargs):
    kwargs.setdefault("checkpoint", False)
    kwargs.setdefault("progress", "plain")
    kwargs.setdefault("device", "cpu")
    return fit(net, train, loss_fn=nn.CrossEntropyLoss(), optimizer=torch.optim.SGD(net.parameters(), lr=lr),
               epochs=epochs, val_loader=val, **kwargs)


def test_fit_learns_and_returns_a_history_with_every_column():
    train, val = loaders()
    net = model()
    net.eval()
    history = _fit(net, train, val, epochs=4, lr=0.2)
    assert len(history) == 4
    assert history.columns == ["epoch", "train_loss", "train_acc", "val_loss", "val_acc", "time_s", "samples_per_s"]
    assert history["epoch"] == [1, 2, 3, 4]
    assert history["train_loss"][-1] < history["train_loss"][0]
    assert history["val_acc"][-1] > history["val_acc"][0]
    assert all(0 <= a <= 1 for a in history["train_acc"] + history["val_acc"])
    assert all(t > 0 for t in history["time_s"]) and all(s > 0 for s in history["samples_per_s"])
    assert not net.training, "fit must leave the model in the mode it found it"


def test_epoch_means_weight_every_sample_including_the_short_last_batch():
    data = dataset(10)
    train = DataLoader(data, batch_size=4)  # batches of 4, 4 and 2
    net = model()
    history = _fit(net, train, epochs=1, lr=0.0)  # lr 0: the weights never change
    x, y = data.tensors
    with torch.no_grad():
        outputs = net(x)
        expected_loss = nn.functional.cross_entropy(outputs, y).item()
        expected_acc = (outputs.argmax(1) == y).sum().item() / len(y)
    assert history[0]["train_loss"] == pytest.approx(expected_loss, rel=1e-6)
    assert history[0]["train_acc"] == pytest.approx(expected_acc, abs=1e-9)
    result = evaluate(net, train, loss_fn=nn.CrossEntropyLoss())
    assert result["loss"] == pytest.approx(expected_loss, rel=1e-6)
    assert result["samples"] == 10


def _seeded_run(seed):
    seed_everything(seed)
    train, val = loaders()
    net = model(seed=seed, dropout=0.2)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-2)
    history = fit(net, train, loss_fn=nn.CrossEntropyLoss(), optimizer=optimizer, epochs=3, val_loader=val,
                  device="cpu", checkpoint=False, progress="none")
    return history, params(net)


def test_same_seed_on_cpu_gives_identical_histories():
    first, weights_first = _seeded_run(7)
    second, weights_second = _seeded_run(7)
    other, _ = _seeded_run(8)
    assert first.without_timing() == second.without_timing()
    assert same_params(weights_first, weights_second)
    assert first.without_timing() != other.without_timing()  # the seed matters: the test can fail


def test_plain_progress_prints_one_deterministic_line_per_epoch_and_nothing_on_stderr(capsys):
    outputs = []
    for _ in range(2):
        seed_everything(3)
        train, val = loaders()
        _fit(model(), train, val, epochs=3)
        captured = capsys.readouterr()
        assert captured.err == ""
        outputs.append(captured.out)
    lines = outputs[0].splitlines()
    assert len(lines) == 3 and all(LINE.match(line) for line in lines), lines
    assert [LINE.match(line).groups() for line in lines] == [("1", "3"), ("2", "3"), ("3", "3")]
    assert outputs[0] == outputs[1]


def test_progress_none_prints_nothing(capsys):
    train, _ = loaders()
    _fit(model(), train, epochs=1, progress="none")
    assert capsys.readouterr() == ("", "")


def test_bar_mode_shows_a_tqdm_bar_per_epoch(capsys):
    train, val = loaders()
    _fit(model(), train, val, epochs=2, progress="bar")
    err = capsys.readouterr().err
    assert "epoch 1/2" in err and "epoch 2/2" in err and "val_acc" in err


@pytest.mark.parametrize("env, ci, expected", [
    ("plain", None, "plain"), ("bar", "1", "bar"), ("none", None, "none"), ("auto", "true", "plain"),
    (None, "1", "plain"), ("auto", "0", "plain"),  # pytest's captured stderr is no terminal: plain
])
def test_progress_mode_from_the_environment(monkeypatch, env, ci, expected):
    for name, value in (("COURSE_PROGRESS", env), ("CI", ci)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    assert progress_module.resolve_mode(None) == expected


def test_progress_auto_is_a_bar_in_a_notebook(monkeypatch):
    from course_utils.plumbing import runtime

    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(runtime, "in_notebook", lambda: True)
    assert progress_module.resolve_mode("auto") == "bar"
    assert progress_module.resolve_mode(False) == "none"
    with pytest.raises(ValueError, match="plain"):
        progress_module.resolve_mode("verbose")


@dataclass(frozen=True)
class CountingPolicy(DevicePolicy):
    """The CPU's policy, counting every read the loops make from the device (the public ``read`` hooks)."""

    reads: list = field(default_factory=list)

    def read(self, tensors):
        self.reads.append(len(tensors))
        return super().read(tensors)

    def read_one(self, tensor):
        self.reads.append(1)
        return super().read_one(tensor)


def _counting(**changes) -> CountingPolicy:
    cpu = resolve_policy("cpu")
    return CountingPolicy(**{**{name: getattr(cpu, name) for name in cpu.__dataclass_fields__}, **changes})


def test_on_an_accelerator_the_values_stay_on_the_device_until_the_end_of_the_epoch():
    policy = _counting(sync_each_step=False, read_interval_s=math.inf)
    train, _ = loaders(n=96, batch_size=16)  # 6 steps per epoch
    _fit(model(), train, epochs=3, progress="none", device=policy)
    assert policy.reads == [6 + 6] * 3  # one read per epoch: 6 losses and 6 accuracies


def test_on_the_cpu_the_loss_is_read_at_every_step():
    policy = _counting()
    train, _ = loaders(n=96, batch_size=16)
    _fit(model(), train, epochs=2, progress="none", device=policy)
    assert policy.reads == ([1] * 6 + [6]) * 2  # each step's loss, then the epoch's accuracies at once


def test_both_reading_schedules_give_the_same_history():
    histories = []
    for every_step in (True, False):
        seed_everything(4)
        train, val = loaders()
        policy = replace(resolve_policy("cpu"), sync_each_step=every_step, read_interval_s=0.0)
        histories.append(_fit(model(), train, val, epochs=2, progress="none", device=policy).without_timing())
    assert histories[0] == histories[1]


def test_amp_choice_per_device(monkeypatch):
    cuda, cpu = torch.device("cuda"), torch.device("cpu")
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: True)
    assert resolve_amp("auto", cuda) == (torch.bfloat16, False)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: False)
    assert resolve_amp("auto", cuda) == (torch.float16, True)  # fp16 needs a grad scaler
    assert resolve_amp("fp16", cuda) == (torch.float16, True)
    with pytest.raises(ValueError, match="bfloat16"):
        resolve_amp("bf16", cuda)
    assert resolve_amp("auto", cpu) == (None, False)
    assert resolve_amp(False, cuda) == (None, False)
    assert resolve_amp("bf16", cpu) == (torch.bfloat16, False)
    with pytest.raises(ValueError, match="CPU"):
        resolve_amp("fp16", cpu)


def test_the_policy_of_each_device_type(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: False)
    cuda = DevicePolicy.for_device(torch.device("cuda"))
    assert (cuda.non_blocking, cuda.pin_memory, cuda.sync_each_step) == (True, True, False)
    assert (cuda.amp_dtype, cuda.use_scaler) == (torch.float16, True)
    mps = DevicePolicy.for_device(torch.device("mps"))
    assert (mps.non_blocking, mps.pin_memory, mps.sync_each_step, mps.amp_dtype) == (False, False, False, None)
    cpu = resolve_policy("cpu")
    assert (cpu.non_blocking, cpu.pin_memory, cpu.sync_each_step, cpu.amp_dtype) == (False, False, True, None)
    assert cpu.make_scaler() is None and resolve_policy(cpu) is cpu


def test_batches_are_copied_non_blocking_to_cuda(monkeypatch):
    seen = []
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: True)
    monkeypatch.setattr(torch.Tensor, "to", lambda self, *a, **k: seen.append((a, k)) or self)
    x, y = torch.zeros(2, 3), torch.zeros(2)
    moved = DevicePolicy.for_device(torch.device("cuda")).to_device((x, [y]))
    assert isinstance(moved, tuple) and isinstance(moved[1], list)
    assert seen == [((torch.device("cuda"),), {"non_blocking": True})] * 2


def test_bf16_autocast_runs_on_the_cpu_when_asked():
    train, val = loaders()
    history = _fit(model(), train, val, epochs=2, amp="bf16", lr=0.2, progress="none")
    assert history["train_loss"][1] < history["train_loss"][0]


def test_scheduler_lr_is_recorded_and_stepped_per_epoch():
    train, _ = loaders()
    net = model()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    history = fit(net, train, loss_fn=nn.CrossEntropyLoss(), optimizer=optimizer, epochs=3, scheduler=scheduler,
                  device="cpu", checkpoint=False, progress="none")
    assert history["lr"] == pytest.approx([0.1, 0.05, 0.025])


def test_scheduler_step_batch_steps_after_every_optimizer_step():
    train, _ = loaders(n=96, batch_size=16)  # 6 steps per epoch
    net = model()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    history = fit(net, train, loss_fn=nn.CrossEntropyLoss(), optimizer=optimizer, epochs=2, scheduler=scheduler,
                  scheduler_step="batch", device="cpu", progress="none")
    assert history["lr"] == pytest.approx([0.1, 0.1 * 0.5 ** 6])  # the rate each epoch started with
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.1 * 0.5 ** 12)


def test_grad_clip_bounds_the_norm_of_every_update():
    x, y = dataset(16).tensors
    batches = [(x * 100, y)]  # large inputs: gradients far above the clip
    updates = {}
    for clip in (None, 0.5):
        net = model()
        before = params(net)
        fit(net, batches, loss_fn=nn.CrossEntropyLoss(), optimizer=torch.optim.SGD(net.parameters(), lr=1.0),
            epochs=1, grad_clip=clip, device="cpu", progress="none")
        after = params(net)  # plain SGD with lr 1: the update is the (clipped) gradient
        updates[clip] = torch.cat([(after[k] - before[k]).flatten() for k in before]).norm().item()
    assert updates[None] > 5 and updates[0.5] == pytest.approx(0.5, rel=1e-4)


def test_bad_scheduler_step_and_grad_clip_are_refused():
    train, _ = loaders()
    with pytest.raises(ValueError, match="'epoch' or 'batch'"):
        _fit(model(), train, scheduler_step="step")
    with pytest.raises(ValueError, match="positive number"):
        _fit(model(), train, grad_clip=0)


def test_custom_metrics_and_none():
    train, val = loaders()
    mae = {"top_score": lambda out, y: out.softmax(1).max(1).values.mean()}
    history = _fit(model(), train, val, epochs=1, metrics=mae, progress="none")
    assert "train_top_score" in history.columns and "val_top_score" in history.columns
    assert "train_acc" not in history.columns
    assert 1 / 3 <= history[0]["val_top_score"] <= 1
    history = _fit(model(), train, epochs=1, metrics={}, progress="none")
    assert [c for c in history.columns if c.startswith("train_")] == ["train_loss"]


def test_evaluate_reports_loss_accuracy_and_restores_the_mode():
    _, val = loaders()
    net = model()
    net.train()
    result = evaluate(net, val, loss_fn=nn.CrossEntropyLoss())
    assert set(result) == {"loss", "acc", "samples"} and result["samples"] == 48
    assert net.training
    assert set(evaluate(net, val)) == {"acc", "samples"}
    assert set(evaluate(net, val, metrics={})) == {"samples"}


def test_evaluate_checks_the_first_batch_like_fit():
    _, val = loaders()
    with pytest.raises(ValueError, match="labels in the first batch go from 0 to 2"):
        evaluate(nn.Linear(12, 2), val, loss_fn=nn.CrossEntropyLoss())


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU: only there can two devices differ")
def test_evaluate_runs_on_the_setup_device_like_fit(clean_env, tmp_path):
    from course_utils.env import setup

    clean_env.setenv("COURSE_ROOT", str(tmp_path))
    setup(device="cuda", quiet=True)
    _, val = loaders()
    net = model()  # made on the CPU
    evaluate(net, val, loss_fn=nn.CrossEntropyLoss())
    assert next(net.parameters()).device.type == "cuda"


def test_inputs_given_as_a_tuple_are_unpacked():
    class TwoInputs(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(4, 2)

        def forward(self, a, b):
            return self.linear(torch.cat([a, b], 1))

    batches = [((torch.randn(8, 2), torch.randn(8, 2)), torch.randint(0, 2, (8,))) for _ in range(3)]
    net = TwoInputs()
    history = fit(net, batches, loss_fn=nn.CrossEntropyLoss(), optimizer=torch.optim.SGD(net.parameters(), lr=0.1),
                  epochs=2, device="cpu", checkpoint=False, progress="none")
    assert len(history) == 2


# --------------------------------------------------------------------------- History
def _history():
    return History([
        {"epoch": 1, "train_loss": 1.0, "train_acc": 0.5, "val_loss": 1.2, "val_acc": 0.4, "time_s": 1.5,
         "samples_per_s": 12345.6},
        {"epoch": 2, "train_loss": 0.5, "train_acc": 0.8, "val_loss": 0.9, "val_acc": 0.7, "time_s": 1.4,
         "samples_per_s": 13000.0},
    ])


def test_history_table_with_and_without_timings():
    history = _history()
    full = str(history).splitlines()
    assert full[0].split() == ["epoch", "train_loss", "train_acc", "val_loss", "val_acc", "time_s", "samples/s"]
    assert full[1].split() == ["1", "1.0000", "0.5000", "1.2000", "0.4000", "1.50", "12,346"]
    plain = history.table(timing=False).splitlines()
    assert plain[0].split() == ["epoch", "train_loss", "train_acc", "val_loss", "val_acc"]
    assert plain[2].split() == ["2", "0.5000", "0.8000", "0.9000", "0.7000"]
    assert history.table(columns=["val_acc"], digits=2).splitlines()[1].split() == ["1", "0.40"]
    assert repr(history) == "History(2 epochs: train_loss, train_acc, val_loss, val_acc, time_s, samples_per_s)"


def test_history_access_best_and_state_round_trip():
    history = _history()
    assert history["val_loss"] == [1.2, 0.9] and history[-1]["epoch"] == 2 and len(history) == 2
    assert history.best()["epoch"] == 2 and history.best("val_acc")["val_acc"] == 0.7
    assert History.from_state_dict(history.state_dict()) == history
    assert "time_s" not in history.without_timing().columns
    with pytest.raises(KeyError, match="columns"):
        history["val_f1"]


def test_history_plot_has_titles_labels_and_both_curves():
    fig = _history().plot()
    assert isinstance(fig, matplotlib.figure.Figure)
    loss_ax, acc_ax = fig.axes
    assert [text.get_text() for text in fig.texts] == ["Training history"]  # the suptitle
    assert (loss_ax.get_title(), loss_ax.get_xlabel(), loss_ax.get_ylabel()) == ("Loss", "epoch", "loss")
    assert (acc_ax.get_title(), acc_ax.get_ylabel()) == ("Accuracy", "accuracy")
    assert [line.get_label() for line in loss_ax.get_lines()] == ["train", "val"]
    assert list(loss_ax.get_lines()[1].get_ydata()) == [1.2, 0.9]
    matplotlib.pyplot.close(fig)
    fig, ax = matplotlib.pyplot.subplots()
    assert _history().plot(["loss"], ax=ax) is fig
    matplotlib.pyplot.close(fig)


def test_dataloaders_are_pinned_for_cuda_only(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: True)
    train, _ = loaders()
    resolve_policy("cpu").pin(train)
    assert not train.pin_memory
    cuda = DevicePolicy.for_device(torch.device("cuda"))
    cuda.pin(train)
    assert train.pin_memory
    cuda.pin([1, 2])  # not a DataLoader: left alone


def test_live_plot_redraws_one_figure_in_the_notebook(monkeypatch):
    import types

    shown = []

    class Handle:
        def update(self, figure):
            shown.append(("update", figure))

    fake = types.ModuleType("IPython.display")
    fake.display = lambda figure, display_id=False: shown.append(("display", figure)) or Handle()
    monkeypatch.setitem(sys.modules, "IPython.display", fake)
    monkeypatch.setattr(progress_module, "in_notebook", lambda: True)
    train, val = loaders()
    _fit(model(), train, val, epochs=3, progress="bar", live_plot=True)
    assert [kind for kind, _ in shown] == ["display", "update", "update"]
    figure = shown[-1][1]
    assert len({id(f) for _, f in shown}) == 1
    assert [ax.get_title() for ax in figure.axes] == ["Loss", "Accuracy"]
    assert len(figure.axes[0].get_lines()[0].get_xdata()) == 3
