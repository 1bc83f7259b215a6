"""Checkpoints: atomic writes, exact resumption after Ctrl+C, train_or_load, safe loading."""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch
from _training_helpers import RaiseAt, loaders, model, params, same_params
from torch import nn

from course_utils.env import seed_everything
from course_utils.training import CheckpointError, fit, load_checkpoint, train_or_load
from course_utils.training.checkpoint import atomic_save, capture_rng, checkpoint_path, restore_rng


def _setup(seed=0):
    """A fresh model, optimizer, scheduler and loaders, all from ``seed``."""
    seed_everything(seed)
    train, val = loaders(n=96, batch_size=16)
    net = model(seed=seed, dropout=0.3)  # dropout: the result depends on the random stream
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-2)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    return net, optimizer, scheduler, train, val


def _run(net, optimizer, scheduler, train, val, tmp_path, **kwargs):
    kwargs.setdefault("progress", "plain")
    return fit(net, train, loss_fn=nn.CrossEntropyLoss(), optimizer=optimizer, epochs=4, val_loader=val,
               scheduler=scheduler, device="cpu", checkpoint="run", checkpoint_dir=tmp_path, **kwargs)


def test_ctrl_c_loses_at_most_the_running_epoch_and_resume_continues_exactly(tmp_path, capsys):
    net, optimizer, scheduler, train, val = _setup()
    reference = _run(net, optimizer, scheduler, train, val, tmp_path / "reference")
    reference_weights = params(net)
    reference_out = capsys.readouterr().out
    after_training = torch.rand(3)  # the random stream continues the same way after training

    net, optimizer, scheduler, train, val = _setup()
    interrupted = RaiseAt(train, epoch=3, step=2, exc=KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        _run(net, optimizer, scheduler, interrupted, val, tmp_path)
    message = capsys.readouterr().out.splitlines()[-1]
    assert message.startswith("Interrupted during epoch 3: epochs 1-2 are saved in") and "resume=True" in message
    assert load_checkpoint(tmp_path / "run.pt")["epoch"] == 2

    # a "new runtime": different weights, optimizer state and random state until resume restores them
    net, optimizer, scheduler, train, val = _setup(seed=123)
    resumed = _run(net, optimizer, scheduler, train, val, tmp_path, resume=True)
    assert resumed.without_timing() == reference.without_timing()
    assert same_params(params(net), reference_weights)
    assert torch.equal(torch.rand(3), after_training)
    # plain output of the resumed run is the same text as the uninterrupted one (nbval-stable)
    assert capsys.readouterr().out == reference_out


def test_resume_of_a_finished_run_trains_nothing(tmp_path, capsys):
    net, optimizer, scheduler, train, val = _setup()
    first = _run(net, optimizer, scheduler, train, val, tmp_path)
    trained = params(net)
    net, optimizer, scheduler, train, val = _setup(seed=5)
    counting = RaiseAt(train, epoch=1, step=1, exc=AssertionError("a finished run must not train again"))
    again = _run(net, optimizer, scheduler, counting, val, tmp_path, resume=True)
    assert again == first and same_params(params(net), trained) and counting.epochs_started == 0


def test_resume_into_a_different_model_says_what_to_do(tmp_path):
    net, optimizer, scheduler, train, val = _setup()
    _run(net, optimizer, scheduler, train, val, tmp_path, progress="none")
    wider = nn.Sequential(nn.Linear(12, 32), nn.ReLU(), nn.Dropout(0.3), nn.Linear(32, 3))
    optimizer = torch.optim.Adam(wider.parameters(), lr=1e-2)
    with pytest.raises(CheckpointError, match="(?s)do not fit this Sequential.*different model.*another checkpoint name"):
        fit(wider, train, loss_fn=nn.CrossEntropyLoss(), optimizer=optimizer, epochs=4, device="cpu",
            checkpoint="run", checkpoint_dir=tmp_path, resume=True, progress="none")


def test_train_or_load_trains_once_then_loads_with_the_same_output(tmp_path, capsys):
    def cell(seed):
        net, optimizer, _, train, val = _setup(seed)
        history = train_or_load(net, train, checkpoint="mlp", loss_fn=nn.CrossEntropyLoss(), optimizer=optimizer,
                                epochs=3, val_loader=val, device="cpu", checkpoint_dir=tmp_path, progress="plain")
        return net, history, capsys.readouterr().out, torch.rand(2)

    net1, history1, out1, draw1 = cell(0)
    assert (tmp_path / "mlp.pt").is_file() and len(out1.splitlines()) == 3
    net2, history2, out2, draw2 = cell(99)  # a second run of the notebook: different init, nothing trained
    assert history2 == history1 and same_params(params(net1), params(net2))
    assert out2 == out1 and torch.equal(draw1, draw2)

    net, optimizer, _, train, val = _setup(1)
    retrained = train_or_load(net, train, checkpoint="mlp", loss_fn=nn.CrossEntropyLoss(), optimizer=optimizer,
                              epochs=3, device="cpu", checkpoint_dir=tmp_path, progress="none", retrain=True)
    assert retrained.without_timing() != history1.without_timing()
    with pytest.raises(ValueError, match="checkpoint name"):
        train_or_load(net, train, checkpoint=None, loss_fn=nn.CrossEntropyLoss(), optimizer=optimizer, epochs=1)


def test_bar_mode_says_it_loaded(tmp_path, capsys):
    net, optimizer, _, train, _ = _setup()
    kwargs = dict(checkpoint="m", loss_fn=nn.CrossEntropyLoss(), epochs=1, device="cpu", checkpoint_dir=tmp_path)
    train_or_load(net, train, optimizer=optimizer, progress="none", **kwargs)
    train_or_load(net, train, optimizer=optimizer, progress="bar", **kwargs)
    assert "Loaded m.pt: already trained for 1 epoch(s)" in capsys.readouterr().out


def test_checkpoint_every_epoch_holds_everything(tmp_path):
    net, optimizer, scheduler, train, val = _setup()
    history = _run(net, optimizer, scheduler, train, val, tmp_path, progress="none")
    state = load_checkpoint(tmp_path / "run.pt")
    assert state["epoch"] == 4 and state["epochs"] == 4 and state["model_class"] == "Sequential"
    assert state["history"]["rows"] == history.rows
    assert set(state["rng"]) >= {"python", "numpy", "torch", "generators"}
    assert state["optimizer"]["state"] and state["scheduler"]["last_epoch"] == 4
    assert same_params(state["model"], params(net))
    assert [p.name for p in tmp_path.iterdir()] == ["run.pt"]  # no temporary files left behind


def test_default_checkpoint_name_and_paths(tmp_path):
    net = model()
    assert checkpoint_path(True, tmp_path, net) == tmp_path / "sequential.pt"
    assert checkpoint_path("mlp_mnist", tmp_path, net) == tmp_path / "mlp_mnist.pt"
    assert checkpoint_path("sub/x.pt", tmp_path, net) == tmp_path / "sub" / "x.pt"
    assert checkpoint_path(tmp_path / "abs.pt", "/elsewhere", net) == tmp_path / "abs.pt"
    assert checkpoint_path(False, tmp_path, net) is None and checkpoint_path(None, tmp_path, net) is None
    with pytest.raises(TypeError):
        checkpoint_path(3, tmp_path, net)


def test_checkpoint_dir_defaults_to_the_course_environment(clean_env, tmp_path):
    clean_env.setenv("COURSE_ROOT", str(tmp_path))
    clean_env.setenv("COURSE_CHECKPOINT_DIR", str(tmp_path / "ckpts"))
    net, optimizer, _, train, _ = _setup()
    fit(net, train, loss_fn=nn.CrossEntropyLoss(), optimizer=optimizer, epochs=1, device="cpu", progress="none",
        checkpoint=True)
    assert [p.name for p in (tmp_path / "ckpts").iterdir()] == ["sequential.pt"]


def test_without_a_checkpoint_name_fit_writes_no_file(clean_env, tmp_path):
    clean_env.setenv("COURSE_ROOT", str(tmp_path))
    clean_env.setenv("COURSE_CHECKPOINT_DIR", str(tmp_path / "ckpts"))
    net, optimizer, _, train, _ = _setup()
    fit(net, train, loss_fn=nn.CrossEntropyLoss(), optimizer=optimizer, epochs=1, device="cpu", progress="none")
    assert not (tmp_path / "ckpts").exists() or not list((tmp_path / "ckpts").iterdir())


def test_resume_without_a_checkpoint_name_says_what_to_pass():
    net, optimizer, _, train, _ = _setup()
    with pytest.raises(ValueError, match="checkpoint='mlp'"):
        fit(net, train, loss_fn=nn.CrossEntropyLoss(), optimizer=optimizer, epochs=1, device="cpu", resume=True)


def test_a_failed_write_keeps_the_previous_checkpoint(tmp_path):
    path = tmp_path / "run.pt"
    atomic_save({"version": 1}, path)

    class Unpicklable:
        def __reduce__(self):
            raise KeyboardInterrupt  # e.g. Ctrl+C in the middle of torch.save

    with pytest.raises(KeyboardInterrupt):
        atomic_save({"version": 2, "bad": Unpicklable()}, path)
    assert torch.load(path, weights_only=True) == {"version": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["run.pt"]


def test_damaged_or_foreign_files_are_refused_clearly(tmp_path):
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(CheckpointError, match="delete it"):
        load_checkpoint(tmp_path / "junk.pt")
    torch.save({"weights": torch.zeros(2)}, tmp_path / "other.pt")
    with pytest.raises(CheckpointError, match="not a checkpoint written by course_utils.fit"):
        load_checkpoint(tmp_path / "other.pt")
    with pytest.raises(FileNotFoundError, match="Train first"):
        load_checkpoint(tmp_path / "missing.pt")


def test_rng_states_round_trip_including_loader_generators():
    gen = torch.Generator().manual_seed(3)
    state = capture_rng([gen])
    expected = (random.random(), np.random.rand(), torch.rand(1), torch.rand(1, generator=gen))
    restore_rng(state, [gen])
    again = (random.random(), np.random.rand(), torch.rand(1), torch.rand(1, generator=gen))
    assert expected[:2] == again[:2] and torch.equal(expected[2], again[2]) and torch.equal(expected[3], again[3])
