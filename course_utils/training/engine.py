"""``fit``, ``evaluate`` and ``train_or_load``: the training loop the notebooks share.

What happens in ``fit``, in order:

1. checks before the first step (empty loader, optimizer of another model, device, shapes);
2. the model and every batch go to the device (``non_blocking`` copies on CUDA);
3. per epoch: train (mixed precision on CUDA), validate, record a History row, write the
   checkpoint atomically, report progress;
4. ``resume=True`` first restores everything from the checkpoint and continues.

The loss and metrics of each step stay on the device; they are read once per epoch (and about
once a second while a progress bar is shown), so a GPU never waits for Python between steps.
On the CPU, where reading a number costs nothing, the loss is read at every step so that a NaN
stops training before it reaches the weights.
"""

from __future__ import annotations

import math
import time
from contextlib import nullcontext
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
from .metrics import Metric, resolve_metrics
from .preflight import (
    NonFiniteLossError,
    batch_size,
    check_epochs,
    check_loss,
    check_model_device,
    check_optimizer,
    check_outputs,
    explain_device_error,
    loader_length,
    move_optimizer_state,
    non_finite_message,
    split_batch,
)
from .progress import Reporter, make_reporter, resolve_mode

#: Seconds between device reads while training on an accelerator (progress refresh and NaN check).
REFRESH_SECONDS = 1.0

AMP_CHOICES = ("auto", "bf16", "fp16", True, False, None)


# --------------------------------------------------------------------------- small helpers
def syncs_each_step(device: torch.device) -> bool:
    """Whether the loss is read at every step: only on the CPU, where a read does not wait for anything."""
    return device.type == "cpu"


def _requested_device(device) -> torch.device:
    if device is None:
        from ..env import current_env

        return torch.device(current_env().device)
    from ..device import pick_device

    return pick_device(str(device))


def resolve_amp(amp, device: torch.device) -> tuple[Optional[torch.dtype], bool]:
    """``(autocast dtype or None, use a GradScaler)`` for ``amp`` on ``device``.

    ``"auto"``/``True``: bf16 on CUDA GPUs that support it, else fp16 with a grad scaler; off on
    the CPU and MPS. ``"bf16"``/``"fp16"`` force a type; ``False``/``None`` turn it off.
    """
    if amp not in AMP_CHOICES:
        raise ValueError(f"amp={amp!r} is not understood: use 'auto', 'bf16', 'fp16' or False.")
    if amp in (False, None):
        return None, False
    if amp in ("auto", True):
        if device.type != "cuda":
            return None, False
        amp = "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    if amp == "bf16":
        if device.type == "cuda" and not torch.cuda.is_bf16_supported():
            raise ValueError("amp='bf16' needs a GPU with bfloat16 support (Ampere or newer, e.g. A100, L4); this one "
                             "has none: use amp='fp16' or amp='auto'.")
        return torch.bfloat16, False
    if device.type not in ("cuda", "mps"):
        raise ValueError(f"amp='fp16' needs a CUDA or MPS device; training runs on {device}. Use amp=False on the "
                         "CPU (or amp='bf16' where the CPU supports it).")
    return torch.float16, device.type == "cuda"


def _make_scaler(device: torch.device):
    return torch.amp.GradScaler(device.type)


def _to_device(obj, device: torch.device, non_blocking: bool):
    if isinstance(obj, torch.Tensor):
        return obj.to(device, non_blocking=non_blocking)
    if isinstance(obj, (tuple, list)):
        return type(obj)(_to_device(item, device, non_blocking) for item in obj)
    return obj


def pin_loader_memory(loader, device: torch.device) -> None:
    """On CUDA, let a ``DataLoader`` put its batches in pinned (page-locked) memory.

    Copies from pinned memory are what make ``non_blocking=True`` asynchronous; the loader pins
    in a background thread. Only the ``pin_memory`` flag is changed, never the batches' content.
    """
    if (device.type == "cuda" and isinstance(loader, torch.utils.data.DataLoader) and not loader.pin_memory
            and getattr(loader, "_iterator", None) is None):
        loader.pin_memory = True


