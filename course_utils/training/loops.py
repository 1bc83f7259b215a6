"""The loops of ``fit`` and ``evaluate``: one checked first forward pass, one training epoch, one
evaluation pass. Everything about the device comes from a ``DevicePolicy``; everything about
arguments, checkpoints and epochs stays in ``engine``.
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Callable, Mapping, Optional

import torch
from torch import nn

from . import distributed as dist_utils
from .accumulate import Accumulator, global_means
from .metrics import Metric, resolve_metrics
from .policy import DevicePolicy
from .preflight import (
    NonFiniteLossError,
    batch_size,
    check_loss,
    check_outputs,
    explain_device_error,
    non_finite_message,
    split_batch,
)
from .progress import Reporter


def forward(net: nn.Module, inputs):
    """``net(*inputs)`` for a tuple/list of inputs, else ``net(inputs)``."""
    return net(*inputs) if isinstance(inputs, (tuple, list)) else net(inputs)


def first_forward(net: nn.Module, model: nn.Module, inputs, targets, *, loss_fn: Optional[Callable],
                  metrics: Optional[Mapping[str, Metric]], policy: DevicePolicy, training: bool):
    """The first batch's forward pass, with every check that must pass before anything else happens.

    Shared by ``fit`` (``training=True``: the loss must also be differentiable) and ``evaluate``.

    Args:
        net: what is called (``model`` itself, or its DDP wrapper).
        model: the user's module (named in error messages).
        inputs, targets: the first batch, already on ``policy.device``.
        loss_fn: the loss, or ``None`` (evaluation without a loss).
        metrics: ``fit``'s ``metrics=`` argument (``None``: accuracy for classification outputs).

    Returns:
        ``(outputs, loss or None, {metric name: fn})``.

    Raises:
        RuntimeError: a device mismatch inside the model (with the fix); TypeError / ValueError:
            outputs, targets and loss that do not fit (see ``preflight``).
    """
    try:
        with policy.autocast():
            outputs = forward(net, inputs)
    except RuntimeError as exc:
        better = explain_device_error(exc, model, policy.device)
        if better is not None:
            raise better from exc
        raise
    loss = None
    if loss_fn is not None:
        check_outputs(outputs, targets, loss_fn)
        with policy.autocast():
            loss = loss_fn(outputs, targets)
        check_loss(loss, needs_grad=training)
    return outputs, loss, resolve_metrics(metrics, outputs, targets)


# --------------------------------------------------------------------------- evaluation
def eval_pass(model: nn.Module, loader, *, loss_fn: Optional[Callable], metrics: Optional[Mapping[str, Metric]],
              policy: DevicePolicy, info: dist_utils.DistInfo, prefix: str, name: str) -> tuple[dict, int, dict]:
    """One pass without gradients; returns ``(means, samples, resolved metrics)``.

    ``model`` is put in eval mode for the pass and back in its previous mode after.
    """
    autocast, to_device = policy.autocast, policy.to_device
    was_training = model.training
    model.eval()
    acc: Optional[Accumulator] = None
    resolved: dict = dict(metrics) if metrics is not None else {}
    try:
        with torch.no_grad():
            for batch in loader:
                inputs, targets = split_batch(batch)
                inputs, targets = to_device(inputs), to_device(targets)
                if acc is None:
                    outputs, loss, resolved = first_forward(model, model, inputs, targets, loss_fn=loss_fn,
                                                            metrics=metrics, policy=policy, training=False)
                    acc = Accumulator(list(resolved), policy)
                else:
                    with autocast():
                        outputs = forward(model, inputs)
                        loss = loss_fn(outputs, targets) if loss_fn is not None else None
                acc.sizes.append(batch_size(targets))
                if loss is not None:
                    acc.pending_losses.append(loss)
                for metric_name, fn in resolved.items():
                    acc.pending_metrics[metric_name].append(fn(outputs, targets))
    finally:
        model.train(was_training)
    if acc is None:
        if info.enabled:  # this rank's share may be empty while others have data
            acc = Accumulator(list(resolved), policy)
        else:
            raise ValueError(f"{name} gave no batches, so there is nothing to evaluate. Check that its dataset is not "
                             "empty (print len(dataset)).")
    acc.drain()
    means, samples = global_means(acc, prefix, info)
    return means, samples, resolved


# --------------------------------------------------------------------------- training
class Trainer:
    """The per-epoch training loop of ``fit`` (kept apart so that the hot path is short and easy to audit).

    Args:
        model: the user's module; ``net``: what is called (``model`` or its DDP wrapper).
        loss_fn, optimizer, metrics: as given to ``fit``.
        policy: the resolved ``DevicePolicy``; ``scaler``: its ``GradScaler`` or ``None``.
        batch_scheduler: a scheduler stepped after every optimizer step, or ``None``.
        grad_clip: clip the gradients' total norm to this before every step, or ``None``.
        info: the torchrun process group; ``reporter``: where progress goes.
        steps: batches per epoch (``None``: unknown); ``checkpoint``: its path, named in NaN errors.
    """

    def __init__(self, *, model: nn.Module, net: nn.Module, loss_fn: Callable, optimizer: torch.optim.Optimizer,
                 metrics: Optional[Mapping[str, Metric]], policy: DevicePolicy, scaler, batch_scheduler,
                 grad_clip: Optional[float], info: dist_utils.DistInfo, reporter: Reporter, steps: Optional[int],
                 checkpoint: Optional[Path]) -> None:
        self.model, self.net, self.loss_fn, self.optimizer = model, net, loss_fn, optimizer
        self.metrics_arg = metrics
        self.resolved_metrics: Optional[dict] = None
        self.policy, self.scaler = policy, scaler
        self.batch_scheduler, self.grad_clip = batch_scheduler, grad_clip
        self.params = [p for p in model.parameters() if p.requires_grad]
        self.info, self.reporter, self.steps, self.checkpoint = info, reporter, steps, checkpoint

    def _check_finite(self, values: list[float], first_step: int, epoch: int, weights_intact: bool = False) -> None:
        for offset, value in enumerate(values):
            if not math.isfinite(value):
                raise NonFiniteLossError(non_finite_message(value, epoch, first_step + offset, self.steps,
                                                            self.checkpoint, weights_intact))

    def _update(self, loss: torch.Tensor) -> None:
        """Backward pass and optimizer step (scaled for fp16, clipped with ``grad_clip``)."""
        optimizer, scaler = self.optimizer, self.scaler
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

    def train_epoch(self, loader, epoch: int) -> tuple[dict, float]:
        """One epoch; returns ``({"train_loss": ..., "train_<metric>": ..., "_samples": n}, seconds)``."""
        policy, net, loss_fn, optimizer, reporter = self.policy, self.net, self.loss_fn, self.optimizer, self.reporter
        autocast, to_device, read_one = policy.autocast, policy.to_device, policy.read_one
        sync_each_step, interval = policy.sync_each_step, policy.read_interval_s
        plain_update = self.scaler is None and self.grad_clip is None and self.batch_scheduler is None
        isfinite = math.isfinite
        acc: Optional[Accumulator] = None
        sizes = losses = pending_losses = None
        metric_items: list = []
        show_running = reporter.mode == "bar"
        watch_clock = not sync_each_step or show_running
        next_refresh = time.perf_counter() + interval
        started = time.perf_counter()
        net.train()
        step = 0
        for batch in loader:
            step += 1
            inputs, targets = split_batch(batch)
            inputs, targets = to_device(inputs), to_device(targets)
            if acc is None:
                if self.resolved_metrics is None:
                    outputs, loss, self.resolved_metrics = first_forward(
                        net, self.model, inputs, targets, loss_fn=loss_fn, metrics=self.metrics_arg, policy=policy,
                        training=True)
                else:
                    with autocast():
                        outputs = forward(net, inputs)
                        loss = loss_fn(outputs, targets)
                acc = Accumulator(list(self.resolved_metrics), policy)
                sizes, losses, pending_losses = acc.sizes, acc.losses, acc.pending_losses
                metric_items = [(acc.pending_metrics[name], fn) for name, fn in self.resolved_metrics.items()]
            else:
                with autocast():
                    outputs = forward(net, inputs)
                    loss = loss_fn(outputs, targets)
            sizes.append(batch_size(targets))
            if sync_each_step:  # CPU: free to read; a NaN stops before backward() touches the weights
                value = read_one(loss)
                losses.append(value)
                if not isfinite(value):
                    self._check_finite([value], step, epoch, weights_intact=True)
            else:
                pending_losses.append(loss.detach())
            if metric_items:
                detached = outputs.detach()
                for pending, fn in metric_items:
                    pending.append(fn(detached, targets))
            if plain_update:
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
            else:
                self._update(loss)
            reporter.step()
            if watch_clock and time.perf_counter() >= next_refresh:
                first = len(losses) + 1
                self._check_finite(acc.drain(), first, epoch)
                if show_running:
                    reporter.running(acc.running("train_"))
                next_refresh = time.perf_counter() + interval
        if acc is None:
            raise ValueError("train_loader gave no batches in epoch "
                             f"{epoch}: there is nothing to train on. Check that its dataset is not empty "
                             "(print len(dataset)) and, for a generator, that it is not already used up.")
        first = len(acc.losses) + 1
        self._check_finite(acc.drain(), first, epoch)
        policy.synchronize()
        seconds = time.perf_counter() - started
        means, samples = global_means(acc, "train_", self.info)
        means["_samples"] = samples
        return means, seconds
