"""``fit``, ``evaluate`` and ``train_or_load``: the training entry points the notebooks share.

What happens in ``fit``, in order:

1. checks before the first step (arguments, empty loader, optimizer of another model);
2. the device policy is resolved once (``policy.DevicePolicy``: device, non-blocking copies, mixed
   precision, grad scaler, when the loss is read, pinned loaders), the model goes to the device;
3. per epoch: train (``loops.Trainer``; the first forward pass is checked), validate
   (``loops.eval_pass``), record a History row, write the checkpoint atomically when one was
   asked for, report progress;
4. ``resume=True`` first restores everything from the checkpoint and continues.

The loss and metrics of each step stay on the device; on an accelerator they are read once per
epoch (and about once a second while a progress bar is shown), so a GPU never waits for Python
between steps. On the CPU, where reading a number costs nothing, the loss is read at every step
so that a NaN stops training before it reaches the weights.
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Callable, Mapping, Optional, Union

import torch
from torch import nn

from . import distributed as dist_utils
from .checkpoint import (
    PathLike,
    atomic_save,
    build_checkpoint,
    checkpoint_path,
    load_checkpoint,
    loader_generators,
    restore_training_state,
)
from .history import History
from .loops import Trainer, eval_pass
from .metrics import Metric
from .policy import DevicePolicy, resolve_policy
from .preflight import check_epochs, check_model_device, check_optimizer, loader_length, move_optimizer_state
from .progress import make_reporter, resolve_mode

DeviceArg = Union[str, torch.device, DevicePolicy, None]


def _policy_for_this_process(device: DeviceArg, amp, distributed) -> tuple[DevicePolicy, dist_utils.DistInfo]:
    """The resolved policy and the torchrun process group (started here when ``distributed`` asks for it)."""
    policy = resolve_policy(device, amp)
    info = dist_utils.init(distributed, policy.device)
    return policy.on(dist_utils.rank_device(info, policy.device)), info


# --------------------------------------------------------------------------- evaluation
def evaluate(model: nn.Module, loader, *, loss_fn: Optional[Callable] = None,
             metrics: Optional[Mapping[str, Metric]] = None, device: DeviceArg = None, amp="auto") -> dict:
    """Loss and metrics of ``model`` over every batch of ``loader``, without training.

    Args:
        model: the network; moved to ``device``, put in eval mode for the pass and back in its
            previous mode after.
        loader: a DataLoader (or any iterable) of ``(inputs, targets)`` batches.
        loss_fn: e.g. ``nn.CrossEntropyLoss()``; ``None`` reports no loss.
        metrics: ``{name: fn(outputs, targets) -> 0-dim tensor batch mean}``; ``None``: accuracy
            (``"acc"``) when outputs look like class scores ``[B, C]`` and targets like labels ``[B]``.
        device: where to compute, as in ``fit``: ``None`` is ``course_utils.setup()``'s device
            (under torchrun ``cuda:LOCAL_RANK``), so ``evaluate`` runs where ``fit`` trains.
        amp: mixed precision as in ``fit`` (``"auto"``: bf16/fp16 on CUDA only).

    Returns:
        ``{"loss": mean loss, "acc": accuracy, ..., "samples": number of samples}``, means over
        every sample (each batch weighted by its size). Under torchrun, over every process's share.
    """
    policy = resolve_policy(device, amp)
    info = dist_utils.current()
    policy = policy.on(dist_utils.rank_device(info, policy.device))
    model.to(policy.device)
    loader_length(loader, "loader")
    if info.enabled:
        loader = dist_utils.distribute_loader(loader, info, train=False, pin_memory=policy.pin_memory)
    means, samples, _ = eval_pass(model, loader, loss_fn=loss_fn, metrics=metrics, policy=policy, info=info,
                                  prefix="", name="loader")
    means["samples"] = samples
    return means


# --------------------------------------------------------------------------- training
def fit(model: nn.Module, train_loader, *, loss_fn: Callable, optimizer: torch.optim.Optimizer, epochs: int,
        val_loader=None, metrics: Optional[Mapping[str, Metric]] = None,
        device: DeviceArg = None, amp="auto", scheduler=None, scheduler_step: str = "epoch",
        grad_clip: Optional[float] = None, checkpoint: Union[str, PathLike, bool, None] = None,
        checkpoint_dir: Optional[PathLike] = None, resume: bool = False,
        progress: Union[str, bool, None] = None, live_plot: bool = False, distributed="auto") -> History:
    """Train ``model`` for ``epochs`` passes over ``train_loader``; returns the ``History``.

    Args:
        model: any ``nn.Module``; moved to ``device``, trained in place, left in the train/eval
            mode it came in.
        train_loader: a DataLoader (or any iterable) of ``(inputs, targets)`` batches. ``inputs``
            may be a tuple of tensors (then ``model(*inputs)``).
        loss_fn: ``loss_fn(outputs, targets) -> 0-dim tensor``, e.g. ``nn.CrossEntropyLoss()``.
        optimizer: built on this model's parameters, e.g. ``torch.optim.Adam(model.parameters(), lr=1e-3)``.
        epochs: the total number of epochs; with ``resume=True`` the epochs already in the
            checkpoint count towards it.
        val_loader: evaluated after every epoch (``val_*`` columns).
        metrics: ``{name: fn(outputs, targets) -> 0-dim tensor batch mean}``; ``None``: accuracy
            (``acc``) for classification outputs, nothing otherwise; ``{}``: none.
        device: ``None``: ``course_utils.setup()``'s device (under torchrun ``cuda:LOCAL_RANK``);
            a name (``"cpu"``, ``"cuda"``, ``"mps"``), a ``torch.device``, or a resolved
            ``policy.DevicePolicy`` (then ``amp`` is not used).
        amp: mixed precision: ``"auto"`` (bf16 on CUDA GPUs that support it, else fp16 with a
            gradient scaler; off on the CPU and MPS), ``"bf16"``, ``"fp16"`` or ``False``.
        scheduler: a learning-rate scheduler, stepped once per epoch (``ReduceLROnPlateau`` gets
            the validation loss, else the training loss) or, with ``scheduler_step="batch"``,
            after every optimizer step. Its learning rate is recorded as ``lr``.
        grad_clip: clip the gradients' total norm (all trainable parameters together) to this
            value before each optimizer step (after unscaling with fp16).
        checkpoint: ``None`` or ``False`` (default): no file is written; a name such as ``"mlp"``:
            ``<checkpoint_dir>/mlp.pt``; a path (with a folder or a ``.pt`` suffix): that file;
            ``True``: ``<checkpoint_dir>/<model class name, lower case>.pt``. Written atomically
            after every epoch. ``train_or_load`` always names one.
        checkpoint_dir: default ``setup()``'s ``checkpoint_dir`` (on Google Drive when mounted).
        resume: continue from the checkpoint if it exists: model, optimizer, scaler, scheduler,
            random states and History are restored, so the result equals an uninterrupted run.
            If the checkpoint already has ``epochs`` epochs, nothing is trained.
        progress: ``"bar"``, ``"plain"``, ``"none"`` or ``"auto"``; default: the ``COURSE_PROGRESS``
            environment variable, else ``"auto"`` (see ``course_utils.training.progress``).
        live_plot: in a notebook with the bar, redraw the loss curves after every epoch.
        distributed: ``"auto"``: use DistributedDataParallel when started by torchrun;
            ``False``: never.

    Returns:
        The ``History`` (one row per epoch: ``train_loss``, ``train_<metric>``, ``val_loss``,
        ``val_<metric>``, ``lr`` with a scheduler, ``time_s``, ``samples_per_s``).

    Raises:
        ValueError / TypeError: before the first step, for an empty loader, a model/optimizer
            mismatch, outputs that do not fit the targets or the loss (the message says what to do).
        NonFiniteLossError: the loss became NaN/inf (names the epoch and step; the last good
            checkpoint is kept).
        KeyboardInterrupt: re-raised after saying which epochs are saved (at most the running
            epoch is lost).
    """
    check_epochs(epochs)
    if not callable(loss_fn):
        raise TypeError(f"loss_fn must be callable, e.g. nn.CrossEntropyLoss(); got {loss_fn!r}.")
    if scheduler_step not in ("epoch", "batch"):
        raise ValueError(f"scheduler_step={scheduler_step!r} is not understood: use 'epoch' or 'batch'.")
    if grad_clip is not None and not grad_clip > 0:
        raise ValueError(f"grad_clip must be a positive number such as 1.0, or None; got {grad_clip!r}.")
    check_optimizer(model, optimizer)
    mode = resolve_mode(progress)

    policy, info = _policy_for_this_process(device, amp, distributed)
    device = policy.device
    model.to(device)
    move_optimizer_state(optimizer, device)
    check_model_device(model, device)

    if info.enabled:
        train_loader = dist_utils.distribute_loader(train_loader, info, train=True, pin_memory=policy.pin_memory)
        if val_loader is not None:
            val_loader = dist_utils.distribute_loader(val_loader, info, train=False, pin_memory=policy.pin_memory)
    steps = loader_length(train_loader, "train_loader")
    if val_loader is not None:
        loader_length(val_loader, "val_loader")
    for loader in (train_loader, val_loader):
        policy.pin(loader)

    scaler = policy.make_scaler()
    path = checkpoint_path(checkpoint, checkpoint_dir, model)
    generators = loader_generators(train_loader, val_loader)
    reporter = make_reporter(mode if info.is_main else "none", live_plot=live_plot)

    history = History()
    if resume and path is not None and path.is_file():
        state = load_checkpoint(path)
        restore_training_state(state, path=path, model=model, optimizer=optimizer, scaler=scaler,
                               scheduler=scheduler, generators=generators)
        move_optimizer_state(optimizer, device)
        history = History.from_state_dict(state["history"])
        reporter.replay(history, epochs)
        if len(history) >= epochs:
            reporter.note(f"Loaded {path.name}: already trained for {len(history)} epoch(s), nothing to do. "
                          "To train again: fit(..., resume=False) or train_or_load(..., retrain=True).")
        else:
            reporter.note(f"Resumed from {path.name} after epoch {len(history)}/{epochs}.")
    elif resume and path is not None:
        reporter.note(f"No checkpoint {path.name} yet: training from the start.")
    elif resume:
        raise ValueError("resume=True needs a checkpoint to resume from: pass a name, e.g. checkpoint='mlp' "
                         "(or use train_or_load).")

    trainer = Trainer(model=model, net=dist_utils.wrap_model(model, info, device), loss_fn=loss_fn,
                      optimizer=optimizer, metrics=metrics, policy=policy, scaler=scaler,
                      batch_scheduler=scheduler if scheduler_step == "batch" else None, grad_clip=grad_clip,
                      info=info, reporter=reporter, steps=steps, checkpoint=path)
    was_training = model.training
    epoch = saved = len(history)
    try:
        for epoch in range(len(history) + 1, epochs + 1):
            sampler = getattr(train_loader, "sampler", None)
            if hasattr(sampler, "set_epoch"):
                sampler.set_epoch(epoch)
            lr = optimizer.param_groups[0]["lr"]
            reporter.epoch_start(epoch, epochs, steps)
            started = time.perf_counter()
            row, train_seconds = trainer.train_epoch(train_loader, epoch)
            samples = row.pop("_samples")
            if val_loader is not None:
                means, _, _ = eval_pass(model, val_loader, loss_fn=loss_fn, metrics=trainer.resolved_metrics,
                                        policy=policy, info=info, prefix="val_", name="val_loader")
                row.update(means)
            if scheduler is not None:
                row["lr"] = lr
                if scheduler_step == "epoch":
                    _step_scheduler(scheduler, row)
            row["time_s"] = time.perf_counter() - started
            row["samples_per_s"] = samples / train_seconds if train_seconds > 0 else math.nan
            history.append({"epoch": epoch, **row})
            if path is not None and info.is_main:
                _save(path, model=model, optimizer=optimizer, epoch=epoch, epochs=epochs, history=history,
                      scaler=scaler, scheduler=scheduler, generators=generators)
                saved = epoch
            reporter.epoch_end(history[-1], history)
    except KeyboardInterrupt:
        if path is not None and saved:
            what = f"epochs 1-{saved} are saved in {path}; run the same fit(..., resume=True) to continue from there"
        elif path is not None:
            what = "no epoch had finished, so nothing was saved"
        else:
            what = "nothing was saved (no checkpoint was asked for: pass checkpoint='name' to keep every epoch)"
        reporter.warn(f"Interrupted during epoch {epoch}: {what}. The model in memory is partly through epoch "
                      f"{epoch}.")
        raise
    finally:
        reporter.close()
        model.train(was_training)
    return history


def _step_scheduler(scheduler, row: dict) -> None:
    if isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
        scheduler.step(row.get("val_loss", row.get("train_loss")))
    else:
        scheduler.step()


def _save(path: Path, *, history: History, **states) -> None:
    try:
        atomic_save(build_checkpoint(history_state=history.state_dict(), **states), path)
    except OSError as exc:
        raise OSError(f"Could not write the checkpoint {path} ({exc}). The previous checkpoint, if any, is intact. "
                      "Free some disk space (or Drive quota), choose another checkpoint_dir, or pass "
                      "checkpoint=False to train without checkpoints.") from exc


def train_or_load(model: nn.Module, train_loader, *, checkpoint: Union[str, PathLike], loss_fn: Callable,
                  optimizer: torch.optim.Optimizer, epochs: int, retrain: bool = False, **fit_kwargs) -> History:
    """Load the trained model from its checkpoint if it is there, else train it: heavy cells run once.

    The same arguments as ``fit`` (``val_loader``, ``device``, ``checkpoint_dir``, ...), with a
    required checkpoint name. If ``<checkpoint_dir>/<checkpoint>.pt`` holds ``epochs`` finished
    epochs, the model, optimizer and random states are loaded and its History is returned without
    training; if it holds fewer (a runtime died), training resumes; if there is none, it trains.

    In ``plain`` progress mode the loaded History's epoch lines are printed exactly as training
    prints them, so a notebook's output does not depend on whether the checkpoint existed; the
    bar mode says that it loaded.

    Args:
        checkpoint: the name (``"mlp_mnist"`` -> ``<checkpoint_dir>/mlp_mnist.pt``) or a path.
        retrain: ignore an existing checkpoint and train from scratch (it is overwritten).

    Returns:
        The ``History`` of the training run (loaded or new).
    """
    if checkpoint is None or isinstance(checkpoint, bool):
        raise ValueError("train_or_load needs a checkpoint name to look for, e.g. checkpoint='mlp_mnist'.")
    if "resume" in fit_kwargs:
        raise TypeError("train_or_load always resumes from its checkpoint; use retrain=True to start again.")
    return fit(model, train_loader, loss_fn=loss_fn, optimizer=optimizer, epochs=epochs, checkpoint=checkpoint,
               resume=not retrain, **fit_kwargs)