def _forward(net: nn.Module, inputs):
    return net(*inputs) if isinstance(inputs, (tuple, list)) else net(inputs)


def _synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


def _read(tensors: list, device: torch.device) -> list[float]:
    """One device-to-host read for a list of 0-dim tensors (the only place the loop waits for the device)."""
    if not tensors:
        return []
    stacked = torch.stack([torch.as_tensor(t, dtype=torch.float32, device=device).reshape(()) for t in tensors])
    return stacked.tolist()


class _Accumulator:
    """Per-batch losses and metrics of one pass: pending on the device, read in bulk, kept as floats."""

    def __init__(self, names: list[str], device: torch.device) -> None:
        self.names, self.device = names, device
        self.sizes: list[int] = []
        self.losses: list[float] = []
        self.metrics: dict[str, list[float]] = {name: [] for name in names}
        self.pending_losses: list = []
        self.pending_metrics: dict[str, list] = {name: [] for name in names}

    def drain(self) -> list[float]:
        """Read everything pending; returns the loss values just read."""
        count = len(self.pending_losses)
        tensors = self.pending_losses + [t for name in self.names for t in self.pending_metrics[name]]
        values = _read(tensors, self.device)
        new_losses = values[:count]
        self.losses.extend(new_losses)
        offset = count
        for name in self.names:
            block = len(self.pending_metrics[name])
            self.metrics[name].extend(values[offset:offset + block])
            offset += block
            self.pending_metrics[name] = []
        self.pending_losses = []
        return new_losses

    def sums(self) -> tuple[Optional[float], dict[str, float], int]:
        """``(sum of loss x batch size, {metric: sum of value x batch size}, samples)`` (all read already)."""
        loss = math.fsum(v * n for v, n in zip(self.losses, self.sizes)) if self.losses else None
        metrics = {name: math.fsum(v * n for v, n in zip(self.metrics[name], self.sizes)) for name in self.names}
        return loss, metrics, sum(self.sizes)

    def running(self, prefix: str) -> dict:
        """Means over the values read so far (for the progress bar)."""
        values = {}
        seen = sum(self.sizes[:len(self.losses)])
        if self.losses and seen:
            values[f"{prefix}loss"] = math.fsum(v * n for v, n in zip(self.losses, self.sizes)) / seen
        for name in self.names:
            done = self.metrics[name]
            weight = sum(self.sizes[:len(done)])
            if done and weight:
                values[f"{prefix}{name}"] = math.fsum(v * n for v, n in zip(done, self.sizes)) / weight
        return values


def _global_means(acc: _Accumulator, prefix: str, device: torch.device, info) -> tuple[dict, int]:
    """Epoch means over all samples (summed over every process under torchrun)."""
    loss, metrics, samples = acc.sums()
    if info.enabled:
        values = [loss or 0.0] + [metrics[n] for n in acc.names] + [float(samples)]
        total = dist_utils.all_reduce_sum(torch.tensor(values, dtype=torch.float64, device=device)).tolist()
        loss = total[0] if loss is not None else None
        metrics = dict(zip(acc.names, total[1:-1]))
        samples = int(round(total[-1]))
    means = {}
    if loss is not None:
        means[f"{prefix}loss"] = loss / samples if samples else math.nan
    for name in acc.names:
        means[f"{prefix}{name}"] = metrics[name] / samples if samples else math.nan
    return means, samples


# --------------------------------------------------------------------------- evaluation
def _eval_pass(model: nn.Module, loader, *, loss_fn, metrics: Optional[Mapping[str, Metric]], device: torch.device,
               amp_dtype, info, prefix: str, name: str) -> tuple[dict, int, dict]:
    """One pass without gradients; returns ``(means, samples, resolved metrics)``."""
    autocast = (lambda: torch.autocast(device.type, dtype=amp_dtype)) if amp_dtype is not None else nullcontext
    non_blocking = device.type == "cuda"
    was_training = model.training
    model.eval()
    acc: Optional[_Accumulator] = None
    resolved: dict = dict(metrics) if metrics is not None else {}
    try:
        with torch.no_grad():
            for batch in loader:
                inputs, targets = split_batch(batch)
                inputs = _to_device(inputs, device, non_blocking)
                targets = _to_device(targets, device, non_blocking)
                if acc is None:
                    try:
                        with autocast():
                            outputs = _forward(model, inputs)
                    except RuntimeError as exc:
                        better = explain_device_error(exc, model, device)
                        if better is not None:
                            raise better from exc
                        raise
                    if loss_fn is not None:
                        check_outputs(outputs, targets, loss_fn)
                    resolved = resolve_metrics(metrics, outputs, targets)
                    acc = _Accumulator(list(resolved), device)
                else:
                    with autocast():
                        outputs = _forward(model, inputs)
                acc.sizes.append(batch_size(targets))
                if loss_fn is not None:
                    with autocast():
                        acc.pending_losses.append(loss_fn(outputs, targets))
                for metric_name, fn in resolved.items():
                    acc.pending_metrics[metric_name].append(fn(outputs, targets))
    finally:
        model.train(was_training)
    if acc is None:
        if info.enabled:  # this rank's share may be empty while others have data
            acc = _Accumulator(list(resolved), device)
        else:
            raise ValueError(f"{name} gave no batches, so there is nothing to evaluate. Check that its dataset is not "
                             "empty (print len(dataset)).")
    acc.drain()
    means, samples = _global_means(acc, prefix, device, info)
    return means, samples, resolved


def evaluate(model: nn.Module, loader, *, loss_fn: Optional[Callable] = None,
             metrics: Optional[Mapping[str, Metric]] = None, device: Union[str, torch.device, None] = None,
             amp="auto") -> dict:
    """Loss and metrics of ``model`` over every batch of ``loader``, without training.

    Args:
        model: the network; put in eval mode for the pass and back in its previous mode after.
        loader: a DataLoader (or any iterable) of ``(inputs, targets)`` batches.
        loss_fn: e.g. ``nn.CrossEntropyLoss()``; ``None`` reports no loss.
        metrics: ``{name: fn(outputs, targets) -> 0-dim tensor batch mean}``; ``None``: accuracy
            (``"acc"``) when outputs look like class scores ``[B, C]`` and targets like labels ``[B]``.
        device: where to compute; ``None``: where the model's parameters are (the model is not moved),
            or ``setup()``'s device for a model without parameters.
        amp: mixed precision as in ``fit`` (``"auto"``: bf16/fp16 on CUDA only).

    Returns:
        ``{"loss": mean loss, "acc": accuracy, ..., "samples": number of samples}``, means over
        every sample (each batch weighted by its size). Under torchrun, over every process's share.
    """
    if device is None:
        first = next(iter(model.parameters()), None)
        device = first.device if first is not None else _requested_device(None)
    else:
        device = _requested_device(device)
        model.to(device)
    loader_length(loader, "loader")
    info = dist_utils.current()
    if info.enabled:
        loader = dist_utils.distribute_loader(loader, info, train=False, device=device)
    amp_dtype, _ = resolve_amp(amp, device)
    means, samples, _ = _eval_pass(model, loader, loss_fn=loss_fn, metrics=metrics, device=device,
                                   amp_dtype=amp_dtype, info=info, prefix="", name="loader")
    means["samples"] = samples
    return means


# --------------------------------------------------------------------------- training
def fit(model: nn.Module, train_loader, *, loss_fn: Callable, optimizer: torch.optim.Optimizer, epochs: int,
        val_loader=None, metrics: Optional[Mapping[str, Metric]] = None,
        device: Union[str, torch.device, None] = None, amp="auto", scheduler=None, scheduler_step: str = "epoch",
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
        device: ``None``: ``course_utils.setup()``'s device (under torchrun ``cuda:LOCAL_RANK``).
        amp: mixed precision: ``"auto"`` (bf16 on CUDA GPUs that support it, else fp16 with a
            gradient scaler; off on the CPU and MPS), ``"bf16"``, ``"fp16"`` or ``False``.
        scheduler: a learning-rate scheduler, stepped once per epoch (``ReduceLROnPlateau`` gets
            the validation loss, else the training loss) or, with ``scheduler_step="batch"``,
            after every optimizer step. Its learning rate is recorded as ``lr``.
        grad_clip: clip the gradients' total norm to this value before each step.
        checkpoint: ``None`` (default): ``<checkpoint_dir>/<model class name>.pt``; a name such as
            ``"mlp"``: ``<checkpoint_dir>/mlp.pt``; a path; ``False``: no checkpoints. Written
            atomically after every epoch.
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

    requested = _requested_device(device)
    info = dist_utils.init(distributed, requested)
    device = dist_utils.rank_device(info, requested)
    model.to(device)
    move_optimizer_state(optimizer, device)
    check_model_device(model, device)

    if info.enabled:
        train_loader = dist_utils.distribute_loader(train_loader, info, train=True, device=device)
        if val_loader is not None:
            val_loader = dist_utils.distribute_loader(val_loader, info, train=False, device=device)
    steps = loader_length(train_loader, "train_loader")
    if val_loader is not None:
        loader_length(val_loader, "val_loader")
    for loader in (train_loader, val_loader):
        pin_loader_memory(loader, device)

    amp_dtype, use_scaler = resolve_amp(amp, device)
    scaler = _make_scaler(device) if use_scaler else None
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
        raise ValueError("resume=True needs a checkpoint to resume from: pass checkpoint='name' (not False).")

    trainer = _Trainer(model=model, net=dist_utils.wrap_model(model, info, device), loss_fn=loss_fn,
                       optimizer=optimizer, metrics=metrics, device=device, amp_dtype=amp_dtype, scaler=scaler,
                       scheduler=scheduler if scheduler_step == "batch" else None, grad_clip=grad_clip, info=info,
                       reporter=reporter, steps=steps, checkpoint=path)
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
                means, _, _ = _eval_pass(model, val_loader, loss_fn=loss_fn, metrics=trainer.resolved_metrics,
                                         device=device, amp_dtype=amp_dtype, info=info, prefix="val_",
                                         name="val_loader")
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
            what = "nothing was saved (checkpoint=False)"
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


class _Trainer:
    """The per-epoch loop of ``fit`` (kept apart so that the hot path is short and easy to audit)."""

    def __init__(self, *, model, net, loss_fn, optimizer, metrics, device, amp_dtype, scaler, scheduler, grad_clip,
                 info, reporter: Reporter, steps: Optional[int], checkpoint: Optional[Path]) -> None:
        self.model, self.net, self.loss_fn, self.optimizer = model, net, loss_fn, optimizer
        self.metrics_arg = metrics
        self.resolved_metrics: Optional[dict] = None
        self.device, self.amp_dtype, self.scaler = device, amp_dtype, scaler
        self.batch_scheduler, self.grad_clip = scheduler, grad_clip
        self.params = [p for p in model.parameters() if p.requires_grad]
        self.info, self.reporter, self.steps, self.checkpoint = info, reporter, steps, checkpoint
        self.non_blocking = device.type == "cuda"
        self.sync_each_step = syncs_each_step(device)

    def _autocast(self):
        return torch.autocast(self.device.type, dtype=self.amp_dtype) if self.amp_dtype is not None else nullcontext()

    def _first_forward(self, inputs, targets):
        """The first step's forward pass, with every check that must pass before weights change."""
        try:
            with self._autocast():
                outputs = _forward(self.net, inputs)
        except RuntimeError as exc:
            better = explain_device_error(exc, self.model, self.device)
            if better is not None:
                raise better from exc
            raise
        check_outputs(outputs, targets, self.loss_fn)
        self.resolved_metrics = resolve_metrics(self.metrics_arg, outputs, targets)
        with self._autocast():
            loss = self.loss_fn(outputs, targets)
        check_loss(loss)
        return outputs, loss

    def _check_finite(self, values: list[float], first_step: int, epoch: int, weights_intact: bool = False) -> None:
        for offset, value in enumerate(values):
            if not math.isfinite(value):
                raise NonFiniteLossError(non_finite_message(value, epoch, first_step + offset, self.steps,
                                                            self.checkpoint, weights_intact))

    def train_epoch(self, loader, epoch: int) -> tuple[dict, float]:
        """One epoch; returns ``({"train_loss": ..., "train_<metric>": ..., "_samples": n}, seconds)``."""
        net, loss_fn, optimizer, scaler = self.net, self.loss_fn, self.optimizer, self.scaler
        device, non_blocking, sync_each_step = self.device, self.non_blocking, self.sync_each_step
        reporter, autocast = self.reporter, self._autocast
        acc: Optional[_Accumulator] = None
        metric_items: list = []
        show_running = reporter.mode == "bar"
        next_refresh = time.perf_counter() + REFRESH_SECONDS
        started = time.perf_counter()
        net.train()
        step = 0
        for batch in loader:
            step += 1
            inputs, targets = split_batch(batch)
            inputs = _to_device(inputs, device, non_blocking)
            targets = _to_device(targets, device, non_blocking)
            if self.resolved_metrics is None:
                outputs, loss = self._first_forward(inputs, targets)
            else:
                with autocast():
                    outputs = _forward(net, inputs)
                    loss = loss_fn(outputs, targets)
            if acc is None:
                metric_items = list(self.resolved_metrics.items())
                acc = _Accumulator([name for name, _ in metric_items], device)
            acc.sizes.append(batch_size(targets))
            if sync_each_step:  # CPU: free to read; a NaN stops before backward() touches the weights
                value = loss.item()
                acc.losses.append(value)
                if not math.isfinite(value):
                    self._check_finite([value], step, epoch, weights_intact=True)
            else:
                acc.pending_losses.append(loss.detach())
            if metric_items:
                detached = outputs.detach()
                for name, fn in metric_items:
                    acc.pending_metrics[name].append(fn(detached, targets))
            optimizer.zero_grad(set_to_none=True)
            if scaler is not None:
                scaler.scale(loss).backward()
                if self.grad_clip is not None:
                    scaler.unscale_(optimizer)
                    nn.utils.clip_grad_norm_(self.params, self.grad_clip)
                scaler.step(optimizer)
                scaler.update()
            else:
                loss.backward()
                if self.grad_clip is not None:
                    nn.utils.clip_grad_norm_(self.params, self.grad_clip)
                optimizer.step()
            if self.batch_scheduler is not None:
                self.batch_scheduler.step()
            reporter.step()
            if not sync_each_step or show_running:
                now = time.perf_counter()
                if now >= next_refresh:
                    first = len(acc.losses) + 1
                    self._check_finite(acc.drain(), first, epoch)
                    if show_running:
                        reporter.running(acc.running("train_"))
                    next_refresh = time.perf_counter() + REFRESH_SECONDS
        if acc is None:
            raise ValueError("train_loader gave no batches in epoch "
                             f"{epoch}: there is nothing to train on. Check that its dataset is not empty "
                             "(print len(dataset)) and, for a generator, that it is not already used up.")
        first = len(acc.losses) + 1
        self._check_finite(acc.drain(), first, epoch)
        _synchronize(device)
        seconds = time.perf_counter() - started
        means, samples = _global_means(acc, "train_", device, self.info)
        means["_samples"] = samples
        return means, seconds


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
